// Retiring a programme: it takes no new referrals and leaves referrers' lists; its referrals,
// cases and records are kept and stay readable.

import type { FastifyInstance } from 'fastify'
import { audit } from '../access/audit.ts'
import type { AppContext } from '../web/context.ts'
import { back, MANAGE, programmeFor } from './route-kit.ts'
import { retireProgramme } from './store.ts'

export function retireRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

  app.get('/programmes/:id/retire', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    if (programme.retiredAt) return reply.redirect(`/programmes/${programme.id}`, 303)
    return reply.view('programmes/views/retire.njk', {
      pageTitle: `Retire ${programme.name}`,
      programme,
      back: back(programme),
    })
  })

  app.post('/programmes/:id/retire', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    await db.transaction().execute(async (trx) => {
      if (await retireProgramme(trx, programme.id, context.now().toISOString()))
        await audit(trx, request.actor, {
          action: 'programme.retire',
          recordType: 'programme',
          recordId: programme.id,
        })
    })
    return reply.redirect(`/programmes/${programme.id}?saved=retired`, 303)
  })
}
