// Casework's JSON API: the caseload, a case, and a case's summary for the GP record.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { AppContext } from '../web/context.ts'
import { caseload } from './caseload-routes.ts'
import { caseForUser } from './cases.ts'
import { summaryOf } from './exit-routes.ts'
import { type Body, VIEW } from './route-kit.ts'
import { appointmentsOfCase, prescriptionsWhere } from './store.ts'

export function caseworkApiRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  const caseId = (request: FastifyRequest) => (request.params as { id: string }).id

  const caseloadResponse = z.object({
    cases: z.array(
      z.object({
        id: z.string(),
        personId: z.string(),
        programmeId: z.string(),
        linkWorkerUserId: z.string().nullable(),
        supportingUserId: z.string().nullable(),
        openedAt: z.string(),
        firstContactAt: z.string().nullable(),
        waitingDays: z.number().nullable(),
        nextAppointmentAt: z.string().nullable(),
        overdueReviews: z.number(),
        endingSoon: z.number(),
      }),
    ),
  })
  context.api.add({
    method: 'get',
    path: '/api/v1/caseload',
    summary: 'The open cases of the user (a link worker) or of the programmes they manage',
    tags: ['Casework'],
    response: caseloadResponse,
  })
  app.get('/api/v1/caseload', { config: { access: VIEW } }, async (request) => {
    const view = await caseload(context, request, request.query as Body)
    return {
      cases: view.cases.map((c) => ({
        id: c.id,
        personId: c.personId,
        programmeId: c.programmeId,
        linkWorkerUserId: c.linkWorkerUserId,
        supportingUserId: c.supportingUserId,
        openedAt: c.openedAt,
        firstContactAt: c.firstContactAt,
        waitingDays: c.waitingDays,
        nextAppointmentAt: c.nextAppointmentAt,
        overdueReviews: c.overdueReviews,
        endingSoon: c.endingSoon,
      })),
    }
  })

  const caseResponse = z.object({
    id: z.string(),
    personId: z.string(),
    programmeId: z.string(),
    referralId: z.string().nullable(),
    linkWorkerUserId: z.string().nullable(),
    supportingUserId: z.string().nullable(),
    status: z.enum(['open', 'closed']),
    needs: z.array(z.string()),
    openedAt: z.string(),
    firstContactAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    closureReason: z.string().nullable(),
    appointments: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        mode: z.string(),
        startsAt: z.string(),
        endsAt: z.string(),
        status: z.string(),
      }),
    ),
    prescriptions: z.array(
      z.object({
        id: z.string(),
        serviceId: z.string(),
        serviceName: z.string(),
        weeks: z.number(),
        start: z.string(),
        end: z.string(),
        continued: z.boolean(),
      }),
    ),
  })
  context.api.add({
    method: 'get',
    path: '/api/v1/cases/{id}',
    summary: 'A case the user may see',
    tags: ['Casework'],
    response: caseResponse,
  })
  app.get('/api/v1/cases/:id', { config: { access: VIEW } }, async (request) => {
    const { case: kase } = await caseForUser(db, request.user!, request.actor, caseId(request), {
      audit: 'case.read',
    })
    const [appointments, prescriptions] = await Promise.all([
      appointmentsOfCase(db, kase.id),
      prescriptionsWhere(db, 'case_id', kase.id),
    ])
    return {
      id: kase.id,
      personId: kase.personId,
      programmeId: kase.programmeId,
      referralId: kase.referralId,
      linkWorkerUserId: kase.linkWorkerUserId,
      supportingUserId: kase.supportingUserId,
      status: kase.status,
      needs: kase.needs,
      openedAt: kase.openedAt,
      firstContactAt: kase.firstContactAt,
      closedAt: kase.closedAt,
      closureReason: kase.closureReason,
      appointments: appointments.map((a) => ({
        id: a.id,
        kind: a.kind,
        mode: a.mode,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        status: a.status,
      })),
      prescriptions: prescriptions.map((p) => ({
        id: p.id,
        serviceId: p.serviceId,
        serviceName: p.serviceName,
        weeks: p.weeks,
        start: p.start,
        end: p.end,
        continued: p.continued,
      })),
    }
  })

  context.api.add({
    method: 'get',
    path: '/api/v1/cases/{id}/gp-summary',
    summary: 'The summary of a case for the GP record (PRSB social prescribing sections, SNOMED CT coded)',
    tags: ['Casework'],
    response: z.object({ resourceType: z.literal('SocialPrescribingSummary') }).passthrough(),
  })
  app.get(
    '/api/v1/cases/:id/gp-summary',
    { config: { access: VIEW } },
    async (request) => (await summaryOf(context, request, caseId(request))).summary,
  )
}
