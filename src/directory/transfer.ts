// Moving the directory in and out: Open Referral UK 3.0 JSON, a spreadsheet-friendly CSV of
// services, and postcode files (the ONS Postcode Directory, or `postcode,latitude,longitude`).
// Imports are idempotent: the same file twice changes nothing the second time.

import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseCsv } from 'csv-parse'
import { parse as parseCsvSync } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { createOrganisation, findOrganisationByName, getOrganisation } from '../access/store.ts'
import { isId } from '../db/ids.ts'
import type { Db, Queryable } from '../db/schema.ts'
import { normalisePostcode } from '../people/person.ts'
import { needId } from '../programmes/config.ts'
import { type OrukContext, orukService, page } from './oruk.ts'
import {
  accreditationsOf,
  allServiceIds,
  createService,
  ensureTaxonomy,
  ensureTerm,
  getServiceRecord,
  getServiceRecords,
  getTerm,
  type LocationInput,
  listTaxonomies,
  listTerms,
  lookupPostcode,
  type ScheduleInput,
  type ServiceInput,
  type ServiceRecord,
  serviceIdByExternalId,
  setServiceProvider,
  type Term,
  updateService,
  upsertPostcodes,
} from './store.ts'
import {
  isServiceKind,
  SERVICE_KIND_LABELS,
  SERVICE_KINDS,
  type ServiceKind,
  type ServiceStatus,
} from './taxonomy.ts'

export interface ImportReport {
  created: string[]
  updated: string[]
  unchanged: string[]
  rejected: { record: string; reason: string }[]
}

const emptyReport = (): ImportReport => ({ created: [], updated: [], unchanged: [], rejected: [] })

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '')
const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null

class Rejected extends Error {}

function today(): string {
  return new Date().toISOString().slice(0, 10)
}

/** Inputs compared for "nothing changed": the fields an import writes, in a fixed order. */
function comparable(input: ServiceInput, providerId: string): string {
  return JSON.stringify({
    ...input,
    providerId,
    termIds: [...new Set(input.termIds)].sort(),
    locations: [...input.locations].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    schedules: (input.schedules ?? []).map((s) => JSON.stringify(s)).sort(),
    externalId: undefined,
  })
}

function recordInput(record: ServiceRecord): ServiceInput {
  return {
    name: record.name,
    description: record.description,
    kind: record.kind,
    status: record.status,
    selfReferral: record.selfReferral,
    criteria: record.criteria,
    criteriaNotes: record.criteriaNotes,
    additionalNeeds: record.additionalNeeds,
    disclaimer: record.disclaimer,
    cost: record.cost,
    free: record.free,
    ageMin: record.ageMin,
    ageMax: record.ageMax,
    schedule: record.schedule,
    contactName: record.contactName,
    email: record.email,
    phone: record.phone,
    url: record.url,
    lastReviewedOn: record.lastReviewedOn,
    termIds: record.terms.map((t) => t.id),
    locations: record.locations.map(({ id: _id, ...location }) => location),
    schedules: record.schedules.map(({ id: _id, ...schedule }) => schedule),
  }
}

/** Creates, updates or leaves alone; returns which. */
async function save(
  db: Queryable,
  id: string | undefined,
  providerId: string,
  input: ServiceInput,
  newId?: string,
): Promise<'created' | 'updated' | 'unchanged'> {
  if (id) {
    const existing = await getServiceRecord(db, id)
    if (
      existing &&
      comparable(recordInput(existing), existing.providerOrganisationId) === comparable(input, providerId)
    )
      return 'unchanged'
    await updateService(db, id, input)
    if (existing && existing.providerOrganisationId !== providerId) {
      await setServiceProvider(db, id, providerId)
    }
    return 'updated'
  }
  await createService(db, providerId, input, newId)
  return 'created'
}

// Open Referral ---------------------------------------------------------------------------------

const ORUK_STATUSES: Record<string, ServiceStatus> = {
  active: 'active',
  inactive: 'inactive',
  defunct: 'inactive',
  'temporarily closed': 'temporarily_closed',
}

async function orukOrganisation(db: Queryable, service: Json): Promise<string> {
  const organisation = isObject(service.organization) ? service.organization : undefined
  const id = str(organisation?.id) || str(service.organization_id)
  if (id && isId(id) && (await getOrganisation(db, id))) return id
  const name = str(organisation?.name)
  if (!name) throw new Rejected('it names no organisation that Kith knows, and gives no organisation name')
  const byName = await findOrganisationByName(db, name)
  if (byName) return byName.id
  return createOrganisation(
    db,
    { name: name.slice(0, 200), kind: 'vcs', parentId: null, odsCode: null, postcode: null },
    id && isId(id) ? id : undefined,
  )
}

async function orukTermId(db: Queryable, term: Json): Promise<string | undefined> {
  const id = str(term.id)
  if (id && isId(id) && (await getTerm(db, id))) return id
  const name = str(term.name)
  if (!name) return undefined
  const taxonomies = await listTaxonomies(db)
  const taxonomyId = str(term.taxonomy_id)
  const taxonomyName = str(term.taxonomy) || 'Imported'
  const taxonomy =
    taxonomies.find((t) => t.id === taxonomyId) ??
    taxonomies.find((t) => t.name.toLowerCase() === taxonomyName.toLowerCase() || t.code === taxonomyName) ??
    (await ensureTaxonomy(db, {
      ...(taxonomyId && isId(taxonomyId) ? { id: taxonomyId } : {}),
      code: `imported-${needId(taxonomyName) || 'terms'}`,
      name: taxonomyName,
      description: '',
      uri: null,
      version: null,
    }))
  return ensureTerm(db, {
    ...(id && isId(id) ? { id } : {}),
    vocabulary: taxonomy.code,
    code: str(term.term) || needId(name) || id,
    label: name.slice(0, 200),
    description: str(term.description),
  })
}

async function orukLocations(db: Queryable, service: Json): Promise<LocationInput[]> {
  const locations: LocationInput[] = []
  for (const sal of Array.isArray(service.service_at_locations) ? service.service_at_locations : []) {
    const location = isObject(sal) && isObject(sal.location) ? sal.location : undefined
    if (!location) continue
    const address =
      Array.isArray(location.addresses) && isObject(location.addresses[0]) ? location.addresses[0] : {}
    const rawPostcode = str(address.postal_code)
    const postcode = normalisePostcode(rawPostcode) ?? (rawPostcode || null)
    let latitude = num(location.latitude)
    let longitude = num(location.longitude)
    if (latitude === null || longitude === null || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
      const point = postcode ? await lookupPostcode(db, postcode) : undefined
      latitude = point?.latitude ?? null
      longitude = point?.longitude ?? null
    }
    locations.push({
      name: str(location.name).slice(0, 200),
      address: [str(address.address_1), str(address.region)].filter(Boolean).join(', ').slice(0, 300),
      town: str(address.city).slice(0, 100),
      postcode,
      latitude,
      longitude,
    })
  }
  return locations
}

function orukSchedules(service: Json): ScheduleInput[] {
  const time = (value: unknown) =>
    /^\d{2}:\d{2}(:\d{2})?$/.test(str(value)) ? str(value).padEnd(8, ':00') : null
  return (Array.isArray(service.schedules) ? service.schedules : []).filter(isObject).map((s) => ({
    freq: str(s.freq) === 'MONTHLY' ? 'MONTHLY' : 'WEEKLY',
    byday: str(s.byday)
      .toUpperCase()
      .split(',')
      .map((d) => d.trim())
      .filter((d) => /^(MO|TU|WE|TH|FR|SA|SU)$/.test(d))
      .join(','),
    opensAt: time(s.opens_at),
    closesAt: time(s.closes_at),
    description: str(s.description).slice(0, 500),
  }))
}

/** Imports one Open Referral service (list or full). */
async function importOrukService(db: Queryable, service: Json, report: ImportReport): Promise<void> {
  const label = str(service.name) || str(service.id) || 'a service without a name or id'
  try {
    const orukId = str(service.id)
    if (!isId(orukId)) throw new Rejected('its id is not a UUID')
    const name = str(service.name)
    if (!name) throw new Rejected('it has no name')
    if (name.length > 200) throw new Rejected('its name is longer than 200 characters')
    const status = ORUK_STATUSES[str(service.status)]
    if (!status)
      throw new Rejected(
        `its status "${str(service.status)}" is not one of active, inactive, defunct, temporarily closed`,
      )
    const minimum = num(service.minimum_age)
    const maximum = num(service.maximum_age)
    if (
      (minimum !== null && (minimum < 0 || minimum > 130)) ||
      (maximum !== null && (maximum < 0 || maximum > 130))
    )
      throw new Rejected('its ages must be from 0 to 130')
    if (minimum !== null && maximum !== null && minimum > maximum)
      throw new Rejected('its minimum age is more than its maximum age')
    const providerId = await orukOrganisation(db, service)
    const existingId =
      (await serviceIdByExternalId(db, orukId)) ?? ((await getServiceRecord(db, orukId)) ? orukId : undefined)
    const existing = existingId ? await getServiceRecord(db, existingId) : undefined

    let kind: ServiceKind = existing?.kind ?? 'activity_group'
    let selfReferral = existing?.selfReferral ?? false
    const termIds: string[] = []
    for (const attribute of Array.isArray(service.attributes) ? service.attributes : []) {
      const term =
        isObject(attribute) && isObject(attribute.taxonomy_term) ? attribute.taxonomy_term : undefined
      if (!term) continue
      const termId = await orukTermId(db, term)
      if (!termId) continue
      const stored = await getTerm(db, termId)
      if (stored?.vocabulary === 'kind' && isServiceKind(stored.code)) kind = stored.code
      else if (stored?.vocabulary === 'referral') selfReferral = stored.code === 'self-referral'
      else termIds.push(termId)
    }
    const contact =
      Array.isArray(service.contacts) && isObject(service.contacts[0]) ? service.contacts[0] : {}
    const phone =
      Array.isArray(contact.phones) && isObject(contact.phones[0]) ? str(contact.phones[0].number) : ''
    const schedules = orukSchedules(service)
    const assured = str(service.assured_date).slice(0, 10)
    const modified = str(service.last_modified).slice(0, 10)
    const fees = str(service.fees)
    const input: ServiceInput = {
      name,
      description: str(service.description).slice(0, 10_000),
      kind,
      status,
      selfReferral,
      criteria: existing?.criteria ?? [],
      criteriaNotes: existing?.criteriaNotes ?? '',
      additionalNeeds: existing?.additionalNeeds ?? '',
      disclaimer: existing?.disclaimer ?? '',
      cost: fees.slice(0, 500),
      free: fees === '' || /^free/i.test(fees),
      ageMin: minimum === null ? null : Math.round(minimum),
      ageMax: maximum === null ? null : Math.round(maximum),
      schedule:
        schedules
          .map((s) => s.description)
          .filter(Boolean)
          .join('; ')
          .slice(0, 500) ||
        (existing?.schedule ?? ''),
      contactName: str(contact.name).slice(0, 200),
      email: str(service.email) || str(contact.email),
      phone,
      url: str(service.url),
      lastReviewedOn: /^\d{4}-\d{2}-\d{2}$/.test(assured)
        ? assured
        : /^\d{4}-\d{2}-\d{2}$/.test(modified)
          ? modified
          : (existing?.lastReviewedOn ?? today()),
      externalId: orukId,
      termIds,
      locations: await orukLocations(db, service),
      schedules,
    }
    // A list entry carries only the one-to-one fields: what it leaves out stays as it was.
    if (existing) {
      const kept = recordInput(existing)
      if (!Array.isArray(service.attributes)) {
        input.termIds = kept.termIds
        input.kind = existing.kind
        input.selfReferral = existing.selfReferral
      }
      if (!Array.isArray(service.service_at_locations)) input.locations = kept.locations
      if (!Array.isArray(service.schedules)) {
        input.schedules = kept.schedules
        input.schedule = existing.schedule
      }
      if (!Array.isArray(service.contacts)) {
        input.contactName = existing.contactName
        input.phone = existing.phone
        input.email = str(service.email) || existing.email
      }
    }
    const outcome = await save(db, existingId, providerId, input, orukId)
    report[outcome].push(label)
  } catch (error) {
    if (error instanceof Rejected) report.rejected.push({ record: label, reason: error.message })
    else throw error
  }
}

async function importOrukTerm(db: Queryable, term: Json, report: ImportReport): Promise<void> {
  const label = `taxonomy term ${str(term.name) || str(term.id)}`
  const before = isId(str(term.id)) ? await getTerm(db, str(term.id)) : undefined
  const id = await orukTermId(db, term)
  if (!id) report.rejected.push({ record: label, reason: 'it has no name' })
  else report[before ? 'unchanged' : 'created'].push(label)
}

/** Imports whatever Open Referral object it is given: a Page, a list, a service, a service at a location, an organisation or a taxonomy. */
async function importOrukValue(
  db: Queryable,
  value: unknown,
  report: ImportReport,
  onRecord: () => void,
): Promise<void> {
  if (Array.isArray(value)) {
    for (const item of value) await importOrukValue(db, item, report, onRecord)
    return
  }
  if (!isObject(value)) {
    report.rejected.push({ record: String(value).slice(0, 40), reason: 'it is not an Open Referral object' })
    return
  }
  if (Array.isArray(value.contents)) return importOrukValue(db, value.contents, report, onRecord)
  if (isObject(value.service)) {
    const service = { ...value.service }
    if (isObject(value.location) && !Array.isArray(service.service_at_locations)) {
      service.service_at_locations = [{ id: value.id, location: value.location }]
    }
    onRecord()
    return importOrukService(db, service, report)
  }
  if ('status' in value) {
    onRecord()
    return importOrukService(db, value, report)
  }
  if (Array.isArray(value.services)) {
    for (const service of value.services) {
      if (isObject(service)) {
        onRecord()
        await importOrukService(db, { organization: { id: value.id, name: value.name }, ...service }, report)
      }
    }
    return
  }
  if ('term' in value || 'taxonomy' in value || 'taxonomy_id' in value) {
    onRecord()
    return importOrukTerm(db, value, report)
  }
  if ('name' in value && 'description' in value) {
    onRecord()
    const label = `taxonomy ${str(value.name)}`
    const known = (await listTaxonomies(db)).some((t) => t.id === str(value.id) || t.name === str(value.name))
    await ensureTaxonomy(db, {
      ...(isId(str(value.id)) ? { id: str(value.id) } : {}),
      code: `imported-${needId(str(value.name)) || 'terms'}`,
      name: str(value.name),
      description: str(value.description),
      uri: str(value.uri) || null,
      version: str(value.version) || null,
    })
    report[known ? 'unchanged' : 'created'].push(label)
    for (const term of Array.isArray(value.taxonomy_terms) ? value.taxonomy_terms : []) {
      if (isObject(term))
        await importOrukTerm(db, { taxonomy_id: value.id, taxonomy: value.name, ...term }, report)
    }
    return
  }
  report.rejected.push({
    record: str(value.id) || 'an object',
    reason: 'it is not a service, organisation or taxonomy',
  })
}

/** Imports Open Referral records in one transaction, saying how many are done every 100. */
async function importInOneTransaction(
  db: Db,
  value: unknown,
  report: ImportReport,
  onProgress: (done: number) => void,
): Promise<void> {
  let done = 0
  await db.transaction().execute((trx) =>
    importOrukValue(trx, value, report, () => {
      done += 1
      if (done % 100 === 0) onProgress(done)
    }),
  )
}

/** Imports an Open Referral JSON document in one transaction; rejected records are reported and skipped. */
export async function importDirectoryJson(
  db: Db,
  text: string,
  onProgress: (done: number) => void = () => {},
): Promise<ImportReport> {
  const report = emptyReport()
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    report.rejected.push({ record: 'the file', reason: `it is not JSON (${(error as Error).message})` })
    return report
  }
  await importInOneTransaction(db, value, report, onProgress)
  return report
}

async function orukContextFor(db: Queryable, services: ServiceRecord[]): Promise<OrukContext> {
  const organisations = new Map<string, { id: string; name: string }>()
  for (const s of services)
    organisations.set(s.providerOrganisationId, { id: s.providerOrganisationId, name: s.providerName })
  const extra = [...(await listTerms(db, 'kind')), ...(await listTerms(db, 'referral'))]
  return {
    organisations,
    taxonomies: await listTaxonomies(db),
    extraTerms: new Map(extra.map((t) => [`${t.vocabulary}:${t.code}`, t])),
    accreditations: await accreditationsOf(db, [
      ...new Set(services.flatMap((s) => [s.id, s.providerOrganisationId])),
    ]),
    programmeNames: {},
  }
}

/** Every service, fully nested, as one Open Referral Page. */
export async function exportDirectoryJson(db: Queryable): Promise<string> {
  const ids = await allServiceIds(db)
  const contents: unknown[] = []
  for (let i = 0; i < ids.length; i += 200) {
    const services = await getServiceRecords(db, ids.slice(i, i + 200))
    const context = await orukContextFor(db, services)
    contents.push(...services.map((s) => orukService(s, context)))
  }
  return `${JSON.stringify(page(contents, contents.length, 1, Math.max(1, contents.length)), null, 2)}\n`
}

// CSV --------------------------------------------------------------------------------------------

export const CSV_COLUMNS = [
  'id',
  'name',
  'provider',
  'kind',
  'status',
  'self_referral',
  'description',
  'categories',
  'cost',
  'age_min',
  'age_max',
  'schedule',
  'contact_name',
  'email',
  'phone',
  'url',
  'last_reviewed_on',
  'location_name',
  'address',
  'town',
  'postcode',
] as const

/**
 * How a term is written in the CSV's categories column: its label, or `vocabulary:code` where
 * another vocabulary has a term of the same label (Luton's area "Physical activity" and the need
 * "Physical activity"), so that importing the export gives back exactly the same terms.
 */
function termsInCsv(terms: readonly Term[]): (term: Term) => string {
  const vocabularies = new Map<string, Set<string>>()
  for (const t of terms) {
    const label = t.label.toLowerCase()
    vocabularies.set(label, (vocabularies.get(label) ?? new Set()).add(t.vocabulary))
  }
  return (term) =>
    (vocabularies.get(term.label.toLowerCase())?.size ?? 0) > 1
      ? `${term.vocabulary}:${term.code}`
      : term.label
}

export async function exportServicesCsv(db: Queryable): Promise<string> {
  const ids = await allServiceIds(db)
  const written = termsInCsv(await listTerms(db))
  const rows: string[][] = []
  for (let i = 0; i < ids.length; i += 200) {
    for (const s of await getServiceRecords(db, ids.slice(i, i + 200))) {
      const location = s.locations[0]
      rows.push([
        s.id,
        s.name,
        s.providerName,
        s.kind,
        s.status,
        s.selfReferral ? 'yes' : 'no',
        s.description,
        s.terms.map(written).join('; '),
        s.cost,
        s.ageMin === null ? '' : String(s.ageMin),
        s.ageMax === null ? '' : String(s.ageMax),
        s.schedule,
        s.contactName,
        s.email,
        s.phone,
        s.url,
        s.lastReviewedOn,
        location?.name ?? '',
        location?.address ?? '',
        location?.town ?? '',
        location?.postcode ?? '',
      ])
    }
  }
  return stringify([[...CSV_COLUMNS], ...rows])
}

export async function importServicesCsv(
  db: Db,
  text: string,
  onProgress: (done: number) => void = () => {},
): Promise<ImportReport> {
  const report = emptyReport()
  let records: Record<string, string>[]
  try {
    records = parseCsvSync(text.replace(/\r\n?/g, '\n'), {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    })
  } catch (error) {
    report.rejected.push({ record: 'the file', reason: `it is not CSV (${(error as Error).message})` })
    return report
  }
  const missing = ['name', 'provider', 'kind'].filter((c) => records.length > 0 && !(c in (records[0] ?? {})))
  if (missing.length > 0) {
    report.rejected.push({ record: 'the file', reason: `it has no ${missing.join(', ')} column` })
    return report
  }
  const terms = await listTerms(db)
  let line = 1
  for (const row of records) {
    line += 1
    const label = `row ${line} (${row.name || 'no name'})`
    try {
      await db.transaction().execute(async (trx) => {
        const name = row.name ?? ''
        if (!name) throw new Rejected('it has no name')
        if (name.length > 200) throw new Rejected('its name is longer than 200 characters')
        const provider = await findOrganisationByName(trx, row.provider ?? '')
        if (!provider) throw new Rejected(`there is no organisation called "${row.provider ?? ''}"`)
        const kind = row.kind ?? ''
        if (!isServiceKind(kind))
          throw new Rejected(
            `its kind "${kind}" is not one of ${SERVICE_KINDS.join(', ')} (${Object.values(SERVICE_KIND_LABELS).join(', ')})`,
          )
        const status = (row.status || 'active') as ServiceStatus
        if (!['active', 'inactive', 'temporarily_closed'].includes(status))
          throw new Rejected('its status must be active, inactive or temporarily_closed')
        const selfReferral = /^(yes|y|true|1)$/i.test(row.self_referral ?? '')
        const termIds: string[] = []
        for (const labelText of (row.categories ?? '')
          .split(';')
          .map((s) => s.trim())
          .filter(Boolean)) {
          const matching = terms.filter(
            (t) =>
              t.label.toLowerCase() === labelText.toLowerCase() ||
              t.code === labelText ||
              `${t.vocabulary}:${t.code}` === labelText,
          )
          if (matching.length === 0) throw new Rejected(`its category "${labelText}" is not in the taxonomy`)
          termIds.push(...matching.map((t) => t.id))
        }
        const age = (value: string | undefined, which: string) => {
          if (!value) return null
          if (!/^\d{1,3}$/.test(value) || Number(value) > 130)
            throw new Rejected(`its ${which} age must be a whole number from 0 to 130`)
          return Number(value)
        }
        const ageMin = age(row.age_min, 'youngest')
        const ageMax = age(row.age_max, 'oldest')
        if (ageMin !== null && ageMax !== null && ageMin > ageMax)
          throw new Rejected('its youngest age is more than its oldest')
        const reviewed = row.last_reviewed_on || today()
        if (!/^\d{4}-\d{2}-\d{2}$/.test(reviewed))
          throw new Rejected('its last_reviewed_on must be a date like 2026-11-22')
        const locations: LocationInput[] = []
        if (row.postcode) {
          const postcode = normalisePostcode(row.postcode)
          if (!postcode) throw new Rejected(`its postcode "${row.postcode}" is not a full UK postcode`)
          const point = await lookupPostcode(trx, postcode)
          if (!point) throw new Rejected(`its postcode ${postcode} is not known: import postcodes first`)
          locations.push({
            name: row.location_name ?? '',
            address: row.address ?? '',
            town: row.town ?? '',
            postcode,
            ...point,
          })
        }
        const id = row.id && isId(row.id) && (await getServiceRecord(trx, row.id)) ? row.id : undefined
        if (row.id && !id) throw new Rejected(`there is no service with the id ${row.id}`)
        const existing = id ? await getServiceRecord(trx, id) : undefined
        const cost = row.cost ?? ''
        const input: ServiceInput = {
          ...(existing ? recordInput(existing) : {}),
          name,
          description: row.description ?? '',
          kind,
          status,
          selfReferral,
          criteria: existing?.criteria ?? [],
          criteriaNotes: existing?.criteriaNotes ?? '',
          additionalNeeds: existing?.additionalNeeds ?? '',
          disclaimer: existing?.disclaimer ?? '',
          cost,
          free: cost === '' || /^free/i.test(cost),
          ageMin,
          ageMax,
          schedule: row.schedule ?? '',
          contactName: row.contact_name ?? '',
          email: row.email ?? '',
          phone: row.phone ?? '',
          url: row.url ?? '',
          lastReviewedOn: reviewed,
          termIds,
          locations:
            existing && existing.locations.length > 1 && locations.length === 1
              ? [...locations, ...recordInput(existing).locations.slice(1)]
              : locations,
          schedules: existing ? recordInput(existing).schedules : [],
        }
        report[await save(trx, id, provider.id, input)].push(label)
      })
    } catch (error) {
      if (error instanceof Rejected) report.rejected.push({ record: label, reason: error.message })
      else throw error
    }
    if ((line - 1) % 100 === 0) onProgress(line - 1)
  }
  return report
}

// Postcodes --------------------------------------------------------------------------------------

export interface PostcodeReport {
  imported: number
  rejected: { record: string; reason: string }[]
  /** Rejections beyond the first 100 are counted, not listed. */
  moreRejected: number
}

/**
 * Reads a postcode file as it streams: the ONS Postcode Directory (columns `pcds` or `pcd`, `lat`,
 * `long`; terminated postcodes and those without a location are skipped) or a CSV with
 * `postcode,latitude,longitude`.
 */
export async function importPostcodes(
  db: Db,
  file: string,
  onProgress: (done: number) => void = () => {},
): Promise<PostcodeReport> {
  const report: PostcodeReport = { imported: 0, rejected: [], moreRejected: 0 }
  const reject = (record: string, reason: string) => {
    if (report.rejected.length < 100) report.rejected.push({ record, reason })
    else report.moreRejected += 1
  }
  const parser = createReadStream(file).pipe(
    parseCsv({
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }),
  )
  let batch: { postcode: string; latitude: number; longitude: number }[] = []
  const flush = async () => {
    if (batch.length === 0) return
    const rows = [...new Map(batch.map((row) => [row.postcode, row])).values()]
    batch = []
    await db.transaction().execute((trx) => upsertPostcodes(trx, rows))
  }
  let line = 1
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    line += 1
    const raw = row.pcds ?? row.pcd ?? row.pcd7 ?? row.pcd8 ?? row.postcode ?? ''
    const lat = row.lat ?? row.latitude
    const lng = row.long ?? row.longitude ?? row.lng
    if (row.doterm) continue
    const postcode = normalisePostcode(raw)
    if (!postcode) {
      reject(`line ${line}`, `"${raw.slice(0, 20)}" is not a full UK postcode`)
      continue
    }
    const latitude = Number(lat)
    const longitude = Number(lng)
    if (!lat || !lng || !Number.isFinite(latitude) || !Number.isFinite(longitude) || latitude === 99.999999) {
      reject(`line ${line}`, `${postcode} has no location`)
      continue
    }
    if (latitude < 49 || latitude > 61 || longitude < -9 || longitude > 3) {
      reject(`line ${line}`, `${postcode} is placed outside the UK (${latitude}, ${longitude})`)
      continue
    }
    batch.push({ postcode, latitude, longitude })
    report.imported += 1
    if (batch.length >= 500) await flush()
    if ((line - 1) % 100_000 === 0) onProgress(line - 1)
  }
  await flush()
  return report
}

// Open Referral tabular packages ------------------------------------------------------------------

async function readTable(dir: string, ...names: string[]): Promise<Record<string, string>[]> {
  for (const name of names) {
    let text: string
    try {
      text = await readFile(join(dir, name), 'utf8')
    } catch {
      continue
    }
    // The profile's own examples mix CR, CRLF and LF line endings.
    return parseCsvSync(text.replace(/\r\n?/g, '\n'), {
      columns: true,
      skip_empty_lines: true,
      bom: true,
      relax_column_count: true,
      trim: true,
    })
  }
  return []
}

const numberOrNull = (value: string | undefined) =>
  value !== undefined && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined

/**
 * An Open Referral tabular package (a folder of CSV files: services.csv, organizations.csv,
 * locations.csv, service_at_location.csv, addresses.csv, schedules.csv, taxonomy_terms.csv,
 * attribute.csv, contacts.csv, phones.csv), nested into services as the JSON API gives them.
 */
export async function readOrukCsvPackage(dir: string): Promise<Json[]> {
  const services = await readTable(dir, 'services.csv', 'service.csv')
  const organisations = await readTable(dir, 'organizations.csv', 'organization.csv')
  const locations = await readTable(dir, 'locations.csv', 'location.csv')
  const links = await readTable(dir, 'service_at_location.csv', 'service_at_locations.csv')
  const addresses = await readTable(dir, 'addresses.csv', 'address.csv')
  const schedules = await readTable(dir, 'schedules.csv', 'schedule.csv')
  const terms = await readTable(dir, 'taxonomy_terms.csv', 'taxonomy_term.csv')
  const attributes = await readTable(dir, 'attributes.csv', 'attribute.csv')
  const contacts = await readTable(dir, 'contacts.csv', 'contact.csv')
  const phones = await readTable(dir, 'phones.csv', 'phone.csv')
  return services.map((service) => ({
    ...service,
    minimum_age: numberOrNull(service.minimum_age),
    maximum_age: numberOrNull(service.maximum_age),
    organization: organisations.find((o) => o.id === service.organization_id),
    service_at_locations: links
      .filter((link) => link.service_id === service.id)
      .map((link) => {
        const location = locations.find((l) => l.id === link.location_id)
        return {
          id: link.id,
          location: location && {
            ...location,
            latitude: numberOrNull(location.latitude),
            longitude: numberOrNull(location.longitude),
            addresses: addresses.filter((a) => a.location_id === location.id),
          },
        }
      }),
    schedules: schedules.filter((s) => s.service_id === service.id),
    attributes: attributes
      .filter((a) => a.link_id === service.id)
      .map((a) => ({ ...a, taxonomy_term: terms.find((t) => t.id === a.taxonomy_term_id) })),
    contacts: contacts
      .filter((c) => c.service_id === service.id)
      .map((c) => ({ ...c, phones: phones.filter((p) => p.contact_id === c.id) })),
  }))
}

/** Imports an Open Referral tabular package (a folder of CSV files) in one transaction. */
export async function importDirectoryPackage(
  db: Db,
  dir: string,
  onProgress: (done: number) => void = () => {},
): Promise<ImportReport> {
  const report = emptyReport()
  const services = await readOrukCsvPackage(dir)
  if (services.length === 0) {
    report.rejected.push({ record: dir, reason: 'it holds no services.csv with services in it' })
    return report
  }
  await importInOneTransaction(db, services, report, onProgress)
  return report
}
