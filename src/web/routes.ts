// Pages that belong to no capability: health, the accessibility statement and the privacy notice.

import type { FastifyInstance } from 'fastify'
import { PUBLIC } from '../access/permissions.ts'
import { isReachable } from '../db/database.ts'
import { storageMonitorOf } from '../db/failures.ts'
import type { AppContext } from './context.ts'

export function webRoutes(app: FastifyInstance, context: AppContext) {
  // For a load balancer: 503 while the database cannot be reached, or while writes are failing for
  // want of storage (a full disk, a read-only file system: see db/failures.ts, which remembers
  // such a failure for a minute unless a write succeeds first); 200 otherwise.
  app.get('/health', { config: { access: PUBLIC }, logLevel: 'warn' }, async (_request, reply) => {
    const reachable = await isReachable(context.db)
    const writesFailing = reachable && storageMonitorOf(context.db)?.writesFailingSince() !== undefined
    const ok = reachable && !writesFailing
    return reply
      .status(ok ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({
        status: ok ? 'ok' : 'unavailable',
        database: reachable ? 'reachable' : 'unreachable',
        ...(reachable ? { writes: writesFailing ? 'failing' : 'ok' } : {}),
      })
  })

  app.get('/accessibility', { config: { access: PUBLIC } }, async (_request, reply) => {
    return reply.view('web/views/accessibility.njk', { pageTitle: 'Accessibility statement' })
  })

  app.get('/privacy', { config: { access: PUBLIC } }, async (_request, reply) => {
    return reply.view('web/views/privacy.njk', { pageTitle: 'Privacy' })
  })
}
