// The search parameters every searchable type shares: `_count` and `_offset` paging with Bundle
// links, `_lastUpdated`, `patient`, `status`, `identifier`, parsed into what the capabilities'
// queries take. Pure: no I/O.

import type { Resource } from '@medplum/fhirtypes'
import type { TimeRange } from '../db/search.ts'
import type { ResourceHandler, SearchParam } from './handler.ts'
import { fhirInvalid, fhirNotSupported } from './outcome.ts'

export const DEFAULT_COUNT = 20
export const MAX_COUNT = 100

export type Query = Record<string, string | string[] | undefined>

export interface ParsedSearch {
  count: number
  offset: number
  patient?: string
  statuses?: string[]
  identifier?: { system?: string; value: string }
  lastUpdated: { prefix: string; start: number; end: number }[]
  /** `_lastUpdated` as instant ranges for the database queries. */
  updated: TimeRange[]
  includes: string[]
}

/** `_count` and `_offset` as a query's page. */
export const pagingOf = (search: ParsedSearch) => ({ limit: search.count, offset: search.offset })

/**
 * The record ids an `identifier` search names, for a type whose identifier (in `system`) is the
 * record's id: undefined when not searched by identifier, none when another system is named.
 */
export function idsNamed(search: ParsedSearch, system: string): string[] | undefined {
  if (!search.identifier) return undefined
  const { system: named, value } = search.identifier
  return named === undefined || named === system ? [value] : []
}

/** The time range a `_lastUpdated` filter keeps. */
function rangeOf({ prefix, start, end }: ParsedSearch['lastUpdated'][number]): TimeRange {
  const at = (ms: number) => new Date(ms).toISOString()
  switch (prefix) {
    case 'gt':
      return { from: at(end) }
    case 'ge':
      return { from: at(start) }
    case 'lt':
      return { before: at(start) }
    case 'le':
      return { before: at(end) }
    case 'ne':
      return { from: at(start), before: at(end), outside: true }
    default:
      return { from: at(start), before: at(end) }
  }
}

const COMMON = new Set(['_count', '_offset', '_lastUpdated', '_include', '_format'])
const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le'] as const

const all = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]
const one = (query: Query, name: string): string | undefined => {
  const values = all(query[name])
  if (values.length > 1) throw fhirInvalid(`Give ${name} once.`, [name])
  return values[0]
}

/** The instant range a FHIR date or dateTime covers, by its precision. */
export function dateRange(text: string): { start: number; end: number } | undefined {
  const match = text.match(
    /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/,
  )
  if (!match) return undefined
  const [, y, mo, d, h, mi, s, zone] = match
  if (h !== undefined && zone === undefined) return undefined
  const start = Date.parse(
    `${y}-${mo ?? '01'}-${d ?? '01'}T${h ?? '00'}:${mi ?? '00'}:${s ?? '00'}${zone ?? 'Z'}`,
  )
  if (Number.isNaN(start)) return undefined
  const end = new Date(start)
  if (s !== undefined) end.setUTCSeconds(end.getUTCSeconds() + 1)
  else if (mi !== undefined) end.setUTCMinutes(end.getUTCMinutes() + 1)
  else if (d !== undefined) end.setUTCDate(end.getUTCDate() + 1)
  else if (mo !== undefined) end.setUTCMonth(end.getUTCMonth() + 1)
  else end.setUTCFullYear(end.getUTCFullYear() + 1)
  return { start, end: end.getTime() }
}

export function parseSearch(handler: ResourceHandler, query: Query): ParsedSearch {
  for (const name of Object.keys(query)) {
    if (COMMON.has(name)) continue
    if (!(handler.searchParams as readonly string[]).includes(name))
      throw fhirNotSupported(`${handler.type} cannot be searched by ${name}.`, [name])
  }
  const countText = one(query, '_count')
  const count = countText === undefined ? DEFAULT_COUNT : Number(countText)
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT)
    throw fhirInvalid(`_count must be a whole number from 1 to ${MAX_COUNT}.`, ['_count'])
  const offsetText = one(query, '_offset')
  const offset = offsetText === undefined ? 0 : Number(offsetText)
  if (!Number.isInteger(offset) || offset < 0)
    throw fhirInvalid('_offset must be a whole number, 0 or more.', ['_offset'])

  const parsed: ParsedSearch = { count, offset, lastUpdated: [], updated: [], includes: [] }
  const patient = one(query, 'patient' satisfies SearchParam)
  if (patient !== undefined) {
    const id = patient.replace(/^Patient\//, '')
    if (!/^[A-Za-z0-9.-]{1,64}$/.test(id)) throw fhirInvalid('patient must be Patient/<id>.', ['patient'])
    parsed.patient = id
  }
  const status = one(query, 'status')
  if (status !== undefined) parsed.statuses = status.split(',').filter(Boolean)
  const identifier = one(query, 'identifier')
  if (identifier !== undefined) {
    const bar = identifier.indexOf('|')
    parsed.identifier =
      bar < 0 ? { value: identifier } : { system: identifier.slice(0, bar), value: identifier.slice(bar + 1) }
    if (!parsed.identifier.value) throw fhirInvalid('identifier needs a value: system|value.', ['identifier'])
  }
  for (const text of all(query._lastUpdated)) {
    const prefix = PREFIXES.find((p) => text.startsWith(p)) ?? 'eq'
    const range = dateRange(PREFIXES.some((p) => text.startsWith(p)) ? text.slice(2) : text)
    if (!range)
      throw fhirInvalid('_lastUpdated must be a date or date and time, with a prefix such as gt.', [
        '_lastUpdated',
      ])
    parsed.lastUpdated.push({ prefix, ...range })
    parsed.updated.push(rangeOf({ prefix, ...range }))
  }
  for (const include of all(query._include)) {
    if (!handler.includes?.[include])
      throw fhirNotSupported(`${handler.type} supports no _include of ${include}.`, ['_include'])
    parsed.includes.push(include)
  }
  return parsed
}

function matchesDate(at: number, filter: ParsedSearch['lastUpdated'][number]): boolean {
  switch (filter.prefix) {
    case 'gt':
      return at >= filter.end
    case 'ge':
      return at >= filter.start
    case 'lt':
      return at < filter.start
    case 'le':
      return at < filter.end
    case 'ne':
      return at < filter.start || at >= filter.end
    default:
      return at >= filter.start && at < filter.end
  }
}

/** The resources of a list held whole that match, newest first (by `meta.lastUpdated`, then id). */
export function filterResources<R extends Resource>(
  handler: ResourceHandler<R>,
  resources: R[],
  search: ParsedSearch,
): R[] {
  const kept = resources.filter((resource) => {
    if (search.patient !== undefined && handler.personOf(resource) !== search.patient) {
      // Resources whose reader audits itself name no person for the audit; they were narrowed by the handler.
      if (handler.personOf(resource) !== undefined) return false
    }
    if (search.statuses && !search.statuses.includes(handler.statusOf?.(resource) ?? '')) return false
    if (search.identifier) {
      const { system, value } = search.identifier
      const found = (handler.identifiersOf?.(resource) ?? []).some(
        (identifier) => identifier.value === value && (system === undefined || identifier.system === system),
      )
      if (!found) return false
    }
    if (search.lastUpdated.length > 0) {
      const at = resource.meta?.lastUpdated ? Date.parse(resource.meta.lastUpdated) : Number.NaN
      if (Number.isNaN(at) || !search.lastUpdated.every((filter) => matchesDate(at, filter))) return false
    }
    return true
  })
  return kept.sort(
    (a, b) =>
      (b.meta?.lastUpdated ?? '').localeCompare(a.meta?.lastUpdated ?? '') ||
      (a.id ?? '').localeCompare(b.id ?? ''),
  )
}
