// Link workers' development. A programme manager records training and supervision for the
// programme's link workers, sets the training the programme requires, and sees who needs what
// renewed next; a link worker sees their own, and a warning on their caseload when required
// training has lapsed.

import type { FastifyInstance, FastifyReply } from 'fastify'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import type { CurrentUser } from '../access/users.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import { canManage, getProgramme, type Programme, programmesOfUser } from '../programmes/store.ts'
import type { AppContext, CaseloadNotice } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { dateFrom, type FormErrors, formErrors, parse } from '../web/forms.ts'
import { type FieldProblem, notFound } from '../web/problem.ts'
import { renewalOrder, requiredSchema, standings, supervisionSchema, trainingSchema } from './training.ts'
import {
  insertSupervision,
  insertTraining,
  requiredTrainingOf,
  setRequiredTraining,
  supervisionOf,
  trainingOf,
} from './training-store.ts'

const VIEW = rolesAccess('link_worker', 'programme_manager')
const MANAGER = rolesAccess('programme_manager')

type Body = Record<string, unknown>

const STANDING_LABELS = {
  missing: 'Not done',
  lapsed: 'Lapsed',
  expiring: 'Expires soon',
  current: 'Current',
}
const STANDING_TAGS = {
  missing: 'nhsuk-tag--red',
  lapsed: 'nhsuk-tag--red',
  expiring: 'nhsuk-tag--orange',
  current: 'nhsuk-tag--green',
}

/** A link worker's required courses across their programmes, with where they stand. */
async function ownStandings(db: Queryable, user: CurrentUser, today: string) {
  const programmes = (await programmesOfUser(db, user)).filter((p) => p.linkWorker)
  const required = [
    ...new Set(
      (
        await requiredTrainingOf(
          db,
          programmes.map((p) => p.id),
        )
      ).map((r) => r.course),
    ),
  ]
  return standings(required, await trainingOf(db, [user.id]), today).sort(renewalOrder)
}

export const lapsedTrainingNotice: CaseloadNotice = {
  async load(db, user, today) {
    const lapsed = (await ownStandings(db, user, today)).filter((s) => s.standing === 'lapsed')
    if (lapsed.length === 0) return undefined
    return {
      heading: 'Your required training has lapsed',
      text: `${lapsed.map((s) => s.course).join(', ')}: renew it with your programme manager.`,
      href: '/community/training',
      link: 'Your training',
    }
  },
}

export function trainingRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  const today = () => londonDate(context.now())
  context.caseloadNotices.push(lapsedTrainingNotice)
  context.navigation.push({
    text: 'Training',
    href: '/community/training',
    roles: ['programme_manager'],
    order: 80,
  })

  app.get('/community/training', { config: { access: VIEW } }, async (request, reply) => {
    const user = request.user!
    const programmes = await programmesOfUser(db, user)
    return reply.view('community/views/training.njk', {
      pageTitle: 'Training and supervision',
      managed: programmes.filter((p) => p.manages),
      own: (await ownStandings(db, user, today())).map((s) => ({
        ...s,
        label: STANDING_LABELS[s.standing],
        tag: STANDING_TAGS[s.standing],
      })),
      records: await trainingOf(db, [user.id]),
      supervision: await supervisionOf(db, [user.id]),
      linkWorker: programmes.some((p) => p.linkWorker),
    })
  })

  async function managedProgramme(user: CurrentUser, id: string): Promise<Programme> {
    const programme = isId(id) ? await getProgramme(db, id) : undefined
    if (!programme || !canManage(user, programme)) throw notFound('There is no programme of yours here.')
    return programme
  }

  async function programmeView(
    programme: Programme,
    extra: { errors?: FormErrors; values?: Body; flash?: string } = {},
  ) {
    const workers = programme.linkWorkers
    const ids = workers.map((w) => w.userId)
    const required = (await requiredTrainingOf(db, [programme.id])).map((r) => r.course)
    const records = await trainingOf(db, ids)
    const sessions = await supervisionOf(db, ids)
    const rows = workers
      .flatMap((w) =>
        standings(
          required,
          records.filter((r) => r.userId === w.userId),
          today(),
        ).map((s) => ({ ...s, worker: w.name })),
      )
      .sort((a, b) => renewalOrder(a, b) || a.worker.localeCompare(b.worker))
    const values = extra.values ?? {}
    return {
      pageTitle: `Training: ${programme.name}`,
      back: { href: '/community/training', text: 'Training and supervision' },
      programme,
      rows: rows.map((r) => ({ ...r, label: STANDING_LABELS[r.standing], tag: STANDING_TAGS[r.standing] })),
      workers: workers.map((w) => ({
        name: w.name,
        records: records.filter((r) => r.userId === w.userId),
        lastSupervision: sessions.find((s) => s.userId === w.userId),
      })),
      required,
      workerItems: [
        { value: '', text: 'Choose a link worker' },
        ...workers.map((w) => ({ value: w.userId, text: w.name, selected: values.userId === w.userId })),
      ],
      values: { courses: required.join('\n'), ...values },
      errors: extra.errors,
      flash: extra.flash,
    }
  }

  const FLASHES: Record<string, string> = {
    record: 'The training is recorded.',
    supervision: 'The supervision session is recorded.',
    required: 'The required training is saved.',
  }

  async function showErrors(
    reply: FastifyReply,
    programme: Programme,
    problems: FieldProblem[],
    values: Body,
  ) {
    return reply
      .status(400)
      .view(
        'community/views/training-programme.njk',
        await programmeView(programme, { errors: formErrors(problems), values }),
      )
  }

  app.get('/community/training/programmes/:id', { config: { access: MANAGER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const programme = await managedProgramme(request.user!, id)
    const saved = (request.query as { saved?: string }).saved
    return reply.view(
      'community/views/training-programme.njk',
      await programmeView(programme, { flash: saved ? FLASHES[saved] : undefined }),
    )
  })

  const isWorker = (programme: Programme, userId: string) =>
    programme.linkWorkers.some((w) => w.userId === userId)

  app.post(
    '/community/training/programmes/:id/records',
    { config: { access: MANAGER } },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      const programme = await managedProgramme(request.user!, id)
      const body = (request.body ?? {}) as Body
      const parsed = parse(trainingSchema, {
        ...body,
        completedOn: dateFrom(body, 'completedOn'),
        expiresOn: dateFrom(body, 'expiresOn'),
      })
      const problems = parsed.ok ? [] : parsed.problems
      if (parsed.ok && !isWorker(programme, parsed.value.userId))
        problems.push({ field: 'userId', message: 'Choose a link worker of the programme' })
      if (parsed.ok && parsed.value.completedOn > today())
        problems.push({
          field: 'completedOn',
          message: 'The day it was completed must be today or in the past',
        })
      if (!parsed.ok || problems.length > 0) return showErrors(reply, programme, problems, body)
      await inTransaction(db, async (trx) => {
        await insertTraining(
          trx,
          { ...parsed.value, expiresOn: parsed.value.expiresOn || null },
          request.user!.id,
        )
        await audit(trx, request.actor, {
          action: 'training.create',
          recordType: 'user',
          recordId: parsed.value.userId,
        })
      })
      return reply.redirect(`/community/training/programmes/${id}?saved=record`, 303)
    },
  )

  app.post(
    '/community/training/programmes/:id/supervision',
    { config: { access: MANAGER } },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      const programme = await managedProgramme(request.user!, id)
      const body = (request.body ?? {}) as Body
      const parsed = parse(supervisionSchema, { ...body, heldOn: dateFrom(body, 'heldOn') })
      const problems = parsed.ok ? [] : parsed.problems
      if (parsed.ok && !isWorker(programme, parsed.value.userId))
        problems.push({ field: 'supervisionUserId', message: 'Choose a link worker of the programme' })
      if (parsed.ok && parsed.value.heldOn > today())
        problems.push({ field: 'heldOn', message: 'The day of the session must be today or in the past' })
      if (!parsed.ok || problems.length > 0)
        return showErrors(
          reply,
          programme,
          problems.map((p) => (p.field === 'userId' ? { ...p, field: 'supervisionUserId' } : p)),
          body,
        )
      await inTransaction(db, async (trx) => {
        await insertSupervision(trx, parsed.value, request.user!.id)
        await audit(trx, request.actor, {
          action: 'supervision.create',
          recordType: 'user',
          recordId: parsed.value.userId,
        })
      })
      return reply.redirect(`/community/training/programmes/${id}?saved=supervision`, 303)
    },
  )

  app.post(
    '/community/training/programmes/:id/required',
    { config: { access: MANAGER } },
    async (request, reply) => {
      const { id } = request.params as { id: string }
      const programme = await managedProgramme(request.user!, id)
      const parsed = parse(requiredSchema, request.body)
      if (!parsed.ok) return showErrors(reply, programme, parsed.problems, request.body as Body)
      await inTransaction(db, async (trx) => {
        await setRequiredTraining(trx, id, parsed.value.courses)
        await audit(trx, request.actor, {
          action: 'required-training.update',
          recordType: 'programme',
          recordId: id,
        })
      })
      return reply.redirect(`/community/training/programmes/${id}?saved=required`, 303)
    },
  )
}
