// What a failed statement says about the database behind it, so that a request can say so plainly
// (a 503 instead of a bare 500) and /health can take Kith out of a load balancer while it lasts.
//
// - `unavailable`: the database cannot be reached (PostgreSQL restarting, stopped, or its
//   connections cut). Kith keeps running; new connections are made when it is back.
// - `cannot-write`: the database is there but cannot store a change: the disk is full, the file
//   system or the database is read-only, or the disk reports an input/output error. The
//   transaction is rolled back, so nothing was changed.
// - `busy`: SQLite's file is locked by another process (SQLITE_BUSY, "database is locked") for
//   longer than the busy timeout: a `kith` command writing a large import, say. Nothing was
//   changed, and the same request will work once the other writer has finished.

import type { Kysely } from 'kysely'

export type StorageFailure = 'unavailable' | 'cannot-write' | 'busy'

/** A connection to the database could not be made. */
export class DatabaseUnavailable extends Error {
  constructor(cause: unknown) {
    super('Kith cannot reach its database', { cause })
    this.name = 'DatabaseUnavailable'
  }
}

/** Kith cannot use its data folder or database file at all: it stops with this one line. */
export class StorageProblem extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause })
    this.name = 'StorageProblem'
  }
}

// SQLite's primary result codes; an extended code keeps its primary code in the low byte.
const SQLITE_BUSY = 5
const SQLITE_LOCKED = 6
const SQLITE_READONLY = 8
const SQLITE_IOERR = 10
const SQLITE_FULL = 13
const SQLITE_CANTOPEN = 14

// PostgreSQL's SQLSTATEs: disk_full, read_only_sql_transaction, io_error.
const PG_CANNOT_WRITE = new Set(['53100', '25006', '58030'])
// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections; and class 08,
// connection exceptions.
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300'])
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])
// What pg says when a connection ends under it, or is used after it did.
const PG_CONNECTION_LOST =
  /^Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended/

function classify(error: unknown, depth: number): StorageFailure | undefined {
  if (!(error instanceof Error) || depth > 4) return undefined
  if (error instanceof DatabaseUnavailable) return 'unavailable'
  const { code, errcode } = error as { code?: unknown; errcode?: unknown }
  if (code === 'ERR_SQLITE_ERROR' && typeof errcode === 'number') {
    const primary = errcode & 0xff
    if (primary === SQLITE_FULL || primary === SQLITE_READONLY || primary === SQLITE_IOERR)
      return 'cannot-write'
    if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) return 'busy'
    return undefined
  }
  if (typeof code === 'string') {
    if (PG_CANNOT_WRITE.has(code)) return 'cannot-write'
    if (PG_UNAVAILABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code) || NETWORK.has(code)) return 'unavailable'
  }
  if (PG_CONNECTION_LOST.test(error.message)) return 'unavailable'
  return classify(error.cause, depth + 1)
}

/** Whether `error` means the database is out of reach or cannot store changes; undefined otherwise. */
export function storageFailureOf(error: unknown): StorageFailure | undefined {
  return classify(error, 0)
}

/** How long a write that failed for want of storage keeps /health at 503, unless a write succeeds first. */
export const REMEMBER_WRITE_FAILURE_MS = 60_000

/**
 * Remembers the last write that failed for want of storage, until a write succeeds or a minute
 * passes. /health reads it: a probe that wrote on every call would cost a commit (and an fsync)
 * each time a load balancer asks, and could not tell a full disk from a passing hiccup any better.
 */
export class StorageMonitor {
  readonly #now: () => number
  readonly #rememberMs: number
  #failedAt: number | undefined

  constructor(options: { now?: () => number; rememberMs?: number } = {}) {
    this.#now = options.now ?? Date.now
    this.#rememberMs = options.rememberMs ?? REMEMBER_WRITE_FAILURE_MS
  }

  /** A statement failed: remembered when it failed for want of storage. */
  failed(error: unknown): void {
    if (storageFailureOf(error) === 'cannot-write') this.#failedAt = this.#now()
  }

  /** A change was committed: storage works again. */
  wrote(): void {
    this.#failedAt = undefined
  }

  /** When the last write failed for want of storage, if that is recent and no write has succeeded since. */
  writesFailingSince(): Date | undefined {
    if (this.#failedAt === undefined) return undefined
    if (this.#now() - this.#failedAt >= this.#rememberMs) {
      this.#failedAt = undefined
      return undefined
    }
    return new Date(this.#failedAt)
  }
}

const monitors = new WeakMap<Kysely<any>, StorageMonitor>()

export function watchStorage(db: Kysely<any>, monitor: StorageMonitor): void {
  monitors.set(db, monitor)
}

/** The monitor of a database opened by openDatabase. */
export function storageMonitorOf(db: Kysely<any>): StorageMonitor | undefined {
  return monitors.get(db)
}

/** True for a statement that, once it succeeds outside a transaction, has stored a change. */
export function storesChange(sqlText: string): boolean {
  return /^\s*(insert|update|delete|replace|commit|end)\b/i.test(sqlText)
}

/** The reason an operating-system error gives, in words. */
function fileSystemReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code
  switch (code) {
    case 'EROFS':
      return 'the file system is read-only (EROFS)'
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)'
    case 'EDQUOT':
      return 'the disk quota is used up (EDQUOT)'
    case 'ENOTDIR':
      return 'part of the path is a file, not a folder (ENOTDIR)'
    case 'EIO':
      return 'the disk reported an input/output error (EIO)'
    default:
      if (typeof code !== 'string') return undefined
      // A network error's message names the address (`connect ECONNREFUSED 10.0.0.5:5432`).
      return error instanceof Error && error.message ? error.message : code
  }
}

/** Why a file-system or SQLite error happened, in words for one line. */
export function reasonOf(error: unknown): string {
  const fs = fileSystemReason(error)
  if (fs) return fs
  const { errcode, errstr } = (error ?? {}) as { errcode?: unknown; errstr?: unknown }
  if (typeof errcode === 'number') {
    const primary = errcode & 0xff
    if (primary === SQLITE_FULL) return 'the disk is full (SQLITE_FULL)'
    if (primary === SQLITE_READONLY) return 'it is read-only (SQLITE_READONLY)'
    if (primary === SQLITE_IOERR) return 'the disk reported an input/output error (SQLITE_IOERR)'
    if (primary === SQLITE_CANTOPEN) return 'the file cannot be opened (SQLITE_CANTOPEN)'
    if (typeof errstr === 'string') return errstr
  }
  return error instanceof Error ? error.message : String(error)
}
