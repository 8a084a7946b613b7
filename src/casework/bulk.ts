// Many cases, signposts and appointments at once, for the demo's year of activity and for report
// fixtures: history written in a few statements rather than one journey at a time.

import { newId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { AppointmentKind, AppointmentMode } from '../programmes/config.ts'
import type { AppointmentStatus, CaseStatus, ClosureReason, NextStep, SelfCare } from './rules.ts'
import { countCasesOfPeople, keepSignpostsInStep } from './store.ts'

export interface BulkCase {
  personId: string
  programmeId: string
  practiceId: string | null
  organisationId: string
  linkWorkerUserId: string | null
  needs: readonly string[]
  openedAt: string
  firstContactAt?: string | null
  closedAt?: string | null
  status?: CaseStatus
  referralId?: string | null
  /** Why a closed case closed (default: its goals were met). */
  closureReason?: ClosureReason
}

async function insertChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += 400) await insert(rows.slice(i, i + 400))
}

export async function insertCases(db: Queryable, cases: readonly BulkCase[]): Promise<string[]> {
  const rows = cases.map((c) => ({
    id: newId(),
    person_id: c.personId,
    programme_id: c.programmeId,
    referral_id: c.referralId ?? null,
    practice_organisation_id: c.practiceId,
    organisation_id: c.organisationId,
    link_worker_user_id: c.linkWorkerUserId,
    supporting_user_id: null,
    status: c.status ?? (c.closedAt ? 'closed' : 'open'),
    needs: JSON.stringify(c.needs),
    opened_at: c.openedAt,
    first_contact_at: c.firstContactAt ?? null,
    closed_at: c.closedAt ?? null,
    closure_reason: c.closedAt ? (c.closureReason ?? 'goals_met') : null,
    exit_plan: null,
    updated_at: c.closedAt ?? c.openedAt,
  }))
  await insertChunks(rows, (chunk) => db.insertInto('cases').values(chunk).execute())
  await countCasesOfPeople(db, [...new Set(cases.map((c) => c.personId))])
  return rows.map((row) => row.id)
}

export interface BulkSignpost {
  caseId: string
  kind: 'signpost' | 'referral'
  serviceId: string | null
  serviceName: string
  createdAt: string
  userId?: string | null
}

export async function insertSignposts(db: Queryable, signposts: readonly BulkSignpost[]): Promise<void> {
  const rows = signposts.map((s) => ({
    id: newId(),
    case_id: s.caseId,
    kind: s.kind,
    referral_id: null,
    service_id: s.serviceId,
    service_name: s.serviceName,
    need: null,
    note: '',
    user_id: s.userId ?? null,
    created_at: s.createdAt,
    taken_up: null,
  }))
  await insertChunks(rows, (chunk) => db.insertInto('case_signposts').values(chunk).execute())
  await keepSignpostsInStep(db, [...new Set(signposts.map((s) => s.caseId))])
}

export interface BulkAppointment {
  caseId: string
  linkWorkerUserId: string
  kind: AppointmentKind
  mode: AppointmentMode
  startsAt: string
  minutes: number
  status: AppointmentStatus
}

export async function insertAppointments(
  db: Queryable,
  appointments: readonly BulkAppointment[],
): Promise<void> {
  const rows = appointments.map((a) => {
    const ends = new Date(Date.parse(a.startsAt) + a.minutes * 60_000).toISOString()
    return {
      id: newId(),
      case_id: a.caseId,
      link_worker_user_id: a.linkWorkerUserId,
      kind: a.kind,
      mode: a.mode,
      place: '',
      starts_at: a.startsAt,
      ends_at: ends,
      status: a.status,
      cap_exception_reason: null,
      cap_exception_by_user_id: null,
      goal_ids: '[]',
      arrived_at: null,
      departed_at: null,
      created_at: a.startsAt,
      updated_at: a.startsAt,
    }
  })
  await insertChunks(rows, (chunk) => db.insertInto('case_appointments').values(chunk).execute())
}

export interface BulkPrescription {
  caseId: string
  personId: string
  serviceId: string
  serviceName: string
  need: string | null
  weeks: number
  expectedSessions: number
  /** London dates, `YYYY-MM-DD`. */
  startsOn: string
  endsOn: string
  /** The review that ended it, if it has been reviewed. */
  review: {
    at: string
    userId: string | null
    /** Why it ended before its last day; null when it ran its course. */
    earlyReason: string | null
    sessionsAttended: number
    selfCare: SelfCare
    nextStep: NextStep
    /** Whether the person carries on with the activity afterwards. */
    continued: boolean
  } | null
  createdAt: string
}

export async function insertPrescriptions(
  db: Queryable,
  prescriptions: readonly BulkPrescription[],
): Promise<string[]> {
  const rows = prescriptions.map((p) => ({
    id: newId(Date.parse(p.createdAt)),
    case_id: p.caseId,
    person_id: p.personId,
    service_id: p.serviceId,
    service_name: p.serviceName,
    need: p.need,
    weeks: p.weeks,
    expected_sessions: p.expectedSessions,
    starts_on: p.startsOn,
    ends_on: p.endsOn,
    reviewed_at: p.review?.at ?? null,
    continued: p.review?.continued ? 1 : 0,
    created_at: p.createdAt,
    referral_id: null,
  }))
  await insertChunks(rows, (chunk) => db.insertInto('case_prescriptions').values(chunk).execute())
  const reviews = prescriptions.flatMap((p, i) =>
    p.review
      ? [
          {
            id: newId(Date.parse(p.review.at)),
            prescription_id: rows[i]!.id,
            case_id: p.caseId,
            reviewed_at: p.review.at,
            user_id: p.review.userId,
            early_reason: p.review.earlyReason,
            sessions_attended: p.review.sessionsAttended,
            sessions_expected: p.expectedSessions,
            goals: '[]',
            self_care: p.review.selfCare,
            assessment: p.review.earlyReason ?? 'Reviewed at the end of the prescription.',
            next_step: p.review.nextStep,
            previous_end: null,
            new_end: null,
          },
        ]
      : [],
  )
  await insertChunks(reviews, (chunk) => db.insertInto('case_prescription_reviews').values(chunk).execute())
  return rows.map((row) => row.id)
}
