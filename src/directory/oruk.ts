// Kith's directory as Open Referral UK 3.0 (HSDS 3.0) objects, and back. Shapes follow
// shared/standards/openreferral-uk-3.0/schema/compiled/*.json.

import { createHash } from 'node:crypto'
import type { Accreditation, ServiceRecord, Taxonomy, Term } from './store.ts'

export const ORUK_VERSION = 'HSDS-UK-3.0'

/** A stable UUID for something that has no id of its own (a service's contact, a location's address). */
export function derivedId(text: string): string {
  const hex = createHash('sha1').update(text).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`
}

export const ORUK_STATUS: Record<string, string> = {
  active: 'active',
  inactive: 'inactive',
  temporarily_closed: 'temporarily closed',
}

export interface OrukContext {
  organisations: Map<string, { id: string; name: string }>
  taxonomies: Taxonomy[]
  /** Terms for the service's kind and referral route, by `vocabulary:code`. */
  extraTerms: Map<string, Term>
  accreditations: Accreditation[]
  programmeNames: Record<string, string>
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const URI = /^https?:\/\/\S+$/

function optional<T>(key: string, value: T | null | undefined | ''): Record<string, T> {
  return value === null || value === undefined || value === '' ? {} : { [key]: value }
}

export function orukTerm(term: Term, taxonomies: Taxonomy[]) {
  const taxonomy = taxonomies.find((t) => t.code === term.vocabulary)
  return {
    id: term.id,
    name: term.label,
    description: term.description || term.label,
    ...optional('parent_id', term.parentId),
    taxonomy: taxonomy?.name ?? term.vocabulary,
    ...optional('taxonomy_id', taxonomy?.id),
    term: term.code,
  }
}

export function orukTaxonomy(taxonomy: Taxonomy) {
  return {
    id: taxonomy.id,
    name: taxonomy.name,
    description: taxonomy.description || taxonomy.name,
    ...optional('uri', taxonomy.uri && URI.test(taxonomy.uri) ? taxonomy.uri : null),
    ...optional('version', taxonomy.version),
  }
}

function organisationOf(service: ServiceRecord, context: OrukContext) {
  const organisation = context.organisations.get(service.providerOrganisationId)
  return {
    id: service.providerOrganisationId,
    name: organisation?.name ?? service.providerName,
    description: organisation?.name ?? service.providerName,
  }
}

function accreditationText(service: ServiceRecord, context: OrukContext): string {
  return context.accreditations
    .filter((a) => a.subjectId === service.id || a.subjectId === service.providerOrganisationId)
    .map(
      (a) =>
        `${a.subjectType === 'organisation' ? 'Provider' : 'Service'} accredited by ${context.programmeNames[a.programmeId] ?? 'a programme'} from ${a.accreditedFrom}${a.accreditedTo ? ` to ${a.accreditedTo}` : ''}`,
    )
    .join('; ')
}

/** The one-to-one fields: what a list holds. */
export function orukServiceSummary(service: ServiceRecord, context: OrukContext) {
  return {
    id: service.id,
    organization_id: service.providerOrganisationId,
    name: service.name,
    description: service.description,
    ...optional('url', URI.test(service.url) ? service.url : null),
    ...optional('email', EMAIL.test(service.email) ? service.email : null),
    status: ORUK_STATUS[service.status] ?? 'active',
    ...optional('fees', service.cost),
    ...optional('accreditations', accreditationText(service, context)),
    ...optional('minimum_age', service.ageMin),
    ...optional('maximum_age', service.ageMax),
    assured_date: service.lastReviewedOn,
    last_modified: service.updatedAt,
    organization: organisationOf(service, context),
  }
}

export function orukLocation(service: ServiceRecord, location: ServiceRecord['locations'][number]) {
  const locationId = derivedId(`location:${location.id}`)
  return {
    id: locationId,
    location_type: 'physical',
    name: location.name || service.name,
    ...optional('latitude', location.latitude),
    ...optional('longitude', location.longitude),
    addresses: [
      {
        id: derivedId(`address:${location.id}`),
        location_id: locationId,
        address_1: location.address || location.name,
        city: location.town,
        state_province: '',
        postal_code: location.postcode ?? '',
        country: 'GB',
        address_type: 'physical',
      },
    ],
  }
}

function attributes(service: ServiceRecord, context: OrukContext) {
  const terms = [
    ...service.terms,
    ...[
      context.extraTerms.get(`kind:${service.kind}`),
      context.extraTerms.get(`referral:${service.selfReferral ? 'self-referral' : 'professional-referral'}`),
    ].filter((t): t is Term => t !== undefined),
  ]
  return terms.map((term) => ({
    id: derivedId(`attribute:${service.id}:${term.id}`),
    link_id: service.id,
    taxonomy_term_id: term.id,
    link_type: 'service',
    taxonomy_term: orukTerm(term, context.taxonomies),
  }))
}

/** A fully nested service. */
export function orukService(service: ServiceRecord, context: OrukContext) {
  return {
    ...orukServiceSummary(service, context),
    schedules: service.schedules.map((schedule) => ({
      id: schedule.id,
      service_id: service.id,
      freq: schedule.freq,
      ...optional('byday', schedule.byday),
      ...optional('opens_at', schedule.opensAt),
      ...optional('closes_at', schedule.closesAt),
      ...optional('description', schedule.description),
    })),
    service_areas: [],
    service_at_locations: service.locations.map((location) => ({
      id: location.id,
      service_id: service.id,
      location_id: derivedId(`location:${location.id}`),
      location: orukLocation(service, location),
    })),
    languages: [],
    funding: [],
    cost_options: [],
    contacts:
      service.contactName || service.email || service.phone
        ? [
            {
              id: derivedId(`contact:${service.id}`),
              service_id: service.id,
              ...optional('name', service.contactName),
              ...optional('email', EMAIL.test(service.email) ? service.email : null),
              phones: service.phone
                ? [
                    {
                      id: derivedId(`phone:${service.id}`),
                      contact_id: derivedId(`contact:${service.id}`),
                      number: service.phone,
                    },
                  ]
                : [],
            },
          ]
        : [],
    attributes: attributes(service, context),
  }
}

/** A service at one of its locations: for lists (`full` false) or the `{id}` endpoint. */
export function orukServiceAtLocation(
  service: ServiceRecord,
  locationId: string,
  context: OrukContext,
  full: boolean,
) {
  const location = service.locations.find((l) => l.id === locationId)
  if (!location) return undefined
  return {
    id: location.id,
    service_id: service.id,
    location_id: derivedId(`location:${location.id}`),
    location: orukLocation(service, location),
    service: full ? orukService(service, context) : orukServiceSummary(service, context),
  }
}

export interface Page<T> {
  total_items: number
  total_pages: number
  page_number: number
  size: number
  first_page: boolean
  last_page: boolean
  empty: boolean
  contents: T[]
}

export function page<T>(contents: T[], total: number, pageNumber: number, perPage: number): Page<T> {
  const totalPages = Math.max(1, Math.ceil(total / perPage))
  return {
    total_items: total,
    total_pages: totalPages,
    page_number: pageNumber,
    size: contents.length,
    first_page: pageNumber === 1,
    last_page: pageNumber >= totalPages,
    empty: total === 0,
    contents,
  }
}
