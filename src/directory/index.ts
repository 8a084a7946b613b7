// What other capabilities use of the directory. Everything else in this folder is its own.

import type { Queryable } from '../db/schema.ts'
import type { Criteria, EligibilityFacts, EligibilityResult } from '../programmes/criteria.ts'
import { evaluate } from '../programmes/eligibility.ts'
import { byPlace, type Place, type Point, standing } from './local.ts'
import {
  allServiceIds,
  getServiceRecord,
  getServiceRecords,
  lookupPostcode,
  serviceIdByName,
  serviceIdsRunFor,
  serviceIdsWithTermCodes,
} from './store.ts'
import type { ServiceKind, ServiceStatus } from './taxonomy.ts'

export {
  SOCIAL_PRESCRIBING_CRITERIA,
  SOCIAL_PRESCRIBING_SUITABLE_ANSWERS,
  WEIGHT_MANAGEMENT_SERVICE_NAME,
} from './demo.ts'
export { type Area, areaOf, type Place, type Point, placeFor, standing } from './local.ts'
export { SERVICE_KIND_LABELS, SERVICE_KINDS, type ServiceKind, type ServiceStatus } from './taxonomy.ts'

export interface ServiceSummary {
  id: string
  name: string
  description: string
  /** The id the service has in the Open Referral UK feed it came from, if any. */
  externalId: string | null
  updatedAt: string
  providerOrganisationId: string
  providerName: string
  /** The programme the service is run for, whose rules and pathway it carries (decision 0106). */
  programmeId: string | null
  kind: ServiceKind
  status: ServiceStatus
  /** True when people may refer themselves; false for professional referrals only. */
  selfReferral: boolean
  criteria: Criteria
  /** Codes of the service's taxonomy terms (needs, areas, categories). */
  termCodes: string[]
  /** The needs the service meets (its terms in the need vocabulary), once each: what a referral to it offers. */
  needs: { id: string; label: string }[]
  /** The first location's postcode, if any. */
  postcode: string | null
  /** Its places with coordinates. */
  places: Point[]
}

async function summaries(db: Queryable, ids: string[]): Promise<ServiceSummary[]> {
  return (await getServiceRecords(db, ids)).map((record) => ({
    id: record.id,
    name: record.name,
    description: record.description,
    externalId: record.externalId,
    updatedAt: record.updatedAt,
    providerOrganisationId: record.providerOrganisationId,
    providerName: record.providerName,
    programmeId: record.programmeId,
    kind: record.kind,
    status: record.status,
    selfReferral: record.selfReferral,
    criteria: record.criteria,
    termCodes: record.terms.map((term) => term.code),
    needs: [
      ...new Map(
        record.terms.filter((term) => term.vocabulary === 'need').map((term) => [term.code, term.label]),
      ),
    ].map(([id, label]) => ({ id, label })),
    postcode: record.locations[0]?.postcode ?? null,
    places: record.locations.flatMap(({ latitude, longitude }) =>
      latitude === null || longitude === null ? [] : [{ latitude, longitude }],
    ),
  }))
}

/** The service, or undefined when there is none with this id. */
export async function getService(db: Queryable, id: string): Promise<ServiceSummary | undefined> {
  return (await summaries(db, [id]))[0]
}

/** The services with these ids that exist, in one read. */
export async function getServices(db: Queryable, ids: readonly string[]): Promise<ServiceSummary[]> {
  return ids.length === 0 ? [] : summaries(db, [...ids])
}

/** Every service in the directory (or only the active ones), by name. */
export async function listServices(
  db: Queryable,
  options: { activeOnly?: boolean } = {},
): Promise<ServiceSummary[]> {
  return summaries(db, await allServiceIds(db, options))
}

/** The services run for a programme (decision 0106), by name: a direct-to-service programme's choices. */
export async function servicesRunFor(db: Queryable, programmeId: string): Promise<ServiceSummary[]> {
  return summaries(db, await serviceIdsRunFor(db, programmeId))
}

/** The service's access criteria in the eligibility language; an empty list when it has none or does not exist. */
export async function getServiceCriteria(db: Queryable, serviceId: string): Promise<Criteria> {
  return (await getServiceRecord(db, serviceId))?.criteria ?? []
}

/** The service with this name (ignoring case), the oldest if several share it. */
export async function findServiceByName(db: Queryable, name: string): Promise<ServiceSummary | undefined> {
  const id = await serviceIdByName(db, name)
  return id ? getService(db, id) : undefined
}

export interface SuggestedService {
  service: ServiceSummary
  eligibility: EligibilityResult
  /** Why it was suggested, in a sentence or two. */
  why: string
  /** Kilometres from the place's point to the service's nearest place; null when either is not known. */
  distanceKm: number | null
  /** Whether the service is in the place's area (true when no area is given). */
  inArea: boolean
}

/** The coordinates Kith holds for a postcode (`EX15 1FE`), if any. */
export async function postcodePoint(db: Queryable, postcode: string): Promise<Point | undefined> {
  return lookupPostcode(db, postcode)
}

/** `a`, `a and b`, `a, b and c` */
function naturalList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
}

/** Why a service is suggested: the needs it meets (each once) and where its criteria leave the person. */
export function suggestionWhy(
  matchedNeeds: readonly string[],
  outcome: EligibilityResult['outcome'],
): string {
  const needs = [...new Set(matchedNeeds.map((code) => code.replaceAll('-', ' ').toLowerCase()))]
  const criteria = outcome === 'eligible' ? 'Its criteria are met.' : 'Some of its criteria need checking.'
  return needs.length > 0 ? `Helps with ${naturalList(needs)}. ${criteria}` : criteria
}

/**
 * Active services that meet any of the needs (term codes: `weight-management`) and whose criteria
 * the person does not fail: eligible first, then those needing review. A redirect that applies
 * (a weight-related goal) suggests the named service instead. Without needs, every active service
 * is considered. With `place`, every suggestion says how far it is and whether it is in the
 * place's area, and they are ranked by that: the area's first, nearer first (decision 0103).
 */
export async function suggestServices(
  db: Queryable,
  options: { needs?: string[]; facts: EligibilityFacts; limit?: number; place?: Place },
): Promise<SuggestedService[]> {
  const needs = options.needs?.filter((need) => need.length > 0) ?? []
  const ids =
    needs.length > 0
      ? await serviceIdsWithTermCodes(db, needs)
      : await allServiceIds(db, { activeOnly: true })
  const candidates = await summaries(db, ids)
  const place: Place = options.place ?? { from: undefined, area: undefined }
  const suggested: SuggestedService[] = []
  const redirectedTo = new Map<string, string>()
  for (const service of candidates) {
    const eligibility = evaluate(service.criteria, options.facts)
    for (const redirect of eligibility.redirects)
      redirectedTo.set(redirect.toServiceName.toLowerCase(), service.name)
    if (eligibility.outcome === 'ineligible') continue
    const matched = service.termCodes.filter((code) => needs.includes(code))
    suggested.push({
      service,
      eligibility,
      why: suggestionWhy(matched, eligibility.outcome),
      ...standing(place, service),
    })
  }
  for (const [name, from] of redirectedTo) {
    if (suggested.some((s) => s.service.name.toLowerCase() === name)) continue
    const target = await findServiceByName(db, name)
    if (target?.status !== 'active') continue
    const eligibility = evaluate(target.criteria, options.facts)
    if (eligibility.outcome === 'ineligible') continue
    suggested.push({
      service: target,
      eligibility,
      why: `${from} asks that people with this goal are referred to ${target.name} instead.`,
      ...standing(place, target),
    })
  }
  const rank = (s: SuggestedService) => (s.eligibility.outcome === 'eligible' ? 0 : 1)
  suggested.sort(
    (a, b) =>
      (options.place ? byPlace(a, b) : 0) ||
      rank(a) - rank(b) ||
      a.service.name.localeCompare(b.service.name),
  )
  return suggested.slice(0, options.limit ?? 50)
}

/** One line of a service's statistics ("Usually replies in 3 days"), shown on its page. */
export interface ServiceStatistic {
  text: string
}

/**
 * Where the service page gets its statistics. The referrals capability adds a provider that
 * computes "Usually replies in N days" and "N% of referrals accepted" from real referrals, and
 * returns nothing until there are enough to mean something.
 */
export const serviceStatistics: ((db: Queryable, serviceId: string) => Promise<ServiceStatistic[]>)[] = []

/** Accreditations of these providers or services, newest first; the ids of a provider's services. */
/** What other capabilities publish through the directory: a listing of their own kind with its own details beside it. */
export {
  type Accreditation,
  accreditationsOf,
  accreditationsOfProgramme,
  createService,
  distanceKm,
  findTerm,
  type LocationInput,
  programmeIdsWithServices,
  providersOfServices,
  type ServiceInput,
  serviceIdsOfProviders,
  setServiceProgramme,
  updateService,
} from './store.ts'
