// Group commit: writes that arrive together share one database commit, each in its own
// savepoint. A commit that must reach the disk (SQLite with synchronous=FULL, PostgreSQL with
// fsync) costs milliseconds whatever it holds, so one commit per referral caps a busy server at a
// few hundred referrals a second; one commit per batch does not. Each write still stands alone:
// one that fails rolls back to its savepoint and leaves nothing behind, and no caller is answered
// before the commit that holds its write has succeeded (docs/decisions/0301).

import { sql } from 'kysely'
import type { Db, Queryable } from '../db/schema.ts'

interface Pending<T> {
  work: (trx: Queryable) => Promise<T>
  resolve: (value: T) => void
  reject: (error: unknown) => void
}

export class GroupCommit {
  readonly #db: Db
  readonly #maxBatch: number
  #queue: Pending<unknown>[] = []
  #running = false

  constructor(db: Db, options: { maxBatch?: number } = {}) {
    this.#db = db
    this.#maxBatch = options.maxBatch ?? 64
  }

  /** Runs `work` in a transaction shared with others queued at the same time; resolves once committed. */
  run<T>(work: (trx: Queryable) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve, reject } as Pending<unknown>)
      if (!this.#running) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#running = true
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch)
        await this.#runBatch(batch)
      }
    } finally {
      this.#running = false
    }
  }

  async #runBatch(batch: Pending<unknown>[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
    let trx: Awaited<ReturnType<ReturnType<Db['startTransaction']>['execute']>>
    try {
      trx = await this.#db.startTransaction().execute()
    } catch (error) {
      for (const item of batch) item.reject(error)
      return
    }
    try {
      for (const [index, item] of batch.entries()) {
        const name = sql.raw(`kith_write_${index}`)
        await sql`savepoint ${name}`.execute(trx)
        try {
          const value = await item.work(trx)
          await sql`release savepoint ${name}`.execute(trx)
          outcomes.push({ ok: true, value })
        } catch (error) {
          await sql`rollback to savepoint ${name}`.execute(trx)
          await sql`release savepoint ${name}`.execute(trx)
          outcomes.push({ ok: false, error })
        }
      }
      await trx.commit().execute()
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined)
      for (const item of batch) item.reject(error)
      return
    }
    for (const [index, item] of batch.entries()) {
      const outcome = outcomes[index]
      if (outcome?.ok) item.resolve(outcome.value)
      else item.reject(outcome?.error)
    }
  }
}
