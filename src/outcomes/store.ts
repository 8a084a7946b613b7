// The outcomes capability's queries: the only place its SQL lives. These functions do not audit;
// measures.ts reads and records a person's readings and writes the audit event alongside.

import { type RawBuilder, sql } from 'kysely'
import { dialectOf } from '../db/database.ts'
import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { type Found, inTimeRanges, type Paging, type PersonIdQuery, type TimeRange } from '../db/search.ts'
import { inTransaction, lockRow } from '../db/transactions.ts'
import type { Reading, StarDefinition } from './instruments.ts'
import {
  emptySettings,
  type OutcomeSettings,
  type PaymentRules,
  type ScheduledMeasure,
  type Stage,
} from './schedule.ts'
import type { OutcomeReadingTable } from './tables.ts'
import './tables.ts'

export async function getOutcomeSettings(db: Queryable, programmeId: string): Promise<OutcomeSettings> {
  const row = await db
    .selectFrom('outcome_settings')
    .selectAll()
    .where('programme_id', '=', programmeId)
    .executeTakeFirst()
  if (!row) return emptySettings(programmeId)
  return {
    programmeId,
    measures: JSON.parse(row.measures) as ScheduledMeasure[],
    star: row.star ? (JSON.parse(row.star) as StarDefinition) : null,
    paymentRules: row.payment_rules ? (JSON.parse(row.payment_rules) as PaymentRules) : null,
    updatedAt: row.updated_at,
  }
}

export interface SettingsChange {
  measures?: ScheduledMeasure[]
  star?: StarDefinition | null
  paymentRules?: PaymentRules | null
}

/** Changes some of a programme's outcome settings, keeping the rest. */
export async function updateOutcomeSettings(
  db: Queryable,
  programmeId: string,
  change: SettingsChange,
  userId: string | null,
): Promise<OutcomeSettings> {
  const current = await getOutcomeSettings(db, programmeId)
  const next: OutcomeSettings = {
    ...current,
    ...(change.measures !== undefined ? { measures: change.measures } : {}),
    ...(change.star !== undefined ? { star: change.star } : {}),
    ...(change.paymentRules !== undefined ? { paymentRules: change.paymentRules } : {}),
    updatedAt: nowIso(),
  }
  const columns = {
    measures: JSON.stringify(next.measures),
    star: next.star ? JSON.stringify(next.star) : null,
    payment_rules: next.paymentRules ? JSON.stringify(next.paymentRules) : null,
    updated_at: next.updatedAt as string,
    updated_by_user_id: userId,
  }
  await db
    .insertInto('outcome_settings')
    .values({ programme_id: programmeId, ...columns })
    .onConflict((oc) => oc.column('programme_id').doUpdateSet(columns))
    .execute()
  return next
}

export interface StoredReading {
  id: string
  personId: string
  programmeId: string
  instrumentId: string
  stage: Stage
  takenAt: string
  answers: Record<string, number>
  scores: Record<string, number>
  enteredBy: 'link_worker' | 'person'
  recordedByUserId: string | null
  recordedAt: string
}

function toReading(row: OutcomeReadingTable): StoredReading {
  return {
    id: row.id,
    personId: row.person_id,
    programmeId: row.programme_id,
    instrumentId: row.instrument_id,
    stage: row.stage,
    takenAt: row.taken_at,
    answers: JSON.parse(row.answers) as Record<string, number>,
    scores: JSON.parse(row.scores) as Record<string, number>,
    enteredBy: row.entered_by,
    recordedByUserId: row.recorded_by_user_id,
    recordedAt: row.recorded_at,
  }
}

export interface NewReading {
  personId: string
  programmeId: string
  instrumentId: string
  stage: Stage
  takenAt: string
  answers: Record<string, number>
  scores: Record<string, number>
  enteredBy: 'link_worker' | 'person'
  recordedByUserId: string | null
}

export async function insertReading(db: Queryable, reading: NewReading): Promise<string> {
  const id = newId()
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('outcome_readings')
      .values({
        id,
        person_id: reading.personId,
        programme_id: reading.programmeId,
        instrument_id: reading.instrumentId,
        stage: reading.stage,
        taken_at: reading.takenAt,
        answers: JSON.stringify(reading.answers),
        scores: JSON.stringify(reading.scores),
        entered_by: reading.enteredBy,
        recorded_by_user_id: reading.recordedByUserId,
        recorded_at: nowIso(),
      })
      .execute()
    await keepScoresInStep(trx, [reading.personId])
  })
  return id
}

/**
 * Writes again the `outcome_scores` rows of these people's readings (or of everyone's): each
 * reading's scores as numbers, with the same score in the person's first reading of the
 * instrument in the programme, the reading's place among theirs and when their next was taken.
 * Called in the transaction of every change to a person's readings, after it; on PostgreSQL the
 * people's rows are held first, so that two readings recorded for one person at once take turns.
 */
export async function keepScoresInStep(db: Queryable, people: readonly string[] | 'all'): Promise<void> {
  const postgres = dialectOf(db) === 'postgres'
  const step = async (trx: Queryable, only: RawBuilder<unknown>) => {
    const chain = sql`(select id, person_id, programme_id, instrument_id, taken_at, scores,
        first_value(scores) over w as first_scores, row_number() over w as ordinal, lead(taken_at) over w as next_taken_at
      from outcome_readings where ${only}
      window w as (partition by programme_id, instrument_id, person_id order by taken_at, id)) r`
    // A reading without scores keeps one row with none (score_id ''), so its person is counted.
    const rows = postgres
      ? sql`select r.id, coalesce(s.key, ''), r.person_id, r.programme_id, r.instrument_id, r.taken_at,
            s.value::float8, (r.first_scores::json ->> s.key)::float8, r.ordinal, r.next_taken_at
          from ${chain} left join lateral json_each_text(r.scores::json) s on true`
      : sql`select r.id, coalesce(s.key, ''), r.person_id, r.programme_id, r.instrument_id, r.taken_at,
            s.value, json_extract(r.first_scores, '$."' || s.key || '"'), r.ordinal, r.next_taken_at
          from ${chain} left join json_each(r.scores) s`
    await sql`delete from outcome_scores where ${only}`.execute(trx)
    await sql`insert into outcome_scores (reading_id, score_id, person_id, programme_id, instrument_id, taken_at, value, first_value, ordinal, next_taken_at)
      ${rows}`.execute(trx)
  }
  await inTransaction(db, async (trx) => {
    if (people === 'all') return step(trx, sql`1 = 1`)
    const ids = [...new Set(people)].sort()
    for (const id of ids) await lockRow(trx, 'people', id)
    for (let i = 0; i < ids.length; i += 400)
      await step(trx, sql`person_id in (${sql.join(ids.slice(i, i + 400).map((id) => sql`${id}`))})`)
  })
}

/** A person's readings in a programme, oldest first. */
export async function readingsOfPerson(
  db: Queryable,
  personId: string,
  programmeId: string,
): Promise<StoredReading[]> {
  const rows = await db
    .selectFrom('outcome_readings')
    .selectAll()
    .where('person_id', '=', personId)
    .where('programme_id', '=', programmeId)
    .orderBy('taken_at')
    .orderBy('id')
    .execute()
  return rows.map(toReading)
}

/** Every person's readings of one instrument in a programme, each person's oldest first. */
export async function readingsByPerson(
  db: Queryable,
  programmeId: string,
  instrumentId: string,
): Promise<Reading[][]> {
  const rows = await db
    .selectFrom('outcome_readings')
    .select(['person_id', 'taken_at', 'scores'])
    .where('programme_id', '=', programmeId)
    .where('instrument_id', '=', instrumentId)
    .orderBy('person_id')
    .orderBy('taken_at')
    .execute()
  const people = new Map<string, Reading[]>()
  for (const row of rows) {
    const list = people.get(row.person_id) ?? []
    list.push({ takenAt: row.taken_at, scores: JSON.parse(row.scores) as Record<string, number> })
    people.set(row.person_id, list)
  }
  return [...people.values()]
}

/** `<instrument id>/<stage>` for every reading the person has in the programme. */
export async function recordedStages(
  db: Queryable,
  personId: string,
  programmeId: string,
): Promise<Set<string>> {
  const rows = await db
    .selectFrom('outcome_readings')
    .select(['instrument_id', 'stage'])
    .where('person_id', '=', personId)
    .where('programme_id', '=', programmeId)
    .execute()
  return new Set(rows.map((row) => `${row.instrument_id}/${row.stage}`))
}

/** A person's records merged: their outcome readings go to the record kept. */
export async function movePersonReadings(db: Queryable, from: string, into: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    await trx.updateTable('outcome_readings').set({ person_id: into }).where('person_id', '=', from).execute()
    await keepScoresInStep(trx, [from, into])
  })
}

/** Readings in a programme of the people of its caseload (a query of person ids for each part). */
export interface ReadingReach {
  programmeId: string
  people: readonly PersonIdQuery[]
}

export interface ReadingSearch {
  reach: readonly ReadingReach[]
  personId?: string
  ids?: readonly string[]
  updated?: readonly TimeRange[]
}

/** The readings in reach that match, last recorded first (then by id): one page, or all (no paging). */
export async function searchReadings(
  db: Queryable,
  search: ReadingSearch,
  paging?: Paging,
): Promise<Found<StoredReading>> {
  if (search.reach.length === 0 || search.ids?.length === 0) return { rows: [], total: 0 }
  let query = db
    .selectFrom('outcome_readings')
    .where((eb) =>
      eb.or(
        search.reach.map(({ programmeId, people }) =>
          eb.and([
            eb('programme_id', '=', programmeId),
            eb.or(people.map((ids) => eb('person_id', 'in', ids))),
          ]),
        ),
      ),
    )
  if (search.personId !== undefined) query = query.where('person_id', '=', search.personId)
  if (search.ids) query = query.where('id', 'in', [...search.ids])
  if (search.updated) query = query.where(inTimeRanges('recorded_at', search.updated))
  let rows = query.selectAll().orderBy('recorded_at', 'desc').orderBy('id')
  if (!paging) {
    const all = (await rows.execute()).map(toReading)
    return { rows: all, total: all.length }
  }
  rows = rows.limit(paging.limit).offset(paging.offset)
  const [page, count] = await Promise.all([
    rows.execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirst(),
  ])
  return { rows: page.map(toReading), total: Number(count?.total ?? 0) }
}
