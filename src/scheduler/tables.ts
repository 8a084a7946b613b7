import type { Generated } from 'kysely'

export type JobOutcome = 'succeeded' | 'failed'

export interface ScheduledJobTable {
  /** The job's name, such as `access.remove-expired-sessions`. */
  name: string
  interval_ms: number
  /** The job may be claimed from this time on. */
  next_run_at: string
  /** Who holds the job while it runs; the claim lapses at `lease_expires_at`. */
  lease_owner: string | null
  lease_expires_at: string | null
  last_started_at: string | null
  last_finished_at: string | null
  last_outcome: JobOutcome | null
  /** The last failure's message, for administrators; cleared by a success. */
  last_error: string | null
  consecutive_failures: Generated<number>
  run_count: Generated<number>
}

declare module '../db/schema.ts' {
  interface Tables {
    scheduled_jobs: ScheduledJobTable
  }
}
