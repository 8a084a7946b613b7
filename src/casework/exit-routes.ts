// Closing a case (the reason and the exit plan agreed with the person) and its summary for the
// GP record, as a page, a text file and JSON.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { AppContext } from '../web/context.ts'
import { formErrors, parse } from '../web/forms.ts'
import type { FieldProblem } from '../web/problem.ts'
import { type CaseForUser, caseForUser, exitCase } from './cases.ts'
import { gpSummaryText } from './gp-summary.ts'
import { attempt, type Body, items, str, VIEW } from './route-kit.ts'
import { CLOSURE_REASON_LABELS, CLOSURE_REASONS } from './rules.ts'
import { caseSummary } from './summary.ts'

/** A case's summary for the GP record; reading it is audited. */
export async function summaryOf(context: AppContext, request: FastifyRequest, id: string) {
  const { db } = context
  const found = await caseForUser(db, request.user!, request.actor, id, { audit: 'case.gp-summary' })
  const summary = await caseSummary(
    db,
    request.actor,
    found.case,
    found.programme,
    context.caseSummarySections,
    'gp-summary',
  )
  return { found, summary }
}

export function exitRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  const ctx = (request: FastifyRequest) => ({ user: request.user!, actor: request.actor })
  const caseId = (request: FastifyRequest) => (request.params as { id: string }).id

  const exitSchema = z.object({
    closureReason: z.enum(CLOSURE_REASONS, { error: 'Select why the case is closing' }),
    exitPlan: z
      .string()
      .trim()
      .min(1, 'Enter the exit plan agreed with the person')
      .max(5000, 'The exit plan must be 5,000 characters or fewer'),
  })

  function exitView(found: CaseForUser, values: Body, problems?: FieldProblem[]) {
    return {
      pageTitle: 'Close the case',
      kase: found.case,
      values,
      reasons: items(CLOSURE_REASONS, CLOSURE_REASON_LABELS, values.closureReason),
      back: { href: `/casework/cases/${found.case.id}`, text: 'Back to the case' },
      ...(problems ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get('/casework/cases/:id/exit', { config: { access: VIEW } }, async (request, reply) => {
    const found = await caseForUser(db, request.user!, request.actor, caseId(request), { audit: 'case.read' })
    return reply.view('casework/views/exit.njk', exitView(found, {}))
  })

  app.post('/casework/cases/:id/exit', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const parsed = parse(exitSchema, { closureReason: body.closureReason, exitPlan: str(body.exitPlan) })
    const result = parsed.ok
      ? await attempt(() =>
          exitCase(db, ctx(request), caseId(request), parsed.value, context.now(), context.caseClosed),
        )
      : parsed
    if (!result.ok) {
      const found = await caseForUser(db, request.user!, request.actor, caseId(request), {
        audit: 'case.read',
      })
      return reply.status(400).view('casework/views/exit.njk', exitView(found, body, result.problems))
    }
    return reply.redirect(`/casework/cases/${caseId(request)}?saved=closed`, 303)
  })

  app.get('/casework/cases/:id/gp-summary', { config: { access: VIEW } }, async (request, reply) => {
    const { found, summary } = await summaryOf(context, request, caseId(request))
    return reply.view('casework/views/gp-summary.njk', {
      pageTitle: 'Summary for the GP record',
      kase: found.case,
      text: gpSummaryText(summary),
      json: JSON.stringify(summary, null, 2),
      back: { href: `/casework/cases/${found.case.id}`, text: 'Back to the case' },
    })
  })

  app.get('/casework/cases/:id/gp-summary.txt', { config: { access: VIEW } }, async (request, reply) => {
    const { summary } = await summaryOf(context, request, caseId(request))
    return reply
      .header('content-type', 'text/plain; charset=utf-8')
      .header('content-disposition', 'attachment; filename="gp-summary.txt"')
      .send(gpSummaryText(summary))
  })

  app.get('/casework/cases/:id/gp-summary.json', { config: { access: VIEW } }, async (request, reply) => {
    const { summary } = await summaryOf(context, request, caseId(request))
    return reply.header('content-disposition', 'attachment; filename="gp-summary.json"').send(summary)
  })
}
