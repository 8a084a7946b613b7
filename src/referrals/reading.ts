// Reading referrals: a referral as the rest of Kith sees it, with its history; the lists of a
// person, a programme, a referrer and an inbox; how a user stands to a referral (partiesOf, the
// one rule for who may read or change it) and who receives it; and reading one, with the person
// as the user may see them, audited.

import { type Actor, audit, auditRefusal } from '../access/audit.ts'
import { getOrganisation, usersWithRoleIn } from '../access/store.ts'
import type { CurrentUser } from '../access/users.ts'
import { organisationsWhere } from '../access/users.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { Paging, PersonIdQuery, TimeRange } from '../db/search.ts'
import { inTransaction } from '../db/transactions.ts'
import { readPerson } from '../people/records.ts'
import type { EligibilityResult, ReferrerKind } from '../programmes/criteria.ts'
import {
  getProgramme,
  getProgrammeForReferral,
  isLinkWorkerOf,
  programmesOfUser,
} from '../programmes/store.ts'
import { notFound } from '../web/problem.ts'
import {
  DECLINE_REASON_LABELS,
  isDeclineReason,
  nextStatuses,
  type Party,
  type ReferralStatus,
} from './lifecycle.ts'
import {
  codedEntriesOf,
  eventsOf,
  getReferralRow,
  listReferralRows,
  type ReferralReach,
  type ReferralRow,
  referredPeople,
  searchReferralRows,
} from './store.ts'
import type { Suggestion } from './targets.ts'

export interface ReferralEvent {
  id: string
  from: ReferralStatus | null
  to: ReferralStatus
  at: string
  actorUserId: string | null
  actorName: string
  reason: string | null
  reasonLabel: string | null
  note: string | null
}

export interface Referral {
  id: string
  target: {
    kind: 'programme' | 'service'
    programmeId: string | null
    serviceId: string | null
    name: string
  }
  receivingOrganisationId: string
  personId: string
  /** The person as the referrer described them: what a referrer outside the receiving team sees. */
  personAsGiven: PersonAsGiven | null
  practiceOdsCode: string | null
  referrer: {
    kind: ReferrerKind
    userId: string | null
    organisationId: string | null
    name: string
    contact: string
  }
  sourceCaseId: string | null
  status: ReferralStatus
  flaggedForReview: boolean
  eligibility: EligibilityResult & { suggestions: Suggestion[] }
  answers: Record<string, boolean>
  /** Need ids (programmes/config.ts `needId`). */
  needs: string[]
  goals: string[]
  whatMatters: string
  reason: string
  consentId: string | null
  decision: { reason: string; reasonLabel: string; note: string | null } | null
  firstReplyAt: string | null
  nudgedAt: string | null
  nudgeDueAt: string
  declineDueAt: string
  createdAt: string
  updatedAt: string
}

export interface ReferralWithHistory extends Referral {
  history: ReferralEvent[]
  codedEntries: { code: string; display: string; recordedAt: string }[]
}

/** The person as a referrer described them on the referral (decision 0305). */
export interface PersonAsGiven {
  nhsNumber: string | null
  givenName: string
  familyName: string
  dateOfBirth: string
  addressLines: string[]
  postcode: string | null
  phone: string | null
  email: string | null
  registeredPracticeId: string | null
  /**
   * The NHS number given is on another record in Kith, with another date of birth: the referral
   * went to a new record without it, and the receiving team checks who the person is.
   */
  nhsNumberOnAnotherRecord?: boolean
}

function reasonLabel(reason: string | null): string | null {
  if (!reason) return null
  return isDeclineReason(reason) ? DECLINE_REASON_LABELS[reason] : reason
}

export function referralOf(row: ReferralRow): Referral {
  return {
    id: row.id,
    target: {
      kind: row.service_id ? 'service' : 'programme',
      programmeId: row.programme_id,
      serviceId: row.service_id,
      name: row.target_name,
    },
    receivingOrganisationId: row.receiving_organisation_id,
    personId: row.person_id,
    personAsGiven: row.person_as_given ? JSON.parse(row.person_as_given) : null,
    practiceOdsCode: row.practice_ods_code,
    referrer: {
      kind: row.referrer_kind as ReferrerKind,
      userId: row.referrer_user_id,
      organisationId: row.referrer_organisation_id,
      name: row.referrer_name,
      contact: row.referrer_contact,
    },
    sourceCaseId: row.source_case_id,
    status: row.status,
    flaggedForReview: row.flagged_for_review === 1,
    eligibility: JSON.parse(row.eligibility),
    answers: JSON.parse(row.answers),
    needs: JSON.parse(row.needs),
    goals: JSON.parse(row.goals),
    whatMatters: row.what_matters,
    reason: row.reason,
    consentId: row.consent_id,
    decision: row.decision_reason
      ? {
          reason: row.decision_reason,
          reasonLabel: reasonLabel(row.decision_reason) ?? row.decision_reason,
          note: row.decision_note,
        }
      : null,
    firstReplyAt: row.first_reply_at,
    nudgedAt: row.nudged_at,
    nudgeDueAt: row.nudge_due_at,
    declineDueAt: row.decline_due_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/** A referral with its status history. Does not check access or audit: callers do. */
export async function getReferral(db: Queryable, id: string): Promise<ReferralWithHistory | undefined> {
  const row = await getReferralRow(db, id)
  if (!row) return undefined
  const [events, codedEntries] = await Promise.all([eventsOf(db, id), codedEntriesOf(db, id)])
  return {
    ...referralOf(row),
    history: events.map((event) => ({
      id: event.id,
      from: event.from_status,
      to: event.to_status,
      at: event.at,
      actorUserId: event.actor_user_id,
      actorName: event.actor_name,
      reason: event.reason,
      reasonLabel: reasonLabel(event.reason),
      note: event.note,
    })),
    codedEntries,
  }
}

/** Every referral of a person, newest first. Does not check access or audit: callers do. */
export async function referralsOfPerson(db: Queryable, personId: string): Promise<Referral[]> {
  return (await listReferralRows(db, { personId, limit: 500 })).map(referralOf)
}

/** Every referral of a programme: to it, and to the services run for it (decision 0106), newest first. */
export async function referralsOfProgramme(
  db: Queryable,
  programmeId: string,
  limit = 500,
): Promise<Referral[]> {
  return (await listReferralRows(db, { programmeId, limit })).map(referralOf)
}

/** The referrals a user made, newest first. */
export async function referralsSentBy(db: Queryable, userId: string, limit = 200): Promise<Referral[]> {
  return (await listReferralRows(db, { referrerUserId: userId, limit })).map(referralOf)
}

const RECEIVING_ROLES = ['provider', 'link_worker', 'programme_manager'] as const

/**
 * What a user's inbox holds: the referrals they receive (partiesOf): to programmes they work in,
 * to services of their organisations, and to services run for programmes they are a link worker
 * of. A programme's managers see its services' referrals on the programme's own list instead.
 */
export async function inboxScope(
  db: Queryable,
  user: CurrentUser,
): Promise<{ programmeIds: string[]; organisationIds: string[]; linkWorkerProgrammeIds: string[] }> {
  const programmes = await programmesOfUser(db, user)
  return {
    programmeIds: programmes.map((programme) => programme.id),
    organisationIds: organisationsWhere(user, ...RECEIVING_ROLES),
    linkWorkerProgrammeIds: programmes.filter((p) => p.linkWorker).map((p) => p.id),
  }
}

export async function referralsReceivedBy(
  db: Queryable,
  user: CurrentUser,
  options: { statuses?: readonly ReferralStatus[]; limit?: number } = {},
): Promise<Referral[]> {
  const receiving = await inboxScope(db, user)
  return (
    await listReferralRows(db, {
      receiving,
      ...(options.statuses ? { statuses: options.statuses } : {}),
      limit: options.limit ?? 200,
    })
  ).map(referralOf)
}

/**
 * The referrals among these that another worker takes first: those from a practice for which the
 * programme names a link worker other than the user (Tower Hamlets names a social prescriber for
 * each practice). Their inbox leaves them out; they stay under "All referrals", where anyone in
 * the team still acts on them. A practice with no named link worker's referrals are everyone's.
 */
export async function namedForOthers(
  db: Queryable,
  user: CurrentUser,
  referrals: readonly Referral[],
): Promise<Set<string>> {
  const named = new Map<string, Map<string, string>>()
  const others = new Set<string>()
  for (const referral of referrals) {
    const { programmeId } = referral.target
    if (!programmeId || !referral.practiceOdsCode) continue
    let byPractice = named.get(programmeId)
    if (!byPractice) {
      const programme = await getProgramme(db, programmeId)
      byPractice = new Map(
        (programme?.practices ?? []).flatMap((p) =>
          p.odsCode && p.namedLinkWorker ? [[p.odsCode, p.namedLinkWorker.userId] as const] : [],
        ),
      )
      named.set(programmeId, byPractice)
    }
    const worker = byPractice.get(referral.practiceOdsCode)
    if (worker && worker !== user.id) others.add(referral.id)
  }
  return others
}

/** How the user stands to the referral: the referrer, the receiving team, both or neither. */
export async function partiesOf(
  db: Queryable,
  user: CurrentUser,
  referral: Pick<Referral, 'referrer' | 'target' | 'receivingOrganisationId'>,
): Promise<Party[]> {
  const parties: Party[] = []
  if (referral.referrer.userId === user.id) parties.push('referrer')
  let receiver = false
  const { programmeId, serviceId } = referral.target
  if (serviceId) {
    // The provider's staff; for a service run for a programme, the programme's link workers too.
    receiver =
      organisationsWhere(user, ...RECEIVING_ROLES).includes(referral.receivingOrganisationId) ||
      (programmeId !== null && (await isLinkWorkerOf(db, programmeId, user.id)))
  } else if (programmeId) {
    receiver =
      organisationsWhere(user, 'programme_manager').includes(referral.receivingOrganisationId) ||
      (await isLinkWorkerOf(db, programmeId, user.id))
  }
  if (receiver) parties.push('receiver')
  else if (serviceId && programmeId && organisationsWhere(user, 'programme_manager').length > 0) {
    // The managers of the programme a service is run for see its referrals (East Riding's public health).
    const owner = (await getProgrammeForReferral(db, programmeId))?.ownerOrganisationId
    if (owner && organisationsWhere(user, 'programme_manager').includes(owner)) parties.push('overseer')
  }
  return parties
}

/** The statuses the user may move the referral to now. */
export async function allowedChanges(
  db: Queryable,
  user: CurrentUser,
  referral: Referral,
): Promise<ReferralStatus[]> {
  return nextStatuses(referral.status, await partiesOf(db, user, referral))
}

/** The person on a referral as a user may see them: the record, or what the referrer gave. */
export interface ReferralPerson {
  givenName: string
  familyName: string
  nhsNumber: string | null
  dateOfBirth: string
  addressLines: string[]
  postcode: string | null
  phone: string | null
  email: string | null
  registeredPractice: { id: string; name: string } | null
  /** True when this is the person's record; false when it is what the referrer gave. */
  isRecord: boolean
  nhsNumberOnAnotherRecord: boolean
}

async function personAsGivenView(db: Queryable, referral: Referral): Promise<ReferralPerson> {
  const given = referral.personAsGiven
  const practice = given?.registeredPracticeId
    ? await getOrganisation(db, given.registeredPracticeId)
    : undefined
  return {
    givenName: given?.givenName ?? '',
    familyName: given?.familyName ?? '',
    nhsNumber: given?.nhsNumber ?? null,
    dateOfBirth: given?.dateOfBirth ?? '',
    addressLines: given?.addressLines ?? [],
    postcode: given?.postcode ?? null,
    phone: given?.phone ?? null,
    email: given?.email ?? null,
    registeredPractice: practice ? { id: practice.id, name: practice.name } : null,
    isRecord: false,
    nhsNumberOnAnotherRecord: given?.nhsNumberOnAnotherRecord === true,
  }
}

/**
 * The one rule for who may read a referral (record-level access): its referrer or its receiving
 * team, else a 404 with the refusal audited. A referrer outside the receiving team reads what
 * they gave about the person, never the person's record; the receiving team reads the record,
 * audited. The pages and the API both call this.
 */
export async function readReferral(
  db: Queryable,
  actor: Actor,
  user: CurrentUser,
  id: string,
): Promise<{ referral: ReferralWithHistory; person: ReferralPerson; parties: Party[] }> {
  if (!isId(id)) throw notFound()
  const referral = await getReferral(db, id)
  const parties = referral ? await partiesOf(db, user, referral) : []
  if (!referral || parties.length === 0) {
    if (referral) await auditRefusal(db, actor, { recordType: 'referral', recordId: id })
    throw notFound()
  }
  return inTransaction(db, async (trx) => {
    let person: ReferralPerson
    if (parties.includes('receiver') || parties.includes('overseer')) {
      const record = await readPerson(trx, actor, referral.personId, { via: 'referral', referralId: id })
      if (!record) throw notFound()
      person = {
        ...record,
        registeredPractice: record.registeredPractice,
        isRecord: true,
        nhsNumberOnAnotherRecord: referral.personAsGiven?.nhsNumberOnAnotherRecord === true,
      }
    } else {
      person = await personAsGivenView(trx, referral)
    }
    await audit(trx, actor, { action: 'referral.read', recordType: 'referral', recordId: id })
    return { referral, person, parties }
  })
}

/**
 * Who receives a referral: a programme's link workers (its managers when it has none), or a
 * provider's staff, with the link workers of the programme the service is run for.
 */
export async function receivingTeam(
  db: Queryable,
  row: Pick<ReferralRow, 'programme_id' | 'service_id' | 'receiving_organisation_id'>,
): Promise<string[]> {
  const programme = row.programme_id ? await getProgrammeForReferral(db, row.programme_id) : undefined
  if (row.service_id) {
    const staff = await usersWithRoleIn(db, row.receiving_organisation_id, ['provider', 'link_worker'])
    return [...new Set([...staff, ...(programme?.linkWorkerIds ?? [])])]
  }
  if (programme && programme.linkWorkerIds.length > 0) return programme.linkWorkerIds
  return usersWithRoleIn(db, row.receiving_organisation_id, ['programme_manager'])
}

/** How a user reaches referrals (store.ts `ReferralReach`), from their inbox and the programmes they manage. */
async function reachOf(db: Queryable, user: CurrentUser, withSent: boolean): Promise<ReferralReach> {
  const [receiving, programmes] = await Promise.all([inboxScope(db, user), programmesOfUser(db, user)])
  return {
    receiving,
    overseenProgrammeIds: programmes.filter((p) => p.manages).map((p) => p.id),
    ...(withSent ? { referrerUserId: user.id } : {}),
  }
}

/** How the user stands to a referral the reach found: as `partiesOf` decides, without asking again. */
function partiesIn(reach: ReferralReach, userId: string, row: ReferralRow): Party[] {
  const parties: Party[] = []
  if (row.referrer_user_id === userId) parties.push('referrer')
  const { programmeIds, organisationIds, linkWorkerProgrammeIds = [] } = reach.receiving
  const receiver = row.service_id
    ? organisationIds.includes(row.receiving_organisation_id) ||
      (row.programme_id !== null && linkWorkerProgrammeIds.includes(row.programme_id))
    : row.programme_id !== null && programmeIds.includes(row.programme_id)
  if (receiver) parties.push('receiver')
  else if (row.service_id && row.programme_id && reach.overseenProgrammeIds.includes(row.programme_id))
    parties.push('overseer')
  return parties
}

export interface ReferralQuery extends Paging {
  /** Only the person's referrals whose record the user sees (as receiver or overseer). */
  personId?: string
  ids?: readonly string[]
  statuses?: readonly ReferralStatus[]
  updated?: readonly TimeRange[]
}

/**
 * The referrals a user is a party to (the rule of `partiesOf`: received, overseen or sent) that
 * match, last changed first, one page, with how the user stands to each and how many match in
 * all. Not audited: callers audit what they show.
 */
export async function searchReferrals(
  db: Queryable,
  user: CurrentUser,
  query: ReferralQuery,
): Promise<{ found: { referral: Referral; parties: Party[] }[]; total: number }> {
  const reach = await reachOf(db, user, query.personId === undefined)
  const { rows, total } = await searchReferralRows(db, { ...query, reach })
  return {
    found: rows.map((row) => ({ referral: referralOf(row), parties: partiesIn(reach, user.id, row) })),
    total,
  }
}

/** The people whose records the user sees through referrals (as receiver or overseer), as a query. */
export async function peopleSeenThroughReferrals(db: Queryable, user: CurrentUser): Promise<PersonIdQuery> {
  return referredPeople(db, await reachOf(db, user, false))
}
