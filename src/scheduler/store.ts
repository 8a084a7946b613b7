// The scheduled_jobs table: the only place its SQL lives. Every change that decides who runs a
// job is one conditional UPDATE, so it is atomic on SQLite and on PostgreSQL alike.

import type { Queryable } from '../db/schema.ts'
import './tables.ts'

/** Makes the job's row if it has none (due at once); keeps the interval up to date. */
export async function ensureJob(db: Queryable, name: string, intervalMs: number, now: Date): Promise<void> {
  await db
    .insertInto('scheduled_jobs')
    .values({ name, interval_ms: intervalMs, next_run_at: now.toISOString() })
    .onConflict((oc) => oc.column('name').doUpdateSet({ interval_ms: intervalMs }))
    .execute()
}

/**
 * Claims the job for `owner` if it is due and nobody holds an unexpired lease on it. True when
 * this caller won the claim; at most one caller can, however many race.
 */
export async function claimJob(
  db: Queryable,
  name: string,
  owner: string,
  now: Date,
  leaseMs: number,
): Promise<boolean> {
  const at = now.toISOString()
  const result = await db
    .updateTable('scheduled_jobs')
    .set({
      lease_owner: owner,
      lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
      last_started_at: at,
    })
    .where('name', '=', name)
    .where('next_run_at', '<=', at)
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', at)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Extends a lease the owner still holds; false if it has been lost. */
export async function renewLease(
  db: Queryable,
  name: string,
  owner: string,
  now: Date,
  leaseMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('scheduled_jobs')
    .set({ lease_expires_at: new Date(now.getTime() + leaseMs).toISOString() })
    .where('name', '=', name)
    .where('lease_owner', '=', owner)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export type Finish =
  | { outcome: 'succeeded'; nextRunAt: Date }
  | { outcome: 'failed'; nextRunAt: Date; error: string }

/** Records the run and releases the lease; false if the owner had lost the lease meanwhile. */
export async function finishJob(
  db: Queryable,
  name: string,
  owner: string,
  now: Date,
  finish: Finish,
): Promise<boolean> {
  const result = await db
    .updateTable('scheduled_jobs')
    .set((eb) => ({
      lease_owner: null,
      lease_expires_at: null,
      last_finished_at: now.toISOString(),
      last_outcome: finish.outcome,
      last_error: finish.outcome === 'failed' ? finish.error : null,
      next_run_at: finish.nextRunAt.toISOString(),
      run_count: eb('run_count', '+', 1),
      consecutive_failures: finish.outcome === 'failed' ? eb('consecutive_failures', '+', 1) : 0,
    }))
    .where('name', '=', name)
    .where('lease_owner', '=', owner)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function getJobState(db: Queryable, name: string) {
  return db.selectFrom('scheduled_jobs').selectAll().where('name', '=', name).executeTakeFirst()
}

export async function listJobStates(db: Queryable) {
  return db.selectFrom('scheduled_jobs').selectAll().orderBy('name').execute()
}
