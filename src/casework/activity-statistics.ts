// Aggregate queries for the Activity report: clients, needs, onward referrals and signposts,
// services and organisations reached, and clients given three or more, for the whole scope or
// grouped by link worker, practice or a grouping of practices (networks). The database folds the
// cases and signposts into counts by (link worker, practice) and (link worker, practice,
// service); the few people seen by two link workers or at two practices come back case by case
// and are counted here. No one's details leave this module (decision 0800).

import { type RawBuilder, sql } from 'kysely'
import { dialectOf } from '../db/database.ts'
import { withRoomToCount } from '../db/dialect.ts'
import type { Queryable } from '../db/schema.ts'
import type { CaseScope, Period } from './statistics.ts'

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

const ids = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`))

function scopeSql(scope: CaseScope): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`]
  const within = (column: RawBuilder<unknown>, values: readonly string[] | null) => {
    if (values === null) return
    parts.push(values.length === 0 ? sql`1 = 0` : sql`${column} in (${ids(values)})`)
  }
  within(sql`cases.programme_id`, scope.programmeIds)
  within(sql`cases.organisation_id`, scope.organisationIds)
  within(sql`cases.practice_organisation_id`, scope.practiceIds)
  return sql.join(parts, sql` and `)
}

const openIn = (period: Period) =>
  sql`cases.opened_at < ${period.to} and (cases.closed_at is null or cases.closed_at >= ${period.from})`

/**
 * Whether each case records each need, as 0/1 columns `need0`, `need1`, ...: `needs` holds a JSON
 * array of need ids, so the id in quotes is looked for as text (`instr` on SQLite, `strpos` on
 * PostgreSQL: an exact match, cheaper than a LIKE pattern).
 */
function needFlagColumns(db: Queryable, needIds: readonly string[]) {
  const find = dialectOf(db) === 'postgres' ? sql`strpos` : sql`instr`
  return needIds.map(
    (needId, i) =>
      sql`, case when ${find}(cases.needs, ${JSON.stringify(needId)}) > 0 then 1 else 0 end as ${sql.id(`need${i}`)}`,
  )
}

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
 * The Activity counts for several groupings at once (each grouping's rows in key order).
 *
 * One statement does the work that grows with the cases. It reads the cases in scope open in the
 * period, and the onward referrals and signposts made from them in it, and folds both into one
 * row per person: their cases, link workers, practices and needs, and how many they were given.
 * A person whose cases all have one link worker and one practice (almost everyone) falls in
 * exactly one group of every grouping, so those people are added up by (link worker, practice)
 * in the database and each grouping adds up those few rows here. Anyone else (seen by two link
 * workers or at two practices in the period) comes back case by case, with what they were given
 * by (link worker, practice), and is counted here once in each group they fall in. The onward
 * referrals and signposts come back counted by (link worker, practice, service, kind): the sums
 * add up over groups, the services are counted distinct per group, and their organisations
 * through `providersOf` (the directory's answer). No grouping needs a pass over the cases of its
 * own, and no person's details leave this function.
 */
export async function activityCountsByEach(
  db: Queryable,
  scope: CaseScope,
  period: Period,
  needIds: readonly string[],
  providersOf: (serviceIds: string[]) => Promise<ReadonlyMap<string, string>>,
  groupings: readonly ActivityGrouping[],
): Promise<ActivityCounts[][]> {
  if (groupings.length === 0) return []
  const needs = needIds.map((_, i) => sql.id(`need${i}`))
  const each = (make: (need: RawBuilder<unknown>) => RawBuilder<unknown>) =>
    sql.join(
      needs.map((need) => sql`, ${make(need)}`),
      sql``,
    )
  const programmes = scope.programmeIds
  const inProgrammes =
    programmes === null
      ? sql``
      : programmes.length === 0
        ? sql`1 = 0 and`
        : sql`case_signposts.programme_id in (${ids(programmes)}) and`
  // Every union member has the same columns: what it does not give is a null of the column's type.
  const TEXT = ['person_id', 'worker', 'practice', 'service', 'kind']
  const NUMBERS = ['clients', 'reached', 'three', 'given']
  const columns = (
    part: Part,
    values: Record<string, RawBuilder<unknown>>,
    needValue: RawBuilder<unknown>[],
  ) =>
    sql.join([
      sql`${sql.lit(part)} as part`,
      ...TEXT.map((c) => sql`${values[c] ?? sql`cast(null as text)`} as ${sql.id(c)}`),
      ...NUMBERS.map((c) => sql`${values[c] ?? sql`cast(null as bigint)`} as ${sql.id(c)}`),
      ...needs.map((need, i) => sql`${needValue[i] ?? sql`cast(null as bigint)`} as ${need}`),
    ])
  const needsOf = (table: string, make = (n: RawBuilder<unknown>) => n) =>
    needs.map((need) => make(sql`${sql.id(table)}.${need}`))
  // A person falls in one group of every grouping when their cases share a link worker and a
  // practice (or none has one).
  const single = sql`(wn = 0 or (wn = k and w1 = w2)) and (pn = 0 or (pn = k and p1 = p2))`
  const { rows } = await withRoomToCount(db, 64, (db) =>
    sql<Record<string, string | number | null>>`
    with scoped as materialized (
      select cases.id, cases.person_id, cases.link_worker_user_id as worker,
        cases.practice_organisation_id as practice ${sql.join(needFlagColumns(db, needIds), sql``)}
      from cases where ${scopeSql(scope)} and ${openIn(period)}),
    given as materialized (
      select scoped.person_id, scoped.worker, scoped.practice, case_signposts.kind,
        coalesce(case_signposts.service_id, 'name:' || lower(trim(case_signposts.service_name))) as service
      from case_signposts cross join scoped
      where ${inProgrammes} case_signposts.created_at >= ${period.from} and case_signposts.created_at < ${period.to}
        and scoped.id = case_signposts.case_id),
    people as materialized (
      select person_id, sum(is_case) as k, sum(1 - is_case) as given,
        min(worker) as w1, max(worker) as w2, count(worker) as wn,
        min(practice) as p1, max(practice) as p2, count(practice) as pn ${each((n) => sql`max(${n}) as ${n}`)}
      from (
        select person_id, 1 as is_case, worker, practice ${each((n) => n)} from scoped
        union all
        select person_id, 0, null, null ${each(() => sql`0`)} from given) cases_and_given
      group by person_id),
    mixed as materialized (select person_id from people where not (${single}))
    select ${columns(
      PEOPLE,
      {
        worker: sql`w1`,
        practice: sql`p1`,
        clients: sql`count(*)`,
        reached: sql`sum(case when given > 0 then 1 else 0 end)`,
        three: sql`sum(case when given >= 3 then 1 else 0 end)`,
      },
      needsOf('people', (n) => sql`sum(${n})`),
    )}
    from people where ${single} group by w1, p1
    union all
    select ${columns(
      MIXED_CASE,
      { person_id: sql`scoped.person_id`, worker: sql`scoped.worker`, practice: sql`scoped.practice` },
      needsOf('scoped'),
    )}
    from scoped where scoped.person_id in (select person_id from mixed)
    union all
    select ${columns(
      MIXED_GIVEN,
      { person_id: sql`person_id`, worker: sql`worker`, practice: sql`practice`, given: sql`count(*)` },
      [],
    )}
    from given where person_id in (select person_id from mixed) group by person_id, worker, practice
    union all
    select ${columns(
      SERVICES,
      {
        worker: sql`worker`,
        practice: sql`practice`,
        service: sql`service`,
        kind: sql`kind`,
        given: sql`count(*)`,
      },
      [],
    )}
    from given group by worker, practice, service, kind`.execute(db),
  )

  const text = (value: string | number | null | undefined) => (value ?? null) as string | null
  const number = (value: string | number | null | undefined) => Number(value ?? 0)
  const parts: Record<Part, typeof rows> = {
    [PEOPLE]: [],
    [MIXED_CASE]: [],
    [MIXED_GIVEN]: [],
    [SERVICES]: [],
  }
  for (const row of rows) parts[Number(row.part) as Part].push(row)
  const partOf = (part: Part) => parts[part]
  const services = partOf(SERVICES)
  const providers = await providersOf([
    ...new Set(
      services.flatMap((row) => (text(row.service)!.startsWith('name:') ? [] : [text(row.service)!])),
    ),
  ])

  return groupings.map((grouping) => {
    const tallies = new Map<string | null, Tally>()
    const tallyOf = (key: string | null) => {
      const tally = tallies.get(key) ?? newTally(needIds.length)
      tallies.set(key, tally)
      return tally
    }
    const key = (row: Record<string, string | number | null>) =>
      keyOf(grouping, text(row.worker), text(row.practice))
    for (const row of partOf(PEOPLE)) {
      const tally = tallyOf(key(row))
      tally.clients += number(row.clients)
      needIds.forEach((_, i) => {
        tally.needs[i]! += number(row[`need${i}`])
      })
      tally.reached += number(row.reached)
      tally.three += number(row.three)
    }
    // Everyone else: once in each group they fall in, with the needs of their cases in it and
    // what they were given from those cases.
    const mixed = new Map<string, { key: string | null; needs: number[]; given: number }>()
    const mixedIn = (row: Record<string, string | number | null>) => {
      const id = `${key(row) ?? ''}\u0000${row.person_id}`
      const person = mixed.get(id) ?? { key: key(row), needs: needIds.map(() => 0), given: 0 }
      mixed.set(id, person)
      return person
    }
    for (const row of partOf(MIXED_CASE)) {
      const person = mixedIn(row)
      needIds.forEach((_, i) => {
        person.needs[i] = Math.max(person.needs[i]!, number(row[`need${i}`]))
      })
    }
    for (const row of partOf(MIXED_GIVEN)) mixedIn(row).given += number(row.given)
    for (const person of mixed.values()) {
      const tally = tallyOf(person.key)
      tally.clients += 1
      person.needs.forEach((has, i) => {
        tally.needs[i]! += has
      })
      if (person.given > 0) tally.reached += 1
      if (person.given >= 3) tally.three += 1
    }
    for (const row of services) {
      const tally = tallyOf(key(row))
      if (row.kind === 'referral') tally.onward += number(row.given)
      else tally.signposts += number(row.given)
      tally.services.add(text(row.service)!)
      const organisation = providers.get(text(row.service)!)
      if (organisation) tally.organisations.add(organisation)
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
}

/** People with one link worker and one practice, added up by (link worker, practice). */
const PEOPLE = 0
/** The cases of everyone else, one by one. */
const MIXED_CASE = 1
/** What everyone else was given, by (person, link worker, practice). */
const MIXED_GIVEN = 2
/** Onward referrals and signposts by (link worker, practice, service, kind). */
const SERVICES = 3
/** The parts of the Activity statement's answer. */
type Part = typeof PEOPLE | typeof MIXED_CASE | typeof MIXED_GIVEN | typeof SERVICES

/** How many cases in scope open in the period each link worker holds at each practice. */
export async function casesByPracticeAndWorker(
  db: Queryable,
  scope: CaseScope,
  period: Period,
): Promise<{ practiceId: string | null; linkWorkerUserId: string | null; cases: number }[]> {
  const { rows } = await sql<{ practice: string | null; worker: string | null; n: string | number }>`
    select cases.practice_organisation_id as practice, cases.link_worker_user_id as worker, count(*) as n
    from cases where ${scopeSql(scope)} and ${openIn(period)}
    group by cases.practice_organisation_id, cases.link_worker_user_id`.execute(db)
  return rows.map((row) => ({ practiceId: row.practice, linkWorkerUserId: row.worker, cases: Number(row.n) }))
}
