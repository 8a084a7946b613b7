// Pages that belong to no capability: health, the accessibility statement and the privacy notice.

import type { FastifyInstance } from 'fastify'
import { PUBLIC } from '../access/permissions.ts'
import { isReachable } from '../db/database.ts'
import type { AppContext } from './context.ts'

export function webRoutes(app: FastifyInstance, context: AppContext) {
  app.get('/health', { config: { access: PUBLIC }, logLevel: 'warn' }, async (_request, reply) => {
    const reachable = await isReachable(context.db)
    return reply
      .status(reachable ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: reachable ? 'ok' : 'unavailable', database: reachable ? 'reachable' : 'unreachable' })
  })

  app.get('/accessibility', { config: { access: PUBLIC } }, async (_request, reply) => {
    return reply.view('web/views/accessibility.njk', { pageTitle: 'Accessibility statement' })
  })

  app.get('/privacy', { config: { access: PUBLIC } }, async (_request, reply) => {
    return reply.view('web/views/privacy.njk', { pageTitle: 'Privacy' })
  })
}
