// The scheduler's part of the app: the housekeeping jobs, and the administrators' page that
// shows every job's last run, outcome and error.

import type { FastifyInstance } from 'fastify'
import { rolesAccess } from '../access/permissions.ts'
import type { AppContext } from '../web/context.ts'
import { housekeepingJobs } from './housekeeping.ts'
import { listJobStates } from './store.ts'

const ADMIN = rolesAccess('administrator')

/** `15 minutes`, `1 hour`, `30 seconds`. */
export function formatInterval(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ]
  for (const [size, unit] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size
      return `${n} ${unit}${n === 1 ? '' : 's'}`
    }
  }
  return `${ms} milliseconds`
}

export function schedulerRoutes(app: FastifyInstance, context: AppContext) {
  const { db, config } = context
  for (const job of housekeepingJobs(config)) context.jobs.add(job)

  context.homeCards.push({
    roles: ['administrator'],
    heading: 'Scheduled jobs',
    description: 'See when each background job last ran, whether it worked, and when it runs next.',
    href: '/admin/jobs',
    order: 5,
  })

  app.get('/admin/jobs', { config: { access: ADMIN } }, async (_request, reply) => {
    const now = context.now().toISOString()
    const states = new Map((await listJobStates(db)).map((state) => [state.name, state]))
    const names = [...new Set([...context.jobs.list().map((job) => job.name), ...states.keys()])].sort()
    const jobs = names.map((name) => {
      const state = states.get(name)
      const registered = context.jobs.list().find((job) => job.name === name)
      return {
        name,
        every: formatInterval(registered?.every ?? state?.interval_ms ?? 0),
        running: !!state?.lease_expires_at && state.lease_expires_at > now,
        lastStartedAt: state?.last_started_at ?? null,
        lastOutcome: state?.last_outcome ?? null,
        lastError: state?.last_error ?? null,
        failures: state?.consecutive_failures ?? 0,
        nextRunAt: state?.next_run_at ?? null,
      }
    })
    return reply.view('scheduler/views/jobs.njk', {
      pageTitle: 'Scheduled jobs',
      jobs,
      schedulerHere: config.scheduler,
    })
  })
}
