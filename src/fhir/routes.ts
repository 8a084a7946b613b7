// The thin Fastify adapter in front of the FHIR router: each resource type's read and search,
// and the CapabilityStatement. Errors, the authentication refusal included, answer as an
// OperationOutcome in application/fhir+json.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PUBLIC, rolesAccess, SIGNED_IN } from '../access/permissions.ts'
import type { AppContext } from '../web/context.ts'
import type { FhirContext } from './context.ts'
import { meshSender, queueGpSummary } from './gp-record.ts'
import { fhirMessageSender } from './messaging.ts'
import { operationOutcome, outcomeOf } from './outcome.ts'
import { HANDLERS } from './resources/index.ts'
import { type FhirResponse, handleFhir, metadata } from './router.ts'
import type { Query } from './search.ts'

export const FHIR_JSON = 'application/fhir+json; charset=utf-8'

function send(reply: FastifyReply, response: FhirResponse) {
  for (const [name, value] of Object.entries(response.headers ?? {})) reply.header(name, value)
  return reply.status(response.status).type(FHIR_JSON).send(JSON.stringify(response.body))
}

export function fhirBase(context: AppContext): string {
  return `${context.config.publicUrl.replace(/\/$/, '')}/fhir`
}

function contextOf(context: AppContext, request: FastifyRequest): FhirContext {
  if (!request.user) throw new Error('FHIR routes are for signed-in users')
  return {
    db: context.db,
    user: request.user,
    actor: request.actor,
    base: fhirBase(context),
    now: context.now,
    memo: new Map(),
    writeReferral: context.writeReferral,
  }
}

/** Every error of a FHIR route, the refusal of the authentication hook included, as an OperationOutcome. */
async function fhirErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const statusCode = (error as { statusCode?: number }).statusCode
  const outcome = outcomeOf(error) ?? {
    status: statusCode ?? 500,
    body: operationOutcome([
      {
        severity: 'error',
        code: statusCode && statusCode < 500 ? 'invalid' : 'exception',
        diagnostics:
          statusCode && statusCode < 500 ? (error as Error).message : 'Kith could not answer this request.',
      },
    ]),
  }
  if (outcome.status >= 500) request.log.error({ err: error }, 'FHIR request failed')
  return send(reply, outcome)
}

export function fhirRoutes(app: FastifyInstance, context: AppContext): void {
  // The summary goes to the GP practice when a case ends (GP Connect Send Document, by MESH).
  context.caseClosed.push(queueGpSummary)
  if (context.config.mesh)
    context.senders.push(
      meshSender(context.db, context.config.mesh, {
        base: fhirBase(context),
        sections: context.caseSummarySections,
      }),
    )
  if (context.config.barsEndpoints?.length)
    context.senders.push(
      fhirMessageSender(context.db, { base: fhirBase(context), allowed: context.config.barsEndpoints }),
    )
  app.addContentTypeParser(
    ['application/fhir+json', 'application/json+fhir'],
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, JSON.parse(String(body)))
      } catch {
        done(Object.assign(new Error('The body is not JSON.'), { statusCode: 400 }))
      }
    },
  )
  const errorHandler = fhirErrorHandler

  app.get('/fhir/metadata', { config: { access: PUBLIC }, errorHandler }, async (_request, reply) =>
    send(reply, { status: 200, body: metadata(fhirBase(context)) }),
  )
  // A BaRS referral message: for those who may refer in the pages.
  app.post(
    '/fhir/$process-message',
    {
      config: { access: rolesAccess('referrer', 'link_worker', 'programme_manager', 'provider') },
      errorHandler,
    },
    async (request, reply) =>
      send(
        reply,
        await handleFhir(contextOf(context, request), {
          method: 'POST',
          path: ['$process-message'],
          query: {},
          body: request.body,
        }),
      ),
  )
  for (const handler of HANDLERS) {
    app.get(
      `/fhir/${handler.type}`,
      { config: { access: SIGNED_IN }, errorHandler },
      async (request, reply) =>
        send(
          reply,
          await handleFhir(contextOf(context, request), {
            method: 'GET',
            path: [handler.type],
            query: request.query as Query,
          }),
        ),
    )
    app.get(
      `/fhir/${handler.type}/:id`,
      { config: { access: SIGNED_IN }, errorHandler },
      async (request, reply) =>
        send(
          reply,
          await handleFhir(contextOf(context, request), {
            method: 'GET',
            path: [handler.type, (request.params as { id: string }).id],
            query: {},
          }),
        ),
    )
  }
}
