// Opens the database the configuration names: an SQLite file by default, PostgreSQL when
// DATABASE_URL says so. The rest of Kith sees one Kysely instance either way.

import { join } from 'node:path'
import {
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  sql,
} from 'kysely'
import pg from 'pg'
import { DatabaseUnavailable, StorageMonitor, storesChange, watchStorage } from './failures.ts'
import type { Db } from './schema.ts'
import { sqliteDialect } from './sqlite.ts'

export type DialectName = 'sqlite' | 'postgres'

export interface DatabaseTarget {
  /** `postgres://…` for PostgreSQL; otherwise the SQLite file at `sqliteFile`. */
  databaseUrl?: string | undefined
  sqliteFile: string
  poolSize?: number
  /** How long an SQLite write waits for another process's write lock (10 s); tests shorten it. */
  busyTimeoutMs?: number
}

export function sqliteFileIn(dataDir: string): string {
  return join(dataDir, 'kith.sqlite')
}

// pg returns int8 (count(*), sums) and numeric as strings; Kith's values fit in a double.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) {
      return (value: string) => (value === null ? null : Number(value))
    }
    return pg.types.getTypeParser(oid, format)
  },
} as pg.CustomTypesConfig

// PostgreSQL parses and plans a named statement once per connection instead of on every run, which
// is most of what a short statement costs it. Kith's statements come from a fixed set of queries,
// so each text gets a name the first time it is seen, up to a limit. Not named: anything but
// reads and writes of rows; statements with many parameters (rows written together, long lists),
// whose texts vary with their length; and any with `*`, whose result columns a migration run by
// another process could change under a prepared plan.
const MAX_NAMED_STATEMENTS = 500
const MAX_NAMED_PARAMETERS = 64

export class StatementNames {
  readonly #names = new Map<string, string>()

  of(text: string, parameters: number): string | undefined {
    const name = this.#names.get(text)
    if (name !== undefined || this.#names.size >= MAX_NAMED_STATEMENTS) return name
    if (parameters > MAX_NAMED_PARAMETERS || text.includes('*')) return undefined
    if (!/^\s*(select|insert|update|delete|with)\b/i.test(text)) return undefined
    const named = `kith_${this.#names.size}`
    this.#names.set(text, named)
    return named
  }
}

/**
 * `pool`, giving Kysely clients that run its statements as named (prepared) statements. A pool
 * that cannot make a connection says `DatabaseUnavailable`; `monitor` hears of every statement
 * that stored a change and of every one that failed.
 */
function namingStatements(pool: pg.Pool, monitor: StorageMonitor): PostgresPool {
  const names = new StatementNames()
  return {
    options: pool.options,
    Client: pg.Client,
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient
      try {
        client = await pool.connect()
      } catch (error) {
        throw new DatabaseUnavailable(error)
      }
      let inTransaction = false
      const run = (text: string, parameters?: unknown[]) => {
        const name = names.of(text, parameters?.length ?? 0)
        return name ? client.query({ name, text, values: parameters ?? [] }) : client.query(text, parameters)
      }
      const query = (text: unknown, parameters?: unknown[]) => {
        if (typeof text !== 'string') return client.query(text as pg.Submittable)
        const ends = /^\s*(commit|rollback)\b/i.test(text)
        return run(text, parameters).then(
          (result) => {
            if (/^\s*(begin|start transaction)\b/i.test(text)) inTransaction = true
            else if (ends) inTransaction = false
            if (!inTransaction && storesChange(text)) monitor.wrote()
            return result
          },
          (error: unknown) => {
            if (ends) inTransaction = false
            monitor.failed(error)
            throw error
          },
        )
      }
      return {
        query: query as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
        get processID() {
          return (client as unknown as { processID?: number }).processID
        },
      }
    },
    end: () => pool.end(),
  }
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url)
}

export function openDatabase(target: DatabaseTarget): Db {
  const monitor = new StorageMonitor()
  let db: Db
  if (isPostgresUrl(target.databaseUrl)) {
    const pool = new pg.Pool({
      connectionString: target.databaseUrl,
      max: target.poolSize ?? 10,
      types: pgTypes,
      // A server that does not answer (a network cut rather than a refusal) fails a request
      // after this long instead of holding it indefinitely.
      connectionTimeoutMillis: 10_000,
    })
    // A connection that is cut (PostgreSQL restarting, or its backends terminated) makes its
    // client emit 'error'. pg's pool listens only while the client is idle in the pool; a client
    // checked out, in a transaction or running a statement, would take the process down with an
    // unhandled 'error' event. The statement in flight fails on its own; the pool drops the
    // client when it is released, and makes new connections when the server is back.
    pool.on('connect', (client) => {
      client.on('error', () => {})
    })
    pool.on('error', () => {})
    db = new Kysely({ dialect: new PostgresDialect({ pool: namingStatements(pool, monitor) }) })
  } else {
    db = new Kysely({ dialect: sqliteDialect(target.sqliteFile, monitor, target.busyTimeoutMs) })
  }
  watchStorage(db, monitor)
  return db
}

export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite'
}

/** True when the database answers a trivial query. */
export async function isReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db)
    return true
  } catch {
    return false
  }
}
