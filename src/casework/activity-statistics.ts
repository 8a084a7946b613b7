// Aggregate queries for the Activity report: clients, needs, onward referrals and signposts,
// services and organisations reached, and clients given three or more, for the whole scope or
// grouped by link worker, practice or a grouping of practices (networks). The database adds up
// the cases and signposts by (link worker, practice) and (link worker, practice, service), in the
// order its indexes hold them; the cases of the few people with more than one come back case by
// case and are counted here once per person. No one's details leave this module (decision 0800).

import { type RawBuilder, sql } from 'kysely'
import { dialectOf } from '../db/database.ts'
import { readTogether } from '../db/dialect.ts'
import type { Queryable } from '../db/schema.ts'
import { type CaseScope, openInSql, type Period, scopeSql } from './statistics.ts'

/** How many cases in scope open in the period a link worker holds at a practice. */
export interface Holding {
  practiceId: string | null
  linkWorkerUserId: string | null
  cases: number
}

/** How to group: not at all, by the case's link worker, by its practice, or by a practice grouping. */
export type ActivityGrouping =
  | { by: 'none' }
  | { by: 'link-worker' }
  | { by: 'practice' }
  /** Each practice's group (a network of practices); practices not listed fall in the null group. */
  | { by: 'practice-group'; groups: ReadonlyMap<string, string> }

export interface ActivityCounts {
  /** The group's key: a user id, a practice id, a group id; null for "none recorded" (or no grouping). */
  key: string | null
  clients: number
  /** Clients with each need (by need id) recorded on a case open in the period. */
  needs: Map<string, number>
  onwardReferrals: number
  signposts: number
  services: number
  organisations: number
  /** Clients given at least one onward referral or signpost in the period. */
  clientsReached: number
  clientsGivenThreeOrMore: number
}

/** A row of the counting statements: its part, then the columns every part has (`columns`). */
type CountRow = Record<string, string | number | null>

/** One group's figures, as counted so far. */
interface Tally {
  clients: number
  needs: number[]
  onward: number
  signposts: number
  reached: number
  three: number
  services: Set<string>
  organisations: Set<string>
}

const newTally = (needs: number): Tally => ({
  clients: 0,
  needs: Array.from({ length: needs }, () => 0),
  onward: 0,
  signposts: 0,
  reached: 0,
  three: 0,
  services: new Set(),
  organisations: new Set(),
})

/** The key a case with this link worker and practice falls under in a grouping. */
function keyOf(grouping: ActivityGrouping, worker: string | null, practice: string | null): string | null {
  switch (grouping.by) {
    case 'none':
      return null
    case 'link-worker':
      return worker
    case 'practice':
      return practice
    case 'practice-group':
      return practice === null ? null : (grouping.groups.get(practice) ?? null)
  }
}

/**
 * The Activity counts for several groupings at once (each grouping's rows in key order), and
 * how many of the cases each link worker holds at each practice.
 *
 * Two statements of one snapshot do the work that grows with the cases, in three parts, each
 * added up in the order its index holds it: (programme, link worker, practice), so nothing is
 * sorted.
 * - The cases in scope open in the period, counted with their needs by (link worker, practice).
 *   Counted so, a person with two cases would count twice; a case records how many cases its
 *   person has, and every case of someone with more than one comes back on its own (with what it
 *   was given in the period), so that here they are taken out case by case and put back once per
 *   person in each group they fall in.
 * - The onward referrals and signposts made in the period from those cases, counted by (link
 *   worker, practice, service, kind); each carries its case's link worker, practice, organisation
 *   and dates, so no case is looked up. Each also knows when its case's previous one and second
 *   next one were made: it is the first its case was given in the period when the previous one
 *   came before the period, and then its case was given three or more when the second next one
 *   came before the period's end. Summing those answers how many cases were given any, and three
 *   or more, without counting by case.
 * The sums add up over any grouping of (link worker, practice); services are counted distinct
 * per group here, and their organisations through `providersOf` (the directory's answer). No
 * person's details leave this function.
 */
export async function activityCountsByEach(
  db: Queryable,
  scope: CaseScope,
  period: Period,
  needIds: readonly string[],
  providersOf: (serviceIds: string[]) => Promise<ReadonlyMap<string, string>>,
  groupings: readonly ActivityGrouping[],
): Promise<{ groups: ActivityCounts[][]; holdings: Holding[] }> {
  const needs = needIds.map((_, i) => sql.id(`need${i}`))
  // Whether a case records a need, 0 or 1: `needs` holds a JSON array of need ids, so the id in
  // quotes is looked for as text (`instr` on SQLite, `strpos` on PostgreSQL: an exact match).
  const find = dialectOf(db) === 'postgres' ? sql`strpos` : sql`instr`
  const hasNeed = needIds.map(
    (needId) => sql`case when ${find}(cases.needs, ${JSON.stringify(needId)}) > 0 then 1 else 0 end`,
  )
  // Every union member has the same columns: what it does not give is a null of the column's type.
  const TEXT = ['person_id', 'worker', 'practice', 'service_id', 'service_name', 'kind']
  const NUMBERS = ['clients', 'given', 'reached', 'three']
  const columns = (
    part: Part,
    values: Record<string, RawBuilder<unknown>>,
    needValue: RawBuilder<unknown>[] = [],
  ) =>
    sql.join([
      sql`${sql.lit(part)} as part`,
      ...TEXT.map((c) => sql`${values[c] ?? sql`cast(null as text)`} as ${sql.id(c)}`),
      ...NUMBERS.map((c) => sql`${values[c] ?? sql`cast(null as bigint)`} as ${sql.id(c)}`),
      ...needs.map((need, i) => sql`${needValue[i] ?? sql`cast(null as bigint)`} as ${need}`),
    ])
  const casesInScope = sql`${scopeSql(scope)} and ${openInSql(period)}`
  // The cases of people with more than one are few, and lie in an index of their own; SQLite's
  // planner, without figures for an index that may be empty, is told to use it.
  const sharedIndex = dialectOf(db) === 'sqlite' ? sql`indexed by cases_shared_programme_opened` : sql``
  const first = sql`(case_signposts.previous_at is null or case_signposts.previous_at < ${period.from})`
  // The cases and the onward referrals and signposts are read as two statements of one snapshot:
  // on PostgreSQL side by side, each on its own connection (db/dialect.ts, `readTogether`).
  const [caseRows, serviceRows] = await readTogether<[CountRow[], CountRow[]]>(
    db,
    64,
    [
      async (db) =>
        (
          await sql<CountRow>`
    select ${columns(
      CASES,
      {
        worker: sql`cases.link_worker_user_id`,
        practice: sql`cases.practice_organisation_id`,
        clients: sql`count(*)`,
      },
      hasNeed.map((has) => sql`sum(${has})`),
    )}
    from cases where ${casesInScope}
    group by cases.programme_id, cases.link_worker_user_id, cases.practice_organisation_id
    union all
    select ${columns(
      SHARED_CASE,
      {
        person_id: sql`cases.person_id`,
        worker: sql`cases.link_worker_user_id`,
        practice: sql`cases.practice_organisation_id`,
        given: sql`(select count(*) from case_signposts
          where case_signposts.case_id = cases.id
            and case_signposts.created_at >= ${period.from} and case_signposts.created_at < ${period.to})`,
      },
      hasNeed,
    )}
    from cases ${sharedIndex} where ${casesInScope} and cases.person_case_count > 1`.execute(db)
        ).rows,
      async (db) =>
        (
          await sql<CountRow>`
    select ${columns(SERVICES, {
      worker: sql`case_signposts.case_link_worker_user_id`,
      practice: sql`case_signposts.case_practice_organisation_id`,
      service_id: sql`case_signposts.service_id`,
      service_name: sql`case_signposts.service_name`,
      kind: sql`case_signposts.kind`,
      given: sql`count(*)`,
      reached: sql`sum(case when ${first} then 1 else 0 end)`,
      three: sql`sum(case when ${first} and case_signposts.second_next_at < ${period.to} then 1 else 0 end)`,
    })}
    from case_signposts
    where ${scopeSql(scope, 'case_signposts')} and case_signposts.created_at >= ${period.from} and case_signposts.created_at < ${period.to}
      and case_signposts.case_opened_at < ${period.to}
      and (case_signposts.case_closed_at is null or case_signposts.case_closed_at >= ${period.from})
    group by case_signposts.programme_id, case_signposts.case_link_worker_user_id,
      case_signposts.case_practice_organisation_id, case_signposts.service_id, case_signposts.service_name,
      case_signposts.kind`.execute(db)
        ).rows,
    ],
    { parallel: true },
  )
  const rows = [...caseRows, ...serviceRows]
  const text = (value: string | number | null | undefined) => (value ?? null) as string | null
  const number = (value: string | number | null | undefined) => Number(value ?? 0)
  const parts: Record<Part, typeof rows> = { [CASES]: [], [SHARED_CASE]: [], [SERVICES]: [] }
  for (const row of rows) parts[Number(row.part) as Part].push(row)
  const serviceOf = (row: Record<string, string | number | null>) =>
    text(row.service_id) ?? `name:${text(row.service_name)!.trim().toLowerCase()}`
  const providers = await providersOf([
    ...new Set(parts[SERVICES].flatMap((row) => (row.service_id === null ? [] : [text(row.service_id)!]))),
  ])

  // The cases counted by (programme, link worker, practice), added up by (practice, link worker).
  const holdings = new Map<string, Holding>()
  for (const row of parts[CASES]) {
    const id = `${text(row.practice) ?? ''}\u0000${text(row.worker) ?? ''}`
    const holding = holdings.get(id) ?? {
      practiceId: text(row.practice),
      linkWorkerUserId: text(row.worker),
      cases: 0,
    }
    holding.cases += number(row.clients)
    holdings.set(id, holding)
  }

  const groups = groupings.map((grouping) => {
    const tallies = new Map<string | null, Tally>()
    const tallyOf = (key: string | null) => {
      const tally = tallies.get(key) ?? newTally(needIds.length)
      tallies.set(key, tally)
      return tally
    }
    const key = (row: Record<string, string | number | null>) =>
      keyOf(grouping, text(row.worker), text(row.practice))
    for (const row of parts[CASES]) {
      const tally = tallyOf(key(row))
      tally.clients += number(row.clients)
      needIds.forEach((_, i) => {
        tally.needs[i]! += number(row[`need${i}`])
      })
    }
    for (const row of parts[SERVICES]) {
      const tally = tallyOf(key(row))
      if (row.kind === 'referral') tally.onward += number(row.given)
      else tally.signposts += number(row.given)
      tally.reached += number(row.reached)
      tally.three += number(row.three)
      const service = serviceOf(row)
      tally.services.add(service)
      const organisation = providers.get(service)
      if (organisation) tally.organisations.add(organisation)
    }
    // The cases of people with more than one: taken out as counted above (each as a person of
    // its own), then each person counted once in each group they fall in, with the needs of their
    // cases in it and what those cases were given.
    const people = new Map<string, { key: string | null; needs: number[]; given: number }>()
    for (const row of parts[SHARED_CASE]) {
      const tally = tallyOf(key(row))
      const given = number(row.given)
      tally.clients -= 1
      needIds.forEach((_, i) => {
        tally.needs[i]! -= number(row[`need${i}`])
      })
      if (given > 0) tally.reached -= 1
      if (given >= 3) tally.three -= 1
      const id = `${key(row) ?? ''}\u0000${row.person_id}`
      const person = people.get(id) ?? { key: key(row), needs: needIds.map(() => 0), given: 0 }
      people.set(id, person)
      needIds.forEach((_, i) => {
        person.needs[i] = Math.max(person.needs[i]!, number(row[`need${i}`]))
      })
      person.given += given
    }
    for (const person of people.values()) {
      const tally = tallyOf(person.key)
      tally.clients += 1
      person.needs.forEach((has, i) => {
        tally.needs[i]! += has
      })
      if (person.given > 0) tally.reached += 1
      if (person.given >= 3) tally.three += 1
    }
    return [...tallies]
      .sort(([a], [b]) => (a ?? '').localeCompare(b ?? ''))
      .map(([key, tally]) => ({
        key,
        clients: tally.clients,
        needs: new Map(needIds.map((needId, i) => [needId, tally.needs[i]!])),
        onwardReferrals: tally.onward,
        signposts: tally.signposts,
        services: tally.services.size,
        organisations: tally.organisations.size,
        clientsReached: tally.reached,
        clientsGivenThreeOrMore: tally.three,
      }))
  })
  return { groups, holdings: [...holdings.values()] }
}

/** Cases in scope open in the period, added up with their needs by (link worker, practice). */
const CASES = 0
/** Each case in scope open in the period whose person has another case. */
const SHARED_CASE = 1
/** Onward referrals and signposts by (link worker, practice, service, kind). */
const SERVICES = 2
/** The parts of the Activity statement's answer. */
type Part = typeof CASES | typeof SHARED_CASE | typeof SERVICES
