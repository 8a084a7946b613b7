// Request limits (@fastify/rate-limit) counted in the database, so that every Kith process
// sharing it counts the same requests: thirty sign-in attempts a minute from one address are
// thirty whichever process each one reached. One statement counts a hit and reads the window:
// an insert that, when the row is there, adds one to it or starts a new window if the old one
// has ended. It is atomic on both databases, so racing processes never lose a hit.

import { sql } from 'kysely'
import type { Queryable } from '../db/schema.ts'
import { digest } from './secrets.ts'

export interface Window {
  /** Hits in the current window, this one included. */
  current: number
  /** Milliseconds until the window ends. */
  ttl: number
}

/** Counts one hit on `key` in a window of `windowMs` and answers the window as it now stands. */
export async function countHit(
  db: Queryable,
  key: string,
  windowMs: number,
  nowMs = Date.now(),
): Promise<Window> {
  const endsAt = nowMs + windowMs
  const row = await db
    .insertInto('rate_limit_windows')
    .values({ key, hits: 1, ends_at_ms: endsAt })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql<number>`case when rate_limit_windows.ends_at_ms <= ${nowMs} then 1 else rate_limit_windows.hits + 1 end`,
        ends_at_ms: sql<number>`case when rate_limit_windows.ends_at_ms <= ${nowMs} then ${endsAt} else rate_limit_windows.ends_at_ms end`,
      }),
    )
    .returning(['hits', 'ends_at_ms'])
    .executeTakeFirstOrThrow()
  return { current: Number(row.hits), ttl: Math.max(0, Number(row.ends_at_ms) - nowMs) }
}

/** The window of `key` without counting a hit. */
export async function readWindow(db: Queryable, key: string, nowMs = Date.now()): Promise<Window> {
  const row = await db
    .selectFrom('rate_limit_windows')
    .select(['hits', 'ends_at_ms'])
    .where('key', '=', key)
    .executeTakeFirst()
  if (!row || Number(row.ends_at_ms) <= nowMs) return { current: 0, ttl: 0 }
  return { current: Number(row.hits), ttl: Number(row.ends_at_ms) - nowMs }
}

/** Forgets windows that have ended; the scheduler calls it. */
export async function removeEndedWindows(db: Queryable, nowMs = Date.now()): Promise<void> {
  await db.deleteFrom('rate_limit_windows').where('ends_at_ms', '<=', nowMs).execute()
}

type Callback = (error: Error | null, result?: Window) => void

interface RouteOptions {
  routeInfo?: { method?: string | string[]; url?: string }
}

/**
 * A store class for @fastify/rate-limit (`store: databaseStore(db)`). Each route counts on its
 * own; the address in a key is a digest, so the table holds no one's address.
 */
export function databaseStore(db: Queryable) {
  return class DatabaseRateLimitStore {
    readonly route: string
    // @fastify/rate-limit passes a route's settings, its `routeInfo` among them.
    constructor(settings: object = {}) {
      const options = settings as RouteOptions
      const method = options.routeInfo?.method
      this.route = `${Array.isArray(method) ? method.join(',') : (method ?? '')} ${options.routeInfo?.url ?? ''}`
    }

    key(client: string): string {
      return `${this.route}|${digest(client)}`
    }

    incr(client: string, callback: Callback, timeWindow: number): void {
      countHit(db, this.key(client), timeWindow).then(
        (window) => callback(null, window),
        (error: Error) => callback(error),
      )
    }

    read(client: string, callback: Callback): void {
      readWindow(db, this.key(client)).then(
        (window) => callback(null, window),
        (error: Error) => callback(error),
      )
    }

    child(settings: object): DatabaseRateLimitStore {
      return new DatabaseRateLimitStore(settings)
    }
  }
}
