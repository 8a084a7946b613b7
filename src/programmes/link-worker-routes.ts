// Link workers: who they are, the practice each is named for, and their working patterns.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { audit } from '../access/audit.ts'
import { findUserByEmail, loadCurrentUser } from '../access/store.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors, parse } from '../web/forms.ts'
import { type FieldProblem, notFound } from '../web/problem.ts'
import { WEEKDAY_LABELS, WEEKDAYS } from './config.ts'
import { emailSchema, parseWorkingPattern } from './forms.ts'
import { describeDays } from './present.ts'
import { type Body, back, MANAGE, programmeFor } from './route-kit.ts'
import {
  addLinkWorker,
  type Programme,
  removeLinkWorker,
  setNamedLinkWorkers,
  setWorkingPattern,
} from './store.ts'

export function linkWorkerRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

  function renderLinkWorkers(
    reply: FastifyReply,
    programme: Programme,
    extra: { values?: Body; named?: Body; problems?: FieldProblem[]; flash?: string } = {},
  ) {
    const practiceNames = new Map(programme.practices.map((p) => [p.organisationId, p.name]))
    const named = extra.named ?? {}
    return reply.status(extra.problems ? 400 : 200).view('programmes/views/link-workers.njk', {
      pageTitle: 'Link workers',
      programme,
      values: extra.values ?? {},
      workers: programme.linkWorkers.map((worker) => ({
        ...worker,
        pattern: describeDays(worker, practiceNames),
      })),
      practices: programme.practices.map((practice) => {
        const selected =
          extra.named !== undefined
            ? named[`named.${practice.organisationId}`]
            : practice.namedLinkWorker?.userId
        return {
          ...practice,
          items: [
            { value: '', text: 'No one named', selected: !selected },
            ...programme.linkWorkers.map((w) => ({
              value: w.userId,
              text: w.name,
              selected: selected === w.userId,
            })),
          ],
        }
      }),
      flash: extra.flash,
      back: back(programme),
      ...(extra.problems ? { errors: formErrors(extra.problems) } : {}),
    })
  }

  app.get('/programmes/:id/link-workers', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const saved = (request.query as { saved?: string }).saved
    const flashes: Record<string, string> = {
      added: 'The link worker has been added.',
      removed: 'The link worker has been removed from the programme.',
      named: 'The named link workers have been saved.',
      pattern: 'The working pattern has been saved.',
    }
    return renderLinkWorkers(reply, programme, { flash: saved ? flashes[saved] : undefined })
  })

  app.post('/programmes/:id/link-workers', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const body = (request.body ?? {}) as Body
    const parsed = parse(z.object({ email: emailSchema }), {
      email: typeof body.email === 'string' ? body.email : '',
    })
    const refuse = (message: string) =>
      renderLinkWorkers(reply, programme, { values: body, problems: [{ field: 'email', message }] })
    if (!parsed.ok) return renderLinkWorkers(reply, programme, { values: body, problems: parsed.problems })
    const account = await findUserByEmail(db, parsed.value.email)
    const user = account?.active === 1 ? await loadCurrentUser(db, account.id) : undefined
    if (!user)
      return refuse(
        'There is no active Kith account with this email address: invite them from Your team first',
      )
    if (!user.memberships.some((m) => m.role === 'link_worker'))
      return refuse(`${user.name} does not have the link worker role: give it to them on Your team`)
    if (programme.linkWorkers.some((w) => w.userId === user.id))
      return refuse(`${user.name} is already a link worker of this programme`)
    await db.transaction().execute(async (trx) => {
      await addLinkWorker(trx, programme.id, user.id)
      await audit(trx, request.actor, {
        action: 'programme.link-worker-add',
        recordType: 'programme',
        recordId: programme.id,
        detail: { userId: user.id },
      })
    })
    return reply.redirect(`/programmes/${programme.id}/link-workers?saved=added`, 303)
  })

  app.post('/programmes/:id/link-workers/named', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const body = (request.body ?? {}) as Body
    const named: Record<string, string | null> = {}
    const problems: FieldProblem[] = []
    for (const practice of programme.practices) {
      const field = `named.${practice.organisationId}`
      const value = typeof body[field] === 'string' ? (body[field] as string) : ''
      if (value === '') named[practice.organisationId] = null
      else if (programme.linkWorkers.some((w) => w.userId === value)) named[practice.organisationId] = value
      else problems.push({ field, message: `Select a link worker of this programme for ${practice.name}` })
    }
    if (problems.length > 0) return renderLinkWorkers(reply, programme, { named: body, problems })
    await db.transaction().execute(async (trx) => {
      await setNamedLinkWorkers(trx, programme.id, named)
      await audit(trx, request.actor, {
        action: 'programme.named-link-workers',
        recordType: 'programme',
        recordId: programme.id,
        detail: { named },
      })
    })
    return reply.redirect(`/programmes/${programme.id}/link-workers?saved=named`, 303)
  })

  function workerIn(programme: Programme, request: FastifyRequest) {
    const { userId } = request.params as { userId: string }
    const worker = programme.linkWorkers.find((w) => w.userId === userId)
    if (!worker) throw notFound()
    return worker
  }

  app.post(
    '/programmes/:id/link-workers/:userId/remove',
    { config: { access: MANAGE } },
    async (request, reply) => {
      const { programme } = await programmeFor(db, request, 'manage')
      const worker = workerIn(programme, request)
      await db.transaction().execute(async (trx) => {
        await removeLinkWorker(trx, programme.id, worker.userId)
        await audit(trx, request.actor, {
          action: 'programme.link-worker-remove',
          recordType: 'programme',
          recordId: programme.id,
          detail: { userId: worker.userId },
        })
      })
      return reply.redirect(`/programmes/${programme.id}/link-workers?saved=removed`, 303)
    },
  )

  function renderPattern(
    reply: FastifyReply,
    programme: Programme,
    worker: Programme['linkWorkers'][number],
    values: Body,
    problems?: FieldProblem[],
  ) {
    return reply.status(problems ? 400 : 200).view('programmes/views/working-pattern.njk', {
      pageTitle: `Working pattern of ${worker.name}`,
      programme,
      worker,
      days: WEEKDAYS.map((weekday) => {
        const selected = values[`days.${weekday}`] ?? ''
        return {
          weekday,
          label: WEEKDAY_LABELS[weekday],
          items: [
            { value: '', text: 'Not working', selected: selected === '' },
            ...programme.practices.map((p) => ({
              value: p.organisationId,
              text: `At ${p.name}`,
              selected: selected === p.organisationId,
            })),
            { value: 'away', text: 'Working away from practices', selected: selected === 'away' },
          ],
        }
      }),
      back: { href: `/programmes/${programme.id}/link-workers`, text: 'Link workers' },
      ...(problems ? { errors: formErrors(problems) } : {}),
    })
  }

  app.get('/programmes/:id/link-workers/:userId', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const worker = workerIn(programme, request)
    const values = Object.fromEntries(
      worker.days.map((day) => [`days.${day.weekday}`, day.practiceId ?? 'away']),
    )
    return renderPattern(reply, programme, worker, values)
  })

  app.post('/programmes/:id/link-workers/:userId', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const worker = workerIn(programme, request)
    const body = (request.body ?? {}) as Body
    const parsed = parseWorkingPattern(
      body,
      programme.practices.map((p) => p.organisationId),
    )
    if (!parsed.ok) return renderPattern(reply, programme, worker, body, parsed.problems)
    await db.transaction().execute(async (trx) => {
      await setWorkingPattern(trx, programme.id, worker.userId, parsed.value)
      await audit(trx, request.actor, {
        action: 'programme.working-pattern',
        recordType: 'programme',
        recordId: programme.id,
        detail: { userId: worker.userId, days: parsed.value.length },
      })
    })
    return reply.redirect(`/programmes/${programme.id}/link-workers?saved=pattern`, 303)
  })
}
