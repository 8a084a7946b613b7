// Kysely over Node's built-in SQLite (`node:sqlite`).
//
// Kysely's SqliteDialect expects a better-sqlite3-shaped database. This adapter gives it one:
// statements report `reader` from `columns().length`, take their parameters spread, and are
// cached by SQL text so a hot query is prepared once. Transactions start with BEGIN IMMEDIATE so
// a writer takes SQLite's write lock at once (waiting up to the busy timeout) instead of failing
// when a read transaction tries to upgrade while another process writes.
//
// A statement that fails for want of storage (disk full, read-only, input/output error) is told
// to the StorageMonitor, and a committed change clears it (see failures.ts). SQLite may roll a
// transaction back by itself on such an error; the ROLLBACK Kysely then sends is skipped, so
// the error that caused it is the one that reaches the caller.

import { accessSync, constants, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import { SqliteAdapter, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely'
import { reasonOf, StorageMonitor, StorageProblem, storesChange } from './failures.ts'

const BUSY_TIMEOUT_MS = 10_000
const STATEMENT_CACHE_SIZE = 500

export function openSqliteFile(file: string, busyTimeoutMs = BUSY_TIMEOUT_MS): DatabaseSync {
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
    const database = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: busyTimeoutMs })
    database.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      PRAGMA foreign_keys = ON;
      PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)};
      PRAGMA temp_store = MEMORY; -- sorts and temporary tables (the reports') in memory, not files
    `)
    return database
  } catch (error) {
    throw new StorageProblem(`Kith cannot open its database ${file}: ${whyNotUsable(file, error)}.`, error)
  }
}

// SQLite says only "unable to open database file"; the folder usually says why.
function whyNotUsable(file: string, error: unknown): string {
  if (typeof (error as { errcode?: unknown }).errcode === 'number') {
    try {
      accessSync(dirname(file), constants.W_OK)
    } catch (folderError) {
      return `its folder ${dirname(file)} cannot be written: ${reasonOf(folderError)}`
    }
  }
  return reasonOf(error)
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
  readonly #monitor: StorageMonitor
  readonly #statements = new Map<string, Prepared>()

  constructor(database: DatabaseSync, monitor: StorageMonitor) {
    this.#database = database
    this.#monitor = monitor
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

  /** Runs a statement, telling the monitor what it says about storage. */
  #watched<T>(sql: string, work: () => T, runs = true): T {
    try {
      const result = work()
      if (runs && storesChange(sql) && !this.#database.isTransaction) this.#monitor.wrote()
      return result
    } catch (error) {
      this.#monitor.failed(error)
      throw error
    }
  }

  prepare(sql: string): SqliteStatement {
    // SQLite rolls a transaction back by itself after some errors (a full disk, an I/O error);
    // a ROLLBACK then would fail and hide the error that caused it.
    if (/^\s*rollback\s*$/i.test(sql) && !this.#database.isTransaction) {
      return {
        reader: false,
        all: () => [],
        run: () => ({ changes: 0, lastInsertRowid: 0 }),
        iterate: () => [][Symbol.iterator](),
      }
    }
    const { statement, reader } = this.#watched(sql, () => this.#prepared(sql), false)
    return {
      reader,
      all: (parameters) => this.#watched(sql, () => statement.all(...parameters.map(toSqliteValue))),
      run: (parameters) =>
        this.#watched(sql, () => {
          const result = statement.run(...parameters.map(toSqliteValue))
          return { changes: result.changes, lastInsertRowid: result.lastInsertRowid }
        }),
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

export function sqliteDialect(
  file: string,
  monitor = new StorageMonitor(),
  busyTimeoutMs = BUSY_TIMEOUT_MS,
): SqliteDialect {
  return new KithSqliteDialect({
    database: new NodeSqliteDatabase(openSqliteFile(file, busyTimeoutMs), monitor),
  })
}
