// Casework pages: the caseload, the case page and what a link worker does on it (appointments,
// the care and support plan, prescriptions, signposts, notes, exit), the diary, and the
// manager's lone-working view. Thin: parse, call cases.ts, render. Every read and change of a
// case is audited; a case the user may not see answers 404.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { Person } from '../people/person.ts'
import { readPerson, readPersonSummaries } from '../people/records.ts'
import {
  APPOINTMENT_KIND_LABELS,
  APPOINTMENT_MODE_LABELS,
  APPOINTMENT_MODES,
  describeAppointmentCap,
  describePrescription,
  WEEKDAYS,
} from '../programmes/config.ts'
import {
  getProgramme,
  listProgrammes,
  type Programme,
  programmesOfUser,
  workingPatternOf,
} from '../programmes/store.ts'
import { getReferral } from '../referrals/index.ts'
import type { AppContext } from '../web/context.ts'
import { formatMiles } from '../web/format.ts'
import { formErrors, parse, parseOrThrow } from '../web/forms.ts'
import { badRequest, type FieldProblem, notFound } from '../web/problem.ts'
import { appointmentRoutes } from './appointment-routes.ts'
import {
  addGoal,
  addNote,
  assignCase,
  type CaseForUser,
  caseForUser,
  exitCase,
  openCaseForAcceptedReferral,
  prescribe,
  recordSignpostTakeUp,
  referOnward,
  setGoalProgress,
  signpost,
  updateNeeds,
  updatePlan,
} from './cases.ts'
import { gpSummaryText } from './gp-summary.ts'
import { casePersonRoutes } from './person-routes.ts'
import { caseworkPersonalData } from './personal-data.ts'
import { describeReview, reviewRoutes } from './review-routes.ts'
import { attempt, type Body, items, list, needLabel, str, text, VIEW } from './route-kit.ts'
import {
  APPOINTMENT_STATUS_LABELS,
  addDays,
  CLOSURE_REASON_LABELS,
  CLOSURE_REASONS,
  type ClosureReason,
  clashes,
  daysBetween,
  ENDING_SOON_DAYS,
  GOAL_PROGRESS,
  GOAL_PROGRESS_LABELS,
  londonDate,
  londonToUtc,
  NOTE_TYPE_LABELS,
  NOTE_TYPES,
  overran,
  weekStart,
} from './rules.ts'
import {
  checkAccredited,
  findService,
  type Home,
  homeFor,
  placeForCase,
  type ServiceChoice,
  type ServiceChoices,
  type ServiceRef,
  servicesForCase,
  serviceWithId,
  standingOf,
} from './services.ts'
import {
  appointmentMoves,
  appointmentsOfCase,
  diaryOf,
  eventsOfCase,
  getPlan,
  goalsOfCase,
  homeVisitsOf,
  listCaseload,
  movePersonCases,
  notesOfCase,
  prescriptionsWhere,
  reviewsOfCase,
  signpostsOfCase,
} from './store.ts'
import { caseSummary, withProviderReplies, withTakeUp } from './summary.ts'
import { setSupportingWorker, supportingCandidates } from './supporting.ts'

/** Forms with checkboxes, whose fields are lists (web/form-body.ts). */
const NEEDS_FORM = { access: VIEW, listFields: ['needs'] }
/** The choice on the service radios that means the service named in the box below them. */
const OTHER_SERVICE = 'other'
/** A problem's field until the form says where it goes (see placeServiceProblems). */
const NO_SERVICE = 'service'
/** The warning on a form that names a service outside the programme's area, to confirm. */
interface ElsewhereWarning {
  serviceId: string
  heading: string
  text: string
}

export async function caseworkRoutes(app: FastifyInstance, context: AppContext) {
  context.personMerged.push(movePersonCases)
  context.personRecordParts.push(caseworkPersonalData)
  const { db } = context
  const ctx = (request: FastifyRequest) => ({ user: request.user!, actor: request.actor })
  const caseId = (request: FastifyRequest) => (request.params as { id: string }).id

  // An accepted referral to a link-worker programme opens a case, in the acceptance's transaction.
  context.referralAccepted.push(openCaseForAcceptedReferral)
  // The person's details, changed from the case.
  casePersonRoutes(app, context)

  // Booking, recording and moving appointments; prescriptions' pages and their reviews.
  await appointmentRoutes(app, context)
  await reviewRoutes(app, context)

  context.navigation.push({
    text: 'Caseload',
    href: '/casework',
    roles: ['link_worker', 'programme_manager'],
    order: 30,
  })
  context.navigation.push({ text: 'Diary', href: '/casework/diary', roles: ['link_worker'], order: 31 })
  context.homeCards.push({
    roles: ['link_worker', 'programme_manager'],
    heading: 'Caseload',
    description: 'The people you support: who is waiting, next appointments, reviews due',
    href: '/casework',
    order: 30,
  })

  // ---- Caseload -------------------------------------------------------------------------

  const SHOW = ['all', 'waiting', 'overdue', 'ending', 'unassigned', 'closed'] as const
  const SORT = ['waiting', 'name', 'next'] as const
  const SHOW_LABELS: Record<(typeof SHOW)[number], string> = {
    all: 'All open cases',
    waiting: 'Waiting for first contact',
    overdue: 'Reviews overdue',
    ending: 'Prescriptions ending soon',
    unassigned: 'Not assigned',
    closed: 'Closed cases',
  }
  const SORT_LABELS: Record<(typeof SORT)[number], string> = {
    waiting: 'Longest waiting first',
    name: 'Name',
    next: 'Next appointment',
  }

  type Query = { show?: unknown; sort?: unknown; programme?: unknown }
  /** One transaction: the reads and their audit events commit together (one sync on SQLite). */
  const caseload = (request: FastifyRequest, query: Query) =>
    db.transaction().execute((trx) => caseloadIn(trx, request, query))

  async function caseloadIn(trx: Queryable, request: FastifyRequest, query: Query) {
    const user = request.user!
    const now = context.now()
    const today = londonDate(now)
    const show = SHOW.find((s) => s === query.show) ?? 'all'
    const sort = SORT.find((s) => s === query.sort) ?? 'waiting'
    const programmes = await programmesOfUser(trx, user)
    const managed = programmes.filter((p) => p.manages)
    const programmeFilter =
      typeof query.programme === 'string' && programmes.some((p) => p.id === query.programme)
        ? query.programme
        : undefined
    const base = {
      status: show === 'closed' ? ('closed' as const) : ('open' as const),
      now: now.toISOString(),
      today,
      endingBy: addDays(today, ENDING_SOON_DAYS),
    }
    // A manager sees their programmes' cases; a link worker the cases assigned to them.
    const rows = [
      ...(managed.length
        ? await listCaseload(trx, {
            ...base,
            programmeIds: managed.map((p) => p.id).filter((id) => !programmeFilter || id === programmeFilter),
            unassigned: show === 'unassigned',
          })
        : []),
      ...(show !== 'unassigned' && programmes.some((p) => p.linkWorker)
        ? await listCaseload(trx, { ...base, linkWorkerUserId: user.id })
        : []),
      // The cases the user is named to support (decision 0106), in any programme.
      ...(show !== 'unassigned' ? await listCaseload(trx, { ...base, supportingUserId: user.id }) : []),
    ]
    const seen = new Set<string>()
    const mine = rows.filter((row) => {
      if (seen.has(row.id)) return false
      seen.add(row.id)
      if (programmeFilter && row.programmeId !== programmeFilter) return false
      if (show === 'waiting') return row.firstContactAt === null
      if (show === 'overdue') return row.overdueReviews > 0
      if (show === 'ending') return row.endingSoon > 0
      return true
    })
    const people = new Map(
      (
        await readPersonSummaries(
          trx,
          request.actor,
          mine.map((r) => r.personId),
          { via: 'caseload' },
        )
      ).map((p) => [p.id, p]),
    )
    const names = new Map(programmes.map((p) => [p.id, p.name]))
    if (mine.some((row) => !names.has(row.programmeId)))
      for (const p of await listProgrammes(trx)) if (!names.has(p.id)) names.set(p.id, p.name)
    const cases = mine.map((row) => {
      const person = people.get(row.personId)
      return {
        ...row,
        name: person ? `${person.givenName} ${person.familyName}` : 'Unknown',
        sortName: person ? `${person.familyName} ${person.givenName}`.toLowerCase() : '',
        nhsNumber: person?.nhsNumber ?? null,
        programmeName: names.get(row.programmeId) ?? '',
        supportedByMe: row.supportingUserId === user.id,
        waitingDays: row.firstContactAt ? null : daysBetween(row.openedAt, now),
      }
    })
    cases.sort((a, b) =>
      sort === 'name'
        ? a.sortName.localeCompare(b.sortName)
        : sort === 'next'
          ? (a.nextAppointmentAt ?? '9').localeCompare(b.nextAppointmentAt ?? '9')
          : (b.waitingDays ?? -1) - (a.waitingDays ?? -1) || a.openedAt.localeCompare(b.openedAt),
    )
    await audit(trx, request.actor, {
      action: 'case.list',
      recordType: 'case',
      detail: { count: cases.length, show },
    })
    return {
      cases,
      show,
      sort,
      programmes,
      programmeFilter,
      manages: managed.length > 0,
      supporting: cases.some((c) => c.supportingUserId !== null),
    }
  }

  app.get('/casework', { config: { access: VIEW } }, async (request, reply) => {
    const view = await caseload(request, request.query as Body)
    // A manager sees, first, any home visit that has overrun (lone working).
    const now = context.now()
    const overruns = view.manages
      ? (
          await homeVisitsOf(
            db,
            view.programmes.filter((p) => p.manages).map((p) => p.id),
            addDays(londonDate(now), -2),
          )
        ).filter((visit) => overran(visit, now)).length
      : 0
    const notices = []
    for (const notice of context.caseloadNotices) {
      const shown = await notice.load(db, request.user!, londonDate(now))
      if (shown) notices.push(shown)
    }
    return reply.view('casework/views/caseload.njk', {
      pageTitle: 'Caseload',
      ...view,
      overruns,
      notices,
      showItems: items(SHOW, SHOW_LABELS, view.show),
      sortItems: items(SORT, SORT_LABELS, view.sort),
      programmeItems: [
        { value: '', text: 'All programmes', selected: !view.programmeFilter },
        ...view.programmes.map((p) => ({
          value: p.id,
          text: p.name,
          selected: p.id === view.programmeFilter,
        })),
      ],
      counts: {
        waiting: view.cases.filter((c) => c.waitingDays !== null).length,
        overdue: view.cases.filter((c) => c.overdueReviews > 0).length,
        ending: view.cases.filter((c) => c.endingSoon > 0).length,
      },
    })
  })

  // ---- Case page ------------------------------------------------------------------------

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

  // ---- Care and support plan ------------------------------------------------------------

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

  // ---- Prescriptions, signposts and onward referrals ------------------------------------

  const prescriptionSchema = z.object({
    need: z.string().nullable(),
    weeks: z.coerce
      .number({ error: 'Enter the number of weeks' })
      .int('Enter the number of weeks as a whole number'),
    expectedSessions: z.coerce
      .number({ error: 'Enter the expected number of sessions' })
      .int('Enter the expected sessions as a whole number'),
    start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the start date as a real date'),
  })

  /** The directory services offered on the prescription and signpost forms, for this case. */
  async function serviceChoices(
    request: FastifyRequest,
    found: CaseForUser,
    options: { accreditedOnly: boolean },
  ): Promise<ServiceChoices> {
    const person = await readPerson(db, request.actor, found.case.personId, { via: 'service-choices' })
    return person
      ? servicesForCase(db, found.case, found.programme, person, context.now(), options)
      : { local: [], elsewhere: [], place: { from: undefined, area: undefined } }
  }

  /** What the forms show of the services offered (decision 0103). */
  function serviceOffer(
    found: CaseForUser,
    choices: ServiceChoices,
    values: Body,
    options: { form: string; warning?: ElsewhereWarning | undefined },
  ) {
    const area = choices.place.area?.name
    const showElsewhere = values.elsewhere === '1'
    const offered = [...choices.local, ...(showElsewhere ? choices.elsewhere : [])]
    const hint = (choice: ServiceChoice) =>
      [
        choice.inArea ? '' : `Outside ${area ?? 'the programme’s area'}.`,
        choice.distanceKm === null ? '' : `${formatMiles(choice.distanceKm)} away.`,
        choice.why,
      ]
        .filter((part) => part !== '')
        .join(' ')
    const path = `/casework/cases/${found.case.id}/${options.form}/new`
    return {
      serviceItems:
        offered.length === 0
          ? []
          : [
              ...offered.map((choice) => ({
                value: choice.id,
                text: choice.name,
                hint: { text: hint(choice) },
                checked: choice.id === values.serviceId,
              })),
              { divider: 'or' },
              {
                value: OTHER_SERVICE,
                text: 'Another service',
                hint: { text: 'Enter its name below' },
                checked: values.serviceId === OTHER_SERVICE,
              },
            ],
      serviceHint: `Services ${area ? `in ${area}` : 'in the directory'} that meet this person’s needs, nearest first`,
      showElsewhere,
      elsewhereLink:
        choices.elsewhere.length === 0
          ? null
          : showElsewhere
            ? choices.local.length > 0
              ? { href: path, text: `Show only services in ${area ?? 'the programme’s area'}` }
              : null
            : { href: `${path}?elsewhere=1`, text: 'Show services elsewhere' },
      elsewhereWarning: options.warning ?? null,
    }
  }

  /**
   * The warning shown before a service outside the programme's area is used: undefined when it
   * is in the area, or when the form confirms this service (`confirmedElsewhere`).
   */
  async function elsewhereWarning(
    request: FastifyRequest,
    found: CaseForUser,
    service: ServiceRef,
    body: Body,
  ): Promise<ElsewhereWarning | undefined> {
    const person = await readPerson(db, request.actor, found.case.personId, { via: 'service-choices' })
    if (!person) return undefined
    const place = await placeForCase(db, found.case, found.programme, person)
    const { inArea, distanceKm } = standingOf(place, service)
    if (inArea || str(body.confirmedElsewhere) === service.id) return undefined
    return {
      serviceId: service.id,
      heading: `${service.name} is outside ${place.area?.name ?? 'the programme’s area'}`,
      text: `${distanceKm === null ? 'Kith does not know how far it is from the person' : `It is ${formatMiles(distanceKm)} from the person`}. Check that they can get there and that it is right for them. To go ahead, confirm below; or choose another service.`,
    }
  }

  /**
   * The service a form names: one of those offered (`serviceId`), or another by its name
   * (`serviceName`), which must be in the directory unless `outside` allows a name alone.
   */
  async function serviceNamed(
    body: Body,
    options: { outside: boolean },
  ): Promise<
    { ok: true; service: ServiceRef | undefined; name: string } | { ok: false; problem: FieldProblem }
  > {
    const id = str(body.serviceId)
    if (id && id !== OTHER_SERVICE) {
      const service = isId(id) ? await serviceWithId(db, id) : undefined
      return service
        ? { ok: true, service, name: service.name }
        : { ok: false, problem: { field: 'serviceId', message: 'Choose a service from the list' } }
    }
    const name = str(body.serviceName).trim()
    if (name === '')
      return {
        ok: false,
        problem: { field: NO_SERVICE, message: 'Choose a service, or enter the name of another' },
      }
    if (name.length > 300)
      return {
        ok: false,
        problem: { field: 'serviceName', message: 'The name must be 300 characters or fewer' },
      }
    const service = await findService(db, name)
    if (!service && !options.outside)
      return {
        ok: false,
        problem: { field: 'serviceName', message: 'There is no service with this name in the directory' },
      }
    return { ok: true, service, name: service?.name ?? name }
  }

  /**
   * A form that names a service, shown again with its problems (400), or with the warning about
   * a service elsewhere to confirm (200), and the services offered afresh.
   */
  async function serviceFormAgain(
    request: FastifyRequest,
    reply: FastifyReply,
    form: {
      id: string
      body: Body
      problems: FieldProblem[]
      template: 'prescription-new' | 'signpost-new'
      view: (
        found: CaseForUser,
        choices: ServiceChoices,
        values: Body,
        problems: FieldProblem[],
        warning?: ElsewhereWarning,
      ) => object
      warning?: ElsewhereWarning
    },
  ) {
    const found = await caseForUser(db, request.user!, request.actor, form.id, { audit: 'case.read' })
    const choices = await serviceChoices(request, found, {
      accreditedOnly: form.template === 'prescription-new',
    })
    const offered = choices.local.length + choices.elsewhere.length
    const problems = placeServiceProblems(form.problems, offered, form.body)
    return reply
      .status(problems.length > 0 ? 400 : 200)
      .view(
        `casework/views/${form.template}.njk`,
        form.view(found, choices, form.body, problems, problems.length > 0 ? undefined : form.warning),
      )
  }

  /** Puts "no service" on the radios when services were offered, else on the name box. */
  function placeServiceProblems(problems: FieldProblem[], offered: number, body: Body) {
    return problems.map((problem) => {
      if (problem.field !== NO_SERVICE) return problem
      if (offered > 0 && str(body.serviceId) !== OTHER_SERVICE) return { ...problem, field: 'serviceId' }
      return {
        field: 'serviceName',
        message:
          offered > 0 ? 'Enter the name of the service' : 'Enter the name of the service in the directory',
      }
    })
  }

  function needItems(programme: Programme, selected: unknown) {
    return [
      { value: '', text: 'Not linked to a need', selected: !selected },
      ...programme.needs.map((n) => ({ value: n.id, text: n.label, selected: n.id === selected })),
    ]
  }

  function prescriptionView(
    found: CaseForUser,
    choices: ServiceChoices,
    values: Body,
    problems?: FieldProblem[],
    warning?: ElsewhereWarning,
  ) {
    return {
      pageTitle: 'Add a prescription',
      kase: found.case,
      rule: describePrescription(found.programme.prescription),
      values,
      ...serviceOffer(found, choices, values, { form: 'prescriptions', warning }),
      needItems: needItems(found.programme, values.need),
      back: { href: `/casework/cases/${found.case.id}#prescriptions`, text: 'Back to the case' },
      ...(problems?.length ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get('/casework/cases/:id/prescriptions/new', { config: { access: VIEW } }, async (request, reply) => {
    const found = await caseForUser(db, request.user!, request.actor, caseId(request), { audit: 'case.read' })
    const rule = found.programme.prescription
    const afterReview = (request.query as { after?: string }).after === 'review'
    return reply.view('casework/views/prescription-new.njk', {
      ...prescriptionView(found, await serviceChoices(request, found, { accreditedOnly: true }), {
        start: londonDate(context.now()),
        weeks: rule?.minWeeks === rule?.maxWeeks ? rule?.minWeeks : '',
        elsewhere: str((request.query as Body).elsewhere),
      }),
      ...(afterReview ? { flash: 'The review has been recorded. Now add the new prescription.' } : {}),
    })
  })

  app.post('/casework/cases/:id/prescriptions', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const id = caseId(request)
    const named = await serviceNamed(body, { outside: false })
    const parsed = parse(prescriptionSchema, {
      need: str(body.need) || null,
      weeks: str(body.weeks) || undefined,
      expectedSessions: str(body.expectedSessions) || undefined,
      start: str(body.start),
    })
    let problems: FieldProblem[] = [
      ...(named.ok ? [] : [named.problem]),
      ...(parsed.ok ? [] : parsed.problems),
    ]
    let warning: ElsewhereWarning | undefined
    if (named.ok && named.service && parsed.ok) {
      const service = named.service
      const found = await caseForUser(db, request.user!, request.actor, id)
      // Not accredited: refused before any warning about where it is.
      const accredited = await attempt(() =>
        checkAccredited(db, found.programme, service.id, londonDate(context.now())),
      )
      warning = accredited.ok ? await elsewhereWarning(request, found, service, body) : undefined
      const result = !accredited.ok
        ? accredited
        : warning
          ? undefined
          : await attempt(() =>
              prescribe(db, ctx(request), id, {
                ...parsed.value,
                serviceId: service.id,
                serviceName: service.name,
              }),
            )
      if (result?.ok) return reply.redirect(`/casework/cases/${id}?saved=prescribed#prescriptions`, 303)
      if (result) problems = result.problems
    }
    return serviceFormAgain(request, reply, {
      id,
      body,
      problems,
      template: 'prescription-new',
      view: prescriptionView,
      ...(warning ? { warning } : {}),
    })
  })

  const signpostSchema = z.object({
    kind: z.enum(['signpost', 'referral'], { error: 'Select whether this is a signpost or a referral' }),
    need: z.string().nullable(),
    note: text(2000, 'The note must be 2,000 characters or fewer'),
  })

  function signpostView(
    found: CaseForUser,
    choices: ServiceChoices,
    values: Body,
    problems?: FieldProblem[],
    warning?: ElsewhereWarning,
  ) {
    return {
      pageTitle: 'Signpost or refer on',
      kase: found.case,
      values,
      ...serviceOffer(found, choices, values, { form: 'signposts', warning }),
      kinds: [
        {
          value: 'signpost',
          text: 'Signpost',
          hint: { text: 'Information given to the person; no request to the provider' },
          checked: values.kind === 'signpost',
        },
        {
          value: 'referral',
          text: 'Onward referral',
          hint: { text: 'A request to the provider, who accepts or declines it' },
          checked: values.kind === 'referral',
        },
      ],
      needItems: needItems(found.programme, values.need),
      back: { href: `/casework/cases/${found.case.id}#signposts`, text: 'Back to the case' },
      ...(problems?.length ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get('/casework/cases/:id/signposts/new', { config: { access: VIEW } }, async (request, reply) => {
    const found = await caseForUser(db, request.user!, request.actor, caseId(request), { audit: 'case.read' })
    return reply.view(
      'casework/views/signpost-new.njk',
      signpostView(found, await serviceChoices(request, found, { accreditedOnly: false }), {
        kind: 'signpost',
        elsewhere: str((request.query as Body).elsewhere),
      }),
    )
  })

  app.post('/casework/cases/:id/signposts', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const id = caseId(request)
    const parsed = parse(signpostSchema, {
      kind: body.kind,
      need: str(body.need) || null,
      note: str(body.note),
    })
    // A signpost may name a service outside the directory; an onward referral may not.
    const named = await serviceNamed(body, { outside: !parsed.ok || parsed.value.kind === 'signpost' })
    let problems: FieldProblem[] = [
      ...(parsed.ok ? [] : parsed.problems),
      ...(named.ok ? [] : [named.problem]),
    ]
    // A directory service outside the programme's area is used only once confirmed.
    const warning =
      parsed.ok && named.ok && named.service
        ? await elsewhereWarning(
            request,
            await caseForUser(db, request.user!, request.actor, id),
            named.service,
            body,
          )
        : undefined
    if (warning) {
      // Shown again below with the warning; nothing is recorded yet.
    } else if (parsed.ok && named.ok && parsed.value.kind === 'referral' && named.service) {
      const service = named.service
      // Through the Referrals capability: the provider accepts or declines, and the loop closes.
      const result = await attempt(() =>
        referOnward(
          db,
          ctx(request),
          id,
          {
            serviceId: service.id,
            serviceName: service.name,
            need: parsed.value.need,
            note: parsed.value.note,
            consent: body.consent === 'yes',
          },
          context.now(),
        ),
      )
      if (result.ok) return reply.redirect(`/casework/cases/${id}?saved=referred#signposts`, 303)
      problems = result.problems
    } else if (parsed.ok && named.ok) {
      const result = await attempt(() =>
        signpost(db, ctx(request), id, {
          ...parsed.value,
          kind: 'signpost',
          referralId: null,
          serviceId: named.service?.id ?? null,
          serviceName: named.name,
        }),
      )
      if (result.ok) return reply.redirect(`/casework/cases/${id}?saved=signposted#signposts`, 303)
      problems = result.problems
    }
    return serviceFormAgain(request, reply, {
      id,
      body,
      problems,
      template: 'signpost-new',
      view: signpostView,
      ...(warning ? { warning } : {}),
    })
  })

  app.post(
    '/casework/cases/:id/signposts/:signpostId/taken-up',
    { config: { access: VIEW } },
    async (request, reply) => {
      const { signpostId } = request.params as { signpostId: string }
      const value = (request.body as Body | undefined)?.takenUp
      if (!isId(signpostId) || (value !== 'yes' && value !== 'no')) throw notFound()
      const id = caseId(request)
      await recordSignpostTakeUp(db, ctx(request), id, signpostId, value === 'yes')
      return reply.redirect(`/casework/cases/${id}?saved=signpost#signposts`, 303)
    },
  )

  // ---- Exit, GP summary, assignment -----------------------------------------------------

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

  async function summaryOf(request: FastifyRequest, id: string) {
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

  app.get('/casework/cases/:id/gp-summary', { config: { access: VIEW } }, async (request, reply) => {
    const { found, summary } = await summaryOf(request, caseId(request))
    return reply.view('casework/views/gp-summary.njk', {
      pageTitle: 'Summary for the GP record',
      kase: found.case,
      text: gpSummaryText(summary),
      json: JSON.stringify(summary, null, 2),
      back: { href: `/casework/cases/${found.case.id}`, text: 'Back to the case' },
    })
  })

  app.get('/casework/cases/:id/gp-summary.txt', { config: { access: VIEW } }, async (request, reply) => {
    const { summary } = await summaryOf(request, caseId(request))
    return reply
      .header('content-type', 'text/plain; charset=utf-8')
      .header('content-disposition', 'attachment; filename="gp-summary.txt"')
      .send(gpSummaryText(summary))
  })

  app.get('/casework/cases/:id/gp-summary.json', { config: { access: VIEW } }, async (request, reply) => {
    const { summary } = await summaryOf(request, caseId(request))
    return reply.header('content-disposition', 'attachment; filename="gp-summary.json"').send(summary)
  })

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

  // ---- Diary and lone working -----------------------------------------------------------

  app.get('/casework/diary', { config: { access: VIEW } }, async (request, reply) => {
    const query = request.query as Body
    const user = request.user!
    const today = londonDate(context.now())
    const date =
      typeof query.date === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(query.date) &&
      !Number.isNaN(Date.parse(query.date))
        ? query.date
        : today
    const week = query.view === 'week'
    // A manager may look at the diary of any link worker in the programmes they manage.
    const programmes = await programmesOfUser(db, user)
    const workers = new Map<string, string>([[user.id, 'You']])
    const managed = (
      await Promise.all(programmes.filter((p) => p.manages).map((p) => getProgramme(db, p.id)))
    ).filter((p) => p !== undefined)
    for (const p of managed)
      for (const w of p.linkWorkers) if (!workers.has(w.userId)) workers.set(w.userId, w.name)
    const worker = typeof query.worker === 'string' && workers.has(query.worker) ? query.worker : user.id
    // The worker's pattern (Merton: two days a week in each practice): where they are each weekday.
    const pattern = await workingPatternOf(
      db,
      worker,
      programmes.map((p) => p.id),
    )
    const whereOn = (day: string) => {
      const weekday = WEEKDAYS[(new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7]
      return programmes.flatMap((p) =>
        pattern
          .filter((d) => d.programmeId === p.id && d.weekday === weekday)
          .map((d) => `${p.name}: ${d.practiceName ?? 'away from practices'}`),
      )
    }
    const first = week ? weekStart(date) : date
    const days = Array.from({ length: week ? 7 : 1 }, (_, i) => addDays(first, i))
    const from = londonToUtc(first, '00:00')!
    const to = londonToUtc(addDays(first, days.length), '00:00')!
    // Another worker's diary shows only the appointments in the programmes the manager manages: a
    // worker in two schemes keeps the other scheme's people from this one's manager.
    const rows = await diaryOf(
      db,
      worker,
      from,
      to,
      worker === user.id ? undefined : managed.map((p) => p.id),
    )
    const clashing = clashes(rows)
    // The people read and the diary's audit event in one transaction.
    const people = await db.transaction().execute(async (trx) => {
      const found = new Map(
        (
          await readPersonSummaries(trx, request.actor, [...new Set(rows.map((r) => r.personId))], {
            via: 'diary',
          })
        ).map((p) => [p.id, p]),
      )
      await audit(trx, request.actor, {
        action: 'case.diary-read',
        detail: { days: days.length, count: rows.length, own: worker === user.id },
      })
      return found
    })
    // Where each home visit is: the address of the person visited.
    const homes = new Map<string, Home>()
    for (const personId of new Set(rows.filter((r) => r.mode === 'home_visit').map((r) => r.personId))) {
      const person = await readPerson(db, request.actor, personId, { via: 'diary-home-visit' })
      if (person) homes.set(personId, await homeFor(db, person))
    }
    const byDay = days.map((day) => ({
      day,
      where: whereOn(day),
      appointments: rows
        .filter((r) => londonDate(new Date(r.startsAt)) === day)
        .map((r) => {
          const person = people.get(r.personId)
          return {
            ...r,
            name: person ? `${person.givenName} ${person.familyName}` : 'Unknown',
            home: r.mode === 'home_visit' ? (homes.get(r.personId) ?? null) : null,
            kindLabel: APPOINTMENT_KIND_LABELS[r.kind],
            modeLabel: APPOINTMENT_MODE_LABELS[r.mode],
            statusLabel: APPOINTMENT_STATUS_LABELS[r.status],
            clash: clashing.has(r.id),
          }
        }),
    }))
    return reply.view('casework/views/diary.njk', {
      pageTitle: week ? 'Diary: week' : 'Diary: day',
      week,
      date,
      byDay,
      clashes: clashing.size,
      worker,
      workerName: workers.get(worker),
      workerItems: [...workers].map(([value, text]) => ({ value, text, selected: value === worker })),
      previous: addDays(first, week ? -7 : -1),
      next: addDays(first, week ? 7 : 1),
    })
  })

  app.get(
    '/casework/lone-working',
    { config: { access: rolesAccess('programme_manager') } },
    async (request, reply) => {
      const now = context.now()
      const managed = (await programmesOfUser(db, request.user!)).filter((p) => p.manages)
      const visits = await homeVisitsOf(
        db,
        managed.map((p) => p.id),
        addDays(londonDate(now), -14),
      )
      const people = new Map(
        (
          await readPersonSummaries(db, request.actor, [...new Set(visits.map((v) => v.personId))], {
            via: 'lone-working',
          })
        ).map((p) => [p.id, p]),
      )
      await audit(db, request.actor, { action: 'case.lone-working-read', detail: { count: visits.length } })
      const rows = visits.map((v) => {
        const person = people.get(v.personId)
        return {
          ...v,
          name: person ? `${person.givenName} ${person.familyName}` : 'Unknown',
          overran: overran(v, now),
          stillThere: !v.departedAt,
        }
      })
      return reply.view('casework/views/lone-working.njk', {
        pageTitle: 'Lone working: home visits',
        overruns: rows.filter((r) => r.overran),
        others: rows.filter((r) => !r.overran),
      })
    },
  )
  context.navigation.push({
    text: 'Lone working',
    href: '/casework/lone-working',
    roles: ['programme_manager'],
    order: 32,
  })

  // ---- JSON API -------------------------------------------------------------------------

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
    const view = await caseload(request, request.query as Body)
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
    async (request) => (await summaryOf(request, caseId(request))).summary,
  )
}
