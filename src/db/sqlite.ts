// Kysely over Node's built-in SQLite (`node:sqlite`).
//
// Kysely's SqliteDialect expects a better-sqlite3-shaped database. This adapter gives it one:
// statements report `reader` from `columns().length`, take their parameters spread, and are
// cached by SQL text so a hot query is prepared once. Transactions start with BEGIN IMMEDIATE so
// a writer takes SQLite's write lock at once (waiting up to the busy timeout) instead of failing
// when a read transaction tries to upgrade while another process writes.

import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import { SqliteAdapter, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely'

const BUSY_TIMEOUT_MS = 10_000
const STATEMENT_CACHE_SIZE = 500

export function openSqliteFile(file: string): DatabaseSync {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const database = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: BUSY_TIMEOUT_MS })
  database.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    PRAGMA foreign_keys = ON;
    PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};
  `)
  return database
}

function toSqliteValue(value: unknown): SQLInputValue {
  if (value === undefined || value === null) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof Date) return value.toISOString()
  return value as SQLInputValue
}

interface Prepared {
  statement: StatementSync
  /** Whether it returns rows: asked of SQLite once, when prepared. */
  reader: boolean
}

class NodeSqliteDatabase implements SqliteDatabase {
  readonly #database: DatabaseSync
  readonly #statements = new Map<string, Prepared>()

  constructor(database: DatabaseSync) {
    this.#database = database
  }

  #prepared(sql: string): Prepared {
    let prepared = this.#statements.get(sql)
    if (prepared) {
      // Refresh its place so the least recently used statement is evicted first.
      this.#statements.delete(sql)
    } else {
      const statement = this.#database.prepare(/^begin$/i.test(sql.trim()) ? 'begin immediate' : sql)
      prepared = { statement, reader: statement.columns().length > 0 }
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next().value
        if (oldest !== undefined) this.#statements.delete(oldest)
      }
    }
    this.#statements.set(sql, prepared)
    return prepared
  }

  prepare(sql: string): SqliteStatement {
    const { statement, reader } = this.#prepared(sql)
    return {
      reader,
      all: (parameters) => statement.all(...parameters.map(toSqliteValue)),
      run: (parameters) => {
        const result = statement.run(...parameters.map(toSqliteValue))
        return { changes: result.changes, lastInsertRowid: result.lastInsertRowid }
      },
      iterate: (parameters) => statement.iterate(...parameters.map(toSqliteValue)),
    }
  }

  close(): void {
    this.#statements.clear()
    if (this.#database.isOpen) this.#database.close()
  }
}

// SQLite runs DDL inside transactions; saying so lets the migrator run each set of migrations
// in one transaction (which, with BEGIN IMMEDIATE, is also the lock between processes).
class KithSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}

class KithSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new KithSqliteAdapter()
  }
}

export function sqliteDialect(file: string): SqliteDialect {
  return new KithSqliteDialect({ database: new NodeSqliteDatabase(openSqliteFile(file)) })
}
