// Open Referral UK 3.0 at /openreferral/: public, read-only, every endpoint in the standard's
// openapi.json with its query parameters, a Page object on every list, and CORS open to all.

import type { FastifyInstance } from 'fastify'
import { PUBLIC } from '../access/permissions.ts'
import { getOrganisation } from '../access/store.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { listProgrammes } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { badRequest, notFound } from '../web/problem.ts'
import {
  ORUK_VERSION,
  type OrukContext,
  orukService,
  orukServiceAtLocation,
  orukServiceSummary,
  orukTaxonomy,
  orukTerm,
  page,
} from './oruk.ts'
import { WEEKDAYS } from './schedules.ts'
import { parseSearch } from './search.ts'
import {
  accreditationsOf,
  countTerms,
  getServiceRecord,
  getServiceRecords,
  getTerm,
  listTaxonomies,
  listTerms,
  lookupPostcode,
  pageOfTerms,
  type SearchFilters,
  type ServiceRecord,
  searchServiceLocations,
  searchServices,
  serviceIdOfLocation,
} from './store.ts'

/** Open Referral's `day`: a day's iCalendar code or its English name, in any case. */
const DAYS: Record<string, string> = Object.fromEntries(
  WEEKDAYS.flatMap((day) => [
    [day.code.toLowerCase(), day.code],
    [day.name.toLowerCase(), day.code],
  ]),
)
const TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/
const DEFAULT_PER_PAGE = 50

function text(value: unknown): string | undefined {
  if (Array.isArray(value)) return text(value[0])
  return typeof value === 'string' ? value : undefined
}

/** Reads the Open Referral query parameters; any that is not valid is a 400 with the reason. */
async function orukFilters(
  db: Queryable,
  query: Record<string, unknown>,
  options: { locations: boolean },
): Promise<SearchFilters> {
  const terms = await listTerms(db)
  const termId = text(query.taxonomy_term_id)
  const { request, problems } = parseSearch(
    { q: query.search, page: query.page, per_page: query.per_page, postcode: query.postcode },
    terms.filter((t) => t.id === termId),
    { perPage: DEFAULT_PER_PAGE },
  )
  // The page's field is `q`; Open Referral calls it `search`.
  for (const problem of problems) if (problem.field === 'q') problem.field = 'search'
  const filters: SearchFilters = { page: request.page, perPage: request.perPage, text: request.text }
  if (termId) {
    if (terms.some((t) => t.id === termId)) filters.termId = termId
    else problems.push({ field: 'taxonomy_term_id', message: 'No taxonomy term has this id' })
  }
  const taxonomyId = text(query.taxonomy_id)
  if (taxonomyId) {
    const taxonomy = (await listTaxonomies(db)).find((t) => t.id === taxonomyId)
    if (taxonomy) filters.vocabulary = taxonomy.code
    else problems.push({ field: 'taxonomy_id', message: 'No taxonomy has this id' })
  }
  for (const [name, key] of [
    ['minimum_age', 'minimumAge'],
    ['maximum_age', 'maximumAge'],
  ] as const) {
    const value = text(query[name])
    if (value === undefined || value === '') continue
    const n = Number(value)
    if (!/^\d{1,3}(\.\d+)?$/.test(value.trim()) || n > 130)
      problems.push({ field: name, message: `${name} must be an age in years from 0 to 130` })
    else filters[key] = n
  }
  for (const [name, key] of [
    ['start_time', 'startTime'],
    ['end_time', 'endTime'],
  ] as const) {
    const value = text(query[name])
    if (!value) continue
    const match = TIME.exec(value.trim())
    if (!match) problems.push({ field: name, message: `${name} must be a time like 09:30 or 09:30:00` })
    else filters[key] = `${match[1]}:${match[2]}:${match[3] ?? '00'}`
  }
  const day = text(query.day)
  if (day) {
    const code = DAYS[day.trim().toLowerCase()]
    if (code) filters.day = code
    else problems.push({ field: 'day', message: 'day must be a day of the week, like MO or Monday' })
  }
  if (options.locations) {
    const proximity = text(query.proximity)
    let metres = 10_000
    if (proximity) {
      if (!/^\d{1,6}$/.test(proximity.trim()) || Number(proximity) < 1 || Number(proximity) > 200_000)
        problems.push({
          field: 'proximity',
          message: 'proximity must be a distance in metres from 1 to 200000',
        })
      else metres = Number(proximity)
      if (!request.postcode && !problems.some((p) => p.field === 'postcode'))
        problems.push({ field: 'postcode', message: 'proximity needs a postcode to measure from' })
    }
    if (request.postcode && problems.length === 0) {
      const point = await lookupPostcode(db, request.postcode)
      if (!point)
        problems.push({ field: 'postcode', message: `The postcode ${request.postcode} is not known` })
      else filters.near = { ...point, radiusKm: metres / 1000 }
    }
  } else if (request.postcode) {
    problems.push({ field: 'postcode', message: 'postcode is a parameter of /service_at_locations' })
  }
  if (problems.length > 0) throw badRequest('A query parameter is not valid.', problems)
  return filters
}

async function orukContext(db: Queryable, services: ServiceRecord[]): Promise<OrukContext> {
  const organisations = new Map<string, { id: string; name: string }>()
  for (const id of new Set(services.map((s) => s.providerOrganisationId))) {
    const organisation = await getOrganisation(db, id)
    if (organisation) organisations.set(id, organisation)
  }
  const extra = [...(await listTerms(db, 'kind')), ...(await listTerms(db, 'referral'))]
  return {
    organisations,
    taxonomies: await listTaxonomies(db),
    extraTerms: new Map(extra.map((t) => [`${t.vocabulary}:${t.code}`, t])),
    accreditations: await accreditationsOf(db, [
      ...new Set(services.flatMap((s) => [s.id, s.providerOrganisationId])),
    ]),
    programmeNames: Object.fromEntries((await listProgrammes(db)).map((p) => [p.id, p.name])),
  }
}

function pageNumbers(query: Record<string, unknown>): { page: number; perPage: number } {
  const { request, problems } = parseSearch({ page: query.page, per_page: query.per_page }, [], {
    perPage: DEFAULT_PER_PAGE,
  })
  if (problems.length > 0) throw badRequest('A query parameter is not valid.', problems)
  return { page: request.page, perPage: request.perPage }
}

export function openReferralRoutes(app: FastifyInstance, context: AppContext) {
  const { db } = context
  const access = { config: { access: PUBLIC } }

  app.addHook('onSend', async (request, reply, payload) => {
    if (/^\/openreferral(\/|\?|$)/.test(request.url)) reply.header('Access-Control-Allow-Origin', '*')
    return payload
  })

  app.get('/openreferral', access, async (_request, reply) => reply.redirect('/openreferral/', 301))

  app.get('/openreferral/', access, async () => ({
    version: ORUK_VERSION,
    profile: 'https://github.com/openreferral/uk-profile',
    openapi_url: 'https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json',
  }))

  app.get('/openreferral/services', access, async (request) => {
    const filters = await orukFilters(db, request.query as Record<string, unknown>, { locations: false })
    const found = await searchServices(db, filters)
    const services = await getServiceRecords(
      db,
      found.hits.map((h) => h.id),
    )
    const orukContextValue = await orukContext(db, services)
    return page(
      services.map((s) => orukServiceSummary(s, orukContextValue)),
      found.total,
      filters.page,
      filters.perPage,
    )
  })

  app.get('/openreferral/services/:id', access, async (request) => {
    const { id } = request.params as { id: string }
    const service = isId(id) ? await getServiceRecord(db, id) : undefined
    if (!service) throw notFound('No service has this id.')
    return orukService(service, await orukContext(db, [service]))
  })

  app.get('/openreferral/service_at_locations', access, async (request) => {
    const filters = await orukFilters(db, request.query as Record<string, unknown>, { locations: true })
    const found = await searchServiceLocations(db, filters)
    const services = await getServiceRecords(db, [...new Set(found.hits.map((h) => h.serviceId))])
    const byId = new Map(services.map((s) => [s.id, s]))
    const orukContextValue = await orukContext(db, services)
    const contents = found.hits.flatMap((hit) => {
      const service = byId.get(hit.serviceId)
      const item = service && orukServiceAtLocation(service, hit.locationId, orukContextValue, false)
      return item ? [item] : []
    })
    return page(contents, found.total, filters.page, filters.perPage)
  })

  app.get('/openreferral/service_at_locations/:id', access, async (request) => {
    const { id } = request.params as { id: string }
    const serviceId = isId(id) ? await serviceIdOfLocation(db, id) : undefined
    const service = serviceId ? await getServiceRecord(db, serviceId) : undefined
    const item = service && orukServiceAtLocation(service, id, await orukContext(db, [service]), true)
    if (!item) throw notFound('No service at location has this id.')
    return item
  })

  app.get('/openreferral/taxonomies', access, async (request) => {
    const { page: number, perPage } = pageNumbers(request.query as Record<string, unknown>)
    const all = await listTaxonomies(db)
    return page(
      all.slice((number - 1) * perPage, number * perPage).map(orukTaxonomy),
      all.length,
      number,
      perPage,
    )
  })

  app.get('/openreferral/taxonomies/:id', access, async (request) => {
    const { id } = request.params as { id: string }
    const taxonomy = (await listTaxonomies(db)).find((t) => t.id === id)
    if (!taxonomy) throw notFound('No taxonomy has this id.')
    return orukTaxonomy(taxonomy)
  })

  app.get('/openreferral/taxonomy_terms', access, async (request) => {
    const { page: number, perPage } = pageNumbers(request.query as Record<string, unknown>)
    const taxonomies = await listTaxonomies(db)
    const terms = await pageOfTerms(db, number, perPage)
    return page(
      terms.map((t) => orukTerm(t, taxonomies)),
      await countTerms(db),
      number,
      perPage,
    )
  })

  app.get('/openreferral/taxonomy_terms/:id', access, async (request) => {
    const { id } = request.params as { id: string }
    const term = isId(id) ? await getTerm(db, id) : undefined
    if (!term) throw notFound('No taxonomy term has this id.')
    return orukTerm(term, await listTaxonomies(db))
  })
}
