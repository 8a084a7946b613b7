// The directory's pages: the public search and service pages, providers' "Your services", and
// programme managers' accreditation. The Open Referral UK API is in openreferral.ts.

import type { FastifyInstance, FastifyReply } from 'fastify'
import { PUBLIC } from '../access/permissions.ts'
import { hasRole } from '../access/users.ts'
import { isId } from '../db/ids.ts'
import { describeAppointmentCap, PATHWAY_LABELS } from '../programmes/config.ts'
import { getProgrammeForReferral, listProgrammes } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { formErrors } from '../web/forms.ts'
import { notFound } from '../web/problem.ts'
import { criteriaRoutes } from './criteria-routes.ts'
import { serviceStatistics } from './index.ts'
import { openReferralRoutes } from './openreferral.ts'
import { listingOf, summaryOf } from './present.ts'
import { providerRoutes } from './provider-routes.ts'
import { WEEKDAYS } from './schedules.ts'
import { parseSearch, RADII_KM, type SearchRequest } from './search.ts'
import {
  accreditationsOf,
  getServiceRecord,
  getServiceRecords,
  listTerms,
  lookupPostcode,
  searchServices,
} from './store.ts'
import { categoryChoices, SERVICE_KIND_LABELS, SERVICE_KINDS } from './taxonomy.ts'
import './tables.ts'

function searchHref(request: SearchRequest, page: number, raw: Record<string, string | undefined>): string {
  const params = new URLSearchParams()
  for (const key of ['q', 'category', 'kind', 'referral', 'age', 'day', 'postcode', 'radius']) {
    const value = raw[key]
    if (value) params.set(key, value)
  }
  if (page > 1) params.set('page', String(page))
  void request
  const query = params.toString()
  return query ? `/directory?${query}` : '/directory'
}

export function directoryRoutes(app: FastifyInstance, context: AppContext) {
  const { db } = context

  context.navigation.push({
    text: 'Directory',
    href: '/directory',
    roles: ['referrer', 'link_worker', 'provider', 'programme_manager', 'administrator'],
    order: 30,
  })
  context.navigation.push({
    text: 'Find a service or activity',
    href: '/directory',
    roles: [],
    order: 10,
    public: true,
  })
  context.startSections.push({
    order: 10,
    load: async () => ({ template: 'directory/views/start-section.njk', data: {} }),
  })
  context.homeCards.push({
    roles: ['referrer', 'link_worker', 'programme_manager'],
    heading: 'Find a service',
    description:
      'Search the directory of community services, groups and activities by need, place and who can refer.',
    href: '/directory',
    order: 20,
  })

  app.get('/directory', { config: { access: PUBLIC } }, async (request, reply: FastifyReply) => {
    const raw = Object.fromEntries(
      Object.entries(request.query as Record<string, unknown>).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : undefined,
      ]),
    ) as Record<string, string | undefined>
    const terms = await listTerms(db)
    const { request: search, problems } = parseSearch(raw, terms)
    const today = londonDate(context.now())
    let near: { latitude: number; longitude: number } | undefined
    if (search.postcode && problems.length === 0) {
      near = await lookupPostcode(db, search.postcode)
      if (!near) {
        problems.push({
          field: 'postcode',
          message: `We do not know the postcode ${search.postcode}. Check it, or search without a postcode`,
        })
      }
    }
    const searched = Object.keys(raw).some((key) => raw[key])
    let results: ReturnType<typeof summaryOf>[] = []
    let total = 0
    if (problems.length === 0) {
      const found = await searchServices(db, {
        text: search.text,
        termIds: search.termIds,
        kind: search.kind,
        selfReferral: search.selfReferral,
        age: search.age,
        ...(search.day ? { day: search.day } : {}),
        near: near && { ...near, radiusKm: search.radiusKm },
        page: search.page,
        perPage: search.perPage,
      })
      total = found.total
      const records = await getServiceRecords(
        db,
        found.hits.map((hit) => hit.id),
      )
      results = records.map((record, i) => summaryOf(record, today, found.hits[i]?.distanceKm))
    }
    const pages = Math.max(1, Math.ceil(total / search.perPage))
    // One list: a label in two vocabularies (Volunteering, an area and a category) is one choice.
    const categories = categoryChoices(terms).map((choice) => ({
      value: choice.value,
      text: choice.label,
      selected: search.termId !== undefined && choice.termIds.includes(search.termId),
    }))
    return reply.status(problems.length > 0 ? 400 : 200).view('directory/views/search.njk', {
      pageTitle: 'Find a service',
      values: raw,
      errors: problems.length > 0 ? formErrors(problems) : undefined,
      searched,
      results,
      total,
      page: search.page,
      pages,
      near: Boolean(near),
      radiusKm: search.radiusKm,
      previousHref: search.page > 1 ? searchHref(search, search.page - 1, raw) : undefined,
      nextHref: search.page < pages ? searchHref(search, search.page + 1, raw) : undefined,
      categories,
      kinds: SERVICE_KINDS.map((kind) => ({
        value: kind,
        text: SERVICE_KIND_LABELS[kind],
        selected: raw.kind === kind,
      })),
      days: WEEKDAYS.map((day) => ({
        value: day.code,
        text: `${day.name}s`,
        selected: search.day === day.code,
      })),
      radii: RADII_KM.map((km) => ({
        value: String(km),
        text: `${km} km`,
        selected: search.radiusKm === km,
      })),
    })
  })

  app.get('/directory/services/:id', { config: { access: PUBLIC } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!isId(id)) throw notFound()
    const service = await getServiceRecord(db, id)
    if (!service) throw notFound()
    const today = londonDate(context.now())
    const accreditations = await accreditationsOf(db, [service.id, service.providerOrganisationId])
    const programmeNames = Object.fromEntries((await listProgrammes(db)).map((p) => [p.id, p.name]))
    const statistics = []
    for (const provide of serviceStatistics) statistics.push(...(await provide(db, service.id)))
    const user = request.user
    const mayEdit = Boolean(
      user?.memberships.some(
        (m) =>
          (m.role === 'provider' || m.role === 'programme_manager') &&
          m.organisationId === service.providerOrganisationId,
      ),
    )
    // A service run for a programme carries its rules (decision 0106): self-referral only where
    // both allow it, and the programme's pathway.
    const programme = service.programmeId ? await getProgrammeForReferral(db, service.programmeId) : undefined
    const listing = listingOf(service, accreditations, programmeNames, today)
    if (programme) {
      listing.detailRows.splice(1, 0, {
        key: { text: 'Programme' },
        value: {
          text: `Run for ${programme.name} (${PATHWAY_LABELS[programme.pathway].toLowerCase()})${programme.pathway === 'direct_to_service' ? '' : `. ${describeAppointmentCap(programme.appointments)}`}`,
        },
      })
    }
    const active = service.status === 'active'
    return reply.view('directory/views/service.njk', {
      pageTitle: service.name,
      service: listing,
      statistics,
      mayEdit,
      // Who may make a referral (the /referrals/new routes' roles) is offered the form.
      mayRefer: active && hasRole(user, 'referrer', 'link_worker', 'programme_manager', 'provider'),
      selfReferral: active && service.selfReferral && (!programme || programme.selfReferralAllowed),
      back: { href: '/directory', text: 'Back to the directory' },
    })
  })

  providerRoutes(app, context)
  criteriaRoutes(app, context)
  openReferralRoutes(app, context)
}
