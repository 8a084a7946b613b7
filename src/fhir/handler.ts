// What each resource type Kith serves provides to the router: read, search over what the user
// may see, and the facts the common search parameters and the audit need.

import type { Identifier, Reference, Resource } from '@medplum/fhirtypes'
import type { FhirContext } from './context.ts'
import type { ParsedSearch } from './search.ts'

export type SearchParam = 'patient' | 'status' | 'identifier'

/** One page of a search's matches, and how many match in all. */
export interface SearchPage<R> {
  resources: R[]
  total: number
}

export interface ResourceHandler<R extends Resource = Resource> {
  type: R['resourceType']
  /** The UK Core profile declared in `meta.profile`, if one exists. */
  profile?: string
  /** Which of the common search parameters it supports (besides `_count`, `_lastUpdated`). */
  searchParams: readonly SearchParam[]
  /** `_include` values it supports (`Task:focus`), each giving the reference to follow. */
  includes?: Record<string, (resource: R) => Reference | undefined>
  /** The resource with this id, if the user may see it; throws a refusal (404, audited) otherwise. */
  read(ctx: FhirContext, id: string): Promise<R>
  /**
   * The page of resources the user may see that match, newest first (`meta.lastUpdated`, then
   * id), searched in the database by the owning capability's queries: every filter, the access
   * rule and the paging are its conditions.
   */
  search?(ctx: FhirContext, search: ParsedSearch): Promise<SearchPage<R>>
  /** Every resource of the type, for public lists held whole (the directory): filtered and paged in memory. */
  list?(ctx: FhirContext): Promise<R[]>
  /**
   * The resource, when this request's search has already found it for the user (an `_include`
   * of the same record): built from what was found, without reading it again, and audited by the
   * router as a search's match is. Undefined otherwise.
   */
  found?(ctx: FhirContext, id: string): Promise<R | undefined>
  /** True when `read` audits the read itself (through the capability's own audited reader). */
  readAudits?: boolean
  /**
   * The person the resource is about, for the audit of a read of their record; undefined when
   * the handler's own reader has audited it already.
   */
  personOf(resource: R): string | undefined
  statusOf?(resource: R): string | undefined
  identifiersOf?(resource: R): Identifier[]
}

/** The person id in `Patient/<id>`, else undefined. */
export function patientIdOf(reference: Reference | undefined): string | undefined {
  const match = reference?.reference?.match(/^Patient\/([A-Za-z0-9.-]{1,64})$/)
  return match?.[1]
}

/** Per-request memory, so one search does not ask the same question twice. */
export function memo<T>(ctx: FhirContext, key: string, load: () => Promise<T>): Promise<T> {
  let found = ctx.memo.get(key) as Promise<T> | undefined
  if (!found) {
    found = load()
    ctx.memo.set(key, found)
  }
  return found
}
