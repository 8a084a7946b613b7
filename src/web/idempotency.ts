// The `Idempotency-Key` request header (IETF HTTP draft "The Idempotency-Key HTTP Header
// Field"): a client that retries a creating request with the same key gets the first result,
// not a second record. Keys are the client's own, so each is kept per user: two users' keys never
// meet. The draft makes the value a structured-field string ("…"); a bare token is taken too.

import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Queryable } from '../db/schema.ts'
import { inTransactionRetryingClash } from '../db/transactions.ts'
import { badRequest, Problem } from './problem.ts'

export interface IdempotencyKeyTable {
  /** `idempotency:USER:KEY`. */
  key: string
  /** SHA-256 of the method, path and body: the same key with another request is refused. */
  fingerprint: string
  status: number
  /** The JSON answer given the first time. */
  body: string
  created_at: string
}

declare module '../db/schema.ts' {
  interface Tables {
    idempotency_keys: IdempotencyKeyTable
  }
}

export const IDEMPOTENCY_HEADER = 'idempotency-key'

const KEY = /^[\x21-\x7e]{1,255}$/

/** The key of this request for this user, or undefined without one; a 400 for a malformed key. */
export function idempotencyKey(request: FastifyRequest, user: { id: string }): string | undefined {
  const header = request.headers[IDEMPOTENCY_HEADER]
  if (header === undefined) return undefined
  const raw = Array.isArray(header) ? undefined : header.trim()
  const value = raw?.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw
  if (!value || !KEY.test(value))
    throw badRequest('The Idempotency-Key header is not valid.', [
      {
        field: 'Idempotency-Key',
        message: 'Send one key of 1 to 255 visible characters, such as a UUID',
      },
    ])
  return `idempotency:${user.id}:${value}`
}

/** How the OpenAPI document describes the header on each creating request. */
export const idempotencyParameter = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  description:
    'Recommended on every creating request: a unique key (a UUID) per intended request. Sent again with the same key, the request answers with the first result and makes nothing new.',
}

/**
 * Runs a creating request once per Idempotency-Key: the first time, `work` runs and its answer is
 * kept with the key in the same transaction; again with the same key and the same request, the
 * kept answer is sent (`Idempotent-Replayed: true`) and nothing is made; with the same key and
 * another request, 422. Without a key, `work` runs as it is.
 */
export async function idempotent(
  db: Queryable,
  request: FastifyRequest,
  reply: FastifyReply,
  user: { id: string },
  work: (trx: Queryable) => Promise<{ status: number; body: unknown }>,
): Promise<unknown> {
  const key = idempotencyKey(request, user)
  if (!key) {
    const answer = await work(db)
    return reply.status(answer.status).send(answer.body)
  }
  const fingerprint = createHash('sha256')
    .update(
      `${request.method} ${request.routeOptions.url ?? request.url}\n${JSON.stringify(request.params)}\n${JSON.stringify(request.body ?? null)}`,
    )
    .digest('hex')
  const answer = await inTransactionRetryingClash(db, async (trx) => {
    const kept = await trx
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst()
    if (kept) {
      if (kept.fingerprint !== fingerprint)
        throw new Problem(422, 'Idempotency-Key reused', {
          detail:
            'This Idempotency-Key was sent before with a different request. Use a new key for a new request.',
          errors: [{ field: 'Idempotency-Key', message: 'Use a new key for a new request' }],
        })
      return { status: kept.status, body: JSON.parse(kept.body) as unknown, replayed: true }
    }
    const made = await work(trx)
    await trx
      .insertInto('idempotency_keys')
      .values({
        key,
        fingerprint,
        status: made.status,
        body: JSON.stringify(made.body),
        created_at: new Date().toISOString(),
      })
      .execute()
    return { ...made, replayed: false }
  })
  if (answer.replayed) reply.header('idempotent-replayed', 'true')
  return reply.status(answer.status).send(answer.body)
}
