// Aggregate queries for the Outcomes report: for one instrument, each programme's people with a
// reading, people with a first and a latest, and per score the sums of first and latest values,
// of the change, and how many improved. The database finds each person's readings (a group by
// over the index in programme, instrument, person and time order), seeks their first and latest,
// and counts; only a row per programme leaves it. (Window functions over the same rows took
// several times as long on SQLite at national scale: each window is its own sorting pass.)

import { type Expression, type RawBuilder, sql } from 'kysely'
import { dialectOf } from '../db/database.ts'
import { withRoomToCount } from '../db/dialect.ts'
import type { Queryable } from '../db/schema.ts'
import type { Instrument } from './instruments.ts'

export interface ScoreCounts {
  id: string
  /** People with this score in both their first and their latest reading. */
  pairs: number
  sumFirst: number
  sumLatest: number
  /** The sum of latest − first. */
  sumChange: number
  /** Pairs whose score moved in the better direction. */
  improved: number
  /** Pairs whose score moved in the better direction by at least the threshold given for it. */
  improvedByThreshold: number | null
}

export interface ChangeCounts {
  programmeId: string
  /** People in scope with at least one reading of the instrument before the end. */
  people: number
  /** Of those, people with two or more: a first and a latest. */
  paired: number
  /** Paired people whose latest is better than their first in at least one score. */
  improvedInAny: number
  scores: ScoreCounts[]
}

/**
 * The people a count covers, as a query of `person_id` and `programme_id` pairs from the
 * capability that knows them (casework's `peopleWithCasesOpenIn`): the database joins it, and no
 * list of people passes through the process.
 */
export type PeopleInScope = Expression<{ person_id: string; programme_id: string }>

/**
 * For each programme given, the change between each person's first and latest reading of the
 * instrument taken before `before`, counted as `programmeChange` and `personChange` define it.
 * `thresholds` gives, by score id, the least change (in the better direction) that counts for
 * `improvedByThreshold`.
 */
export async function changeCounts(
  db: Queryable,
  options: {
    instrument: Instrument
    programmeIds: readonly string[]
    before: string
    people: PeopleInScope
    thresholds?: Readonly<Record<string, number>>
  },
): Promise<ChangeCounts[]> {
  const { instrument, programmeIds, before, people } = options
  if (programmeIds.length === 0) return []
  const postgres = dialectOf(db) === 'postgres'
  // A score of the first or latest reading, on SQLite (PostgreSQL reads them below).
  const value = (column: 'first' | 'latest', scoreId: string): RawBuilder<number> =>
    sql`json_extract(${sql.ref(column)}, ${`$.${JSON.stringify(scoreId)}`})`
  const scores = instrument.scores.map((definition, i) => ({
    definition,
    f: sql.ref(`f${i}`),
    l: sql.ref(`l${i}`),
    i,
  }))
  const extracted = scores.flatMap(({ definition, i }) => [
    sql`${value('first', definition.id)} as ${sql.ref(`f${i}`)}`,
    sql`${value('latest', definition.id)} as ${sql.ref(`l${i}`)}`,
  ])
  // PostgreSQL reads each reading's scores in one parse (`json_to_record`, a column per score)
  // rather than one parse per score; SQLite keeps the text it parsed last, so `json_extract` per
  // score parses each reading once already.
  const record = (column: 'first' | 'latest', alias: string) =>
    sql`cross join lateral json_to_record(ends.${sql.ref(column)}::json) as ${sql.id(alias)}(${sql.join(
      instrument.scores.map((score) => sql`${sql.id(score.id)} float8`),
    )})`
  const scored =
    postgres && scores.length > 0
      ? sql`select ends.programme_id, ends.n, ${sql.join(
          scores.flatMap(({ definition, i }) => [
            sql`f.${sql.id(definition.id)} as ${sql.ref(`f${i}`)}`,
            sql`l.${sql.id(definition.id)} as ${sql.ref(`l${i}`)}`,
          ]),
        )}
        from ends ${record('first', 'f')} ${record('latest', 'l')}`
      : sql`select programme_id, n ${sql.join(
          extracted.map((column) => sql`, ${column}`),
          sql``,
        )} from ends`
  const better = (
    definition: Instrument['scores'][number],
    f: RawBuilder<unknown>,
    l: RawBuilder<unknown>,
  ) => (definition.better === 'higher' ? sql`${l} > ${f}` : sql`${l} < ${f}`)
  const columns = scores.flatMap(({ definition, f, l, i }) => {
    const pair = sql`n >= 2 and ${f} is not null and ${l} is not null`
    const threshold = options.thresholds?.[definition.id]
    const change = definition.better === 'higher' ? sql`${l} - ${f}` : sql`${f} - ${l}`
    return [
      sql`sum(case when ${pair} then 1 else 0 end) as ${sql.ref(`pairs${i}`)}`,
      sql`sum(case when ${pair} then ${f} end) as ${sql.ref(`first${i}`)}`,
      sql`sum(case when ${pair} then ${l} end) as ${sql.ref(`latest${i}`)}`,
      sql`sum(case when ${pair} then ${l} - ${f} end) as ${sql.ref(`change${i}`)}`,
      sql`sum(case when ${pair} and ${better(definition, f, l)} then 1 else 0 end) as ${sql.ref(`improved${i}`)}`,
      threshold === undefined
        ? sql`null as ${sql.ref(`threshold${i}`)}`
        : sql`sum(case when ${pair} and ${change} >= ${threshold - 1e-9} then 1 else 0 end) as ${sql.ref(`threshold${i}`)}`,
    ]
  })
  const anyImproved =
    scores.length === 0
      ? sql`1 = 0`
      : sql.join(
          scores.map(
            ({ definition, f, l }) =>
              sql`(${f} is not null and ${l} is not null and ${better(definition, f, l)})`,
          ),
          sql` or `,
        )
  const readings = sql`from outcome_readings
    where programme_id in (${sql.join(programmeIds.map((id) => sql`${id}`))})
      and instrument_id = ${instrument.id} and taken_at < ${before}`
  const inScope = sql`exists (
    select 1 from ${people} as p where p.person_id = x.person_id and p.programme_id = x.programme_id)`
  // Each person's first and latest reading. SQLite seeks each in the index (order by ... limit 1);
  // PostgreSQL gathers each person's readings in the index's order in one pass (an array, first
  // and last element), where the seeks cost it twice as long. On SQLite each step is
  // materialized: flattened, every use of a score below would find the reading and parse its
  // JSON again. PostgreSQL parses each reading once in its FROM clause (`json_to_record`, as
  // json, which it reads faster than it builds jsonb), so its steps are planned as one: stored
  // between steps, they took about a third longer.
  const ends = postgres
    ? sql`select x.programme_id, x.n, x.readings[1] as ${sql.ref('first')}, x.readings[x.n] as ${sql.ref('latest')}
        from (
          select programme_id, person_id, count(*) as n, array_agg(scores order by taken_at, id) as readings
          ${readings}
          group by programme_id, person_id
        ) as x
        where ${inScope}`
    : sql`select x.programme_id, x.n,
          (select r.scores from outcome_readings r
            where r.programme_id = x.programme_id and r.instrument_id = ${instrument.id}
              and r.person_id = x.person_id and r.taken_at < ${before}
            order by r.taken_at, r.id limit 1) as ${sql.ref('first')},
          (select r.scores from outcome_readings r
            where r.programme_id = x.programme_id and r.instrument_id = ${instrument.id}
              and r.person_id = x.person_id and r.taken_at < ${before}
            order by r.taken_at desc, r.id desc limit 1) as ${sql.ref('latest')}
        from (select programme_id, person_id, count(*) as n ${readings} group by programme_id, person_id) as x
        where ${inScope}`
  const stored = postgres ? sql`not materialized` : sql`materialized`
  const { rows } = await withRoomToCount(db, 64, (db) =>
    sql<Record<string, number | string | null>>`
    with ends as ${stored} (${ends}),
    scored as ${stored} (${scored})
    select programme_id, count(*) as people,
      sum(case when n >= 2 then 1 else 0 end) as paired,
      sum(case when n >= 2 and (${anyImproved}) then 1 else 0 end) as improved_any,
      ${sql.join(columns)}
    from scored
    group by programme_id`.execute(db),
  )
  const number = (v: number | string | null | undefined) => (v === null || v === undefined ? 0 : Number(v))
  return rows.map((row) => ({
    programmeId: String(row.programme_id),
    people: number(row.people),
    paired: number(row.paired),
    improvedInAny: number(row.improved_any),
    scores: scores.map(({ definition, i }) => ({
      id: definition.id,
      pairs: number(row[`pairs${i}`]),
      sumFirst: number(row[`first${i}`]),
      sumLatest: number(row[`latest${i}`]),
      sumChange: number(row[`change${i}`]),
      improved: number(row[`improved${i}`]),
      improvedByThreshold: row[`threshold${i}`] === null ? null : number(row[`threshold${i}`]),
    })),
  }))
}
