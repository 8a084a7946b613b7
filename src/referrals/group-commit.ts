// Group commit (on SQLite): writes that arrive together share one database commit, each in its
// own savepoint. A commit that must reach the disk (SQLite with synchronous=FULL, PostgreSQL with
// fsync) costs milliseconds whatever it holds, so one commit per referral caps a busy server at a
// few hundred referrals a second; one commit per batch does not. Each write still stands alone:
// one that fails rolls back to its savepoint and leaves nothing behind, and no caller is answered
// before the commit that holds its write has succeeded (docs/decisions/0301).

import { sql } from 'kysely'
import { dialectOf } from '../db/database.ts'
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
  /** Commits made and writes they held, for the benchmark. */
  readonly counts = { commits: 0, writes: 0 }
  #running = false

  readonly #gatherMs: number

  /**
   * `gatherMs`: how long a batch waits for others to join before it starts. A commit to disk
   * takes milliseconds, so waiting a little gathers writes that would otherwise each pay for one.
   */
  constructor(db: Db, options: { maxBatch?: number; gatherMs?: number } = {}) {
    this.#db = db
    this.#maxBatch = options.maxBatch ?? 64
    this.#gatherMs = options.gatherMs ?? 2
    this.#shared = dialectOf(db) === 'sqlite'
  }

  readonly #shared: boolean

  /** Runs `work` in a transaction shared with others queued at the same time; resolves once committed. */
  run<T>(work: (trx: Queryable) => Promise<T>): Promise<T> {
    // PostgreSQL runs transactions side by side on its pool and flushes their commits together
    // itself; one shared transaction would only queue them on one connection.
    if (this.#shared === false) return this.#db.transaction().execute(work)
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve, reject } as Pending<unknown>)
      if (!this.#running) {
        this.#running = true
        setTimeout(() => void this.#drain(), this.#gatherMs)
      }
    })
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch)
        await this.#runBatch(batch)
        if (this.#queue.length < this.#maxBatch)
          await new Promise((resolve) => setTimeout(resolve, this.#gatherMs))
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
      this.counts.commits++
      this.counts.writes += batch.length
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
