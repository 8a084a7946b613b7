// Read-only queries over cases for the reports capability: which cases were open in a period, the
// appointments and prescriptions in it (the Activity report's counts are in
// activity-statistics.ts). They return plain facts without names or details of people (an id is
// only ever counted), so reading them writes no audit event; reports turn them into figures.

import { type ExpressionBuilder, type RawBuilder, sql } from 'kysely'
import { dialectOf } from '../db/database.ts'
import type { Queryable, Tables } from '../db/schema.ts'
import type { AppointmentKind, AppointmentMode } from '../programmes/config.ts'
import type { AppointmentStatus } from './rules.ts'

/** Which cases a report covers; null means no restriction on that dimension. */
export interface CaseScope {
  programmeIds: readonly string[] | null
  /** The case's organisation (its link worker's). */
  organisationIds: readonly string[] | null
  practiceIds: readonly string[] | null
}

/** A period as UTC instants: from inclusive, to exclusive. */
export interface Period {
  from: string
  to: string
}

function inScope(scope: CaseScope) {
  return (eb: ExpressionBuilder<Tables, 'cases'>) => {
    const parts = []
    // An empty list matches nothing: `in ()` is not valid SQL, so compare with a value no id has.
    const within = (
      column: 'cases.programme_id' | 'cases.organisation_id' | 'cases.practice_organisation_id',
      ids: readonly string[],
    ) => (ids.length === 0 ? sql<boolean>`1 = 0` : eb(column, 'in', [...ids]))
    if (scope.programmeIds) parts.push(within('cases.programme_id', scope.programmeIds))
    if (scope.organisationIds) parts.push(within('cases.organisation_id', scope.organisationIds))
    if (scope.practiceIds) parts.push(within('cases.practice_organisation_id', scope.practiceIds))
    return eb.and(parts)
  }
}

function openIn(period: Period) {
  return (eb: ExpressionBuilder<Tables, 'cases'>) =>
    eb.and([
      eb('cases.opened_at', '<', period.to),
      eb.or([eb('cases.closed_at', 'is', null), eb('cases.closed_at', '>=', period.from)]),
    ])
}

export interface CaseFact {
  caseId: string
  personId: string
  programmeId: string
  referralId: string | null
  linkWorkerUserId: string | null
  practiceId: string | null
  needs: string[]
  openedAt: string
  firstContactAt: string | null
  closedAt: string | null
  status: string
}

/** The cases in scope open at any time in the period. */
export async function casesOpenIn(db: Queryable, scope: CaseScope, period: Period): Promise<CaseFact[]> {
  const rows = await db
    .selectFrom('cases')
    .select([
      'cases.id',
      'cases.person_id',
      'cases.programme_id',
      'cases.referral_id',
      'cases.link_worker_user_id',
      'cases.practice_organisation_id',
      'cases.needs',
      'cases.opened_at',
      'cases.first_contact_at',
      'cases.closed_at',
      'cases.status',
    ])
    .where(inScope(scope))
    .where(openIn(period))
    .execute()
  return rows.map((row) => ({
    caseId: row.id,
    personId: row.person_id,
    programmeId: row.programme_id,
    referralId: row.referral_id,
    linkWorkerUserId: row.link_worker_user_id,
    practiceId: row.practice_organisation_id,
    needs: row.needs === '[]' ? [] : (JSON.parse(row.needs) as string[]),
    openedAt: row.opened_at,
    firstContactAt: row.first_contact_at,
    closedAt: row.closed_at,
    status: row.status,
  }))
}

/**
 * The people with a case in scope open in the period, with that case's programme, as a query
 * (not rows): another capability's aggregate joins it, so that no list of people leaves the
 * database. Nothing in it names anyone.
 *
 * An aggregate looks each of its people up in it, in (programme, person) order. SQLite is told to
 * use the index in that order (migration 0424), where one programme's people lie together; in
 * the index by person it would read a page of the index for almost every person.
 */
export function peopleWithCasesOpenIn(
  db: Queryable,
  scope: CaseScope,
  period: Period,
): RawBuilder<{ person_id: string; programme_id: string }> {
  const index = dialectOf(db) === 'sqlite' ? sql`indexed by cases_programme_person` : sql``
  return sql`(select person_id, programme_id from cases ${index} where ${scopeSql(scope)} and ${openInSql(period)})`
}

const ids = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`))

/**
 * The scope's test as SQL, on the cases' own columns or on the copies their onward referrals and
 * signposts carry.
 */
export function scopeSql(scope: CaseScope, of: 'cases' | 'case_signposts' = 'cases'): RawBuilder<unknown> {
  const copied = of === 'case_signposts'
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`]
  const within = (column: string, values: readonly string[] | null) => {
    if (values === null) return
    parts.push(values.length === 0 ? sql`1 = 0` : sql`${sql.ref(`${of}.${column}`)} in (${ids(values)})`)
  }
  within('programme_id', scope.programmeIds)
  within(copied ? 'case_organisation_id' : 'organisation_id', scope.organisationIds)
  within(copied ? 'case_practice_organisation_id' : 'practice_organisation_id', scope.practiceIds)
  return sql.join(parts, sql` and `)
}

/** Open at any time in the period, as SQL on `cases`. */
export const openInSql = (period: Period) =>
  sql`cases.opened_at < ${period.to} and (cases.closed_at is null or cases.closed_at >= ${period.from})`

export interface AppointmentFact {
  caseId: string
  linkWorkerUserId: string
  kind: AppointmentKind
  mode: AppointmentMode
  status: AppointmentStatus
  startsAt: string
}

/** Appointments starting in the period in the cases in scope. */
export async function appointmentsIn(
  db: Queryable,
  scope: CaseScope,
  period: Period,
): Promise<AppointmentFact[]> {
  const rows = await db
    .selectFrom('case_appointments')
    .innerJoin('cases', 'cases.id', 'case_appointments.case_id')
    .select([
      'case_appointments.case_id',
      'case_appointments.link_worker_user_id',
      'case_appointments.kind',
      'case_appointments.mode',
      'case_appointments.status',
      'case_appointments.starts_at',
    ])
    .where(inScope(scope))
    .where('case_appointments.starts_at', '>=', period.from)
    .where('case_appointments.starts_at', '<', period.to)
    .execute()
  return rows.map((row) => ({
    caseId: row.case_id,
    linkWorkerUserId: row.link_worker_user_id,
    kind: row.kind,
    mode: row.mode,
    status: row.status,
    startsAt: row.starts_at,
  }))
}

/** Each case's first appointment (any status but cancelled), for the cases given. */
export async function firstAppointments(
  db: Queryable,
  caseIds: readonly string[],
): Promise<Map<string, string>> {
  const first = new Map<string, string>()
  for (let i = 0; i < caseIds.length; i += 500) {
    const rows = await db
      .selectFrom('case_appointments')
      .select(['case_id', sql<string>`min(starts_at)`.as('first')])
      .where('case_id', 'in', caseIds.slice(i, i + 500))
      .where('status', '!=', 'cancelled')
      .groupBy('case_id')
      .execute()
    for (const row of rows) first.set(row.case_id, row.first)
  }
  return first
}

/** Appointments after the initial one (what the programme's cap counts), not cancelled, in each case given. */
export async function furtherAppointmentsUsed(
  db: Queryable,
  caseIds: readonly string[],
): Promise<Map<string, number>> {
  const used = new Map<string, number>()
  for (let i = 0; i < caseIds.length; i += 500) {
    const rows = await db
      .selectFrom('case_appointments')
      .select(['case_id', sql<number>`count(*)`.as('n')])
      .where('case_id', 'in', caseIds.slice(i, i + 500))
      .where('status', '!=', 'cancelled')
      .where('kind', '!=', 'initial')
      .groupBy('case_id')
      .execute()
    for (const row of rows) used.set(row.case_id, Number(row.n))
  }
  return used
}

export interface PrescriptionFact {
  id: string
  caseId: string
  personId: string
  programmeId: string
  serviceId: string
  weeks: number
  expectedSessions: number
  startsOn: string
  endsOn: string
  reviewedAt: string | null
  continued: boolean
  /** The latest review's sessions attended, when reviewed. */
  sessionsAttended: number | null
  /** Whether the latest review came before the last day. */
  endedEarly: boolean
}

/** Prescriptions in scope that started in the period (dates `YYYY-MM-DD`, `to` exclusive). */
export async function prescriptionsStartedIn(
  db: Queryable,
  scope: CaseScope,
  days: { from: string; to: string },
): Promise<PrescriptionFact[]> {
  const rows = await db
    .selectFrom('case_prescriptions')
    .innerJoin('cases', 'cases.id', 'case_prescriptions.case_id')
    .select([
      'case_prescriptions.id',
      'case_prescriptions.case_id',
      'case_prescriptions.person_id',
      'cases.programme_id',
      'case_prescriptions.service_id',
      'case_prescriptions.weeks',
      'case_prescriptions.expected_sessions',
      'case_prescriptions.starts_on',
      'case_prescriptions.ends_on',
      'case_prescriptions.reviewed_at',
      'case_prescriptions.continued',
    ])
    .where(inScope(scope))
    .where('case_prescriptions.starts_on', '>=', days.from)
    .where('case_prescriptions.starts_on', '<', days.to)
    .execute()
  const reviews = new Map<string, { attended: number; early: boolean; at: string }>()
  const ids = rows.map((row) => row.id)
  for (let i = 0; i < ids.length; i += 500) {
    const found = await db
      .selectFrom('case_prescription_reviews')
      .select(['prescription_id', 'sessions_attended', 'early_reason', 'reviewed_at'])
      .where('prescription_id', 'in', ids.slice(i, i + 500))
      .execute()
    for (const review of found) {
      const known = reviews.get(review.prescription_id)
      if (known && known.at > review.reviewed_at) continue
      reviews.set(review.prescription_id, {
        attended: review.sessions_attended,
        early: review.early_reason !== null,
        at: review.reviewed_at,
      })
    }
  }
  return rows.map((row) => {
    const review = reviews.get(row.id)
    return {
      id: row.id,
      caseId: row.case_id,
      personId: row.person_id,
      programmeId: row.programme_id,
      serviceId: row.service_id,
      weeks: row.weeks,
      expectedSessions: row.expected_sessions,
      startsOn: row.starts_on,
      endsOn: row.ends_on,
      reviewedAt: row.reviewed_at,
      continued: row.continued === 1,
      sessionsAttended: review?.attended ?? null,
      endedEarly: review?.early ?? false,
    }
  })
}
