// What other capabilities use of the directory. Everything else in this folder is its own.

import type { Queryable } from '../db/schema.ts'
import { normalisePostcode } from '../people/person.ts'
import type { Criteria, EligibilityFacts, EligibilityResult } from '../programmes/criteria.ts'
import { evaluate } from '../programmes/eligibility.ts'
import {
  allServiceIds,
  getServiceRecord,
  getServiceRecords,
  lookupPostcode,
  searchServices,
  serviceIdByName,
  serviceIdsWithTermCodes,
} from './store.ts'
import type { ServiceKind, ServiceStatus } from './taxonomy.ts'

export {
  SOCIAL_PRESCRIBING_CRITERIA,
  SOCIAL_PRESCRIBING_SUITABLE_ANSWERS,
  WEIGHT_MANAGEMENT_SERVICE_NAME,
} from './demo.ts'
export { SERVICE_KIND_LABELS, SERVICE_KINDS, type ServiceKind, type ServiceStatus } from './taxonomy.ts'

export interface ServiceSummary {
  id: string
  name: string
  providerOrganisationId: string
  providerName: string
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
}

async function summaries(db: Queryable, ids: string[]): Promise<ServiceSummary[]> {
  return (await getServiceRecords(db, ids)).map((record) => ({
    id: record.id,
    name: record.name,
    providerOrganisationId: record.providerOrganisationId,
    providerName: record.providerName,
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
  }))
}

/** The service, or undefined when there is none with this id. */
export async function getService(db: Queryable, id: string): Promise<ServiceSummary | undefined> {
  return (await summaries(db, [id]))[0]
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
  /** Why it was suggested, in a sentence. */
  why: string
}

/** Where suggested services must be: within `radiusKm` of the first of `postcodes` Kith knows. */
export interface Nearby {
  postcodes: (string | null | undefined)[]
  radiusKm: number
}

/** Ids of the services with a place within the distance; undefined when no postcode is known. */
async function serviceIdsNear(db: Queryable, near: Nearby): Promise<Set<string> | undefined> {
  for (const given of near.postcodes) {
    const postcode = given ? normalisePostcode(given) : undefined
    const point = postcode ? await lookupPostcode(db, postcode) : undefined
    if (!point) continue
    const found = await searchServices(db, {
      near: { ...point, radiusKm: near.radiusKm },
      page: 1,
      perPage: 100_000,
    })
    return new Set(found.hits.map((hit) => hit.id))
  }
  return undefined
}

/**
 * Active services that meet any of the needs (term codes: `weight-management`) and whose criteria
 * the person does not fail: eligible first, then those needing review. A redirect that applies
 * (a weight-related goal) suggests the named service instead. Without needs, every active service
 * is considered; with `near`, only those within its distance (when one of its postcodes is known).
 */
export async function suggestServices(
  db: Queryable,
  options: { needs?: string[]; facts: EligibilityFacts; limit?: number; near?: Nearby },
): Promise<SuggestedService[]> {
  const needs = options.needs?.filter((need) => need.length > 0) ?? []
  const [ids, nearby] = await Promise.all([
    needs.length > 0 ? serviceIdsWithTermCodes(db, needs) : allServiceIds(db, { activeOnly: true }),
    options.near ? serviceIdsNear(db, options.near) : undefined,
  ])
  const candidates = await summaries(db, nearby ? ids.filter((id) => nearby.has(id)) : ids)
  const suggested: SuggestedService[] = []
  const redirectedTo = new Map<string, string>()
  for (const service of candidates) {
    const eligibility = evaluate(service.criteria, options.facts)
    for (const redirect of eligibility.redirects)
      redirectedTo.set(redirect.toServiceName.toLowerCase(), service.name)
    if (eligibility.outcome === 'ineligible') continue
    const matched = service.termCodes.filter((code) => needs.includes(code))
    const because =
      matched.length > 0
        ? `Meets the need for ${matched.join(', ').replaceAll('-', ' ')}`
        : 'An active service'
    const outcome =
      eligibility.outcome === 'eligible'
        ? 'and the person meets its criteria'
        : 'and some of its criteria need review'
    suggested.push({ service, eligibility, why: `${because}, ${outcome}.` })
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
    })
  }
  const rank = (s: SuggestedService) => (s.eligibility.outcome === 'eligible' ? 0 : 1)
  suggested.sort((a, b) => rank(a) - rank(b) || a.service.name.localeCompare(b.service.name))
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
export { type Accreditation, accreditationsOf, serviceIdsOfProviders } from './store.ts'
