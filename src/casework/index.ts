// What other capabilities use of casework: open a case, check a user may see one, and read the
// prescriptions of a case or a person. They reach casework only through these.

import type { Queryable } from '../db/schema.ts'
import type { AppointmentKind } from '../programmes/config.ts'
import { getProgramme, type Programme } from '../programmes/store.ts'
import type { AppointmentStatus } from './rules.ts'
import { appointmentsOfCase, type CaseRow, caseIdOfReferral, getCase, prescriptionsWhere } from './store.ts'

export {
  type ActivityCounts,
  type ActivityGrouping,
  activityCountsByEach,
} from './activity-statistics.ts'
export {
  type BulkAppointment,
  type BulkCase,
  type BulkSignpost,
  insertAppointments,
  insertCases,
  insertSignposts,
} from './bulk.ts'
export {
  type CaseClosedHandler,
  type CaseForUser,
  type CaseMilestone,
  type CaseMilestoneHandler,
  type CaseRef,
  type ClosedCase,
  caseForUser,
  getCaseForUser,
  type OpenCaseInput,
  openCase,
  openCaseForAcceptedReferral,
} from './cases.ts'
export { type GpSummary, gpSummaryText } from './gp-summary.ts'
export {
  type CaseQuery,
  type CaseRecordQuery,
  peopleWithCasesIn,
  peopleWithCasesSeenBy,
  searchAppointmentsSeenBy,
  searchCasesSeenBy,
  searchGoalsSeenBy,
} from './record-search.ts'
export {
  type AppointmentFact,
  appointmentsIn,
  type CaseFact,
  type CaseScope,
  casesOpenIn,
  firstAppointments,
  furtherAppointmentsUsed,
  type Period,
  type PrescriptionFact,
  peopleWithCasesOpenIn,
  prescriptionsStartedIn,
} from './statistics.ts'
export {
  type AppointmentRow,
  appointmentsOfCase,
  type CaseRow,
  type Goal,
  getAppointment as appointmentById,
  getCase as caseById,
  getPlan as planOfCase,
  goalsOfCase,
  type Plan,
} from './store.ts'
export { caseSummary } from './summary.ts'

/**
 * The case a referral opened, with its programme: for the referral's own parties, who have been
 * checked by referrals (`readReferral`). Not audited: the summary read is.
 */
export async function caseOfReferral(
  db: Queryable,
  referralId: string,
): Promise<{ case: CaseRow; programme: Programme } | undefined> {
  const id = await caseIdOfReferral(db, referralId)
  const kase = id ? await getCase(db, id) : undefined
  const programme = kase ? await getProgramme(db, kase.programmeId) : undefined
  return kase && programme ? { case: kase, programme } : undefined
}

export interface PrescriptionSummary {
  id: string
  serviceId: string
  serviceName: string
  weeks: number
  expectedSessions: number
  /** `YYYY-MM-DD`, the first day. */
  start: string
  /** `YYYY-MM-DD`, the last day: the review is due then. */
  end: string
  /** The person carries on with the activity after the end (recorded at the review). */
  continued: boolean
}

function summary(p: PrescriptionSummary): PrescriptionSummary {
  return {
    id: p.id,
    serviceId: p.serviceId,
    serviceName: p.serviceName,
    weeks: p.weeks,
    expectedSessions: p.expectedSessions,
    start: p.start,
    end: p.end,
    continued: p.continued,
  }
}

/** The case's prescriptions, earliest first. Not audited: callers audit their own read. */
export async function prescriptionsOfCase(db: Queryable, caseId: string): Promise<PrescriptionSummary[]> {
  return (await prescriptionsWhere(db, 'case_id', caseId)).map(summary)
}

/** Every prescription the person has had, across their cases, earliest first. */
export async function prescriptionsOfPerson(db: Queryable, personId: string): Promise<PrescriptionSummary[]> {
  return (await prescriptionsWhere(db, 'person_id', personId)).map(summary)
}

/** A person's prescriptions in one programme's cases: the activities its link workers record attendance at. */
export async function prescriptionsOfPersonInProgramme(
  db: Queryable,
  personId: string,
  programmeId: string,
): Promise<PrescriptionSummary[]> {
  const cases = await db
    .selectFrom('cases')
    .select('id')
    .where('person_id', '=', personId)
    .where('programme_id', '=', programmeId)
    .execute()
  const all = await Promise.all(cases.map((c) => prescriptionsWhere(db, 'case_id', c.id)))
  return all.flat().map(summary)
}

export interface AppointmentSummary {
  id: string
  kind: AppointmentKind
  /** ISO UTC. */
  startsAt: string
  status: AppointmentStatus
}

/** The case's appointments, earliest first. Not audited: callers audit their own read. */
export async function appointmentSummariesOfCase(
  db: Queryable,
  caseId: string,
): Promise<AppointmentSummary[]> {
  return (await appointmentsOfCase(db, caseId)).map((a) => ({
    id: a.id,
    kind: a.kind,
    startsAt: a.startsAt,
    status: a.status,
  }))
}

/**
 * Every case the person has (or had), oldest first. Does not check access or audit: callers
 * decide access case by case with `getCaseForUser`.
 */
export async function casesOfPerson(db: Queryable, personId: string): Promise<CaseRow[]> {
  const rows = await db
    .selectFrom('cases')
    .select('id')
    .where('person_id', '=', personId)
    .orderBy('opened_at')
    .orderBy('id')
    .execute()
  const found = await Promise.all(rows.map((row) => getCase(db, row.id)))
  return found.filter((kase): kase is CaseRow => kase !== undefined)
}

/** Whether the person has (or had) a case in the programme. */
export async function hasCaseInProgramme(
  db: Queryable,
  personId: string,
  programmeId: string,
): Promise<boolean> {
  const found = await db
    .selectFrom('cases')
    .select('id')
    .where('person_id', '=', personId)
    .where('programme_id', '=', programmeId)
    .executeTakeFirst()
  return found !== undefined
}
