// Periodic jobs that are safe with several Kith processes sharing one database.
//
// Each process ticks every few seconds. A job that is due is claimed by one conditional UPDATE
// of its row in scheduled_jobs (a lease with an expiry), so across every process at most one
// runs it per interval. While it runs, the owner renews the lease; a process that crashes stops
// renewing, its lease lapses, and another process takes the job over. Each run's outcome and
// any error are recorded on the row; a failure is retried sooner than the interval, backing off.

import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Db } from '../db/schema.ts'
import { claimJob, ensureJob, finishJob, getJobState, renewLease } from './store.ts'

export interface Job {
  /** Unique across Kith: the capability, a dot, then what it does (`access.remove-expired-sessions`). */
  name: string
  /** How often it runs, in milliseconds. */
  every: number
  /** The work. `now` is the scheduler's clock; the job should use it rather than read the time. */
  run(db: Db, now: Date): Promise<unknown>
  /** How long a claim holds without renewal (default 45 seconds; renewed every third of it while the job runs): a run interrupted by a crash is taken over once it lapses. */
  leaseMs?: number
  /** The first retry after a failure comes this long after the failed start (default a minute, at most `every`); each further failure doubles it, up to `every`. */
  retryAfterMs?: number
}

export interface SchedulerLog {
  info(details: object, message: string): void
  error(details: object, message: string): void
}

export interface SchedulerOptions {
  /** The clock; tests pass their own. */
  now?: () => Date
  /** How often this process looks for due jobs (default five seconds). */
  tickMs?: number
  /** Names this process in leases; unique by default. */
  owner?: string
  log?: SchedulerLog
}

export type RunReport =
  | { job: string; outcome: 'succeeded' }
  | { job: string; outcome: 'failed'; error: string }
  /** The run finished after another process had taken the job over. */
  | { job: string; outcome: 'lost-lease' }

// Short, because a lease is all that keeps other processes off a job whose process has died:
// with a tick of five seconds, an interrupted job is taken over within 50 seconds. The owner
// renews it every 15 seconds while the job runs, so a long job keeps it; a renewal may wait up
// to SQLite's busy timeout (10 seconds) and still land in time.
export const DEFAULT_LEASE_MS = 45_000
export const DEFAULT_RETRY_MS = 60_000
const ERROR_LENGTH = 1000
const JOB_NAME = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/

/** Checks a job's definition; throws on a programming error, before anything runs. */
export function checkJob(job: Job): void {
  if (!JOB_NAME.test(job.name)) {
    throw new Error(`Job name "${job.name}" must be lower-case words joined by dots or hyphens`)
  }
  if (!Number.isInteger(job.every) || job.every < 1000) {
    throw new Error(`Job "${job.name}" must run at most once a second (every >= 1000 ms)`)
  }
  if (job.leaseMs !== undefined && (!Number.isInteger(job.leaseMs) || job.leaseMs < 1000)) {
    throw new Error(`Job "${job.name}" needs a lease of at least 1000 ms`)
  }
}

/** When a job that has now failed `failures` times in a row, started at `startedAt`, is tried again. */
export function retryAt(job: Job, startedAt: Date, failures: number): Date {
  const first = Math.min(job.retryAfterMs ?? DEFAULT_RETRY_MS, job.every)
  const delay = Math.min(first * 2 ** Math.max(0, failures - 1), job.every)
  return new Date(startedAt.getTime() + delay)
}

function message(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error)
  return text.length > ERROR_LENGTH ? `${text.slice(0, ERROR_LENGTH - 1)}…` : text
}

export class Scheduler {
  readonly owner: string
  readonly #db: Db
  readonly #jobs: Job[]
  readonly #now: () => Date
  readonly #tickMs: number
  readonly #log: SchedulerLog | undefined
  readonly #ensured = new Set<string>()
  readonly #running = new Map<string, Promise<RunReport | undefined>>()
  #timer: NodeJS.Timeout | undefined

  constructor(db: Db, jobs: readonly Job[], options: SchedulerOptions = {}) {
    const names = new Set<string>()
    for (const job of jobs) {
      checkJob(job)
      if (names.has(job.name)) throw new Error(`Two jobs are named "${job.name}"`)
      names.add(job.name)
    }
    this.#db = db
    this.#jobs = [...jobs]
    this.#now = options.now ?? (() => new Date())
    this.#tickMs = options.tickMs ?? 5000
    this.#log = options.log
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
  }

  get jobs(): readonly Job[] {
    return this.#jobs
  }

  /**
   * Runs every job that is due and that this process can claim, and waits for them. Jobs this
   * process is already running are left to finish. Returns what ran.
   */
  async tick(): Promise<RunReport[]> {
    const started: Promise<RunReport | undefined>[] = []
    for (const job of this.#jobs) {
      if (this.#running.has(job.name)) continue
      const run = this.#runIfDue(job).finally(() => this.#running.delete(job.name))
      this.#running.set(job.name, run)
      started.push(run)
    }
    const reports = await Promise.all(started)
    return reports.filter((report): report is RunReport => report !== undefined)
  }

  /** Ticks every `tickMs` until stopped. */
  start(): this {
    if (this.#timer) return this
    const tick = () => {
      this.tick().catch((error: unknown) => {
        this.#log?.error({ error: (error as Error)?.name }, 'scheduler tick failed')
      })
    }
    this.#timer = setInterval(tick, this.#tickMs)
    this.#timer.unref()
    tick()
    return this
  }

  /** Stops ticking and waits for the jobs this process is running to finish. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
    await Promise.allSettled([...this.#running.values()])
  }

  async #runIfDue(job: Job): Promise<RunReport | undefined> {
    const leaseMs = job.leaseMs ?? DEFAULT_LEASE_MS
    const startedAt = this.#now()
    if (!this.#ensured.has(job.name)) {
      await ensureJob(this.#db, job.name, job.every, startedAt)
      this.#ensured.add(job.name)
    }
    if (!(await claimJob(this.#db, job.name, this.owner, startedAt, leaseMs))) return undefined

    // Renew the lease while the job runs, so only a process that has stopped loses it.
    const renewal = setInterval(
      () => {
        renewLease(this.#db, job.name, this.owner, this.#now(), leaseMs).catch(() => {})
      },
      Math.max(250, Math.floor(leaseMs / 3)),
    )
    renewal.unref()
    let failure: unknown
    let failed = false
    try {
      await job.run(this.#db, startedAt)
    } catch (error) {
      failed = true
      failure = error
    } finally {
      clearInterval(renewal)
    }

    const finishedAt = this.#now()
    let kept: boolean
    let report: RunReport
    if (failed) {
      const failures = ((await getJobState(this.#db, job.name))?.consecutive_failures ?? 0) + 1
      const error = message(failure)
      kept = await finishJob(this.#db, job.name, this.owner, finishedAt, {
        outcome: 'failed',
        nextRunAt: retryAt(job, startedAt, failures),
        error,
      })
      report = { job: job.name, outcome: 'failed', error }
      // The error's text stays in the database for administrators: it may quote data.
      this.#log?.error({ job: job.name, failures, error: (failure as Error)?.name }, 'scheduled job failed')
    } else {
      kept = await finishJob(this.#db, job.name, this.owner, finishedAt, {
        outcome: 'succeeded',
        nextRunAt: new Date(startedAt.getTime() + job.every),
      })
      report = { job: job.name, outcome: 'succeeded' }
      this.#log?.info(
        { job: job.name, ms: finishedAt.getTime() - startedAt.getTime() },
        'scheduled job succeeded',
      )
    }
    if (!kept) {
      this.#log?.error({ job: job.name }, 'scheduled job outlived its lease')
      return { job: job.name, outcome: 'lost-lease' }
    }
    return report
  }
}

/** A scheduler for `jobs`, ticking until stopped. */
export function startScheduler(db: Db, jobs: readonly Job[], options: SchedulerOptions = {}): Scheduler {
  return new Scheduler(db, jobs, options).start()
}
