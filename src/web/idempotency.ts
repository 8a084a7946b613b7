// The `Idempotency-Key` request header (IETF HTTP draft "The Idempotency-Key HTTP Header
// Field"): a client that retries a creating request with the same key gets the first result,
// not a second record. Keys are the client's own, so each is kept per user: two users' keys never
// meet. The draft makes the value a structured-field string ("…"); a bare token is taken too.

import type { FastifyRequest } from 'fastify'
import { badRequest } from './problem.ts'

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
