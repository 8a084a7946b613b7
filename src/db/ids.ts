import { randomBytes } from 'node:crypto'

/**
 * A new record id: a UUID version 7 (RFC 9562), whose leading 48 bits are the time in
 * milliseconds. New rows land at the end of an index instead of at random places in it, which
 * keeps inserts fast on both databases, and the ids are still unguessable (74 random bits).
 */
export function newId(now: number = Date.now()): string {
  const bytes = randomBytes(16)
  bytes.writeUIntBE(now, 0, 6)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True for a well-formed UUID: checked before an id from a URL reaches a query. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}

/** The current time as Kith stores it. */
export function nowIso(): string {
  return new Date().toISOString()
}
