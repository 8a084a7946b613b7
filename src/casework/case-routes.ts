// The case page (the person, the case's lists and the panels other capabilities add), its notes
// and the needs the case addresses.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Queryable } from '../db/schema.ts'
import type { Person } from '../people/person.ts'
import { readPerson } from '../people/records.ts'
import {
  APPOINTMENT_KIND_LABELS,
  APPOINTMENT_MODE_LABELS,
  describeAppointmentCap,
} from '../programmes/config.ts'
import { getReferral } from '../referrals/index.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors, parse } from '../web/forms.ts'
import { type FieldProblem, notFound } from '../web/problem.ts'
import { addNote, type CaseForUser, caseForUser, updateNeeds } from './cases.ts'
import { describeReview } from './review-routes.ts'
import { attempt, type Body, items, list, needLabel, str, VIEW } from './route-kit.ts'
import {
  APPOINTMENT_STATUS_LABELS,
  CLOSURE_REASON_LABELS,
  type ClosureReason,
  clashes,
  daysBetween,
  GOAL_PROGRESS_LABELS,
  londonDate,
  NOTE_TYPE_LABELS,
  NOTE_TYPES,
  overran,
} from './rules.ts'
import { homeFor } from './services.ts'
import {
  appointmentMoves,
  appointmentsOfCase,
  eventsOfCase,
  getPlan,
  goalsOfCase,
  notesOfCase,
  prescriptionsWhere,
  reviewsOfCase,
  signpostsOfCase,
} from './store.ts'
import { withProviderReplies, withTakeUp } from './summary.ts'

/** Forms with checkboxes, whose fields are lists (web/form-body.ts). */
const NEEDS_FORM = { access: VIEW, listFields: ['needs'] }

export function caseRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  const ctx = (request: FastifyRequest) => ({ user: request.user!, actor: request.actor })
  const caseId = (request: FastifyRequest) => (request.params as { id: string }).id

  /**
   * The panels other capabilities add to the case page. The case page loads them in its audited
   * transaction, so their audit events commit with the page's (one commit, one sync); forms that
   * show the page again with errors pass the Db.
   */
  async function loadPanels(
    q: Queryable,
    request: FastifyRequest,
    reply: FastifyReply,
    kase: CaseForUser['case'],
  ) {
    const view = {
      caseId: kase.id,
      personId: kase.personId,
      programmeId: kase.programmeId,
      user: request.user!,
      actor: request.actor,
      csrfToken: str((reply.locals as { csrfToken?: string } | undefined)?.csrfToken),
    }
    const panels = []
    for (const panel of [...context.casePanels].sort((a, b) => a.order - b.order)) {
      const loaded = await panel.load(q, view)
      if (loaded) panels.push(loaded)
    }
    return panels
  }

  /** What the case page lists of a case, read in parallel (on PostgreSQL's pool). Not audited: callers audit the read. */
  function caseLists(q: Queryable, kase: CaseForUser['case']) {
    return Promise.all([
      appointmentsOfCase(q, kase.id),
      getPlan(q, kase.id),
      goalsOfCase(q, kase.id),
      notesOfCase(q, kase.id),
      eventsOfCase(q, kase.id),
      prescriptionsWhere(q, 'case_id', kase.id),
      signpostsOfCase(q, kase.id),
      kase.referralId ? getReferral(q, kase.referralId) : undefined,
      appointmentMoves(q, { caseId: kase.id }),
      reviewsOfCase(q, kase.id),
    ])
  }

  async function casePage(
    q: Queryable,
    request: FastifyRequest,
    found: CaseForUser,
    extra: Body = {},
    read?: Person,
    lists?: ReturnType<typeof caseLists>,
  ) {
    const { case: kase, programme, manages } = found
    const person =
      read ?? (await readPerson(q, request.actor, kase.personId, { via: 'case', caseId: kase.id }))
    if (!person) throw notFound()
    const now = context.now()
    const [appointments, plan, goals, notes, events, prescriptions, signposts, referral, moves, reviews] =
      await (lists ?? caseLists(q, kase))
    const clashing = clashes(appointments)
    const today = londonDate(now)
    return {
      pageTitle: `${person.givenName} ${person.familyName}`,
      person,
      home: await homeFor(q, person),
      kase,
      programme,
      manages,
      open: kase.status === 'open',
      needs: kase.needs.map((id) => needLabel(programme, id)),
      waitingDays: kase.firstContactAt ? null : daysBetween(kase.openedAt, now),
      cap: describeAppointmentCap(programme.appointments),
      // A supporting worker is named in volunteering programmes, or wherever one has been.
      showSupporting: programme.pathway === 'volunteering' || kase.supportingUserId !== null,
      appointments: appointments.map((a) => ({
        ...a,
        kindLabel: APPOINTMENT_KIND_LABELS[a.kind],
        modeLabel: APPOINTMENT_MODE_LABELS[a.mode],
        statusLabel: APPOINTMENT_STATUS_LABELS[a.status],
        clash: clashing.has(a.id),
        overran: a.mode === 'home_visit' && overran(a, now),
        // The time it was first booked for, when it has been moved since.
        bookedFor: moves.find((m) => m.appointmentId === a.id)?.from.startsAt ?? null,
      })),
      plan,
      goals: goals.map((g) => ({ ...g, progressLabel: GOAL_PROGRESS_LABELS[g.progress] })),
      notes: notes.map((n) => ({
        ...n,
        typeLabel: NOTE_TYPE_LABELS[n.type as keyof typeof NOTE_TYPE_LABELS] ?? n.type,
      })),
      noteTypes: items(NOTE_TYPES, NOTE_TYPE_LABELS, 'general'),
      events,
      prescriptions: (await withProviderReplies(q, prescriptions)).map((p) => {
        const latest = reviews.filter((r) => r.prescriptionId === p.id).at(-1)
        return {
          ...p,
          needLabel: needLabel(programme, p.need),
          reviewDue: !p.reviewedAt && p.end < today,
          // Its review opens on its last day (earlier, with a reason).
          reviewOpen: !p.reviewedAt && p.end <= today,
          ended: p.end < today,
          latestReview: latest ? describeReview(latest) : null,
        }
      }),
      signposts: (await withTakeUp(q, signposts)).map((s) => ({
        ...s,
        needLabel: needLabel(programme, s.need),
      })),
      referral: referral
        ? {
            referrerName: referral.referrer.name,
            createdAt: referral.createdAt,
            reason: referral.reason,
            status: referral.status,
          }
        : null,
      closureLabel: kase.closureReason ? CLOSURE_REASON_LABELS[kase.closureReason as ClosureReason] : null,
      back: { href: '/casework', text: 'Caseload' },
      ...extra,
    }
  }

  app.get('/casework/cases/:id', { config: { access: VIEW } }, async (request, reply) => {
    const saved = (request.query as { saved?: string }).saved
    // The access check, the person, the other capabilities' panels and all their audit events in
    // one transaction (one commit). Once access is granted the case's lists start on the Db: on
    // PostgreSQL's pool they run alongside the rest of the transaction; SQLite's one connection
    // runs them after the commit. If the transaction fails, what they read is not shown.
    let lists: ReturnType<typeof caseLists> | undefined
    const { found, person, panels } = await db.transaction().execute(async (trx) => {
      const found = await caseForUser(trx, request.user!, request.actor, caseId(request), {
        audit: 'case.read',
      })
      lists = caseLists(db, found.case)
      lists.catch(() => {})
      const person = await readPerson(trx, request.actor, found.case.personId, {
        via: 'case',
        caseId: found.case.id,
      })
      if (!person) throw notFound()
      return { found, person, panels: await loadPanels(trx, request, reply, found.case) }
    })
    const page = await casePage(db, request, found, saved ? { flash: SAVED[saved] } : {}, person, lists)
    return reply.view('casework/views/case.njk', { ...page, panels })
  })

  const SAVED: Record<string, string> = {
    booked: 'The appointment has been booked.',
    recorded: 'The appointment has been recorded.',
    note: 'The note has been added.',
    prescribed: 'The prescription has been added. Its review is due when it ends.',
    reviewed: 'The prescription review has been recorded.',
    extended:
      'The review has been recorded and the prescription extended. Its next review is due at its new end.',
    signposted: 'The signpost has been recorded.',
    referred: 'The onward referral has been recorded.',
    closed: 'The case has been closed.',
    assigned: 'The case has been assigned.',
    supporting: 'The supporting worker has been saved.',
    needs: 'The needs have been saved.',
    person: 'The person’s details have been saved.',
  }

  const noteSchema = z.object({
    type: z.enum(NOTE_TYPES, { error: 'Select the type of note' }),
    text: z
      .string()
      .trim()
      .min(1, 'Enter the note')
      .max(10_000, 'The note must be 10,000 characters or fewer'),
    /** Merton's navigator writes notes that go into the person's GP record. */
    forGpRecord: z.boolean(),
  })

  app.post('/casework/cases/:id/notes', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const parsed = parse(noteSchema, {
      type: body.type,
      text: str(body.text),
      forGpRecord: body.forGpRecord === 'yes',
    })
    const result = parsed.ok
      ? await attempt(() => addNote(db, ctx(request), caseId(request), parsed.value))
      : parsed
    if (!result.ok) {
      const found = await caseForUser(db, request.user!, request.actor, caseId(request), {
        audit: 'case.read',
      })
      return reply.status(400).view('casework/views/case.njk', {
        ...(await casePage(db, request, found, {
          errors: formErrors(result.problems, { text: 'note-text', type: 'note-type' }),
          noteValues: body,
          noteTypes: items(NOTE_TYPES, NOTE_TYPE_LABELS, body.type),
        })),
        panels: await loadPanels(db, request, reply, found.case),
      })
    }
    return reply.redirect(`/casework/cases/${caseId(request)}?saved=note#notes`, 303)
  })

  function needsView(found: CaseForUser, selected: string[], problems?: FieldProblem[]) {
    return {
      pageTitle: 'Needs',
      kase: found.case,
      needs: found.programme.needs.map((n) => ({
        value: n.id,
        text: n.label,
        checked: selected.includes(n.id),
      })),
      back: { href: `/casework/cases/${found.case.id}`, text: 'Back to the case' },
      ...(problems ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get('/casework/cases/:id/needs', { config: { access: VIEW } }, async (request, reply) => {
    const found = await caseForUser(db, request.user!, request.actor, caseId(request), { audit: 'case.read' })
    return reply.view('casework/views/needs.njk', needsView(found, found.case.needs))
  })

  app.post('/casework/cases/:id/needs', { config: NEEDS_FORM }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const result = await attempt(() => updateNeeds(db, ctx(request), caseId(request), list(body.needs)))
    if (!result.ok) {
      const found = await caseForUser(db, request.user!, request.actor, caseId(request), {
        audit: 'case.read',
      })
      return reply
        .status(400)
        .view('casework/views/needs.njk', needsView(found, list(body.needs), result.problems))
    }
    return reply.redirect(`/casework/cases/${caseId(request)}?saved=needs`, 303)
  })
}
