// A stand-in for GOV.UK Notify's API, for tests: a local HTTP server that checks each request's
// token as Notify does (an HS256 JWT whose issuer is the service id, signed with the key's
// secret), records what it was sent, and answers as it is told to.

import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Queryable } from '../db/schema.ts'

export type Answer = 'accept' | 'server-error' | 'bad-request' | 'rate-limit' | 'no-answer'

export interface ReceivedRequest {
  path: string
  body: {
    template_id: string
    email_address?: string
    phone_number?: string
    personalisation?: Record<string, string>
    reference?: string
  }
}

export interface NotifyStandIn {
  url: string
  /** A key for this stand-in, in Notify's format: name, service id, secret. */
  apiKey: string
  received: ReceivedRequest[]
  /** Answers for the next requests, in order; when empty, requests are accepted. */
  answers: Answer[]
  close(): Promise<void>
}

function verifyToken(header: string | undefined, serviceId: string, secret: string): boolean {
  const token = /^Bearer (.+)$/.exec(header ?? '')?.[1]
  const [head, payload, signature] = token?.split('.') ?? []
  if (!head || !payload || !signature) return false
  const expected = createHmac('sha256', secret).update(`${head}.${payload}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { iss?: string; iat?: number }
  return claims.iss === serviceId && typeof claims.iat === 'number'
}

function reply(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

export async function startNotifyStandIn(): Promise<NotifyStandIn> {
  const serviceId = randomUUID()
  const secret = randomUUID()
  const received: ReceivedRequest[] = []
  const answers: Answer[] = []
  const hanging = new Set<ServerResponse>()

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    if (!verifyToken(request.headers.authorization, serviceId, secret)) {
      return reply(response, 403, {
        status_code: 403,
        errors: [{ error: 'AuthError', message: 'Invalid token: signature, api token not found' }],
      })
    }
    const path = request.url ?? ''
    if (request.method !== 'POST' || !/^\/v2\/notifications\/(email|sms)$/.test(path)) {
      return reply(response, 404, { status_code: 404, errors: [{ error: 'NotFound', message: 'Not found' }] })
    }
    const body = JSON.parse(Buffer.concat(chunks).toString()) as ReceivedRequest['body']
    received.push({ path, body })
    const answer = answers.shift() ?? 'accept'
    if (answer === 'no-answer') {
      hanging.add(response)
      return
    }
    if (answer === 'server-error') {
      return reply(response, 500, {
        status_code: 500,
        errors: [{ error: 'Exception', message: 'Internal server error' }],
      })
    }
    if (answer === 'rate-limit') {
      return reply(response, 429, {
        status_code: 429,
        errors: [
          {
            error: 'RateLimitError',
            message: 'Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds',
          },
        ],
      })
    }
    if (answer === 'bad-request') {
      return reply(response, 400, {
        status_code: 400,
        errors: [
          { error: 'BadRequestError', message: "Can't send to this recipient using a team-only API key" },
        ],
      })
    }
    return reply(response, 201, {
      id: randomUUID(),
      reference: body.reference ?? null,
      content: { subject: body.personalisation?.subject ?? '', body: body.personalisation?.body ?? '' },
      uri: `https://api.notifications.service.gov.uk${path}`,
      template: { id: body.template_id, version: 1, uri: '' },
    })
  })
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: `kith_test-${serviceId}-${secret}`,
    received,
    answers,
    async close() {
      for (const response of hanging) response.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** Each delivery attempt of an outbox message, in order, as [outcome, HTTP status]. */
export async function attemptsOf(db: Queryable, messageId: string): Promise<[string, number | null][]> {
  const attempts = await db
    .selectFrom('outbox_attempts')
    .select(['outcome', 'status_code'])
    .where('message_id', '=', messageId)
    .orderBy('at')
    .execute()
  return attempts.map((a) => [a.outcome, a.status_code])
}
