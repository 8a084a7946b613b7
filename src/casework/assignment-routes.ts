// Who works on a case: the manager assigns its link worker; a supporting worker may be named
// (decision 0106).

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { rolesAccess } from '../access/permissions.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors } from '../web/forms.ts'
import { badRequest, type FieldProblem, notFound } from '../web/problem.ts'
import { assignCase, type CaseForUser, caseForUser } from './cases.ts'
import { attempt, type Body, str, VIEW } from './route-kit.ts'
import { setSupportingWorker, supportingCandidates } from './supporting.ts'

export function assignmentRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  const ctx = (request: FastifyRequest) => ({ user: request.user!, actor: request.actor })
  const caseId = (request: FastifyRequest) => (request.params as { id: string }).id

  function assignView(found: CaseForUser, problems?: FieldProblem[]) {
    return {
      pageTitle: 'Assign the case',
      kase: found.case,
      workers: found.programme.linkWorkers.map((w) => ({
        value: w.userId,
        text: w.name,
        checked: w.userId === found.case.linkWorkerUserId,
      })),
      back: { href: `/casework/cases/${found.case.id}`, text: 'Back to the case' },
      ...(problems ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get(
    '/casework/cases/:id/assign',
    { config: { access: rolesAccess('programme_manager') } },
    async (request, reply) => {
      const found = await caseForUser(db, request.user!, request.actor, caseId(request), {
        audit: 'case.read',
      })
      if (!found.manages) throw notFound()
      return reply.view('casework/views/assign.njk', assignView(found))
    },
  )

  app.post(
    '/casework/cases/:id/assign',
    { config: { access: rolesAccess('programme_manager') } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Body
      const result = await attempt(() => assignCase(db, ctx(request), caseId(request), str(body.userId)))
      if (!result.ok) {
        const found = await caseForUser(db, request.user!, request.actor, caseId(request), {
          audit: 'case.read',
        })
        return reply.status(400).view('casework/views/assign.njk', assignView(found, result.problems))
      }
      return reply.redirect(`/casework/cases/${caseId(request)}?saved=assigned`, 303)
    },
  )

  // ---- Supporting worker (decision 0106) --------------------------------------------------

  async function supportingView(found: CaseForUser, values: Body = {}, problems?: FieldProblem[]) {
    const candidates = await supportingCandidates(db, found.programme, found.case)
    const chosen = 'userId' in values ? str(values.userId) : (found.case.supportingUserId ?? 'none')
    return {
      pageTitle: 'Supporting worker',
      kase: found.case,
      programme: found.programme,
      items: [
        ...candidates.map((c) => ({
          value: c.userId,
          text: c.name,
          ...(c.title ? { hint: { text: c.title } } : {}),
          checked: c.userId === chosen,
        })),
        { divider: 'or' },
        { value: 'none', text: 'No one', checked: chosen === 'none' },
      ],
      back: { href: `/casework/cases/${found.case.id}`, text: 'Back to the case' },
      ...(problems ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get('/casework/cases/:id/supporting', { config: { access: VIEW } }, async (request, reply) => {
    const found = await caseForUser(db, request.user!, request.actor, caseId(request), {
      audit: 'case.read',
      open: true,
    })
    return reply.view('casework/views/supporting.njk', await supportingView(found))
  })

  app.post('/casework/cases/:id/supporting', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const choice = str(body.userId)
    const result = await attempt(async () => {
      if (choice === '') {
        const message = 'Select who supports the case, or no one'
        throw badRequest(message, [{ field: 'userId', message }])
      }
      await setSupportingWorker(db, ctx(request), caseId(request), choice === 'none' ? null : choice)
    })
    if (!result.ok) {
      const found = await caseForUser(db, request.user!, request.actor, caseId(request), {
        audit: 'case.read',
      })
      return reply
        .status(400)
        .view('casework/views/supporting.njk', await supportingView(found, body, result.problems))
    }
    return reply.redirect(`/casework/cases/${caseId(request)}?saved=supporting`, 303)
  })
}
