// Appointment pages: booking, the appointment itself (recording what happened, the lone-working
// check-in) and moving it to another time. A booking or a move outside the worker's working
// pattern, or clashing with another appointment in their diary, is shown again with what is
// outside it and a "Book it anyway" (or "Move it anyway") box: ticked, it goes ahead.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { isId } from '../db/ids.ts'
import { readPerson } from '../people/records.ts'
import {
  APPOINTMENT_KIND_LABELS,
  APPOINTMENT_KINDS,
  APPOINTMENT_MODE_LABELS,
  APPOINTMENT_MODES,
  describeAppointmentCap,
} from '../programmes/config.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors, parse } from '../web/forms.ts'
import { type FieldProblem, notFound } from '../web/problem.ts'
import {
  bookAppointment,
  type CaseForUser,
  caseForUser,
  checkIn,
  moveAppointment,
  recordAppointment,
} from './cases.ts'
import { attempt, type Body, items, list, str, text, VIEW } from './route-kit.ts'
import {
  APPOINTMENT_STATUS_LABELS,
  APPOINTMENT_STATUSES,
  addMinutes,
  isRealDate,
  londonDate,
  londonTime,
  londonToUtc,
  overran,
} from './rules.ts'
import { homeFor } from './services.ts'
import { type AppointmentRow, appointmentMoves, getAppointment, goalsOfCase } from './store.ts'

/** The goals worked on are checkboxes: a list (web/form-body.ts). */
const APPOINTMENT_FORM = { access: VIEW, listFields: ['goalIds'] }

const SAVED: Record<string, string> = {
  arrived: 'Your arrival has been recorded. Record your departure when you leave.',
  departed: 'Your departure has been recorded.',
  moved: 'The appointment has been moved.',
}

const date = z.string().refine(isRealDate, 'Enter the date as a real date')
const startTime = z.string().regex(/^\d{1,2}:\d{2}$/, 'Enter the start time, like 14:30')
const endTime = z.union([
  z.literal(''),
  z.string().regex(/^\d{1,2}:\d{2}$/, 'Enter the end time, like 15:30'),
])
const mode = z.enum(APPOINTMENT_MODES, { error: 'Select how the appointment happens' })
const place = text(200, 'The place must be 200 characters or fewer')

const bookingSchema = z.object({
  kind: z.enum(APPOINTMENT_KINDS, { error: 'Select the kind of appointment' }),
  mode,
  place,
  date,
  startTime,
  endTime,
  capException: text(1000, 'The reason must be 1,000 characters or fewer'),
})

const moveSchema = z.object({
  mode,
  place,
  date,
  startTime,
  endTime,
  reason: text(1000, 'The reason must be 1,000 characters or fewer'),
})

/** The start and end of a form's London date and times; a blank end lasts `minutes`. */
function times(
  values: { date: string; startTime: string; endTime: string },
  minutes: number,
): { ok: true; startsAt: string; endsAt: string } | { ok: false; problems: FieldProblem[] } {
  const startsAt = londonToUtc(values.date, values.startTime)
  if (!startsAt)
    return { ok: false, problems: [{ field: 'startTime', message: 'Enter a real start time, like 14:30' }] }
  const endsAt = values.endTime ? londonToUtc(values.date, values.endTime) : addMinutes(startsAt, minutes)
  if (!endsAt)
    return { ok: false, problems: [{ field: 'endTime', message: 'Enter a real end time, like 15:30' }] }
  return { ok: true, startsAt, endsAt }
}

/**
 * What the form shows when a booking or move needs confirming: the warnings, and the box to
 * tick. Sent again without the box ticked (having been warned), the box is in error.
 */
function confirmation(body: Body, warnings: string[], label: string) {
  const problems: FieldProblem[] =
    body.warned === 'yes'
      ? [{ field: 'confirm', message: `Select ‘${label}’, or change the day, time or place` }]
      : []
  return { warnings, confirmLabel: label, problems }
}

export async function appointmentRoutes(app: FastifyInstance, context: AppContext) {
  const { db } = context
  const ctx = (request: FastifyRequest) => ({ user: request.user!, actor: request.actor })
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id

  // ---- Booking --------------------------------------------------------------------------

  function bookingView(
    found: CaseForUser,
    values: Body,
    problems?: FieldProblem[],
    confirm?: { warnings: string[]; confirmLabel: string },
  ) {
    const { programme } = found
    return {
      pageTitle: 'Book an appointment',
      kase: found.case,
      programme,
      manages: found.manages,
      cap: describeAppointmentCap(programme.appointments),
      values,
      kinds: items(APPOINTMENT_KINDS, APPOINTMENT_KIND_LABELS, values.kind),
      modes: programme.appointments.modes.map((m) => ({
        value: m,
        text: APPOINTMENT_MODE_LABELS[m],
        checked: m === values.mode,
      })),
      lengths: programme.appointments.lengths,
      back: { href: `/casework/cases/${found.case.id}`, text: 'Back to the case' },
      ...(confirm ?? {}),
      ...(problems?.length ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get('/casework/cases/:id/appointments/new', { config: { access: VIEW } }, async (request, reply) => {
    const found = await caseForUser(db, request.user!, request.actor, idOf(request), { audit: 'case.read' })
    return reply.view(
      'casework/views/appointment-new.njk',
      bookingView(found, { date: londonDate(context.now()) }),
    )
  })

  app.post('/casework/cases/:id/appointments', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const id = idOf(request)
    const parsed = parse(bookingSchema, {
      kind: body.kind,
      mode: body.mode,
      place: str(body.place),
      date: str(body.date),
      startTime: str(body.startTime),
      endTime: str(body.endTime),
      capException: str(body.capException),
    })
    let problems: FieldProblem[] = parsed.ok ? [] : parsed.problems
    let warnings: string[] | undefined
    if (parsed.ok) {
      // No end time: the programme's usual length for this kind of appointment (Merton: an hour for the initial).
      const found = await caseForUser(db, request.user!, request.actor, id)
      const when = times(parsed.value, found.programme.appointments.lengths[parsed.value.kind])
      if (!when.ok) problems = when.problems
      else {
        const result = await attempt(() =>
          bookAppointment(db, ctx(request), id, {
            ...parsed.value,
            startsAt: when.startsAt,
            endsAt: when.endsAt,
            confirmed: body.confirm === 'yes',
          }),
        )
        if (result.ok) return reply.redirect(`/casework/cases/${id}?saved=booked#appointments`, 303)
        problems = result.problems
        warnings = result.warnings
      }
    }
    const found = await caseForUser(db, request.user!, request.actor, id, { audit: 'case.read' })
    if (warnings) {
      const confirm = confirmation(body, warnings, 'Book it anyway')
      return reply
        .status(confirm.problems.length ? 400 : 200)
        .view('casework/views/appointment-new.njk', bookingView(found, body, confirm.problems, confirm))
    }
    return reply.status(400).view('casework/views/appointment-new.njk', bookingView(found, body, problems))
  })

  // ---- The appointment ------------------------------------------------------------------

  async function appointmentOf(request: FastifyRequest, appointmentId: string) {
    const appointment = isId(appointmentId) ? await getAppointment(db, appointmentId) : undefined
    if (!appointment) throw notFound()
    const found = await caseForUser(db, request.user!, request.actor, appointment.caseId, {
      audit: 'case.read',
    })
    return { appointment, found }
  }

  const movable = (found: CaseForUser, appointment: AppointmentRow) =>
    found.case.status === 'open' && appointment.status === 'booked' && !appointment.arrivedAt

  const labelled = (appointment: AppointmentRow) => ({
    ...appointment,
    kindLabel: APPOINTMENT_KIND_LABELS[appointment.kind],
    modeLabel: APPOINTMENT_MODE_LABELS[appointment.mode],
    statusLabel: APPOINTMENT_STATUS_LABELS[appointment.status],
    overran: appointment.mode === 'home_visit' && overran(appointment, context.now()),
  })

  async function appointmentView(request: FastifyRequest, appointmentId: string, extra: Body = {}) {
    const { appointment, found } = await appointmentOf(request, appointmentId)
    const [goals, moves] = await Promise.all([
      goalsOfCase(db, found.case.id),
      appointmentMoves(db, { appointmentId: appointment.id }),
    ])
    // A home visit shows where the person lives.
    const person =
      appointment.mode === 'home_visit'
        ? await readPerson(db, request.actor, found.case.personId, {
            via: 'home-visit',
            appointmentId: appointment.id,
          })
        : undefined
    return {
      home: person ? await homeFor(db, person) : null,
      pageTitle: `${APPOINTMENT_KIND_LABELS[appointment.kind]} appointment`,
      appointment: labelled(appointment),
      moves: moves.map((m) => ({ ...m, fromModeLabel: APPOINTMENT_MODE_LABELS[m.from.mode] })),
      movable: movable(found, appointment),
      kase: found.case,
      open: found.case.status === 'open',
      mine: appointment.linkWorkerUserId === request.user!.id,
      statuses: items(APPOINTMENT_STATUSES, APPOINTMENT_STATUS_LABELS, appointment.status),
      goals: goals.map((g) => ({ value: g.id, text: g.text, checked: appointment.goalIds.includes(g.id) })),
      back: { href: `/casework/cases/${found.case.id}#appointments`, text: 'Back to the case' },
      ...extra,
    }
  }

  app.get('/casework/appointments/:id', { config: { access: VIEW } }, async (request, reply) => {
    const saved = (request.query as { saved?: string }).saved
    return reply.view(
      'casework/views/appointment.njk',
      await appointmentView(request, idOf(request), saved ? { flash: SAVED[saved] } : {}),
    )
  })

  app.post('/casework/appointments/:id', { config: APPOINTMENT_FORM }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const parsed = parse(
      z.object({ status: z.enum(APPOINTMENT_STATUSES, { error: 'Select what happened' }) }),
      {
        status: body.status,
      },
    )
    const result = parsed.ok
      ? await attempt(() =>
          recordAppointment(
            db,
            ctx(request),
            idOf(request),
            { status: parsed.value.status, goalIds: list(body.goalIds) },
            context.now(),
            context.caseMilestone,
          ),
        )
      : parsed
    if (!result.ok)
      return reply
        .status(400)
        .view(
          'casework/views/appointment.njk',
          await appointmentView(request, idOf(request), { errors: formErrors(result.problems) }),
        )
    return reply.redirect(`/casework/cases/${result.value.caseId}?saved=recorded#appointments`, 303)
  })

  for (const what of ['arrive', 'depart'] as const) {
    app.post(`/casework/appointments/:id/${what}`, { config: { access: VIEW } }, async (request, reply) => {
      const result = await attempt(() => checkIn(db, ctx(request), idOf(request), what, context.now()))
      if (!result.ok)
        return reply
          .status(400)
          .view(
            'casework/views/appointment.njk',
            await appointmentView(request, idOf(request), { errors: formErrors(result.problems) }),
          )
      return reply.redirect(
        `/casework/appointments/${idOf(request)}?saved=${what === 'arrive' ? 'arrived' : 'departed'}`,
        303,
      )
    })
  }

  // ---- Moving it ------------------------------------------------------------------------

  function moveView(
    found: CaseForUser,
    appointment: AppointmentRow,
    values: Body,
    problems?: FieldProblem[],
    confirm?: { warnings: string[]; confirmLabel: string },
  ) {
    return {
      pageTitle: 'Move the appointment',
      appointment: labelled(appointment),
      kase: found.case,
      values,
      modes: found.programme.appointments.modes.map((m) => ({
        value: m,
        text: APPOINTMENT_MODE_LABELS[m],
        checked: m === values.mode,
      })),
      back: { href: `/casework/appointments/${appointment.id}`, text: 'Back to the appointment' },
      ...(confirm ?? {}),
      ...(problems?.length ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get('/casework/appointments/:id/move', { config: { access: VIEW } }, async (request, reply) => {
    const { appointment, found } = await appointmentOf(request, idOf(request))
    if (!movable(found, appointment)) return reply.redirect(`/casework/appointments/${appointment.id}`, 303)
    return reply.view(
      'casework/views/appointment-move.njk',
      moveView(found, appointment, {
        date: londonDate(new Date(appointment.startsAt)),
        startTime: londonTime(appointment.startsAt),
        endTime: londonTime(appointment.endsAt),
        mode: appointment.mode,
        place: appointment.place,
      }),
    )
  })

  app.post('/casework/appointments/:id/move', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const id = idOf(request)
    const parsed = parse(moveSchema, {
      mode: body.mode,
      place: str(body.place),
      date: str(body.date),
      startTime: str(body.startTime),
      endTime: str(body.endTime),
      reason: str(body.reason),
    })
    let problems: FieldProblem[] = parsed.ok ? [] : parsed.problems
    let warnings: string[] | undefined
    if (parsed.ok) {
      // No end time: as long as it was.
      const before = isId(id) ? await getAppointment(db, id) : undefined
      if (!before) throw notFound()
      const when = times(parsed.value, (Date.parse(before.endsAt) - Date.parse(before.startsAt)) / 60_000)
      if (!when.ok) problems = when.problems
      else {
        const result = await attempt(() =>
          moveAppointment(
            db,
            ctx(request),
            id,
            {
              startsAt: when.startsAt,
              endsAt: when.endsAt,
              mode: parsed.value.mode,
              place: parsed.value.place,
              reason: parsed.value.reason,
              confirmed: body.confirm === 'yes',
            },
            context.now(),
          ),
        )
        if (result.ok) return reply.redirect(`/casework/appointments/${id}?saved=moved`, 303)
        problems = result.problems
        warnings = result.warnings
      }
    }
    const { appointment, found } = await appointmentOf(request, id)
    if (warnings) {
      const confirm = confirmation(body, warnings, 'Move it anyway')
      return reply
        .status(confirm.problems.length ? 400 : 200)
        .view(
          'casework/views/appointment-move.njk',
          moveView(found, appointment, body, confirm.problems, confirm),
        )
    }
    return reply
      .status(400)
      .view('casework/views/appointment-move.njk', moveView(found, appointment, body, problems))
  })
}
