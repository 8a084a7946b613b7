// Where capabilities add their periodic jobs: `context.jobs.add({ name, every, run })` in the
// capability's routes function. `kith serve` runs them with a Scheduler when SCHEDULER is on.

import { checkJob, type Job } from './scheduler.ts'

export class JobRegistry {
  readonly #jobs = new Map<string, Job>()

  /** Adds a job; a second job with the same name is a programming error. */
  add(job: Job): void {
    checkJob(job)
    if (this.#jobs.has(job.name)) throw new Error(`A job named "${job.name}" is already registered`)
    this.#jobs.set(job.name, job)
  }

  list(): Job[] {
    return [...this.#jobs.values()]
  }
}

declare module '../web/context.ts' {
  interface AppContext {
    /** The periodic jobs every capability registers. */
    jobs: JobRegistry
  }
}
