import { type Kysely, sql } from 'kysely'
import { dialectOf } from '../database.ts'
import { floatType } from '../dialect.ts'

// The Outcomes report compares each person's first and latest reading of an instrument (decision
// 0800). Read from `outcome_readings`, it parsed two readings' JSON scores for every person, and at
// a borough's scale that parsing was most of its time. `outcome_scores` holds each reading's
// scores as numbers, a row per reading and score, and with each row what the report asks of the
// person's other readings of the instrument in the programme: the same score in their first
// reading (`first_value`), the reading's place among theirs (`ordinal`, from 1) and when their next
// was taken (`next_taken_at`). A person's latest reading before a date is then the one taken before
// it whose next is not, and the report reads it, its first and whether there were two or more from
// one row of an index. A reading with no scores has one row with none (score_id ''), so that its
// person is still counted. Kept in step by the outcomes store whenever a person's readings change.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outcome_scores')
    .addColumn('reading_id', 'text', (c) => c.notNull().references('outcome_readings.id').onDelete('cascade'))
    .addColumn('score_id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('programme_id', 'text', (c) => c.notNull())
    .addColumn('instrument_id', 'text', (c) => c.notNull())
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('value', floatType(db))
    .addColumn('first_value', floatType(db))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('next_taken_at', 'text')
    .addPrimaryKeyConstraint('outcome_scores_pk', ['reading_id', 'score_id'])
    .execute()
  await db.schema.createIndex('outcome_scores_person').on('outcome_scores').column('person_id').execute()
  await db.schema
    .createIndex('outcome_scores_programme_person')
    .on('outcome_scores')
    .columns([
      'programme_id',
      'instrument_id',
      'person_id',
      'taken_at',
      'next_taken_at',
      'ordinal',
      'score_id',
      'value',
      'first_value',
    ])
    .execute()
  // Every reading there is, as the store keeps them (outcomes/store.ts, keepScoresInStep).
  const postgres = dialectOf(db) === 'postgres'
  await sql`insert into outcome_scores (reading_id, score_id, person_id, programme_id, instrument_id, taken_at, value, first_value, ordinal, next_taken_at)
    ${postgres ? scoresOnPostgres : scoresOnSqlite}`.execute(db)
}

const chain = sql`(select id, person_id, programme_id, instrument_id, taken_at, scores,
    first_value(scores) over w as first_scores, row_number() over w as ordinal, lead(taken_at) over w as next_taken_at
  from outcome_readings window w as (partition by programme_id, instrument_id, person_id order by taken_at, id)) r`
const scoresOnSqlite = sql`select r.id, coalesce(s.key, ''), r.person_id, r.programme_id, r.instrument_id, r.taken_at,
    s.value, json_extract(r.first_scores, '$."' || s.key || '"'), r.ordinal, r.next_taken_at
  from ${chain} left join json_each(r.scores) s`
const scoresOnPostgres = sql`select r.id, coalesce(s.key, ''), r.person_id, r.programme_id, r.instrument_id, r.taken_at,
    s.value::float8, (r.first_scores::json ->> s.key)::float8, r.ordinal, r.next_taken_at
  from ${chain} left join lateral json_each_text(r.scores::json) s on true`

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outcome_scores').execute()
}
