// Referrals: what the rest of Kith uses. A referral goes to a programme (its link-worker team)
// or to a directory service (its provider). It is checked against the target's rules first: an
// ineligible one is not sent; one the rules cannot settle is sent flagged for review. Every
// change of status is one transaction with its history entry, its audit event and the
// notification that tells the referrer.
//
// Casework uses `createReferral` for onward referrals from a case, `getReferral` and
// `referralsOfPerson`, and registers a `ReferralAcceptedHandler` on `context.referralAccepted`
// to open a case when a referral to a link-worker programme is accepted.

import { type Actor, audit, auditRefusal, refused } from '../access/audit.ts'
import {
  findOrganisationByOdsCode,
  getOrganisation,
  getUser,
  type Organisation,
  usersWithRoleIn,
} from '../access/store.ts'
import type { CurrentUser } from '../access/users.ts'
import { organisationsWhere } from '../access/users.ts'
import { isId, newId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import {
  areaOf,
  findServiceByName,
  getService,
  type Place,
  placeFor,
  standing,
  suggestServices,
} from '../directory/index.ts'
import { notify } from '../interop/notifications.ts'
import type { ConsentInput, Person, PersonInput, PersonSummary } from '../people/person.ts'
import {
  createPersonRecord,
  createPersonRecordWithConsent,
  readPerson,
  recordConsent,
} from '../people/records.ts'
import { findDuplicates } from '../people/store.ts'
import {
  DEFAULT_REPLY_DEADLINES,
  type Need,
  needId,
  type Pathway,
  programmeCriteria,
  type ReplyDeadlines,
} from '../programmes/config.ts'
import type { Criteria, EligibilityFacts, EligibilityResult, ReferrerKind } from '../programmes/criteria.ts'
import { evaluate } from '../programmes/eligibility.ts'
import {
  getProgramme,
  getProgrammeForReferral,
  isLinkWorkerOf,
  namedLinkWorkerFor,
  type ProgrammeForReferral,
  programmesOfUser,
} from '../programmes/store.ts'
import { londonDate } from '../web/format.ts'
import { badRequest, conflict, notFound, Problem } from '../web/problem.ts'
import {
  AWAITING_REPLY,
  DECLINE_REASON_LABELS,
  type DeclineReason,
  isDeclineReason,
  nextStatuses,
  type Party,
  type ReferralStatus,
  SNOMED,
  STATUS_NOTICES,
  transitionProblem,
} from './lifecycle.ts'
import {
  codedEntriesOf,
  dueForDecline,
  dueForNudge,
  eventsOf,
  getReferralRow,
  insertCodedEntry,
  insertEvent,
  insertReferral,
  listReferralRows,
  markNudged,
  type ReferralRow,
  referralIdBySubmissionKey,
  updateStatus,
} from './store.ts'

export type { ReferralStatus } from './lifecycle.ts'

/** Where a referral goes. */
export type TargetRef = { programmeId: string } | { serviceId: string }

/** A programme or a service as a referral sees it. */
export interface ReferralTarget {
  kind: 'programme' | 'service'
  id: string
  /** The programme, or the programme a service is run for (decision 0106). */
  programmeId: string | null
  serviceId: string | null
  name: string
  description: string
  /** Every criterion a referral is checked against. */
  criteria: Criteria
  /** The organisation whose team receives referrals: the programme's owner, or the service's provider. */
  receivingOrganisationId: string
  selfReferralAllowed: boolean
  /** The needs the referrer chooses from. */
  needs: Need[]
  replyDeadlines: ReplyDeadlines
  /** The programme's pathway (or that of the programme a service is run for); null for a service. */
  pathway: Pathway | null
  /** A programme's link workers (told of new referrals); empty for a service. */
  linkWorkerIds: string[]
  /** When the programme (or the programme a service is run for) was retired: it takes no new referrals. */
  retiredAt: string | null
}

/** A suggested service: one that matches the person's needs and whose rules they meet, or a redirect. */
export interface Suggestion {
  serviceId: string
  name: string
  why: string
  /** Kilometres from the person (their home, else their practice); null when not known. */
  distanceKm: number | null
  /** Whether it is in the person's area (their practice's, else the target's). */
  inArea: boolean
}

/** Every criterion of a programme: its own, who may refer, and registration at its practices. */
function criteriaOfProgramme(programme: ProgrammeForReferral): Criteria {
  return programmeCriteria({
    ...programme,
    practices: programme.practiceOdsCodes.map((odsCode) => ({ odsCode })),
  })
}

/**
 * A directory service as a referral target: its provider receives the referral. A service run
 * for a programme (decision 0106) carries the programme's rules as well as its own, its needs,
 * deadlines and pathway: an accepted referral follows the programme's pathway.
 */
async function serviceTarget(db: Queryable, serviceId: string): Promise<ReferralTarget | undefined> {
  const service = await getService(db, serviceId)
  if (service?.status !== 'active') return undefined
  const programme = service.programmeId ? await getProgrammeForReferral(db, service.programmeId) : undefined
  const own = new Set(service.criteria.map((criterion) => criterion.id))
  return {
    kind: 'service',
    id: service.id,
    programmeId: programme?.id ?? null,
    serviceId: service.id,
    name: service.name,
    description: '',
    criteria: programme
      ? [...service.criteria, ...criteriaOfProgramme(programme).filter((c) => !own.has(c.id))]
      : service.criteria,
    receivingOrganisationId: service.providerOrganisationId,
    selfReferralAllowed: service.selfReferral && (programme?.selfReferralAllowed ?? true),
    needs: programme && programme.needs.length > 0 ? programme.needs : service.needs,
    replyDeadlines: programme?.replyDeadlines ?? DEFAULT_REPLY_DEADLINES,
    pathway: programme?.pathway ?? null,
    linkWorkerIds: [],
    retiredAt: programme?.retiredAt ?? null,
  }
}

export async function resolveTarget(db: Queryable, ref: TargetRef): Promise<ReferralTarget | undefined> {
  if ('serviceId' in ref) return serviceTarget(db, ref.serviceId)
  const programme = await getProgrammeForReferral(db, ref.programmeId)
  if (!programme) return undefined
  return {
    kind: 'programme',
    id: programme.id,
    programmeId: programme.id,
    serviceId: null,
    name: programme.name,
    description: programme.description,
    criteria: criteriaOfProgramme(programme),
    receivingOrganisationId: programme.ownerOrganisationId,
    selfReferralAllowed: programme.selfReferralAllowed,
    needs: programme.needs,
    replyDeadlines: programme.replyDeadlines ?? DEFAULT_REPLY_DEADLINES,
    pathway: programme.pathway,
    linkWorkerIds: programme.linkWorkerIds,
    retiredAt: programme.retiredAt,
  }
}

/** Where a person is, for suggestions: the postcode they gave, and their practice. */
export interface PersonPlace {
  postcode?: string | null
  practiceId?: string | null
  practiceOdsCode?: string | null
}

/**
 * The place suggestions are local to (decision 0103): distances from the person's home, else
 * their practice; the area of their practice first, else the area of the target they were
 * referred to (`targetOrganisationId`).
 */
async function suggestionPlace(
  db: Queryable,
  where: PersonPlace,
  targetOrganisationId: string | undefined,
): Promise<Place> {
  const practice = where.practiceId
    ? await getOrganisation(db, where.practiceId)
    : where.practiceOdsCode
      ? await findOrganisationByOdsCode(db, where.practiceOdsCode)
      : undefined
  const place = await placeFor(db, {
    postcodes: [where.postcode, practice?.postcode],
    areaOrganisationId: practice?.id,
  })
  return place.area ? place : { ...place, area: await areaOf(db, targetOrganisationId) }
}

/**
 * Services to suggest for a result: redirects first, then services matching the needs, those in
 * the person's area nearer first, then those elsewhere nearer first.
 */
export async function suggestionsFor(
  db: Queryable,
  input: {
    needs: string[]
    facts: EligibilityFacts
    result: EligibilityResult
    excludeServiceId?: string
    where?: PersonPlace
    targetOrganisationId?: string
  },
): Promise<Suggestion[]> {
  const place = await suggestionPlace(db, input.where ?? {}, input.targetOrganisationId)
  const suggestions: Suggestion[] = []
  // A redirect that applied names the service to go to instead: it comes first.
  for (const redirect of input.result.redirects) {
    const service = await findServiceByName(db, redirect.toServiceName)
    if (service && service.status === 'active' && service.id !== input.excludeServiceId)
      suggestions.push({
        serviceId: service.id,
        name: service.name,
        why: redirect.message,
        ...standing(place, service),
      })
  }
  const suggested = await suggestServices(db, { needs: input.needs, facts: input.facts, place, limit: 50 })
  for (const { service, why, distanceKm, inArea } of suggested) {
    if (service.id === input.excludeServiceId || suggestions.some((s) => s.serviceId === service.id)) continue
    suggestions.push({ serviceId: service.id, name: service.name, why, distanceKm, inArea })
  }
  const local = suggestions.filter((s) => s.inArea).slice(0, 10)
  const elsewhere = suggestions.filter((s) => !s.inArea).slice(0, 5)
  return [...local, ...elsewhere]
}

export interface EligibilityCheck {
  target: ReferralTarget
  result: EligibilityResult
  suggestions: Suggestion[]
}

/** Checks facts against a target's rules, without recording anything. Undefined for an unknown target. */
export async function checkEligibility(
  db: Queryable,
  ref: TargetRef,
  facts: Omit<EligibilityFacts, 'today'>,
  options: { needs?: string[]; now?: Date } = {},
): Promise<EligibilityCheck | undefined> {
  const target = await resolveTarget(db, ref)
  if (!target) return undefined
  const full: EligibilityFacts = { ...facts, today: londonDate(options.now ?? new Date()) }
  const result = evaluate(target.criteria, full)
  const suggestions =
    result.outcome === 'eligible'
      ? []
      : await suggestionsFor(db, {
          needs: options.needs ?? [],
          facts: full,
          result,
          ...(target.serviceId ? { excludeServiceId: target.serviceId } : {}),
          where: { practiceOdsCode: facts.practiceOdsCode ?? null },
          targetOrganisationId: target.receivingOrganisationId,
        })
  return { target, result, suggestions }
}

// ---------------------------------------------------------------------------------------------
// Reading referrals

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

function reasonLabel(reason: string | null): string | null {
  if (!reason) return null
  return isDeclineReason(reason) ? DECLINE_REASON_LABELS[reason] : reason
}

function referralOf(row: ReferralRow): Referral {
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

// ---------------------------------------------------------------------------------------------
// Making a referral

/** The person is already known: by id, or by details checked for duplicates first. */
export type PersonRef =
  | {
      personId: string
      /** Casework has checked that the user holds the person's case: no referral needs to show it. */
      heldThrough?: 'case'
    }
  | {
      details: PersonInput
      /** The referrer has seen the possible duplicates and says this is someone else. */
      createNew?: boolean
    }

export type ConsentRef =
  | { consentId: string }
  | (Omit<ConsentInput, 'relatedRecordType' | 'relatedRecordId' | 'about'> & {
      /** What was consented to; "Referral to" the target's name when not given. */
      about?: string
    })

export interface ReferralInput {
  target: TargetRef
  person: PersonRef
  referrer: {
    kind: ReferrerKind
    /** Null for a self-referral. */
    userId: string | null
    organisationId: string | null
    name: string
    /** A phone number or email address the receiving team can reach them on. */
    contact: string
  }
  consent: ConsentRef
  /** Need ids or labels; labels are turned into ids. */
  needs: string[]
  whatMatters: string
  goals: string[]
  reason: string
  answers: Record<string, boolean>
  sourceCaseId?: string | null
  /** The form's one-time key: the same submission twice makes one referral. */
  submissionKey?: string | null
}

export type ReferralOutcome =
  | {
      outcome: 'sent'
      referralId: string
      flaggedForReview: boolean
      eligibility: EligibilityResult
      /** This submission had been made before: nothing new was made. */
      repeated: boolean
      /** The referral as written, with its first history entry (not for a repeated submission). */
      referral?: ReferralWithHistory
    }
  | { outcome: 'not-sent'; target: ReferralTarget; eligibility: EligibilityResult; suggestions: Suggestion[] }

/** The details match someone already in Kith by name and date of birth: the referrer must choose. */
export class PossibleDuplicates extends Problem {
  readonly candidates: PersonSummary[]
  constructor(candidates: PersonSummary[]) {
    super(409, 'Possible duplicate', {
      detail:
        'Someone with the same name and date of birth is already in Kith. Choose them, or say that this is someone else.',
      errors: [
        { field: 'personChoice', message: 'Choose whether this is the same person as one already in Kith' },
      ],
    })
    this.candidates = candidates
  }
}

const DAY = 86_400_000

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

/** Where the person is, as the referral gives them or as the record the user's team holds says. */
function placeOfGiven(person: PersonInput | Person): PersonPlace {
  return {
    postcode: person.postcode,
    practiceId:
      'registeredPracticeId' in person
        ? person.registeredPracticeId
        : (person.registeredPractice?.id ?? null),
  }
}

function asGiven(person: PersonInput | Person): PersonAsGiven {
  return {
    nhsNumber: person.nhsNumber,
    givenName: person.givenName,
    familyName: person.familyName,
    dateOfBirth: person.dateOfBirth,
    addressLines: person.addressLines,
    postcode: person.postcode,
    phone: person.phone,
    email: person.email,
    registeredPracticeId:
      'registeredPracticeId' in person
        ? person.registeredPracticeId
        : (person.registeredPractice?.id ?? null),
  }
}

/**
 * Whether the user's team holds the person's record: they are in the receiving team of one of
 * the person's referrals. Only then may a referral name the person by id, or a duplicate check
 * show them (decision 0305). The one rule for "may use this person's record" in referrals.
 */
export async function personKnownTo(
  db: Queryable,
  user: CurrentUser | null | undefined,
  personId: string,
): Promise<boolean> {
  if (!user) return false
  for (const row of await listReferralRows(db, { personId, limit: 500 })) {
    if ((await partiesOf(db, user, referralOf(row))).includes('receiver')) return true
  }
  return false
}

type FoundPerson =
  /** A record the user's team holds: its facts decide eligibility. */
  | { person: Person }
  /**
   * A record someone else holds, with the same NHS number and date of birth: the referral links
   * to it for the receiving team, and the referrer's own words decide eligibility.
   */
  | { linked: string; given: PersonInput; practiceOdsCode: string | null }
  /** Someone new. */
  | {
      create: PersonInput
      practiceOdsCode: string | null
      practice?: Organisation
      nhsNumberOnAnotherRecord?: boolean
    }

const noSuchPerson = () =>
  badRequest('There is no such person.', [{ field: 'personId', message: 'There is no such person' }])

/**
 * Finds the person the input means, or the details of one to create; checks duplicates first.
 * Nothing here tells the user about a record their team does not hold.
 */
async function findPerson(
  trx: Queryable,
  actor: Actor,
  user: CurrentUser | null | undefined,
  ref: PersonRef,
): Promise<FoundPerson> {
  if ('personId' in ref) {
    if (!isId(ref.personId)) throw noSuchPerson()
    if (ref.heldThrough !== 'case' && !(await personKnownTo(trx, user, ref.personId))) throw noSuchPerson()
    const person = await readPerson(trx, actor, ref.personId, { via: 'referral-create' })
    if (!person) throw noSuchPerson()
    return { person }
  }
  const details = ref.details
  const practice = details.registeredPracticeId
    ? await getOrganisation(trx, details.registeredPracticeId)
    : undefined
  if (details.registeredPracticeId && practice?.kind !== 'practice')
    throw badRequest('The GP practice is not one Kith knows.', [
      { field: 'registeredPracticeId', message: 'Select their GP practice from the list' },
    ])
  const practiceOdsCode = practice?.odsCode ?? null
  const found = await findDuplicates(trx, details)
  const byNumber = found.find((match) => match.match === 'nhs-number')
  if (byNumber) {
    const known = await personKnownTo(trx, user, byNumber.person.id)
    if (byNumber.person.dateOfBirth !== details.dateOfBirth) {
      if (known)
        throw new Problem(409, 'Conflict', {
          detail: 'Someone else in Kith already has this NHS number.',
          errors: [
            {
              field: 'nhsNumber',
              message:
                'Someone in Kith has this NHS number with another date of birth: check the number and the date',
            },
          ],
        })
      // Not the user's to see: a new record without the number, for the receiving team to check.
      return {
        create: { ...details, nhsNumber: null },
        practiceOdsCode,
        ...(practice ? { practice } : {}),
        nhsNumberOnAnotherRecord: true,
      }
    }
    if (!known) return { linked: byNumber.person.id, given: details, practiceOdsCode }
    const person = await readPerson(trx, actor, byNumber.person.id, {
      via: 'referral-create',
      match: 'nhs-number',
    })
    if (person) return { person }
  }
  const byName: PersonSummary[] = []
  for (const match of found) {
    if (match.match !== 'name-and-date-of-birth') continue
    if (details.nhsNumber && match.person.nhsNumber) continue
    if (await personKnownTo(trx, user, match.person.id)) byName.push(match.person)
  }
  if (byName.length > 0 && !ref.createNew) {
    for (const person of byName) {
      await audit(trx, actor, {
        action: 'person.read',
        recordType: 'person',
        recordId: person.id,
        detail: { via: 'duplicate-check', match: 'name-and-date-of-birth' },
      })
    }
    throw new PossibleDuplicates(byName)
  }
  return { create: details, practiceOdsCode, ...(practice ? { practice } : {}) }
}

function checkText(value: string, field: string, label: string, max: number) {
  if (value.length > max)
    throw badRequest(`${label} is too long.`, [
      { field, message: `${label} must be ${max} characters or fewer` },
    ])
}

/**
 * Makes a referral in one transaction: finds or creates the person, checks the target's rules,
 * and, unless they fail, records the consent, the referral and its first history entry. An
 * ineligible referral writes nothing and comes back with every reason and suggestions.
 */
/** The refusal of a referral to a retired programme, or to a service run for one. */
export function closedToReferrals(target: ReferralTarget): Problem {
  const field = target.kind === 'service' ? 'serviceId' : 'programmeId'
  const message =
    target.kind === 'service'
      ? `${target.name} is run for a programme that has been retired, and takes no new referrals`
      : `${target.name} has been retired, and takes no new referrals`
  return new Problem(409, 'Closed to new referrals', { detail: `${message}.`, errors: [{ field, message }] })
}

export async function createReferral(
  db: Queryable,
  actor: Actor,
  input: ReferralInput,
  /** `user`: who refers, when signed in; decides which existing records the referral may use. */
  options: { now?: Date; user?: CurrentUser | null } = {},
): Promise<ReferralOutcome> {
  const now = options.now ?? new Date()
  const at = now.toISOString()
  checkText(input.whatMatters, 'whatMatters', 'What matters to the person', 5000)
  checkText(input.reason, 'reason', 'The reason for the referral', 5000)
  if (input.goals.length > 20)
    throw badRequest('Too many goals.', [{ field: 'goals', message: 'Enter at most 20 goals' }])
  for (const goal of input.goals) checkText(goal, 'goals', 'Each goal', 500)
  if (input.needs.length > 50)
    throw badRequest('Too many needs.', [{ field: 'needs', message: 'Choose at most 50 needs' }])
  if (input.referrer.contact.trim() === '')
    throw badRequest('Enter how the team can contact the referrer.', [
      {
        field: 'referrerContact',
        message: 'Enter a phone number or email address the team can contact you on',
      },
    ])

  return inTransaction(db, async (trx) => {
    if (input.submissionKey) {
      const existing = await referralIdBySubmissionKey(trx, input.submissionKey)
      if (existing) {
        const row = await getReferralRow(trx, existing)
        // A key names one referrer's submission: anyone else's use of it is refused, not answered.
        if (row && row.referrer_user_id !== input.referrer.userId)
          throw conflict('This submission has already been used for another referral.')
        return {
          outcome: 'sent',
          referralId: existing,
          flaggedForReview: row?.flagged_for_review === 1,
          eligibility: row
            ? JSON.parse(row.eligibility)
            : { outcome: 'eligible', reasons: [], redirects: [] },
          repeated: true,
        }
      }
    }
    const target = await resolveTarget(trx, input.target)
    if (!target) {
      const field = 'serviceId' in input.target ? 'serviceId' : 'programmeId'
      throw badRequest(`There is no such ${field === 'serviceId' ? 'service' : 'programme'}.`, [
        { field, message: `Choose a ${field === 'serviceId' ? 'service' : 'programme'} that Kith lists` },
      ])
    }
    if (target.retiredAt) throw closedToReferrals(target)
    if (target.kind === 'programme' && target.pathway === 'direct_to_service')
      throw badRequest(`${target.name} refers people straight to one of its services.`, [
        { field: 'serviceId', message: `Choose one of the services of ${target.name}` },
      ])
    const found = await findPerson(trx, actor, options.user, input.person)
    let consentGivenBy: 'person' | 'representative' | undefined
    if ('consentId' in input.consent) {
      // A consent already recorded can only be one on a record the user's team holds.
      const consentId = input.consent.consentId
      const consent = 'person' in found ? found.person.consents.find((c) => c.id === consentId) : undefined
      if (!consent || consent.withdrawnAt)
        throw badRequest('There is no consent for this referral.', [
          { field: 'consentId', message: 'Record the person’s consent to the referral' },
        ])
      consentGivenBy = consent.givenBy.kind
    } else consentGivenBy = input.consent.givenBy
    const given = 'person' in found ? found.person : 'linked' in found ? found.given : found.create
    const personFacts =
      'person' in found
        ? {
            dateOfBirth: found.person.dateOfBirth,
            practiceOdsCode: found.person.registeredPractice?.odsCode ?? null,
            conditions: found.person.conditions.map((c) => c.code),
          }
        : {
            dateOfBirth: given.dateOfBirth,
            practiceOdsCode: found.practiceOdsCode,
            conditions: (given as PersonInput).conditions,
          }
    const facts: EligibilityFacts = {
      dateOfBirth: personFacts.dateOfBirth,
      ...(personFacts.practiceOdsCode ? { practiceOdsCode: personFacts.practiceOdsCode } : {}),
      conditions: personFacts.conditions,
      referrerKind: input.referrer.kind,
      consentGiven: true,
      consentGivenBy,
      answers: input.answers,
      goals: input.goals,
      today: londonDate(now),
    }
    const needs = [...new Set(input.needs.map((need) => needId(need)))]
    const eligibility = evaluate(target.criteria, facts)
    if (eligibility.outcome === 'ineligible') {
      const suggestions = await suggestionsFor(trx, {
        needs,
        facts,
        result: eligibility,
        ...(target.serviceId ? { excludeServiceId: target.serviceId } : {}),
        where: placeOfGiven(given),
        targetOrganisationId: target.receivingOrganisationId,
      })
      return { outcome: 'not-sent', target, eligibility, suggestions }
    }

    const referralId = newId(now.getTime())
    const consentInput: ConsentInput | undefined =
      'consentId' in input.consent
        ? undefined
        : {
            ...input.consent,
            about: input.consent.about ?? `Referral to ${target.name}`,
            relatedRecordType: 'referral',
            relatedRecordId: referralId,
          }
    let personId: string
    let consentId: string
    if ('person' in found || 'linked' in found) {
      personId = 'person' in found ? found.person.id : found.linked
      consentId = consentInput
        ? await recordConsent(trx, actor, personId, consentInput)
        : (input.consent as { consentId: string }).consentId
    } else if (consentInput) {
      // Someone new, with the consent given now: written and audited together.
      ;({ personId, consentId } = await createPersonRecordWithConsent(
        trx,
        actor,
        found.create,
        consentInput,
        found.practice ? { practice: found.practice } : {},
      ))
    } else {
      personId = await createPersonRecord(trx, actor, found.create)
      consentId = (input.consent as { consentId: string }).consentId
    }
    const suggestions =
      eligibility.outcome === 'needs-review'
        ? await suggestionsFor(trx, {
            needs,
            facts,
            result: eligibility,
            where: placeOfGiven(given),
            targetOrganisationId: target.receivingOrganisationId,
          })
        : []
    const flagged = eligibility.outcome === 'needs-review'
    const row: ReferralRow = {
      id: referralId,
      programme_id: target.programmeId,
      service_id: target.serviceId,
      target_name: target.name,
      receiving_organisation_id: target.receivingOrganisationId,
      person_id: personId,
      person_as_given: JSON.stringify({
        ...asGiven(given),
        ...('nhsNumberOnAnotherRecord' in found && found.nhsNumberOnAnotherRecord
          ? {
              nhsNumber: 'details' in input.person ? input.person.details.nhsNumber : null,
              nhsNumberOnAnotherRecord: true,
            }
          : {}),
      }),
      practice_ods_code: personFacts.practiceOdsCode,
      referrer_kind: input.referrer.kind,
      referrer_user_id: input.referrer.userId,
      referrer_organisation_id: input.referrer.organisationId,
      referrer_name: input.referrer.name,
      referrer_contact: input.referrer.contact.trim(),
      source_case_id: input.sourceCaseId ?? null,
      status: 'requested',
      flagged_for_review: flagged ? 1 : 0,
      eligibility: JSON.stringify({ ...eligibility, suggestions }),
      answers: JSON.stringify(input.answers),
      needs: JSON.stringify(needs),
      goals: JSON.stringify(input.goals),
      what_matters: input.whatMatters,
      reason: input.reason,
      consent_id: consentId,
      submission_key: input.submissionKey ?? null,
      decision_reason: null,
      decision_note: null,
      first_reply_at: null,
      first_reply: null,
      nudge_due_at: new Date(now.getTime() + target.replyDeadlines.nudgeAfterDays * DAY).toISOString(),
      decline_due_at: new Date(now.getTime() + target.replyDeadlines.declineAfterDays * DAY).toISOString(),
      nudged_at: null,
      created_at: at,
      updated_at: at,
    }
    await insertReferral(trx, row)
    const event = {
      referral_id: referralId,
      from_status: null,
      to_status: 'requested' as const,
      at,
      actor_user_id: input.referrer.userId,
      actor_name: input.referrer.name,
      reason: null,
      note: flagged ? 'Sent for review: the rules could not settle eligibility' : null,
    }
    const eventId = await insertEvent(trx, event)
    await audit(trx, actor, {
      action: 'referral.create',
      recordType: 'referral',
      recordId: referralId,
      detail: { personId, outcome: eligibility.outcome, target: target.kind },
    })
    // The practice's named link worker hears of it first (Tower Hamlets); else the programme's
    // link workers, else the receiving team.
    const practice =
      target.programmeId && personFacts.practiceOdsCode
        ? await findOrganisationByOdsCode(trx, personFacts.practiceOdsCode)
        : undefined
    const named =
      practice && target.programmeId
        ? await namedLinkWorkerFor(trx, target.programmeId, practice.id)
        : undefined
    const team = named
      ? [named.userId]
      : target.linkWorkerIds.length > 0
        ? target.linkWorkerIds
        : await receivingTeam(trx, {
            programme_id: target.programmeId,
            service_id: target.serviceId,
            receiving_organisation_id: target.receivingOrganisationId,
          })
    for (const userId of team) {
      await notify(
        trx,
        {
          userId,
          kind: 'referral.new',
          subject: flagged ? 'New referral to review' : 'New referral',
          body: flagged
            ? 'A new referral has arrived and needs review against the criteria.'
            : 'A new referral has arrived in your inbox.',
          link: `/referrals/${referralId}`,
          channels: [],
        },
        now,
      )
    }
    const referral: ReferralWithHistory = {
      ...referralOf(row),
      history: [
        {
          id: eventId,
          from: null,
          to: event.to_status,
          at,
          actorUserId: event.actor_user_id,
          actorName: event.actor_name,
          reason: null,
          reasonLabel: null,
          note: event.note,
        },
      ],
      codedEntries: [],
    }
    return { outcome: 'sent', referralId, flaggedForReview: flagged, eligibility, repeated: false, referral }
  })
}

/**
 * Who receives a referral: a programme's link workers (its managers when it has none), or a
 * provider's staff, with the link workers of the programme the service is run for.
 */
async function receivingTeam(
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

// ---------------------------------------------------------------------------------------------
// Changing status

/** What casework is told when a referral is accepted. */
export interface AcceptedReferral {
  id: string
  personId: string
  programmeId: string | null
  serviceId: string | null
  practiceOdsCode: string | null
  receivingOrganisationId: string
  /** Need ids. */
  needs: string[]
  whatMatters: string
  goals: string[]
  referrerUserId: string | null
  sourceCaseId: string | null
  /** When it was accepted (ISO 8601, UTC). */
  acceptedAt: string
}

/** Runs inside the acceptance transaction: a case opens with the acceptance, or neither happens. */
export type ReferralAcceptedHandler = (
  trx: Queryable,
  referral: AcceptedReferral,
  actor: Actor,
) => Promise<void>

export interface StatusChange {
  to: ReferralStatus
  /** Why: required when declining (one of DECLINE_REASONS). */
  reason?: string | null
  note?: string | null
}

/**
 * Who makes the change: a signed-in user, or Kith itself (automatic decline). `forTeam`: the
 * caller (casework closing the case the referral opened) has checked the user acts for the
 * receiving team.
 */
export type ChangedBy = { user: CurrentUser; forTeam?: true } | { system: true }

/**
 * Moves a referral on in its lifecycle, in one transaction: checks the change is allowed and
 * the user may make it, records the history entry and the audit event, records SNOMED CT codes
 * for a link-worker programme, tells the referrer, and on acceptance runs the handlers (casework
 * opens a case). Throws 404 when the user may not see it, 409 when the lifecycle forbids the change.
 */
export async function changeReferralStatus(
  db: Queryable,
  actor: Actor,
  id: string,
  change: StatusChange,
  by: ChangedBy,
  options: { now?: Date; onAccepted?: readonly ReferralAcceptedHandler[] } = {},
): Promise<Referral> {
  const now = options.now ?? new Date()
  const at = now.toISOString()
  const note = change.note?.trim() || null
  if (note && note.length > 2000)
    throw badRequest('The note is too long.', [
      { field: 'note', message: 'The note must be 2,000 characters or fewer' },
    ])
  return inTransaction(db, async (trx) => {
    const row = await getReferralRow(trx, id)
    if (!row) throw notFound()
    const referral = referralOf(row)
    const parties: Party[] =
      'system' in by ? ['system'] : by.forTeam ? ['receiver'] : await partiesOf(trx, by.user, referral)
    if (parties.length === 0)
      throw refused({ recordType: 'referral', recordId: id, detail: { attempted: `status:${change.to}` } })
    const problem = transitionProblem(row.status, change.to, parties)
    if (problem) throw conflict(problem)
    let reason: DeclineReason | null = null
    if (change.to === 'rejected' || change.to === 'failed') {
      if (
        !change.reason ||
        !isDeclineReason(change.reason) ||
        (change.reason === 'no-reply' && !('system' in by))
      ) {
        if (change.to === 'rejected')
          throw badRequest('Choose why the referral is declined.', [
            { field: 'reason', message: 'Choose why the referral is declined' },
          ])
      } else reason = change.reason
      if (reason === 'other' && !note)
        throw badRequest('Say why the referral is declined.', [
          { field: 'note', message: 'Enter the reason, as you chose another reason' },
        ])
    }
    if (change.to === 'completed' && row.service_id && !note && !('system' in by) && !by.forTeam)
      // A provider finishing a direct referral says what happened: the referrer reads it as the outcome.
      throw badRequest('Say what happened: the referrer reads this as the outcome.', [
        {
          field: 'note',
          message: 'Enter the outcome: what the person did and how it ended (the referrer reads this)',
        },
      ])
    const firstReply =
      row.first_reply === null && (change.to === 'accepted' || change.to === 'rejected')
        ? {
            first_reply: (reason === 'no-reply' ? 'no-reply' : change.to) as
              | 'accepted'
              | 'rejected'
              | 'no-reply',
            first_reply_at: reason === 'no-reply' ? null : at,
          }
        : {}
    const changed = await updateStatus(trx, id, row.status, {
      status: change.to,
      updated_at: at,
      ...firstReply,
      ...(change.to === 'rejected' || change.to === 'failed' || change.to === 'cancelled'
        ? { decision_reason: reason, decision_note: note }
        : {}),
    })
    if (!changed)
      throw conflict('Someone else changed this referral first. Look at it again before changing it.')
    const actorName = 'system' in by ? 'Kith (automatic)' : by.user.name
    await insertEvent(trx, {
      referral_id: id,
      from_status: row.status,
      to_status: change.to,
      at,
      actor_user_id: 'system' in by ? null : by.user.id,
      actor_name: actorName,
      reason,
      note,
    })
    await audit(trx, actor, {
      action: 'referral.status-change',
      recordType: 'referral',
      recordId: id,
      detail: { from: row.status, to: change.to, ...(reason ? { reason } : {}) },
    })
    if (change.to === 'accepted' || reason === 'person-declined') {
      // Only referrals to a link worker are coded: a link-worker programme, or a link-worker service.
      const toLinkWorker = row.programme_id
        ? (await getProgramme(trx, row.programme_id))?.pathway === 'link_worker'
        : row.service_id
          ? (await getService(trx, row.service_id))?.kind === 'link_worker'
          : false
      if (toLinkWorker) {
        const concept =
          change.to === 'accepted' ? SNOMED.referralToSocialPrescribing : SNOMED.socialPrescribingDeclined
        await insertCodedEntry(trx, {
          referralId: id,
          personId: row.person_id,
          code: concept.code,
          display: concept.display,
          at,
          userId: actor.userId,
        })
      }
    }
    if (row.referrer_user_id && row.referrer_user_id !== actor.userId) {
      const notice = STATUS_NOTICES[change.to]
      await notify(
        trx,
        {
          userId: row.referrer_user_id,
          kind: `referral.${change.to}`,
          subject: notice.subject,
          body: `${notice.body} Sign in to Kith to see it.`,
          link: `/referrals/${id}`,
        },
        now,
      )
    }
    if (change.to === 'accepted') {
      const accepted: AcceptedReferral = {
        id,
        personId: row.person_id,
        programmeId: row.programme_id,
        serviceId: row.service_id,
        practiceOdsCode: row.practice_ods_code,
        receivingOrganisationId: row.receiving_organisation_id,
        needs: referral.needs,
        whatMatters: referral.whatMatters,
        goals: referral.goals,
        referrerUserId: row.referrer_user_id,
        sourceCaseId: row.source_case_id,
        acceptedAt: now.toISOString(),
      }
      for (const handler of options.onAccepted ?? []) await handler(trx, accepted, actor)
    }
    const updated = await getReferralRow(trx, id)
    return referralOf(updated ?? row)
  })
}

// ---------------------------------------------------------------------------------------------
// Reply deadlines: a nudge, then an automatic decline

const SYSTEM: Actor = { userId: null, ip: null }

/**
 * Declines every referral whose decline is due and nudges the receiving team of every one whose
 * nudge is due. Each referral is its own transaction with a conditional update, so two processes
 * running this at once cannot decline or nudge one referral twice.
 */
export async function applyReplyDeadlines(
  db: Queryable,
  now: Date,
): Promise<{ declined: number; nudged: number }> {
  const at = now.toISOString()
  let declined = 0
  let nudged = 0
  for (const row of await dueForDecline(db, at)) {
    try {
      await changeReferralStatus(
        db,
        SYSTEM,
        row.id,
        { to: 'rejected', reason: 'no-reply', note: 'No reply came before the deadline.' },
        { system: true },
        { now },
      )
      declined++
    } catch (error) {
      // Someone replied in the meantime: nothing to do.
      if (!(error instanceof Problem && error.status === 409)) throw error
    }
  }
  for (const row of await dueForNudge(db, at)) {
    await inTransaction(db, async (trx) => {
      if (!(await markNudged(trx, row.id, at))) return
      for (const userId of await receivingTeam(trx, row)) {
        await notify(
          trx,
          {
            userId,
            kind: 'referral.reminder',
            subject: 'A referral is waiting for a reply',
            body: 'A referral to your team has had no reply. It will be declined automatically if no one replies.',
            link: `/referrals/${row.id}`,
          },
          now,
        )
      }
      await audit(trx, SYSTEM, { action: 'referral.nudge', recordType: 'referral', recordId: row.id })
      nudged++
    })
  }
  return { declined, nudged }
}

// Statistics for the directory and the reports: one function computes both (statistics.ts).
export {
  describeStatistics,
  MIN_REPLIES_FOR_STATISTICS,
  type ReferralStatistics,
  type ReplyStatistics,
  referralStatistics,
  replyStatistics,
  serviceStatistics,
} from './statistics.ts'
export { type ReferralScope, referralTimes } from './store.ts'

/** The name of the user, for the referrer field of a referral. */
export async function userName(db: Queryable, userId: string): Promise<string> {
  return (await getUser(db, userId))?.name ?? 'Unknown'
}

export { AWAITING_REPLY }
