import { randomBytes } from 'node:crypto'

/**
 * A new record id: a UUID version 7 (RFC 9562), whose leading 48 bits are the time in
 * milliseconds. New rows land at the end of an index instead of at random places in it, which
 * keeps inserts fast on both databases, and the ids are still unguessable (62 random bits, and a
 * counter that starts at a random value each millisecond).
 *
 * Ids made in the same millisecond by this process increase in the order they were made (the
 * 12-bit counter in `rand_a`, RFC 9562 section 6.2, method 1), so records that sort by time and
 * then id, such as the audit log, keep the order they were written in.
 */
export function newId(now: number = Date.now()): string {
  const bytes = randomId()
  bytes.writeUIntBE(now, 0, 6)
  const counter = nextCounter(now, bytes)
  bytes[6] = 0x70 | (counter >> 8)
  bytes[7] = counter & 0xff
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const COUNTER_MAX = 0xfff
let lastMillisecond = -1
let lastCounter = 0

/**
 * The next counter for the millisecond: one more than the last id's when it is the same
 * millisecond, otherwise a random start in the lower half, which leaves at least 2,048 ids of room. An id
 * dated in the past (demo data, imports) takes a random counter and leaves the sequence alone.
 */
function nextCounter(now: number, bytes: Buffer): number {
  const randomStart = (bytes.readUInt16BE(6) & COUNTER_MAX) >> 1
  if (now === lastMillisecond) {
    // Past 4,095 in one millisecond the order within it can no longer be kept.
    if (lastCounter < COUNTER_MAX) lastCounter += 1
    else return randomStart
    return lastCounter
  }
  if (now > lastMillisecond) {
    lastMillisecond = now
    lastCounter = randomStart
  }
  return randomStart
}

// Random bytes are drawn from the system a few kilobytes at a time rather than 16 at a time: one
// call into the system's generator per 256 ids. Each id gets bytes no other id has had.
const POOL_SIZE = 16 * 256
let pool = Buffer.alloc(0)
let offset = POOL_SIZE

function randomId(): Buffer {
  if (offset >= pool.length) {
    pool = randomBytes(POOL_SIZE)
    offset = 0
  }
  // A copy, so the id never shares memory with the pool.
  const bytes = Buffer.from(pool.subarray(offset, offset + 16))
  offset += 16
  return bytes
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
