// Where a referral goes and whether it may: a programme or a directory service as a referral
// target, with every criterion it is checked against; the eligibility check, which records
// nothing; and the services suggested instead, local to the person first (decision 0103).

import { findOrganisationByOdsCode, getOrganisation } from '../access/store.ts'
import type { Queryable } from '../db/schema.ts'
import {
  areaOf,
  findServiceByName,
  getService,
  type Place,
  placeFor,
  standing,
  suggestServices,
} from '../directory/index.ts'
import {
  DEFAULT_REPLY_DEADLINES,
  type Need,
  type Pathway,
  programmeCriteria,
  type ReplyDeadlines,
} from '../programmes/config.ts'
import type { Criteria, EligibilityFacts, EligibilityResult } from '../programmes/criteria.ts'
import { evaluate } from '../programmes/eligibility.ts'
import { getProgrammeForReferral, type ProgrammeForReferral } from '../programmes/store.ts'
import { londonDate } from '../web/format.ts'

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
