// Attendance pages. A link worker issues, reissues and revokes a person's card and sees their
// check-ins; a provider records attendance by scanning a card with the camera (where the browser
// can read QR codes) or by typing the code under it, which always works.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { rolesAccess } from '../access/permissions.ts'
import type { CurrentUser } from '../access/users.ts'
import { organisationsWhere } from '../access/users.ts'
import { prescriptionsOfPersonInProgramme } from '../casework/index.ts'
import type { Queryable } from '../db/schema.ts'
// The directory's index has no list of a provider's services yet; its store's is used meanwhile.
import { accreditationsOf, getService, serviceIdsOfProviders } from '../directory/index.ts'
import { personInProgrammeOf } from '../outcomes/access.ts'
import { isCalendarDate } from '../people/person.ts'
import { readPerson } from '../people/records.ts'
import { listProgrammes } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { dateFrom, formErrors, parseOrThrow } from '../web/forms.ts'
import { idempotencyParameter, idempotent } from '../web/idempotency.ts'
import { badRequest, type FieldProblem } from '../web/problem.ts'
import { cardQrSvg, EXAMPLE_CODE, formatCardCode } from './cards.ts'
import { attendancePersonalData } from './personal-data.ts'
import {
  type Activity,
  type CheckInResult,
  cardsOf,
  checkIn,
  checkInsOf,
  issueCard,
  movePersonAttendance,
  recordSession,
  revokeCard,
} from './store.ts'

const LINK_WORKER = rolesAccess('link_worker')
const SCAN = rolesAccess('provider', 'link_worker')
/** Guessing codes is hopeless behind a limit (decision 0010). */
const SCAN_LIMIT = { max: 60, timeWindow: '1 minute' }

type Body = Record<string, unknown>

export const attendancePath = (programmeId: string, personId: string) =>
  `/attendance/programmes/${programmeId}/people/${personId}`

/**
 * The activities a user may record attendance at: the directory services of the organisations
 * where they are a provider (or link worker). An organisation with no services listed stands for
 * its own activities, so attendance can be recorded before its services are in the directory.
 */
export async function activitiesOf(db: Queryable, user: CurrentUser): Promise<Activity[]> {
  const organisations = organisationsWhere(user, 'provider', 'link_worker')
  const services = await Promise.all(
    (await serviceIdsOfProviders(db, organisations)).map((id) => getService(db, id)),
  )
  const activities: Activity[] = []
  for (const id of organisations) {
    const own = services.filter((s) => s !== undefined && s.providerOrganisationId === id)
    if (own.length === 0) {
      const name = user.memberships.find((m) => m.organisationId === id)?.organisationName ?? 'Activity'
      activities.push({ serviceId: id, serviceName: name })
    }
    for (const service of own)
      if (service) activities.push({ serviceId: service.id, serviceName: service.name })
  }
  return activities
}

/**
 * The programmes a provider records attendance for: those that accredit their organisation or
 * one of its services; every programme when none does (a card of another programme is still
 * refused when it is read).
 */
async function programmesFor(db: Queryable, user: CurrentUser, activities: Activity[]) {
  const programmes = await listProgrammes(db)
  const subjects = [
    ...organisationsWhere(user, 'provider', 'link_worker'),
    ...activities.map((a) => a.serviceId),
  ]
  const accredited = new Set((await accreditationsOf(db, subjects)).map((a) => a.programmeId))
  const mine = programmes.filter((p) => accredited.has(p.id))
  return mine.length > 0 ? mine : programmes
}

export function attendanceRoutes(app: FastifyInstance, context: AppContext): void {
  context.personMerged.push(movePersonAttendance)
  context.personRecordParts.push(attendancePersonalData)
  const { db } = context

  context.navigation.push({
    text: 'Record attendance',
    href: '/attendance/scan',
    roles: ['provider'],
    order: 50,
  })
  context.homeCards.push({
    roles: ['provider'],
    heading: 'Record attendance',
    description: 'Scan a person’s attendance card, or type the code under the QR code, at each session.',
    href: '/attendance/scan',
    order: 20,
  })

  // What the referrer of a referral straight to a service reads of its attendance (decision 0106):
  // the sessions recorded at the service since the referral was accepted.
  context.referralOutcomeSections.push({
    order: 20,
    async load(db, view) {
      const since = londonDate(new Date(view.since))
      const sessions = (await checkInsOf(db, view.personId, view.programmeId))
        .filter((c) => c.serviceId === view.serviceId && c.sessionDate >= since)
        .map((c) => c.sessionDate)
        .sort()
      const service = (await getService(db, view.serviceId))?.name ?? 'the service'
      const first = sessions[0]
      const last = sessions[sessions.length - 1]
      return {
        key: 'attendance',
        heading: `Attendance at ${service}`,
        lines:
          first && last
            ? [
                `${service}: ${sessions.length} ${sessions.length === 1 ? 'session' : 'sessions'}, ${first === last ? first : `${first} to ${last}`}`,
              ]
            : [],
        data: { service, sessions },
      }
    },
  })

  // A person's card and attendance -----------------------------------------------------------

  app.get(
    '/attendance/programmes/:programmeId/people/:personId',
    { config: { access: LINK_WORKER } },
    async (request, reply) => {
      const { programme, personId } = await personInProgrammeOf(db, request, 'attendance.read')
      const person = await readPerson(db, request.actor, personId, { page: 'attendance' })
      const saved = (request.query as { saved?: string }).saved
      return reply.view(
        'attendance/views/person.njk',
        await personView(programme, person, personId, {
          flash:
            saved === 'revoked'
              ? 'The card has been revoked: it no longer works.'
              : saved === 'session'
                ? 'The session is recorded.'
                : undefined,
        }),
      )
    },
  )

  async function personView(
    programme: { id: string; name: string },
    person: Awaited<ReturnType<typeof readPerson>>,
    personId: string,
    extra: Record<string, unknown> = {},
  ) {
    const cards = await cardsOf(db, personId, programme.id)
    const checkIns = await checkInsOf(db, personId, programme.id)
    const prescribed = await prescriptionsOfPersonInProgramme(db, personId, programme.id)
    const values = (extra.values ?? {}) as Body
    return {
      pageTitle: 'Attendance card',
      programme,
      person,
      current: cards.find((c) => c.status === 'active'),
      cards,
      checkIns,
      action: attendancePath(programme.id, personId),
      activities: [...new Map(prescribed.map((p) => [p.serviceId, p.serviceName])).entries()].map(
        ([value, text]) => ({ value, text, selected: values.serviceId === value }),
      ),
      ...extra,
    }
  }

  // A link worker records a session at an activity whose provider has no account to scan cards.
  app.post(
    '/attendance/programmes/:programmeId/people/:personId/sessions',
    { config: { access: LINK_WORKER } },
    async (request, reply) => {
      const { programme, programmeId, personId } = await personInProgrammeOf(db, request, 'attendance.record')
      const body = (request.body ?? {}) as Body
      const prescribed = await prescriptionsOfPersonInProgramme(db, personId, programmeId)
      const activity = prescribed.find((p) => p.serviceId === body.serviceId)
      const today = londonDate(context.now())
      const typed = dateFrom(body, 'date')
      const day = isCalendarDate(typed) ? typed : undefined
      const problems: FieldProblem[] = []
      if (!activity) problems.push({ field: 'serviceId', message: 'Select the activity they attended' })
      if (!day) problems.push({ field: 'date', message: 'Enter the date of the session, like 27 11 2026' })
      else if (day > today)
        problems.push({ field: 'date', message: 'The session must be today or in the past' })
      else if (activity && day < activity.start)
        problems.push({ field: 'date', message: 'The session must be on or after the prescription started' })
      let result: CheckInResult | undefined
      if (problems.length === 0 && activity && day) {
        result = await recordSession(db, request.actor, {
          personId,
          programmeId,
          activity: { serviceId: activity.serviceId, serviceName: activity.serviceName },
          sessionDate: day,
          at: context.now(),
        })
        if (result.outcome === 'refused') problems.push({ field: 'serviceId', message: result.message })
        if (result.outcome === 'duplicate')
          problems.push({
            field: 'date',
            message: 'A session at this activity on this day is already recorded',
          })
      }
      if (problems.length > 0) {
        const person = await readPerson(db, request.actor, personId, { page: 'attendance' })
        return reply
          .status(400)
          .view(
            'attendance/views/person.njk',
            await personView(programme, person, personId, { errors: formErrors(problems), values: body }),
          )
      }
      return reply.redirect(`${attendancePath(programmeId, personId)}?saved=session`, 303)
    },
  )

  app.post(
    '/attendance/programmes/:programmeId/people/:personId/card',
    { config: { access: LINK_WORKER } },
    async (request, reply) => {
      const { programme, programmeId, personId } = await personInProgrammeOf(
        db,
        request,
        'attendance-card.issue',
      )
      const person = await readPerson(db, request.actor, personId, { page: 'attendance-card' })
      const issued = await issueCard(db, request.actor, personId, programmeId)
      // The card is drawn once, now: only digests of its token and code are kept.
      reply.header('cache-control', 'no-store')
      return reply.view('attendance/views/card.njk', {
        pageTitle: 'Attendance card',
        back: { href: attendancePath(programmeId, personId), text: 'Attendance' },
        firstName: person?.givenName,
        programme,
        qr: await cardQrSvg(issued.token, { label: 'QR code of the attendance card' }),
        code: formatCardCode(issued.code),
      })
    },
  )

  app.post(
    '/attendance/programmes/:programmeId/people/:personId/card/revoke',
    { config: { access: LINK_WORKER } },
    async (request, reply) => {
      const { programmeId, personId } = await personInProgrammeOf(db, request, 'attendance-card.revoke')
      if (!(await revokeCard(db, request.actor, personId, programmeId)))
        throw badRequest('There is no card to revoke.')
      return reply.redirect(`${attendancePath(programmeId, personId)}?saved=revoked`, 303)
    },
  )

  // Scanning ---------------------------------------------------------------------------------

  async function scanView(user: CurrentUser, values: Body, extra: Record<string, unknown> = {}) {
    const activities = await activitiesOf(db, user)
    const programmes = await programmesFor(db, user, activities)
    return {
      pageTitle: 'Record attendance',
      exampleCode: EXAMPLE_CODE,
      programmeItems: [
        { value: '', text: 'Choose a programme' },
        ...programmes.map((p) => ({
          value: p.id,
          text: p.name,
          selected: values.programmeId ? values.programmeId === p.id : programmes.length === 1,
        })),
      ],
      activityItems: activities.map((a, index) => ({
        value: a.serviceId,
        text: a.serviceName,
        selected: values.serviceId ? values.serviceId === a.serviceId : index === 0,
      })),
      values,
      ...extra,
    }
  }

  app.get('/attendance/scan', { config: { access: SCAN } }, async (request, reply) => {
    const query = request.query as { programmeId?: string; serviceId?: string }
    return reply.view(
      'attendance/views/scan.njk',
      await scanView(request.user!, { programmeId: query.programmeId, serviceId: query.serviceId }),
    )
  })

  app.post(
    '/attendance/scan',
    { config: { access: SCAN, rateLimit: SCAN_LIMIT } },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const user = request.user!
      const body = (request.body ?? {}) as Body
      const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '')
      const values = { programmeId: text('programmeId'), serviceId: text('serviceId'), code: '' }
      const problems: { field: string; message: string }[] = []
      const programmes = await listProgrammes(db)
      if (!programmes.some((p) => p.id === values.programmeId))
        problems.push({ field: 'programmeId', message: 'Choose the programme the person’s card is for' })
      const activity = (await activitiesOf(db, user)).find((a) => a.serviceId === values.serviceId)
      if (!activity) problems.push({ field: 'serviceId', message: 'Choose the activity' })
      if (problems.length === 0 && activity) {
        const result = await checkIn(db, request.actor, {
          presented: { scanned: text('scanned'), code: text('code') },
          programmeId: values.programmeId,
          activity,
          at: context.now(),
        })
        if (result.outcome !== 'refused') {
          return reply.view(
            'attendance/views/scan.njk',
            await scanView(user, values, {
              result: { ...result, card: `…${result.codeHint}`, service: activity.serviceName },
            }),
          )
        }
        problems.push({ field: result.field, message: result.message })
      }
      return reply
        .status(400)
        .view(
          'attendance/views/scan.njk',
          await scanView(user, { ...values, code: text('code') }, { errors: formErrors(problems) }),
        )
    },
  )

  // JSON API ---------------------------------------------------------------------------------

  const checkInBody = z.object({
    programmeId: z.string().min(1),
    serviceId: z.string().min(1),
    code: z.string().optional(),
    scanned: z.string().optional(),
  })
  context.api.add({
    method: 'post',
    path: '/api/v1/check-ins',
    summary: 'Record attendance at an activity for a scanned or typed attendance card',
    tags: ['Attendance'],
    parameters: [idempotencyParameter],
    requestBody: checkInBody,
    response: z.object({ outcome: z.enum(['recorded', 'duplicate']), checkedInAt: z.string() }),
  })
  app.post(
    '/api/v1/check-ins',
    { config: { access: SCAN, rateLimit: SCAN_LIMIT } },
    async (request, reply) => {
      const input = parseOrThrow(checkInBody, request.body)
      const activity = (await activitiesOf(db, request.user!)).find((a) => a.serviceId === input.serviceId)
      if (!activity)
        throw badRequest('You cannot record attendance at that activity.', [
          { field: 'serviceId', message: 'Choose one of your activities' },
        ])
      return idempotent(db, request, reply, request.user!, async (trx) => {
        const result = await checkIn(trx, request.actor, {
          presented: {
            ...(input.scanned ? { scanned: input.scanned } : {}),
            ...(input.code ? { code: input.code } : {}),
          },
          programmeId: input.programmeId,
          activity,
          at: context.now(),
        })
        if (result.outcome === 'refused')
          throw badRequest(result.message, [{ field: result.field, message: result.message }])
        return {
          status: result.outcome === 'recorded' ? 201 : 200,
          body: { outcome: result.outcome, checkedInAt: result.checkedInAt },
        }
      })
    },
  )
}
