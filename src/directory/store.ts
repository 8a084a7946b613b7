// The directory's queries: services, their terms and locations, accreditations and postcodes.

import { sql } from 'kysely'
import { serviceTextMatches } from '../db/dialect.ts'
import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { Criteria } from '../programmes/criteria.ts'
import { cellsCovering, searchDocument, termToken } from './search-text.ts'
import type { ServiceKind, ServiceStatus, Vocabulary } from './taxonomy.ts'
import './tables.ts'

export interface LocationInput {
  name: string
  address: string
  town: string
  postcode: string | null
  latitude: number | null
  longitude: number | null
}

export interface ScheduleInput {
  freq: 'WEEKLY' | 'MONTHLY'
  /** iCalendar day codes: `MO,WE`. */
  byday: string
  /** `HH:MM:SS`, or null. */
  opensAt: string | null
  closesAt: string | null
  description: string
}

export interface ServiceInput {
  name: string
  description: string
  kind: ServiceKind
  status: ServiceStatus
  selfReferral: boolean
  criteria: Criteria
  criteriaNotes: string
  additionalNeeds: string
  disclaimer: string
  cost: string
  free: boolean
  ageMin: number | null
  ageMax: number | null
  schedule: string
  contactName: string
  email: string
  phone: string
  url: string
  /** `YYYY-MM-DD`. */
  lastReviewedOn: string
  externalId?: string | null
  /**
   * The programme the service is run for (decision 0106). Left as it is by an update that does
   * not give it.
   */
  programmeId?: string | null
  /** Taxonomy term ids. */
  termIds: string[]
  locations: LocationInput[]
  /** Structured opening times; `schedule` is how they read. */
  schedules?: ScheduleInput[]
}

export interface Term {
  id: string
  vocabulary: string
  code: string
  label: string
  description: string
  parentId: string | null
}

export interface ServiceLocation extends LocationInput {
  id: string
}

export interface Accreditation {
  id: string
  subjectType: 'organisation' | 'service'
  subjectId: string
  programmeId: string
  accreditedFrom: string
  accreditedTo: string | null
}

export interface ServiceSchedule extends ScheduleInput {
  id: string
}

export interface ServiceRecord extends Omit<ServiceInput, 'termIds' | 'locations' | 'schedules'> {
  schedules: ServiceSchedule[]
  id: string
  providerOrganisationId: string
  providerName: string
  /** The provider organisation's kind: a council service, a voluntary organisation and so on. */
  providerKind: string
  programmeId: string | null
  terms: Term[]
  locations: ServiceLocation[]
  externalId: string | null
  createdAt: string
  updatedAt: string
}

function toTerm(row: {
  id: string
  vocabulary: string
  code: string
  label: string
  description: string
  parent_id: string | null
}): Term {
  return {
    id: row.id,
    vocabulary: row.vocabulary,
    code: row.code,
    label: row.label,
    description: row.description,
    parentId: row.parent_id,
  }
}

export async function listTerms(db: Queryable, vocabulary?: string): Promise<Term[]> {
  let query = db.selectFrom('taxonomy_terms').selectAll().orderBy('vocabulary').orderBy('label')
  if (vocabulary) query = query.where('vocabulary', '=', vocabulary)
  return (await query.execute()).map(toTerm)
}

export async function getTerm(db: Queryable, id: string): Promise<Term | undefined> {
  const row = await db.selectFrom('taxonomy_terms').selectAll().where('id', '=', id).executeTakeFirst()
  return row && toTerm(row)
}

export async function findTerm(db: Queryable, vocabulary: string, code: string): Promise<Term | undefined> {
  const row = await db
    .selectFrom('taxonomy_terms')
    .selectAll()
    .where('vocabulary', '=', vocabulary)
    .where('code', '=', code)
    .executeTakeFirst()
  return row && toTerm(row)
}

/** The term with this vocabulary and code, created when missing. */
export async function ensureTerm(
  db: Queryable,
  term: { vocabulary: string; code: string; label: string; description?: string; id?: string },
): Promise<string> {
  const found = await findTerm(db, term.vocabulary, term.code)
  if (found) return found.id
  const id = term.id ?? newId()
  await db
    .insertInto('taxonomy_terms')
    .values({
      id,
      vocabulary: term.vocabulary,
      code: term.code,
      label: term.label,
      description: term.description ?? '',
      parent_id: null,
    })
    .execute()
  return id
}

async function termLabels(db: Queryable, termIds: string[]): Promise<string[]> {
  if (termIds.length === 0) return []
  const rows = await db.selectFrom('taxonomy_terms').select('label').where('id', 'in', termIds).execute()
  return rows.map((row) => row.label)
}

function columns(input: ServiceInput) {
  return {
    name: input.name,
    description: input.description,
    kind: input.kind,
    status: input.status,
    self_referral: input.selfReferral ? 1 : 0,
    criteria: JSON.stringify(input.criteria),
    criteria_notes: input.criteriaNotes,
    additional_needs: input.additionalNeeds,
    disclaimer: input.disclaimer,
    cost: input.cost,
    free: input.free ? 1 : 0,
    age_min: input.ageMin,
    age_max: input.ageMax,
    schedule: input.schedule,
    contact_name: input.contactName,
    email: input.email,
    phone: input.phone,
    url: input.url,
    last_reviewed_on: input.lastReviewedOn,
  }
}

async function searchText(db: Queryable, input: ServiceInput): Promise<string> {
  return searchDocument({
    name: input.name,
    description: input.description,
    termLabels: await termLabels(db, input.termIds),
    termIds: [...new Set(input.termIds)],
    points: input.locations,
  })
}

async function writeChildren(db: Queryable, serviceId: string, input: ServiceInput): Promise<void> {
  await db.deleteFrom('service_terms').where('service_id', '=', serviceId).execute()
  const termIds = [...new Set(input.termIds)]
  if (termIds.length > 0) {
    await db
      .insertInto('service_terms')
      .values(termIds.map((termId) => ({ service_id: serviceId, term_id: termId })))
      .execute()
  }
  await db.deleteFrom('service_schedules').where('service_id', '=', serviceId).execute()
  if (input.schedules && input.schedules.length > 0) {
    await db
      .insertInto('service_schedules')
      .values(
        input.schedules.map((schedule) => ({
          id: newId(),
          service_id: serviceId,
          freq: schedule.freq,
          byday: schedule.byday,
          opens_at: schedule.opensAt,
          closes_at: schedule.closesAt,
          description: schedule.description,
        })),
      )
      .execute()
  }
  await db.deleteFrom('service_locations').where('service_id', '=', serviceId).execute()
  if (input.locations.length > 0) {
    await db
      .insertInto('service_locations')
      .values(
        input.locations.map((location) => ({
          id: newId(),
          service_id: serviceId,
          name: location.name,
          address: location.address,
          town: location.town,
          postcode: location.postcode,
          latitude: location.latitude,
          longitude: location.longitude,
        })),
      )
      .execute()
  }
}

export async function createService(
  db: Queryable,
  providerOrganisationId: string,
  input: ServiceInput,
  id: string = newId(),
): Promise<string> {
  const now = nowIso()
  await db
    .insertInto('services')
    .values({
      id,
      provider_organisation_id: providerOrganisationId,
      ...columns(input),
      external_id: input.externalId ?? null,
      programme_id: input.programmeId ?? null,
      search_text: await searchText(db, input),
      created_at: now,
      updated_at: now,
    })
    .execute()
  await writeChildren(db, id, input)
  return id
}

export async function updateService(db: Queryable, id: string, input: ServiceInput): Promise<void> {
  await db
    .updateTable('services')
    .set({
      ...columns(input),
      ...(input.programmeId !== undefined ? { programme_id: input.programmeId } : {}),
      search_text: await searchText(db, input),
      updated_at: nowIso(),
    })
    .where('id', '=', id)
    .execute()
  await writeChildren(db, id, input)
}

export async function markReviewed(db: Queryable, id: string, today: string): Promise<void> {
  await db
    .updateTable('services')
    .set({ last_reviewed_on: today, updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

type ServiceRow = Awaited<ReturnType<typeof serviceRows>>[number]

function serviceRows(db: Queryable, ids: string[]) {
  return db
    .selectFrom('services')
    .innerJoin('organisations', 'organisations.id', 'services.provider_organisation_id')
    .selectAll('services')
    .select(['organisations.name as provider_name', 'organisations.kind as provider_kind'])
    .where('services.id', 'in', ids)
    .execute()
}

function parseCriteria(text: string): Criteria {
  try {
    return JSON.parse(text) as Criteria
  } catch {
    return []
  }
}

function toRecord(
  row: ServiceRow,
  terms: Term[],
  locations: ServiceLocation[],
  schedules: ServiceSchedule[],
): ServiceRecord {
  return {
    schedules,
    id: row.id,
    providerOrganisationId: row.provider_organisation_id,
    providerName: row.provider_name,
    providerKind: row.provider_kind,
    programmeId: row.programme_id,
    name: row.name,
    description: row.description,
    kind: row.kind as ServiceKind,
    status: row.status as ServiceStatus,
    selfReferral: row.self_referral === 1,
    criteria: parseCriteria(row.criteria),
    criteriaNotes: row.criteria_notes,
    additionalNeeds: row.additional_needs,
    disclaimer: row.disclaimer,
    cost: row.cost,
    free: row.free === 1,
    ageMin: row.age_min,
    ageMax: row.age_max,
    schedule: row.schedule,
    contactName: row.contact_name,
    email: row.email,
    phone: row.phone,
    url: row.url,
    lastReviewedOn: row.last_reviewed_on,
    externalId: row.external_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    terms,
    locations,
  }
}

/** Full records for these ids, in the order given. */
export async function getServiceRecords(db: Queryable, ids: string[]): Promise<ServiceRecord[]> {
  if (ids.length === 0) return []
  const rows = await serviceRows(db, ids)
  const termRows = await db
    .selectFrom('service_terms')
    .innerJoin('taxonomy_terms', 'taxonomy_terms.id', 'service_terms.term_id')
    .select([
      'service_terms.service_id',
      'taxonomy_terms.id',
      'taxonomy_terms.vocabulary',
      'taxonomy_terms.code',
      'taxonomy_terms.label',
      'taxonomy_terms.description',
      'taxonomy_terms.parent_id',
    ])
    .where('service_terms.service_id', 'in', ids)
    .orderBy('taxonomy_terms.label')
    .execute()
  const locationRows = await db
    .selectFrom('service_locations')
    .selectAll()
    .where('service_id', 'in', ids)
    .orderBy('name')
    .orderBy('id')
    .execute()
  const scheduleRows = await db
    .selectFrom('service_schedules')
    .selectAll()
    .where('service_id', 'in', ids)
    .orderBy('id')
    .execute()
  const byId = new Map(
    rows.map((row) => [
      row.id,
      toRecord(
        row,
        termRows.filter((term) => term.service_id === row.id).map(toTerm),
        locationRows
          .filter((location) => location.service_id === row.id)
          .map((location) => ({
            id: location.id,
            name: location.name,
            address: location.address,
            town: location.town,
            postcode: location.postcode,
            latitude: location.latitude === null ? null : Number(location.latitude),
            longitude: location.longitude === null ? null : Number(location.longitude),
          })),
        scheduleRows
          .filter((schedule) => schedule.service_id === row.id)
          .map((schedule) => ({
            id: schedule.id,
            freq: schedule.freq === 'MONTHLY' ? 'MONTHLY' : 'WEEKLY',
            byday: schedule.byday,
            opensAt: schedule.opens_at,
            closesAt: schedule.closes_at,
            description: schedule.description,
          })),
      ),
    ]),
  )
  return ids.flatMap((id) => byId.get(id) ?? [])
}

export async function getServiceRecord(db: Queryable, id: string): Promise<ServiceRecord | undefined> {
  return (await getServiceRecords(db, [id]))[0]
}

export async function serviceIdByExternalId(db: Queryable, externalId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('services')
    .select('id')
    .where('external_id', '=', externalId)
    .executeTakeFirst()
  return row?.id
}

export async function serviceIdByName(db: Queryable, name: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('services')
    .select('id')
    .where(sql<string>`lower(name)`, '=', name.trim().toLowerCase())
    .orderBy('created_at')
    .executeTakeFirst()
  return row?.id
}

export async function serviceIdsOfProviders(db: Queryable, organisationIds: string[]): Promise<string[]> {
  if (organisationIds.length === 0) return []
  const rows = await db
    .selectFrom('services')
    .select('id')
    .where('provider_organisation_id', 'in', organisationIds)
    .orderBy('name')
    .execute()
  return rows.map((row) => row.id)
}

export async function allServiceIds(
  db: Queryable,
  options: { activeOnly?: boolean } = {},
): Promise<string[]> {
  let query = db.selectFrom('services').select('id').orderBy('name').orderBy('id')
  if (options.activeOnly) query = query.where('status', '=', 'active')
  return (await query.execute()).map((row) => row.id)
}

/** Ids of active services tagged with any of these term codes (any vocabulary). */
export async function serviceIdsWithTermCodes(db: Queryable, codes: string[]): Promise<string[]> {
  if (codes.length === 0) return []
  const rows = await db
    .selectFrom('service_terms')
    .innerJoin('taxonomy_terms', 'taxonomy_terms.id', 'service_terms.term_id')
    .innerJoin('services', 'services.id', 'service_terms.service_id')
    .select('services.id')
    .distinct()
    .where('taxonomy_terms.code', 'in', codes)
    .where('services.status', '=', 'active')
    .execute()
  return rows.map((row) => row.id)
}

// Search ---------------------------------------------------------------------------------------

export interface SearchFilters {
  text?: string
  /** A taxonomy term id. */
  termId?: string
  /** Taxonomy term ids: services tagged with any of them (one label in several vocabularies). */
  termIds?: string[]
  kind?: ServiceKind
  /** true: self-referral accepted; false: professional referrals only. */
  selfReferral?: boolean
  age?: number
  /** Only services within `radiusKm` of this point. */
  near?: { latitude: number; longitude: number; radiusKm: number }
  status?: ServiceStatus | 'any'
  /** Narrowed to these providers. */
  organisationIds?: string[]
  /** Services tagged with any term of this vocabulary (an Open Referral taxonomy). */
  vocabulary?: string
  /** Open Referral: the service's minimum age is at least this. */
  minimumAge?: number
  /** Open Referral: the service's maximum age is at most this. */
  maximumAge?: number
  /** An iCalendar day code (`MO`): services with a schedule on that day. */
  day?: string
  /** `HH:MM:SS`: services with a schedule opening at or after this. */
  startTime?: string
  /** `HH:MM:SS`: services with a schedule closing at or before this. */
  endTime?: string
  page: number
  perPage: number
}

export interface SearchHit {
  id: string
  /** Kilometres to the nearest location, when searching near a point. */
  distanceKm?: number
}

export interface SearchResult {
  total: number
  hits: SearchHit[]
}

const EARTH_RADIUS_KM = 6371.0088

export function distanceKm(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const rad = Math.PI / 180
  const dLat = (b.latitude - a.latitude) * rad
  const dLng = (b.longitude - a.longitude) * rad
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLng / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)))
}

function filtered(db: Queryable, filters: SearchFilters) {
  let query = db.selectFrom('services')
  const status = filters.status ?? 'active'
  if (status !== 'any') query = query.where('services.status', '=', status)
  // Words, category and place are answered together by the full-text index (decision 0100).
  const match = serviceTextMatches(db, filters.text ?? '', {
    all: filters.termId ? [termToken(filters.termId)] : [],
    any: filters.near
      ? cellsCovering(filters.near.latitude, filters.near.longitude, filters.near.radiusKm)
      : [],
    anyOf: filters.termIds ? [filters.termIds.map(termToken)] : [],
  })
  if (match) query = query.where(match)
  if (filters.kind) query = query.where('services.kind', '=', filters.kind)
  if (filters.selfReferral !== undefined)
    query = query.where('services.self_referral', '=', filters.selfReferral ? 1 : 0)
  if (filters.age !== undefined) {
    const age = filters.age
    query = query
      .where((eb) => eb.or([eb('services.age_min', 'is', null), eb('services.age_min', '<=', age)]))
      .where((eb) => eb.or([eb('services.age_max', 'is', null), eb('services.age_max', '>=', age)]))
  }
  if (filters.vocabulary) {
    const vocabulary = filters.vocabulary
    query = query.where('services.id', 'in', (sub) =>
      sub
        .selectFrom('service_terms')
        .innerJoin('taxonomy_terms', 'taxonomy_terms.id', 'service_terms.term_id')
        .select('service_terms.service_id')
        .where('taxonomy_terms.vocabulary', '=', vocabulary),
    )
  }
  if (filters.minimumAge !== undefined) query = query.where('services.age_min', '>=', filters.minimumAge)
  if (filters.maximumAge !== undefined) query = query.where('services.age_max', '<=', filters.maximumAge)
  if (filters.day || filters.startTime || filters.endTime) {
    const { day, startTime, endTime } = filters
    query = query.where('services.id', 'in', (sub) => {
      let schedules = sub.selectFrom('service_schedules').select('service_schedules.service_id')
      if (day)
        schedules = schedules.where(sql<string>`',' || service_schedules.byday || ','`, 'like', `%,${day},%`)
      if (startTime) schedules = schedules.where('service_schedules.opens_at', '>=', startTime)
      if (endTime) schedules = schedules.where('service_schedules.closes_at', '<=', endTime)
      return schedules
    })
  }
  if (filters.organisationIds) {
    query = query.where(
      'services.provider_organisation_id',
      'in',
      filters.organisationIds.length > 0 ? filters.organisationIds : [''],
    )
  }
  return query
}

export async function searchServices(db: Queryable, filters: SearchFilters): Promise<SearchResult> {
  const offset = (filters.page - 1) * filters.perPage
  if (!filters.near) {
    const counted = await filtered(db, filters)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow()
    const rows = await filtered(db, filters)
      .select('services.id')
      .orderBy('services.name')
      .orderBy('services.id')
      .limit(filters.perPage)
      .offset(offset)
      .execute()
    return { total: Number(counted.count), hits: rows.map((row) => ({ id: row.id })) }
  }
  const { latitude, longitude, radiusKm } = filters.near
  const rows = await filtered(db, filters)
    .innerJoin('service_locations', 'service_locations.service_id', 'services.id')
    .select(['services.id', 'services.name', 'service_locations.latitude', 'service_locations.longitude'])
    .execute()
  const nearest = new Map<string, { name: string; distanceKm: number }>()
  for (const row of rows) {
    if (row.latitude === null || row.longitude === null) continue
    const d = distanceKm(
      { latitude, longitude },
      { latitude: Number(row.latitude), longitude: Number(row.longitude) },
    )
    if (d > radiusKm) continue
    const seen = nearest.get(row.id)
    if (!seen || d < seen.distanceKm) nearest.set(row.id, { name: row.name, distanceKm: d })
  }
  const sorted = [...nearest.entries()].sort(
    ([idA, a], [idB, b]) =>
      a.distanceKm - b.distanceKm || a.name.localeCompare(b.name) || idA.localeCompare(idB),
  )
  return {
    total: sorted.length,
    hits: sorted
      .slice(offset, offset + filters.perPage)
      .map(([id, hit]) => ({ id, distanceKm: hit.distanceKm })),
  }
}

/** Service-at-location pairs (an Open Referral list): one row per location of a matching service. */
export async function searchServiceLocations(
  db: Queryable,
  filters: SearchFilters,
): Promise<{ total: number; hits: { serviceId: string; locationId: string; distanceKm?: number }[] }> {
  const offset = (filters.page - 1) * filters.perPage
  const base = filtered(db, filters).innerJoin(
    'service_locations',
    'service_locations.service_id',
    'services.id',
  )
  if (!filters.near) {
    const counted = await base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
    const rows = await base
      .select(['services.id as service_id', 'service_locations.id as location_id'])
      .orderBy('services.name')
      .orderBy('service_locations.id')
      .limit(filters.perPage)
      .offset(offset)
      .execute()
    return {
      total: Number(counted.count),
      hits: rows.map((row) => ({ serviceId: row.service_id, locationId: row.location_id })),
    }
  }
  const { latitude, longitude, radiusKm } = filters.near
  const rows = await base
    .select([
      'services.id as service_id',
      'service_locations.id as location_id',
      'service_locations.latitude',
      'service_locations.longitude',
    ])
    .execute()
  const hits = rows
    .flatMap((row) => {
      if (row.latitude === null || row.longitude === null) return []
      const d = distanceKm(
        { latitude, longitude },
        { latitude: Number(row.latitude), longitude: Number(row.longitude) },
      )
      return d <= radiusKm ? [{ serviceId: row.service_id, locationId: row.location_id, distanceKm: d }] : []
    })
    .sort((a, b) => a.distanceKm - b.distanceKm || a.locationId.localeCompare(b.locationId))
  return { total: hits.length, hits: hits.slice(offset, offset + filters.perPage) }
}

export async function serviceIdOfLocation(db: Queryable, locationId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('service_locations')
    .select('service_id')
    .where('id', '=', locationId)
    .executeTakeFirst()
  return row?.service_id
}

// Taxonomies ------------------------------------------------------------------------------------

export interface Taxonomy {
  id: string
  code: string
  name: string
  description: string
  uri: string | null
  version: string | null
}

export async function listTaxonomies(db: Queryable): Promise<Taxonomy[]> {
  return db.selectFrom('taxonomies').selectAll().orderBy('name').execute()
}

export async function ensureTaxonomy(
  db: Queryable,
  taxonomy: Omit<Taxonomy, 'id'> & { id?: string },
): Promise<Taxonomy> {
  const found = await db
    .selectFrom('taxonomies')
    .selectAll()
    .where('code', '=', taxonomy.code)
    .executeTakeFirst()
  if (found) return found
  const row = { ...taxonomy, id: taxonomy.id ?? newId() }
  await db.insertInto('taxonomies').values(row).execute()
  return row
}

export async function countTerms(db: Queryable): Promise<number> {
  const row = await db
    .selectFrom('taxonomy_terms')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export async function pageOfTerms(db: Queryable, page: number, perPage: number): Promise<Term[]> {
  const rows = await db
    .selectFrom('taxonomy_terms')
    .selectAll()
    .orderBy('vocabulary')
    .orderBy('label')
    .orderBy('id')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute()
  return rows.map(toTerm)
}

// Accreditation ---------------------------------------------------------------------------------

export async function addAccreditation(
  db: Queryable,
  input: Omit<Accreditation, 'id'> & { recordedBy?: string | null },
): Promise<string> {
  const id = newId()
  await db
    .insertInto('accreditations')
    .values({
      id,
      subject_type: input.subjectType,
      subject_id: input.subjectId,
      programme_id: input.programmeId,
      accredited_from: input.accreditedFrom,
      accredited_to: input.accreditedTo,
      recorded_by: input.recordedBy ?? null,
      created_at: nowIso(),
    })
    .execute()
  return id
}

export async function accreditationsOf(db: Queryable, subjectIds: string[]): Promise<Accreditation[]> {
  if (subjectIds.length === 0) return []
  const rows = await db
    .selectFrom('accreditations')
    .selectAll()
    .where('subject_id', 'in', subjectIds)
    .orderBy('accredited_from', 'desc')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    subjectType: row.subject_type as 'organisation' | 'service',
    subjectId: row.subject_id,
    programmeId: row.programme_id,
    accreditedFrom: row.accredited_from,
    accreditedTo: row.accredited_to,
  }))
}

/** Every accreditation a programme has given (of providers and of services), newest first. */
export async function accreditationsOfProgramme(
  db: Queryable,
  programmeId: string,
): Promise<Accreditation[]> {
  const rows = await db
    .selectFrom('accreditations')
    .select(['id', 'subject_type', 'subject_id', 'programme_id', 'accredited_from', 'accredited_to'])
    .where('programme_id', '=', programmeId)
    .orderBy('accredited_from', 'desc')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    subjectType: row.subject_type as 'organisation' | 'service',
    subjectId: row.subject_id,
    programmeId: row.programme_id,
    accreditedFrom: row.accredited_from,
    accreditedTo: row.accredited_to,
  }))
}

export async function removeAccreditation(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('accreditations').where('id', '=', id).execute()
}

// Postcodes -------------------------------------------------------------------------------------

export async function lookupPostcode(
  db: Queryable,
  postcode: string,
): Promise<{ latitude: number; longitude: number } | undefined> {
  const row = await db
    .selectFrom('postcodes')
    .select(['latitude', 'longitude'])
    .where('postcode', '=', postcode)
    .executeTakeFirst()
  return row && { latitude: Number(row.latitude), longitude: Number(row.longitude) }
}

/** Inserts or replaces these postcodes; returns how many were new. */
export async function upsertPostcodes(
  db: Queryable,
  rows: { postcode: string; latitude: number; longitude: number }[],
): Promise<void> {
  if (rows.length === 0) return
  await db
    .insertInto('postcodes')
    .values(rows)
    .onConflict((oc) =>
      oc.column('postcode').doUpdateSet((eb) => ({
        latitude: eb.ref('excluded.latitude'),
        longitude: eb.ref('excluded.longitude'),
      })),
    )
    .execute()
}

export async function countPostcodes(db: Queryable): Promise<number> {
  const row = await db
    .selectFrom('postcodes')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export type { Vocabulary }

export async function providerIdsWithServices(db: Queryable): Promise<string[]> {
  const rows = await db.selectFrom('services').select('provider_organisation_id').distinct().execute()
  return rows.map((r) => r.provider_organisation_id)
}

export async function getAccreditation(
  db: Queryable,
  id: string,
): Promise<{ id: string; programmeId: string } | undefined> {
  const row = await db
    .selectFrom('accreditations')
    .select(['id', 'programme_id'])
    .where('id', '=', id)
    .executeTakeFirst()
  return row && { id: row.id, programmeId: row.programme_id }
}

export async function setServiceProvider(db: Queryable, id: string, organisationId: string): Promise<void> {
  await db
    .updateTable('services')
    .set({ provider_organisation_id: organisationId, updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

/** Runs the service for a programme, or for none with null (decision 0106). */
export async function setServiceProgramme(
  db: Queryable,
  id: string,
  programmeId: string | null,
): Promise<void> {
  await db
    .updateTable('services')
    .set({ programme_id: programmeId, updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

/** Ids of the services run for the programme, by name. */
export async function serviceIdsRunFor(db: Queryable, programmeId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('services')
    .select('id')
    .where('programme_id', '=', programmeId)
    .orderBy('name')
    .orderBy('id')
    .execute()
  return rows.map((row) => row.id)
}

/** Ids of the programmes that active services are run for. */
export async function programmeIdsWithServices(db: Queryable): Promise<string[]> {
  const rows = await db
    .selectFrom('services')
    .select('programme_id')
    .distinct()
    .where('programme_id', 'is not', null)
    .where('status', '=', 'active')
    .execute()
  return rows.flatMap((row) => (row.programme_id ? [row.programme_id] : []))
}

/** Replaces a service's access criteria (already validated by the criteria schema). */
export async function setServiceCriteria(db: Queryable, id: string, criteria: Criteria): Promise<void> {
  await db
    .updateTable('services')
    .set({ criteria: JSON.stringify(criteria), updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

/** The provider organisation of each service given (for counting the organisations reached). */
export async function providersOfServices(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const providers = new Map<string, string>()
  const unique = [...new Set(ids)]
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('services')
      .select(['id', 'provider_organisation_id'])
      .where('id', 'in', unique.slice(i, i + 500))
      .execute()
    for (const row of rows) providers.set(row.id, row.provider_organisation_id)
  }
  return providers
}
