// The FHIR API as a function from request to response: it knows nothing of the web framework
// (routes.ts is the thin adapter in front). Reads and searches go to the resource handlers; every
// resource about a person that leaves here has been audited as a read of their record.

import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes'
import { type AuditEvent, auditMany, auditRefusal, Refused } from '../access/audit.ts'
import { processMessage } from './bars.ts'
import { capabilityStatement } from './capability.ts'
import type { FhirContext } from './context.ts'
import type { ResourceHandler } from './handler.ts'
import { FhirError, fhirNotFound, outcomeOf } from './outcome.ts'
import { HANDLERS, handlerFor } from './resources/index.ts'
import { filterResources, parseSearch, type Query } from './search.ts'

export interface FhirRequest {
  method: string
  /** The path below the FHIR base, split: `['Patient', '<id>']`. */
  path: string[]
  query: Query
  body?: unknown
}

export interface FhirResponse {
  status: number
  body: Resource
  headers?: Record<string, string>
}

export function metadata(base: string) {
  return capabilityStatement(base, HANDLERS, [
    {
      name: 'process-message',
      definition: 'http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message',
    },
  ])
}

function audits(handler: ResourceHandler, resources: readonly Resource[]): AuditEvent[] {
  const events: AuditEvent[] = []
  for (const resource of resources) {
    const personId = handler.personOf(resource)
    if (personId)
      events.push({
        action: 'person.read',
        recordType: 'person',
        recordId: personId,
        detail: { via: 'fhir', resourceType: handler.type },
      })
  }
  return events
}

async function read(ctx: FhirContext, handler: ResourceHandler, id: string): Promise<FhirResponse> {
  if (!/^[A-Za-z0-9.-]{1,64}$/.test(id)) throw fhirNotFound()
  const resource = await handler.read(ctx, id)
  if (!handler.readAudits) await auditMany(ctx.db, ctx.actor, audits(handler, [resource]))
  const version = resource.meta?.versionId
  return {
    status: 200,
    body: resource,
    headers: {
      ...(version ? { etag: `W/"${version}"` } : {}),
      ...(resource.meta?.lastUpdated
        ? { 'last-modified': new Date(resource.meta.lastUpdated).toUTCString() }
        : {}),
    },
  }
}

function searchUrl(ctx: FhirContext, type: string, query: Query, offset: number): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (name === '_offset' || value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v)
  }
  if (offset > 0) params.set('_offset', String(offset))
  const text = params.toString()
  return `${ctx.base}/${type}${text ? `?${text}` : ''}`
}

async function search(ctx: FhirContext, handler: ResourceHandler, query: Query): Promise<FhirResponse> {
  const parsed = parseSearch(handler, query)
  let page: Resource[]
  let total: number
  if (handler.search) ({ resources: page, total } = await handler.search(ctx, parsed))
  else {
    const matching = filterResources(handler, (await handler.list?.(ctx)) ?? [], parsed)
    page = matching.slice(parsed.offset, parsed.offset + parsed.count)
    total = matching.length
  }
  const entry: BundleEntry[] = page.map((resource) => ({
    fullUrl: `${ctx.base}/${handler.type}/${resource.id}`,
    resource,
    search: { mode: 'match' },
  }))
  const events = audits(handler, page)
  for (const include of parsed.includes) {
    const follow = handler.includes?.[include]
    const seen = new Set<string>()
    for (const resource of page) {
      const reference = follow?.(resource)?.reference
      const [type, id] = reference?.split('/') ?? []
      const target = type ? handlerFor(type) : undefined
      if (!target || !id || seen.has(reference ?? '')) continue
      seen.add(reference ?? '')
      try {
        const known = await target.found?.(ctx, id)
        const included = known ?? (await target.read(ctx, id))
        if (known || !target.readAudits) events.push(...audits(target, [included]))
        entry.push({ fullUrl: `${ctx.base}/${reference}`, resource: included, search: { mode: 'include' } })
      } catch (error) {
        if (!(error instanceof Refused) && outcomeOf(error)?.status !== 404) throw error
      }
    }
  }
  await auditMany(ctx.db, ctx.actor, events)
  const link: BundleLink[] = [{ relation: 'self', url: searchUrl(ctx, handler.type, query, parsed.offset) }]
  if (parsed.offset + parsed.count < total)
    link.push({ relation: 'next', url: searchUrl(ctx, handler.type, query, parsed.offset + parsed.count) })
  if (parsed.offset > 0)
    link.push({
      relation: 'previous',
      url: searchUrl(ctx, handler.type, query, Math.max(0, parsed.offset - parsed.count)),
    })
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    link,
    ...(entry.length > 0 ? { entry } : {}),
  }
  return { status: 200, body: bundle }
}

/** Answers one FHIR request; every error becomes an OperationOutcome with its status. */
export async function handleFhir(ctx: FhirContext, request: FhirRequest): Promise<FhirResponse> {
  try {
    const [type, id, ...rest] = request.path
    if (type === '$process-message' && request.path.length === 1) {
      if (request.method !== 'POST') throw new FhirError(405, 'not-supported', 'Send the message with POST.')
      return await processMessage(ctx, request.body)
    }
    const handler = type ? handlerFor(type) : undefined
    if (!handler || rest.length > 0)
      throw new FhirError(404, 'not-supported', `Kith serves no ${type ?? ''} resources.`)
    if (request.method !== 'GET')
      throw new FhirError(405, 'not-supported', `${request.method} is not supported here.`)
    return id === undefined ? await search(ctx, handler, request.query) : await read(ctx, handler, id)
  } catch (error) {
    if (error instanceof Refused) await auditRefusal(ctx.db, ctx.actor, error.refusal)
    const outcome = outcomeOf(error)
    if (!outcome) throw error
    return outcome
  }
}
