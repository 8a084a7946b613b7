// Programmes' JSON API: a manager adds a programme and retires one, as the pages do.

import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { audit } from '../access/audit.ts'
import { organisationsWhere } from '../access/users.ts'
import type { AppContext } from '../web/context.ts'
import { parseOrThrow } from '../web/forms.ts'
import { badRequest, Problem } from '../web/problem.ts'
import { nameSchema } from './config.ts'
import { MANAGE, nameChecked, programmeFor, refuseTakenName } from './route-kit.ts'
import { createProgramme, getProgramme, retireProgramme } from './store.ts'

export function programmeApiRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

  const programmeRequest = z.object({ name: nameSchema, ownerOrganisationId: z.string() })
  const programmeResponse = z.object({
    id: z.string(),
    name: z.string(),
    ownerOrganisationId: z.string(),
    retiredAt: z.string().nullable(),
  })
  context.api.add({
    method: 'post',
    path: '/api/v1/programmes',
    summary:
      'Adds a programme run by one of the manager’s organisations: 201; 409 naming `name` when a running programme already has it',
    tags: ['Programmes'],
    requestBody: programmeRequest,
    response: programmeResponse,
  })
  app.post('/api/v1/programmes', { config: { access: MANAGE } }, async (request, reply) => {
    const input = parseOrThrow(programmeRequest, request.body ?? {})
    if (!organisationsWhere(request.user!, 'programme_manager').includes(input.ownerOrganisationId))
      throw badRequest('You manage programmes of other organisations only.', [
        { field: 'ownerOrganisationId', message: 'Choose an organisation where you are a programme manager' },
      ])
    const created = await nameChecked(db, async (trx) => {
      await refuseTakenName(trx, input.name)
      const id = await createProgramme(trx, input)
      await audit(trx, request.actor, { action: 'programme.create', recordType: 'programme', recordId: id })
      return id
    })
    if (typeof created !== 'string')
      throw new Problem(409, 'Conflict', { detail: created.problems[0]?.message, errors: created.problems })
    reply.status(201)
    return { id: created, name: input.name, ownerOrganisationId: input.ownerOrganisationId, retiredAt: null }
  })

  context.api.add({
    method: 'post',
    path: '/api/v1/programmes/{id}/retire',
    summary: 'Retires a programme: it takes no new referrals; its referrals and cases are kept',
    tags: ['Programmes'],
    parameters: [{ name: 'id', in: 'path', description: 'The programme id' }],
    response: programmeResponse,
  })
  app.post('/api/v1/programmes/:id/retire', { config: { access: MANAGE } }, async (request) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const at = context.now().toISOString()
    await db.transaction().execute(async (trx) => {
      if (await retireProgramme(trx, programme.id, at))
        await audit(trx, request.actor, {
          action: 'programme.retire',
          recordType: 'programme',
          recordId: programme.id,
        })
    })
    const after = await getProgramme(db, programme.id)
    return {
      id: programme.id,
      name: programme.name,
      ownerOrganisationId: programme.ownerOrganisationId,
      retiredAt: after?.retiredAt ?? at,
    }
  })
}
