// Who may reach a person's record in a programme outside a case: their outcome readings (read and
// record), their attendance card (issue, reissue, revoke) and their check-ins (decision 0501).
// One rule, decided here for the outcomes and attendance pages and APIs alike: a link worker of
// the programme, for a person in the programme's caseload. Anyone else gets a 404 that is audited
// as a refusal.
//
// The caseload is what the programme's team was given, never where the person happens to be
// registered: two programmes of one organisation cover the same practices (Blackburn with
// Darwen's recovery and mental health programmes), and a person of one is none of the other's
// business. Nor does an outcome reading already held in the programme count: a reading is made
// through this very check, so it would only carry a past mistake forward.

import { refused } from '../access/audit.ts'
import type { CurrentUser } from '../access/users.ts'
import { hasRole } from '../access/users.ts'
import { hasCaseInProgramme, peopleWithCasesIn } from '../casework/index.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { Found, Paging, PersonIdQuery, TimeRange } from '../db/search.ts'
import { getProgramme, isLinkWorkerOf, type Programme, programmesOfUser } from '../programmes/store.ts'
import { peopleReferredToProgramme, type ReferralStatus, referralsOfPerson } from '../referrals/index.ts'
import { type StoredReading, searchReadings } from './store.ts'

/** What a refusal says was attempted, one per capability decided here. */
export type PersonInProgrammeAttempt =
  | 'outcomes.read'
  | 'outcomes.record'
  | 'attendance.read'
  | 'attendance-card.issue'
  | 'attendance-card.revoke'
  | 'attendance.record'

/** A referral the programme's team was sent and did not turn away (or that ended in its care). */
const IN_CASELOAD: readonly ReferralStatus[] = [
  'requested',
  'received',
  'accepted',
  'in-progress',
  'completed',
]

/**
 * Whether the person is in the programme's caseload: they have (or had) a case in it, or the
 * programme was sent a referral of them that it has not rejected (nor was it cancelled or failed).
 */
export async function personInCaseload(
  db: Queryable,
  personId: string,
  programmeId: string,
): Promise<boolean> {
  if (await hasCaseInProgramme(db, personId, programmeId)) return true
  const referrals = await referralsOfPerson(db, personId)
  return referrals.some((r) => r.target.programmeId === programmeId && IN_CASELOAD.includes(r.status))
}

/** Those of `personIds` in the programme's caseload, in their order. */
export async function peopleInCaseload(
  db: Queryable,
  programmeId: string,
  personIds: readonly string[],
): Promise<string[]> {
  const kept: string[] = []
  for (const id of personIds) if (await personInCaseload(db, id, programmeId)) kept.push(id)
  return kept
}

/**
 * The programme, when the user may reach the person's record in it (record-level access, not
 * audited): one of the programme's link workers, and the person in its caseload.
 */
export async function programmeForPerson(
  db: Queryable,
  user: CurrentUser,
  programmeId: string,
  personId: string,
): Promise<Programme | undefined> {
  if (!isId(programmeId) || !isId(personId) || !hasRole(user, 'link_worker')) return undefined
  if (!(await isLinkWorkerOf(db, programmeId, user.id))) return undefined
  const programme = await getProgramme(db, programmeId)
  if (!programme || !(await personInCaseload(db, personId, programmeId))) return undefined
  return programme
}

/**
 * The programme, when the user may reach the person's record in it; otherwise a 404 that reveals
 * neither the person nor the programme, audited as a refusal of the person's record.
 */
export async function programmeForPersonOrNotFound(
  db: Queryable,
  user: CurrentUser,
  programmeId: string,
  personId: string,
  attempted: PersonInProgrammeAttempt,
): Promise<Programme> {
  const programme = await programmeForPerson(db, user, programmeId, personId)
  if (!programme)
    throw refused({
      recordType: 'person',
      recordId: personId,
      detail: { attempted, ...(isId(programmeId) ? { programmeId } : {}) },
    })
  return programme
}

/** The programme and person a route's `:programmeId` and `:personId` name, decided as above. */
export async function personInProgrammeOf(
  db: Queryable,
  request: { user?: CurrentUser | null; params: unknown },
  attempted: PersonInProgrammeAttempt,
): Promise<{ programme: Programme; programmeId: string; personId: string }> {
  const { programmeId, personId } = request.params as { programmeId: string; personId: string }
  const programme = await programmeForPersonOrNotFound(db, request.user!, programmeId, personId, attempted)
  return { programme, programmeId, personId }
}

/** The programme's caseload (`personInCaseload`) as queries of person ids. */
export function caseloadOf(db: Queryable, programmeId: string): PersonIdQuery[] {
  return [peopleWithCasesIn(db, programmeId), peopleReferredToProgramme(db, programmeId, IN_CASELOAD)]
}

/** The programmes in which the user may reach the people of the caseload: those they are a link worker of. */
async function outcomeProgrammeIds(db: Queryable, user: CurrentUser): Promise<string[]> {
  if (!hasRole(user, 'link_worker')) return []
  return (await programmesOfUser(db, user)).filter((p) => p.linkWorker).map((p) => p.id)
}

/** The people whose readings the user may reach in some programme (`programmeForPerson`), as queries of person ids. */
export async function peopleInCaseloadsOf(db: Queryable, user: CurrentUser): Promise<PersonIdQuery[]> {
  return (await outcomeProgrammeIds(db, user)).flatMap((id) => caseloadOf(db, id))
}

export interface ReadingQuery {
  personId?: string
  ids?: readonly string[]
  updated?: readonly TimeRange[]
}

/**
 * The outcome readings the user may reach (the rule of `programmeForPerson`) that match, last
 * recorded first: one page, or all of them without paging. Not audited: measures.ts
 * `readPersonOutcomes` reads and audits what is shown.
 */
export async function searchReadingsSeenBy(
  db: Queryable,
  user: CurrentUser,
  query: ReadingQuery,
  paging?: Paging,
): Promise<Found<StoredReading>> {
  const reach = (await outcomeProgrammeIds(db, user)).map((programmeId) => ({
    programmeId,
    people: caseloadOf(db, programmeId),
  }))
  return searchReadings(db, { ...query, reach }, paging)
}
