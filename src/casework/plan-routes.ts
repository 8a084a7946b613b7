// The care and support plan: what matters to the person, the agreed focus and follow-up, their
// goals and progress on each, and the plan printed to give to them.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { readPerson } from '../people/records.ts'
import { APPOINTMENT_MODE_LABELS, APPOINTMENT_MODES } from '../programmes/config.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors, parse, parseOrThrow } from '../web/forms.ts'
import { notFound } from '../web/problem.ts'
import { addGoal, type CaseForUser, caseForUser, setGoalProgress, updatePlan } from './cases.ts'
import { attempt, type Body, items, needLabel, str, text, VIEW } from './route-kit.ts'
import { GOAL_PROGRESS, GOAL_PROGRESS_LABELS } from './rules.ts'
import { getPlan, goalsOfCase } from './store.ts'

export function planRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  const ctx = (request: FastifyRequest) => ({ user: request.user!, actor: request.actor })
  const caseId = (request: FastifyRequest) => (request.params as { id: string }).id

  const planSchema = z.object({
    whatMatters: text(5000, 'What matters to the person must be 5,000 characters or fewer'),
    agreedFocus: text(2000, 'The agreed focus must be 2,000 characters or fewer'),
    actions: text(5000, 'The actions must be 5,000 characters or fewer'),
    followUpMode: z.enum(APPOINTMENT_MODES).nullable(),
    followUpLocation: text(200, 'The location must be 200 characters or fewer'),
    followUpFrequency: text(200, 'How often must be 200 characters or fewer'),
  })
  const goalSchema = z.object({
    text: z
      .string()
      .trim()
      .min(1, 'Enter the goal in the person’s own words')
      .max(1000, 'The goal must be 1,000 characters or fewer'),
    targetDate: z.union([
      z.literal(''),
      z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the target date as a real date'),
    ]),
    progress: z.enum(GOAL_PROGRESS, { error: 'Select the progress so far' }),
  })

  async function planView(_request: FastifyRequest, found: CaseForUser, extra: Body = {}) {
    const [plan, goals] = await Promise.all([getPlan(db, found.case.id), goalsOfCase(db, found.case.id)])
    const values = (extra.values as Body | undefined) ?? plan
    return {
      pageTitle: 'Care and support plan',
      kase: found.case,
      programme: found.programme,
      open: found.case.status === 'open',
      plan,
      values,
      goalValues: extra.goalValues ?? { progress: 'not_started' },
      modes: [
        { value: '', text: 'Not agreed yet', selected: !values.followUpMode },
        ...found.programme.appointments.modes.map((m) => ({
          value: m,
          text: APPOINTMENT_MODE_LABELS[m],
          selected: m === values.followUpMode,
        })),
      ],
      goals: goals.map((g) => ({
        ...g,
        progressLabel: GOAL_PROGRESS_LABELS[g.progress],
        progressItems: items(GOAL_PROGRESS, GOAL_PROGRESS_LABELS, g.progress),
      })),
      progressItems: items(
        GOAL_PROGRESS,
        GOAL_PROGRESS_LABELS,
        (extra.goalValues as Body | undefined)?.progress ?? 'not_started',
      ),
      back: { href: `/casework/cases/${found.case.id}`, text: 'Back to the case' },
      ...extra,
    }
  }

  app.get('/casework/cases/:id/plan', { config: { access: VIEW } }, async (request, reply) => {
    const found = await caseForUser(db, request.user!, request.actor, caseId(request), { audit: 'case.read' })
    const saved = (request.query as { saved?: string }).saved
    const flash =
      saved === 'plan'
        ? 'The plan has been saved.'
        : saved === 'goal'
          ? 'The goal has been added.'
          : saved === 'progress'
            ? 'The progress has been saved.'
            : undefined
    return reply.view('casework/views/plan.njk', await planView(request, found, flash ? { flash } : {}))
  })

  app.post('/casework/cases/:id/plan', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const parsed = parse(planSchema, {
      whatMatters: str(body.whatMatters),
      agreedFocus: str(body.agreedFocus),
      actions: str(body.actions),
      followUpMode: str(body.followUpMode) || null,
      followUpLocation: str(body.followUpLocation),
      followUpFrequency: str(body.followUpFrequency),
    })
    const result = parsed.ok
      ? await attempt(() => updatePlan(db, ctx(request), caseId(request), parsed.value))
      : parsed
    if (!result.ok) {
      const found = await caseForUser(db, request.user!, request.actor, caseId(request), {
        audit: 'case.read',
      })
      return reply
        .status(400)
        .view(
          'casework/views/plan.njk',
          await planView(request, found, { values: body, errors: formErrors(result.problems) }),
        )
    }
    return reply.redirect(`/casework/cases/${caseId(request)}/plan?saved=plan`, 303)
  })

  app.post('/casework/cases/:id/goals', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const parsed = parse(goalSchema, {
      text: str(body.text),
      targetDate: str(body.targetDate),
      progress: body.progress,
    })
    const result = parsed.ok
      ? await attempt(() =>
          addGoal(
            db,
            ctx(request),
            caseId(request),
            { ...parsed.value, targetDate: parsed.value.targetDate || null },
            context.now(),
          ),
        )
      : parsed
    if (!result.ok) {
      const found = await caseForUser(db, request.user!, request.actor, caseId(request), {
        audit: 'case.read',
      })
      return reply.status(400).view(
        'casework/views/plan.njk',
        await planView(request, found, {
          goalValues: body,
          errors: formErrors(result.problems, {
            text: 'goal-text',
            targetDate: 'goal-targetDate',
            progress: 'goal-progress',
          }),
        }),
      )
    }
    return reply.redirect(`/casework/cases/${caseId(request)}/plan?saved=goal#goals`, 303)
  })

  app.post('/casework/cases/:id/goals/:goalId', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const { goalId } = request.params as { goalId: string }
    const progress = parseOrThrow(z.enum(GOAL_PROGRESS, { error: 'Select the progress' }), body.progress)
    await setGoalProgress(db, ctx(request), caseId(request), goalId, progress)
    return reply.redirect(`/casework/cases/${caseId(request)}/plan?saved=progress#goals`, 303)
  })

  app.get('/casework/cases/:id/plan/print', { config: { access: VIEW } }, async (request, reply) => {
    const found = await caseForUser(db, request.user!, request.actor, caseId(request), {
      audit: 'case.print-plan',
    })
    const person = await readPerson(db, request.actor, found.case.personId, {
      via: 'plan-print',
      caseId: found.case.id,
    })
    if (!person) throw notFound()
    const view = await planView(request, found)
    return reply.view('casework/views/plan-print.njk', {
      ...view,
      pageTitle: `Care and support plan for ${person.givenName} ${person.familyName}`,
      person,
      followUpMode: view.plan.followUpMode ? APPOINTMENT_MODE_LABELS[view.plan.followUpMode] : null,
      needs: found.case.needs.map((id) => needLabel(found.programme, id)),
    })
  })
}
