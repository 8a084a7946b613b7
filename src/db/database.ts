// Opens the database the configuration names: an SQLite file by default, PostgreSQL when
// DATABASE_URL says so. The rest of Kith sees one Kysely instance either way.

import { join } from 'node:path'
import { Kysely, PostgresAdapter, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { Db } from './schema.ts'
import { sqliteDialect } from './sqlite.ts'

export type DialectName = 'sqlite' | 'postgres'

export interface DatabaseTarget {
  /** `postgres://…` for PostgreSQL; otherwise the SQLite file at `sqliteFile`. */
  databaseUrl?: string | undefined
  sqliteFile: string
  poolSize?: number
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

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url)
}

export function openDatabase(target: DatabaseTarget): Db {
  if (isPostgresUrl(target.databaseUrl)) {
    const pool = new pg.Pool({
      connectionString: target.databaseUrl,
      max: target.poolSize ?? 10,
      types: pgTypes,
    })
    // An idle client that loses its connection must not take the process down.
    pool.on('error', () => {})
    return new Kysely({ dialect: new PostgresDialect({ pool }) })
  }
  return new Kysely({ dialect: sqliteDialect(target.sqliteFile) })
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
