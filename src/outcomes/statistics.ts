// Aggregate queries for the Outcomes report: for one instrument, each programme's people with a
// reading, people with a first and a latest, and per score the sums of first and latest values,
// of the change, and how many improved. The database reads each person's latest reading before
// the end from `outcome_scores`, where every reading's scores are numbers beside the same scores
// of the person's first reading (kept in step by store.ts), in programme, instrument and person
// order, and counts; only a row per programme leaves it, and no JSON is parsed (decision 0800).

import { type Expression, type RawBuilder, sql } from 'kysely'
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
  // Each person's latest reading before the end, a row per score (`outcome_scores`, migration
  // 0520): taken before it, and their next taken after it or never. With it come the same score
  // in their first reading and its place among theirs: two or more readings when not the first.
  const scores = instrument.scores.map((definition, i) => ({
    definition,
    f: sql.ref(`f${i}`),
    l: sql.ref(`l${i}`),
    i,
  }))
  const perScore = scores.flatMap(({ definition, i }) => [
    sql`, max(case when score_id = ${definition.id} then first_value end) as ${sql.ref(`f${i}`)}`,
    sql`, max(case when score_id = ${definition.id} then value end) as ${sql.ref(`l${i}`)}`,
  ])
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
  const inScope = sql`exists (
    select 1 from ${people} as p where p.person_id = x.person_id and p.programme_id = x.programme_id)`
  const { rows } = await withRoomToCount(db, 64, (db) =>
    sql<Record<string, number | string | null>>`
    select programme_id, count(*) as people,
      sum(case when n >= 2 then 1 else 0 end) as paired,
      sum(case when n >= 2 and (${anyImproved}) then 1 else 0 end) as improved_any,
      ${sql.join(columns)}
    from (
      select programme_id, person_id, max(ordinal) as n ${sql.join(perScore, sql``)}
      from outcome_scores
      where programme_id in (${sql.join(programmeIds.map((id) => sql`${id}`))})
        and instrument_id = ${instrument.id} and taken_at < ${before}
        and (next_taken_at is null or next_taken_at >= ${before})
      group by programme_id, person_id
    ) as x
    where ${inScope}
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
