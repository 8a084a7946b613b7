// The programmes a user manages or works in, adding a programme, and a programme's page (its
// rules, card by card, and the services run for it).

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { audit } from '../access/audit.ts'
import { organisationsWhere } from '../access/users.ts'
import { servicesRunFor } from '../directory/index.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors, parse } from '../web/forms.ts'
import { nameSchema, PATHWAY_LABELS } from './config.ts'
import { describeDays, programmeCards } from './present.ts'
import { type Body, MANAGE, nameChecked, programmeFor, refuseTakenName, SAVED, VIEW } from './route-kit.ts'
import { createProgramme, programmesOfUser } from './store.ts'

export function programmeListRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

  app.get('/programmes', { config: { access: VIEW } }, async (request, reply) => {
    const user = request.user!
    const programmes = await programmesOfUser(db, user)
    return reply.view('programmes/views/list.njk', {
      pageTitle: 'Programmes',
      programmes: programmes.map((p) => ({
        ...p,
        pathwayLabel: PATHWAY_LABELS[p.pathway],
        as: [p.manages ? 'Manager' : null, p.linkWorker ? 'Link worker' : null].filter(Boolean).join(' and '),
        retiredOn: p.retiredAt,
      })),
      canAdd: organisationsWhere(user, 'programme_manager').length > 0,
    })
  })

  function ownerItems(request: FastifyRequest, selected: unknown) {
    const user = request.user!
    return user.memberships
      .filter((m) => m.role === 'programme_manager')
      .map((m) => ({
        value: m.organisationId,
        text: m.organisationName,
        checked: selected === m.organisationId,
      }))
  }

  app.get('/programmes/new', { config: { access: MANAGE } }, async (request, reply) => {
    const owners = ownerItems(request, undefined)
    return reply.view('programmes/views/new.njk', {
      pageTitle: 'Add a programme',
      values: { ownerOrganisationId: owners.length === 1 ? owners[0]?.value : undefined },
      owners,
    })
  })

  app.post('/programmes', { config: { access: MANAGE } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const owners = ownerItems(request, body.ownerOrganisationId)
    const parsed = parse(
      z.object({
        name: nameSchema,
        ownerOrganisationId: z
          .string({ error: 'Select the organisation that runs the programme' })
          .refine(
            (value) => owners.some((owner) => owner.value === value),
            'Select the organisation that runs the programme',
          ),
      }),
      { name: typeof body.name === 'string' ? body.name : '', ownerOrganisationId: body.ownerOrganisationId },
    )
    if (!parsed.ok) {
      return reply.status(400).view('programmes/views/new.njk', {
        pageTitle: 'Add a programme',
        values: body,
        owners,
        errors: formErrors(parsed.problems, { ownerOrganisationId: 'ownerOrganisationId' }),
      })
    }
    const id = await nameChecked(db, async (trx) => {
      await refuseTakenName(trx, parsed.value.name)
      const created = await createProgramme(trx, parsed.value)
      await audit(trx, request.actor, {
        action: 'programme.create',
        recordType: 'programme',
        recordId: created,
      })
      return created
    })
    if (typeof id !== 'string')
      return reply.status(400).view('programmes/views/new.njk', {
        pageTitle: 'Add a programme',
        values: body,
        owners,
        errors: formErrors(id.problems),
      })
    return reply.redirect(`/programmes/${id}?saved=created`, 303)
  })

  app.get('/programmes/:id', { config: { access: VIEW } }, async (request, reply) => {
    const { programme, manages } = await programmeFor(db, request, 'view')
    const saved = (request.query as { saved?: string }).saved
    const mine = programme.linkWorkers.find((worker) => worker.userId === request.user!.id)
    const practiceNames = new Map(programme.practices.map((p) => [p.organisationId, p.name]))
    const services = await servicesRunFor(db, programme.id)
    return reply.view('programmes/views/show.njk', {
      pageTitle: programme.name,
      programme,
      manages,
      cards: [
        ...programmeCards(programme, manages),
        {
          id: 'services',
          heading: 'Services run for the programme',
          change: manages ? `/programmes/${programme.id}/services` : undefined,
          rows: [
            services.length > 0
              ? { key: 'Services', value: '', lines: services.map((s) => `${s.name} (${s.providerName})`) }
              : {
                  key: 'Services',
                  value:
                    programme.pathway === 'direct_to_service'
                      ? 'None yet: referrers choose among these services, so add them'
                      : 'None: referrals come to the programme itself',
                },
          ],
        },
      ],
      retiredOn: programme.retiredAt,
      myDays: mine ? describeDays(mine, practiceNames) : undefined,
      myPractices: programme.practices.filter((p) => p.namedLinkWorker?.userId === request.user!.id),
      flash: saved ? SAVED[saved] : undefined,
      back: { href: '/programmes', text: 'Programmes' },
    })
  })
}
