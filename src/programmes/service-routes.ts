// The services run for a programme (decision 0106): a direct-to-service programme's choices, or
// a listing that carries the programme's rules. Added by their name in the directory.

import type { FastifyInstance, FastifyReply } from 'fastify'
import { audit } from '../access/audit.ts'
import { isId } from '../db/ids.ts'
import { findServiceByName, getService, servicesRunFor, setServiceProgramme } from '../directory/index.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors } from '../web/forms.ts'
import { type FieldProblem, notFound } from '../web/problem.ts'
import { type Body, back, MANAGE, programmeFor } from './route-kit.ts'
import type { Programme } from './store.ts'

export function serviceRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

  async function renderServices(
    reply: FastifyReply,
    programme: Programme,
    values: Body,
    problems?: FieldProblem[],
  ) {
    const services = await servicesRunFor(db, programme.id)
    return reply.status(problems ? 400 : 200).view('programmes/views/services.njk', {
      pageTitle: 'Services run for the programme',
      programme,
      services,
      values,
      back: back(programme),
      ...(problems ? { errors: formErrors(problems) } : {}),
    })
  }

  app.get('/programmes/:id/services', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    return renderServices(reply, programme, {})
  })

  app.post('/programmes/:id/services', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const body = (request.body ?? {}) as Body
    const name = typeof body.serviceName === 'string' ? body.serviceName.trim() : ''
    const problem = (message: string) =>
      renderServices(reply, programme, body, [{ field: 'serviceName', message }])
    if (!name) return problem('Enter the name of a service in the directory')
    const service = await findServiceByName(db, name)
    if (!service) return problem(`No service in the directory is called ${name}`)
    if (service.programmeId && service.programmeId !== programme.id)
      return problem(`${service.name} is already run for another programme`)
    await db.transaction().execute(async (trx) => {
      await setServiceProgramme(trx, service.id, programme.id)
      await audit(trx, request.actor, {
        action: 'programme.services',
        recordType: 'programme',
        recordId: programme.id,
        detail: { added: service.id },
      })
    })
    return reply.redirect(`/programmes/${programme.id}?saved=services`, 303)
  })

  app.post(
    '/programmes/:id/services/:serviceId/remove',
    { config: { access: MANAGE } },
    async (request, reply) => {
      const { programme } = await programmeFor(db, request, 'manage')
      const { serviceId } = request.params as { serviceId: string }
      const service = isId(serviceId) ? await getService(db, serviceId) : undefined
      if (service?.programmeId !== programme.id) throw notFound()
      await db.transaction().execute(async (trx) => {
        await setServiceProgramme(trx, service.id, null)
        await audit(trx, request.actor, {
          action: 'programme.services',
          recordType: 'programme',
          recordId: programme.id,
          detail: { removed: service.id },
        })
      })
      return reply.redirect(`/programmes/${programme.id}?saved=services`, 303)
    },
  )
}
