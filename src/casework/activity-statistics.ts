// Aggregate queries for the Activity report: the database counts clients, needs, onward referrals
// and signposts, services and organisations reached, and clients given three or more, for the
// whole scope or grouped by link worker, practice or a grouping of practices (networks). Only
// counts leave the database, so the time a report takes grows with the number of groups, not
// with the number of cases.

import { type RawBuilder, sql } from 'kysely'
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

/** A two-column table of pairs as a common table expression (an empty one when there are none). */
function pairs(name: string, columns: [string, string], rows: ReadonlyMap<string, string>) {
  const [a, b] = columns.map((c) => sql.id(c)) as [RawBuilder<unknown>, RawBuilder<unknown>]
  if (rows.size === 0) return sql`${sql.id(name)} (${a}, ${b}) as (select '', '' where 1 = 0)`
  const values = sql.join([...rows].map(([x, y]) => sql`(${x}, ${y})`))
  return sql`${sql.id(name)} (${a}, ${b}) as (values ${values})`
}

/** The group key of each grouping, as a column both `scoped` and `given` carry. */
function keyColumn(grouping: ActivityGrouping): RawBuilder<unknown> {
  switch (grouping.by) {
    case 'none':
      return sql`cast(null as text)`
    case 'link-worker':
      return sql.ref('worker')
    case 'practice':
      return sql.ref('practice')
    case 'practice-group':
      return sql.ref('practice_group')
  }
}

/** `needs` holds a JSON array of need ids; match one id, quotes included, with LIKE's wildcards escaped. */
const hasNeed = (needId: string) =>
  sql`cases.needs like ${`%${JSON.stringify(needId).replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`

/** The services (ids) onward referrals and signposts in scope went to in the period. */
export async function servicesSignpostedIn(
  db: Queryable,
  scope: CaseScope,
  period: Period,
): Promise<string[]> {
  const { rows } = await sql<{ service_id: string }>`
    select distinct case_signposts.service_id
    from case_signposts join cases on cases.id = case_signposts.case_id
    where ${scopeSql(scope)} and ${openIn(period)}
      and case_signposts.created_at >= ${period.from} and case_signposts.created_at < ${period.to}
      and case_signposts.service_id is not null`.execute(db)
  return rows.map((row) => row.service_id)
}

/**
 * The Activity counts for the cases in scope open in the period and the onward referrals and
 * signposts made from them in it, one row per group. `providers` maps a service id to the
 * organisation providing it (from the directory); services not in it count towards no organisation.
 */
export async function activityCounts(
  db: Queryable,
  scope: CaseScope,
  period: Period,
  needIds: readonly string[],
  providers: ReadonlyMap<string, string>,
  by: ActivityGrouping,
): Promise<ActivityCounts[]> {
  const [counts] = await activityCountsByEach(db, scope, period, needIds, providers, [by])
  return counts ?? []
}

/**
 * The Activity counts for several groupings at once, in one statement (each grouping's rows in
 * the order given): the cases in scope and the onward referrals and signposts made from them are
 * read once, and each grouping counts from those. At most one grouping by practice group.
 */
export async function activityCountsByEach(
  db: Queryable,
  scope: CaseScope,
  period: Period,
  needIds: readonly string[],
  providers: ReadonlyMap<string, string>,
  groupings: readonly ActivityGrouping[],
): Promise<ActivityCounts[][]> {
  if (groupings.length === 0) return []
  const groups = groupings.find((g) => g.by === 'practice-group')?.groups ?? new Map<string, string>()
  // Whether each case records each need, worked out once per case.
  const needFlags = needIds.map(
    (needId, i) => sql`case when ${hasNeed(needId)} then 1 else 0 end as ${sql.id(`need${i}`)}`,
  )
  const personNeeds = needIds.map((_, i) => sql`, max(scoped.${sql.id(`need${i}`)}) as ${sql.id(`n${i}`)}`)
  const needSums = needIds.map((_, i) => sql`, sum(cp.${sql.id(`n${i}`)}) as ${sql.id(`n${i}`)}`)
  // Each grouping's counts, as common table expressions named with its position.
  const ctes = groupings.map((grouping, g) => {
    const key = keyColumn(grouping)
    const name = (part: string) => sql.id(`${part}_${g}`)
    // Distinct people as a group by (key, person) and then a count: one sort, where a
    // count(distinct) for clients and for each need would build a tree apiece.
    return sql`${name('client_people')} as (
      select ${key} as key, scoped.person_id ${personNeeds.length > 0 ? sql.join(personNeeds, sql``) : sql``}
      from scoped group by ${key}, scoped.person_id),
    ${name('client_counts')} as (
      select cp.key, count(*) as clients ${needSums.length > 0 ? sql.join(needSums, sql``) : sql``}
      from ${name('client_people')} cp group by cp.key),
    ${name('given_counts')} as (
      select ${key} as key,
        sum(case when given.kind = 'referral' then 1 else 0 end) as onward,
        sum(case when given.kind = 'referral' then 0 else 1 end) as signposts,
        count(distinct given.service) as services,
        count(distinct given.organisation_id) as organisations
      from given group by ${key}),
    ${name('per_person')} as (
      select ${key} as key, given.person_id, count(*) as n from given group by ${key}, given.person_id),
    ${name('reached_counts')} as (
      select pp.key, count(*) as reached, sum(case when pp.n >= 3 then 1 else 0 end) as three
      from ${name('per_person')} pp group by pp.key)`
  })
  const selects = groupings.map((_, g) => {
    const name = (part: string) => sql.id(`${part}_${g}`)
    return sql`select ${sql.lit(g)} as g, c.*, gc.onward, gc.signposts, gc.services, gc.organisations, rc.reached, rc.three
    from ${name('client_counts')} c
      left join ${name('given_counts')} gc on coalesce(gc.key, '') = coalesce(c.key, '')
      left join ${name('reached_counts')} rc on coalesce(rc.key, '') = coalesce(c.key, '')`
  })
  // The cases in scope are picked once (materialized, so they are read by the scope's index
  // rather than by an index that happens to be in a grouping's order), and so are the onward
  // referrals and signposts made from them; every figure is then counted from those two.
  const { rows } = await sql<Record<string, string | number | null>>`
    with ${pairs('practice_groups', ['practice_id', 'group_id'], groups)},
    ${pairs('providers', ['service_id', 'organisation_id'], providers)},
    scoped as materialized (
      select cases.id, cases.person_id, ${sql.join([...needFlags, sql`cases.link_worker_user_id as worker`])},
        cases.practice_organisation_id as practice,
        (select pg.group_id from practice_groups pg where pg.practice_id = cases.practice_organisation_id) as practice_group
      from cases
      where ${scopeSql(scope)} and ${openIn(period)}),
    given as materialized (
      select scoped.worker, scoped.practice, scoped.practice_group, scoped.person_id, case_signposts.kind,
        coalesce(case_signposts.service_id, 'name:' || lower(trim(case_signposts.service_name))) as service,
        p.organisation_id
      from case_signposts
        join scoped on scoped.id = case_signposts.case_id
        left join providers p on p.service_id = case_signposts.service_id
      where case_signposts.created_at >= ${period.from} and case_signposts.created_at < ${period.to}),
    ${sql.join(ctes)}
    ${sql.join(selects, sql` union all `)}`.execute(db)

  return groupings.map((_, g) =>
    rows
      .filter((row) => Number(row.g) === g)
      .map((row) => ({
        key: (row.key as string | null) ?? null,
        clients: Number(row.clients),
        needs: new Map(needIds.map((needId, i) => [needId, Number(row[`n${i}`] ?? 0)])),
        onwardReferrals: Number(row.onward ?? 0),
        signposts: Number(row.signposts ?? 0),
        services: Number(row.services ?? 0),
        organisations: Number(row.organisations ?? 0),
        clientsReached: Number(row.reached ?? 0),
        clientsGivenThreeOrMore: Number(row.three ?? 0),
      })),
  )
}

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
