// Group commit: writes that arrive together share one database commit. A commit that must reach
// the disk (SQLite with synchronous=FULL, PostgreSQL with fsync) costs milliseconds whatever it
// holds, so one commit per referral caps a busy server at a few hundred referrals a second; one
// commit per batch does not. Each write still stands alone: one that fails leaves nothing behind,
// and no caller is answered before the commit that holds its write has succeeded (decisions 0301
// and 0304).
//
// On SQLite the writes of a batch run in turn, each in its own savepoint. On PostgreSQL, where
// every statement is a round trip to another process, they run together and their rows are
// written together (db/batched-writes.ts); a batch that cannot stand as one runs again in turn.
// A write refused in turn only because another process's transaction got there first (took its
// unique key, or deadlocked with it) runs once more on its own after the batch, and sees that
// other's rows: as if the two had run one after the other.

import { sql } from 'kysely'
import { runTogether } from '../db/batched-writes.ts'
import { dialectOf } from '../db/database.ts'
import type { Db, Queryable } from '../db/schema.ts'
import { inTransactionRetryingClash, isClash } from '../db/transactions.ts'

interface Pending<T> {
  work: (trx: Queryable) => Promise<T>
  resolve: (value: T) => void
  reject: (error: unknown) => void
}

export class GroupCommit {
  readonly #db: Db
  readonly #maxBatch: number
  readonly #gatherMs: number
  readonly #together: boolean
  readonly #batchesAtOnce: number
  #queue: Pending<unknown>[] = []
  #running = 0
  #gathering = false
  /** Commits made, writes they held, and batches run again in turn, for the benchmark. */
  readonly counts = { commits: 0, writes: 0, rerun: 0 }

  /**
   * `gatherMs`: how long a batch waits for others to join before it starts. A commit to disk
   * takes milliseconds, so waiting a little gathers writes that would otherwise each pay for one.
   * `batchesAtOnce`: on PostgreSQL, how many batches may be in flight, each on its own connection
   * (SQLite has one writer, so one).
   */
  constructor(db: Db, options: { maxBatch?: number; gatherMs?: number; batchesAtOnce?: number } = {}) {
    this.#db = db
    this.#maxBatch = options.maxBatch ?? 64
    this.#gatherMs = options.gatherMs ?? 2
    this.#together = dialectOf(db) === 'postgres'
    this.#batchesAtOnce = this.#together ? (options.batchesAtOnce ?? 4) : 1
  }

  /** Runs `work` in a transaction shared with others queued at the same time; resolves once committed. */
  run<T>(work: (trx: Queryable) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve, reject } as Pending<unknown>)
      this.#schedule()
    })
  }

  #schedule(): void {
    if (this.#gathering || this.#queue.length === 0 || this.#running >= this.#batchesAtOnce) return
    this.#gathering = true
    // A full batch need not wait for more.
    const wait = this.#queue.length >= this.#maxBatch ? 0 : this.#gatherMs
    setTimeout(() => {
      this.#gathering = false
      const batch = this.#queue.splice(0, this.#maxBatch)
      this.#running++
      void this.#runBatch(batch).finally(() => {
        this.#running--
        this.#schedule()
      })
      this.#schedule()
    }, wait)
  }

  async #runBatch(batch: Pending<unknown>[]): Promise<void> {
    if (batch.length === 0) return
    if (this.#together) {
      let settled: PromiseSettledResult<unknown>[] | undefined
      try {
        settled = await runTogether(
          this.#db,
          batch.map((item) => item.work),
        )
      } catch (error) {
        for (const item of batch) item.reject(error)
        return
      }
      if (settled) {
        this.#counted(batch.length)
        for (const [index, item] of batch.entries()) {
          const outcome = settled[index]
          if (outcome?.status === 'fulfilled') item.resolve(outcome.value)
          else item.reject(outcome?.reason)
        }
        return
      }
      this.counts.rerun++
    }
    await this.#runInTurn(batch)
  }

  #counted(writes: number): void {
    this.counts.commits++
    this.counts.writes += writes
  }

  /** One transaction; each write in its own savepoint, one after another. */
  async #runInTurn(batch: Pending<unknown>[]): Promise<void> {
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
      this.#counted(batch.length)
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined)
      for (const item of batch) item.reject(error)
      return
    }
    const again: Pending<unknown>[] = []
    for (const [index, item] of batch.entries()) {
      const outcome = outcomes[index]
      if (outcome?.ok) item.resolve(outcome.value)
      else if (isClash(outcome?.error)) again.push(item)
      else item.reject(outcome?.error)
    }
    for (const item of again)
      await inTransactionRetryingClash(this.#db, item.work).then(item.resolve, item.reject)
  }
}
