// Transactions as capabilities use them: join the caller's, or start one.

import { sql } from 'kysely'
import { dialectOf } from './database.ts'
import type { Queryable, Tables } from './schema.ts'

/** Runs `work` in the caller's transaction when `db` is one, otherwise in a new transaction. */
export function inTransaction<T>(db: Queryable, work: (trx: Queryable) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work)
}

/** True when the database refused a row because another holds the same unique key. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const { code, errcode } = error as { code?: unknown; errcode?: unknown }
  // PostgreSQL's SQLSTATE; SQLite's extended result code SQLITE_CONSTRAINT_UNIQUE.
  return code === '23505' || errcode === 2067 || /UNIQUE constraint failed/.test(error.message)
}

/**
 * True when the database refused a transaction only because of a concurrent one: a unique key it
 * took first, or (PostgreSQL) a deadlock between the two or a serialization failure. Run again,
 * the transaction sees what the other did.
 */
export function isClash(error: unknown): boolean {
  if (isUniqueViolation(error)) return true
  const code = (error as { code?: unknown } | null)?.code
  return code === '40P01' || code === '40001'
}

/**
 * Like `inTransaction`, but when a concurrent transaction took a unique key this one wanted in the
 * meantime (or the two deadlocked), runs `work` again (twice at most), so that it sees the row
 * that got there first. As if the two had run one after the other. Inside the caller's
 * transaction there is no second try.
 */
export async function inTransactionRetryingClash<T>(
  db: Queryable,
  work: (trx: Queryable) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return work(db)
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work)
    } catch (error) {
      if (attempt >= 3 || !isClash(error)) throw error
    }
  }
}

/**
 * Holds row `id` of `table` until the transaction ends, so that concurrent transactions changing
 * what hangs off that row take turns (PostgreSQL; SQLite writes one transaction at a time anyway).
 * Rows that refer to it can still be written meanwhile.
 */
export async function lockRow(trx: Queryable, table: keyof Tables & string, id: string): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return
  await sql`select 1 from ${sql.table(table)} where id = ${id} for no key update`.execute(trx)
}
