// Casework's operations: each reads or changes a case in one transaction with its audit event and
// a line on the case's timeline. Bad input fails with a Problem naming the field, and nothing is
// changed. Access to a case is checked by `caseForUser`: a link worker sees the cases of their
// programme and organisation (or assigned to them), a manager those of the programmes they manage.

import { type Actor, audit, refused } from '../access/audit.ts'
import { findOrganisationByOdsCode, loadCurrentUser, usersWithRoleIn } from '../access/store.ts'
import { type CurrentUser, organisationsWhere } from '../access/users.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import {
  APPOINTMENT_KIND_LABELS,
  APPOINTMENT_MODE_LABELS,
  type AppointmentKind,
  type AppointmentMode,
} from '../programmes/config.ts'
import { canManage, getProgramme, namedLinkWorkerFor, type Programme } from '../programmes/store.ts'
import {
  type AcceptedReferral,
  changeReferralStatus,
  createReferral,
  getReferral,
} from '../referrals/index.ts'
import { formatDateTime } from '../web/format.ts'
import { badRequest, conflict, type FieldProblem, notFound, Problem } from '../web/problem.ts'
import {
  APPOINTMENT_STATUS_LABELS,
  type AppointmentStatus,
  appointmentTimesProblem,
  arrivalProblem,
  bookingProblem,
  CLOSURE_REASON_LABELS,
  type ClosureReason,
  clashWarning,
  GOAL_PROGRESS_LABELS,
  type GoalProgress,
  goalTargetProblem,
  londonDate,
  modeProblem,
  NOTE_TYPE_LABELS,
  type NoteType,
  outcomeTooEarlyProblem,
  patternWarnings,
  prescriptionEnd,
  prescriptionProblem,
} from './rules.ts'
import { checkAccredited } from './services.ts'
import {
  type AppointmentRow,
  addEvent,
  appointmentsOfCase,
  type CaseRow,
  closeCase,
  getAppointment,
  getCase,
  getPlan,
  goalsOfCase,
  insertAppointment,
  insertAppointmentMove,
  insertCase,
  insertGoal,
  insertNote,
  insertPrescription,
  insertSignpost,
  lockCase,
  markFirstContact,
  overlappingAppointments,
  type Plan,
  rescheduleAppointment,
  savePlan,
  setCaseNeeds,
  setCaseWorker,
  setSignpostTakenUp,
  signpostsOfCase,
  updateAppointment,
  updateGoal,
} from './store.ts'

/** A change to a case: on its timeline, and in the audit log, in the caller's transaction. */
export async function recordCaseChange(
  trx: Queryable,
  ctx: Ctx,
  caseId: string,
  change: { kind: string; summary: string; action: string; detail?: Record<string, unknown> },
): Promise<void> {
  await addEvent(trx, caseId, { kind: change.kind, summary: change.summary, userId: ctx.user.id })
  await audit(trx, ctx.actor, {
    action: change.action,
    recordType: 'case',
    recordId: caseId,
    ...(change.detail ? { detail: change.detail } : {}),
  })
}

export interface OpenCaseInput {
  personId: string
  programmeId: string
  referralId?: string
  practiceOdsCode?: string | null
  needs?: string[]
  /** When it opened (ISO 8601, UTC); now when not given. */
  openedAt?: string
}

/** The organisation a worker's cases belong to: the programme owner if they work there, else their first. */
async function organisationOfWorker(db: Queryable, userId: string, programme: Programme): Promise<string> {
  const user = await loadCurrentUser(db, userId)
  const orgs = user ? organisationsWhere(user, 'link_worker') : []
  return orgs.includes(programme.ownerOrganisationId)
    ? programme.ownerOrganisationId
    : (orgs[0] ?? programme.ownerOrganisationId)
}

/**
 * Opens a case for a person in a programme, assigned to the link worker the programme names for
 * the person's practice (Tower Hamlets), or to its only link worker; otherwise unassigned for a
 * manager to assign. Audited. Returns the case id.
 */
export async function openCase(db: Queryable, actor: Actor, input: OpenCaseInput): Promise<string> {
  return inTransaction(db, async (trx) => {
    const programme = await getProgramme(trx, input.programmeId)
    if (!programme) throw notFound('There is no such programme.')
    let practiceId: string | null = null
    if (input.practiceOdsCode) {
      const inProgramme = programme.practices.find((p) => p.odsCode === input.practiceOdsCode)
      practiceId =
        inProgramme?.organisationId ??
        (await findOrganisationByOdsCode(trx, input.practiceOdsCode))?.id ??
        null
    }
    let workerId: string | null = null
    if (practiceId) workerId = (await namedLinkWorkerFor(trx, programme.id, practiceId))?.userId ?? null
    if (!workerId && programme.linkWorkers.length === 1) workerId = programme.linkWorkers[0]!.userId
    // Volunteering (decision 0106): the programme's one other worker supports the project officer.
    const others = programme.linkWorkers.filter((w) => w.userId !== workerId)
    const supporter =
      programme.pathway === 'volunteering' && workerId && others.length === 1 ? others[0] : null
    const known = new Set(programme.needs.map((n) => n.id))
    const needs = (input.needs ?? []).filter((need) => known.has(need))
    const organisationId = workerId
      ? await organisationOfWorker(trx, workerId, programme)
      : programme.ownerOrganisationId
    const id = await insertCase(trx, {
      personId: input.personId,
      programmeId: programme.id,
      referralId: input.referralId ?? null,
      practiceOrganisationId: practiceId,
      organisationId,
      linkWorkerUserId: workerId,
      supportingUserId: supporter?.userId ?? null,
      needs,
      ...(input.openedAt ? { openedAt: input.openedAt } : {}),
    })
    await addEvent(trx, id, {
      kind: 'opened',
      summary: `${workerId ? 'Case opened and assigned' : 'Case opened, waiting to be assigned'}${supporter ? `, supported by ${supporter.name}` : ''}`,
      userId: actor.userId,
      ...(input.openedAt ? { at: input.openedAt } : {}),
    })
    await audit(trx, actor, {
      action: 'case.create',
      recordType: 'case',
      recordId: id,
      detail: { programmeId: programme.id, assigned: workerId !== null, fromReferral: !!input.referralId },
    })
    return id
  })
}

export interface CaseForUser {
  case: CaseRow
  programme: Programme
  /** The user manages the case's programme. */
  manages: boolean
}

/**
 * Whether the user may see the case: a manager of its programme, the worker named to support it,
 * or one of the programme's own link workers who is the case's link worker or a link worker in
 * the case's organisation. Being a link worker of another programme of the same organisation
 * grants nothing (Blackburn's recovery support officer sees a mental-health case only when named).
 */
export function maySee(user: CurrentUser, kase: CaseRow, programme: Programme): boolean {
  if (canManage(user, programme) || kase.supportingUserId === user.id) return true
  if (!programme.linkWorkers.some((w) => w.userId === user.id)) return false
  return (
    kase.linkWorkerUserId === user.id || organisationsWhere(user, 'link_worker').includes(kase.organisationId)
  )
}

/** The case, if the user may see it (record-level access); undefined otherwise. Not audited. */
export async function getCaseForUser(
  db: Queryable,
  user: CurrentUser,
  caseId: string,
): Promise<CaseForUser | undefined> {
  if (!isId(caseId)) return undefined
  const kase = await getCase(db, caseId)
  if (!kase) return undefined
  const programme = await getProgramme(db, kase.programmeId)
  if (!programme || !maySee(user, kase, programme)) return undefined
  return { case: kase, programme, manages: canManage(user, programme) }
}

/**
 * The case for the user, or a 404 audited as a refusal; audits the read (or the change about to
 * be made, by the caller). Every route, operation and API reaching a case decides access here.
 */
export async function caseForUser(
  db: Queryable,
  user: CurrentUser,
  actor: Actor,
  caseId: string,
  options: { audit?: string; open?: boolean } = {},
): Promise<CaseForUser> {
  const found = await getCaseForUser(db, user, caseId)
  if (!found)
    throw refused({
      recordType: 'case',
      recordId: caseId,
      detail: { attempted: options.audit ?? 'case.change' },
    })
  if (options.open && found.case.status !== 'open')
    throw conflict('This case is closed: nothing can be booked or changed on it.')
  if (options.audit) await audit(db, actor, { action: options.audit, recordType: 'case', recordId: caseId })
  return found
}

export type Ctx = { user: CurrentUser; actor: Actor }

/**
 * A booking or move that breaks no rule but is outside the worker's working pattern, or clashes
 * with another appointment in their diary: it needs the user's confirmation. Nothing was changed.
 */
export class NeedsConfirmation extends Problem {
  readonly warnings: string[]

  constructor(warnings: string[]) {
    super(409, 'Confirm the booking', { detail: warnings.join('. ') })
    this.warnings = warnings
  }
}

/**
 * What the user should confirm about a worker's appointment at this time: a day outside their
 * working pattern in the programme, a practice other than the one the pattern puts them at that
 * day, and other appointments in their diary it overlaps.
 */
async function schedulingWarnings(
  trx: Queryable,
  found: { case: CaseRow; programme: Programme },
  workerId: string,
  slot: { startsAt: string; endsAt: string; mode: AppointmentMode },
  exceptAppointmentId?: string,
): Promise<string[]> {
  const { case: kase, programme } = found
  const worker = programme.linkWorkers.find((w) => w.userId === workerId)
  const workerName = worker?.name ?? kase.linkWorkerName ?? 'The link worker'
  const practiceName = (id: string | null) =>
    id ? (programme.practices.find((p) => p.organisationId === id)?.name ?? null) : null
  const practice =
    slot.mode === 'practice' && kase.practiceOrganisationId
      ? {
          id: kase.practiceOrganisationId,
          name: practiceName(kase.practiceOrganisationId) ?? 'the person’s practice',
        }
      : null
  const warnings = patternWarnings({
    workerName,
    programmeName: programme.name,
    pattern: (worker?.days ?? []).map((d) => ({ ...d, practiceName: practiceName(d.practiceId) })),
    date: londonDate(new Date(slot.startsAt)),
    atPractice: practice,
  })
  const others = await overlappingAppointments(trx, workerId, slot.startsAt, slot.endsAt, exceptAppointmentId)
  for (const other of others) warnings.push(clashWarning(workerName, other))
  return warnings
}

export interface BookingInput {
  kind: AppointmentKind
  mode: AppointmentMode
  place: string
  startsAt: string
  endsAt: string
  /** A manager's reason for booking past the programme's cap. */
  capException?: string
  /** The worker whose diary it goes in; defaults to the case's worker. */
  linkWorkerUserId?: string
  /** The user has seen the warnings (outside the working pattern, a clash) and books it anyway. */
  confirmed?: boolean
}

/**
 * Books an appointment on an open case within the programme's rules (or a manager's exception).
 * One outside the worker's working pattern, or clashing with another in their diary, needs
 * `confirmed` (else NeedsConfirmation, and nothing is booked).
 */
export async function bookAppointment(
  db: Queryable,
  ctx: Ctx,
  caseId: string,
  input: BookingInput,
): Promise<string> {
  return inTransaction(db, async (trx) => {
    const found = await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    const { case: kase, programme, manages } = found
    await lockCase(trx, caseId)
    const times = appointmentTimesProblem(input.startsAt, input.endsAt)
    if (times) throw badRequest(times, [{ field: 'endTime', message: times }])
    const mode = modeProblem(programme.appointments, input.mode)
    if (mode) throw badRequest(mode, [{ field: 'mode', message: mode }])
    const worker = input.linkWorkerUserId ?? kase.linkWorkerUserId
    if (!worker) {
      const message = 'Assign a link worker to the case before booking'
      throw badRequest(message, [{ field: 'kind', message }])
    }
    const existing = await appointmentsOfCase(trx, caseId)
    const problem = bookingProblem(programme.appointments, existing, input.kind)
    const exception = input.capException?.trim() || null
    if (problem) {
      const overridable = input.kind !== 'initial'
      if (!overridable || !manages || !exception) {
        const message = overridable
          ? `${problem}. A programme manager can book one more with a reason.`
          : problem
        throw badRequest(message, [{ field: 'kind', message }])
      }
    }
    const warnings = await schedulingWarnings(trx, found, worker, input)
    if (warnings.length > 0 && !input.confirmed) throw new NeedsConfirmation(warnings)
    const id = await insertAppointment(trx, {
      caseId,
      linkWorkerUserId: worker,
      kind: input.kind,
      mode: input.mode,
      place: input.place,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      capExceptionReason: problem ? exception : null,
      capExceptionByUserId: problem ? ctx.user.id : null,
    })
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'appointment',
      summary: `${APPOINTMENT_KIND_LABELS[input.kind]} appointment booked (${APPOINTMENT_MODE_LABELS[input.mode].toLowerCase()})${problem ? `, past the cap: ${exception}` : ''}${warnings.length ? `, confirmed: ${warnings.join('; ')}` : ''}`,
      action: 'case.appointment-book',
      detail: {
        appointmentId: id,
        kind: input.kind,
        mode: input.mode,
        capException: problem !== undefined,
        confirmedWarnings: warnings.length,
      },
    })
    return id
  })
}

export interface MoveInput {
  startsAt: string
  endsAt: string
  mode: AppointmentMode
  place: string
  reason: string
  /** The user has seen the warnings (outside the working pattern, a clash) and moves it anyway. */
  confirmed?: boolean
}

/**
 * Moves a booked appointment to another time (and mode or place), with the checks of a booking:
 * its times, the programme's modes, the working pattern and clashes (confirmed, as for a
 * booking). Its kind and status do not change, so the cap holds as it did. The times before and
 * after are kept as a move, on the timeline and in the audit log.
 */
export async function moveAppointment(
  db: Queryable,
  ctx: Ctx,
  appointmentId: string,
  input: MoveInput,
  now: Date,
): Promise<AppointmentRow> {
  return inTransaction(db, async (trx) => {
    const found = await appointmentFor(trx, ctx, appointmentId)
    const { appointment, case: kase, programme } = found
    await lockCase(trx, kase.id)
    if (appointment.status !== 'booked') {
      const message = `Only a booked appointment can be moved; this one is recorded as ${APPOINTMENT_STATUS_LABELS[appointment.status].toLowerCase()}`
      throw badRequest(message, [{ field: 'date', message }])
    }
    if (appointment.arrivedAt) {
      const message = 'Arrival at this visit has been recorded, so it cannot be moved'
      throw badRequest(message, [{ field: 'date', message }])
    }
    const problems: FieldProblem[] = []
    const times = appointmentTimesProblem(input.startsAt, input.endsAt)
    if (times) problems.push({ field: 'endTime', message: times })
    const mode = modeProblem(programme.appointments, input.mode)
    if (mode) problems.push({ field: 'mode', message: mode })
    const from = {
      startsAt: appointment.startsAt,
      endsAt: appointment.endsAt,
      mode: appointment.mode,
      place: appointment.place,
    }
    const to = { startsAt: input.startsAt, endsAt: input.endsAt, mode: input.mode, place: input.place }
    if (
      problems.length === 0 &&
      Date.parse(from.startsAt) === Date.parse(to.startsAt) &&
      Date.parse(from.endsAt) === Date.parse(to.endsAt) &&
      from.mode === to.mode &&
      from.place === to.place
    )
      problems.push({ field: 'date', message: 'Change the date, the times, the place or how it happens' })
    if (problems.length > 0) throw badRequest(problems[0]!.message, problems)
    const warnings = await schedulingWarnings(trx, found, appointment.linkWorkerUserId, to, appointment.id)
    if (warnings.length > 0 && !input.confirmed) throw new NeedsConfirmation(warnings)
    await insertAppointmentMove(trx, {
      appointmentId: appointment.id,
      caseId: kase.id,
      from,
      to,
      reason: input.reason,
      warnings,
      movedAt: now.toISOString(),
      userId: ctx.user.id,
    })
    await rescheduleAppointment(trx, appointment.id, to)
    await recordCaseChange(trx, ctx, kase.id, {
      kind: 'appointment',
      summary: `${APPOINTMENT_KIND_LABELS[appointment.kind]} appointment moved from ${formatDateTime(from.startsAt)} to ${formatDateTime(to.startsAt)}${to.mode !== from.mode ? ` (${APPOINTMENT_MODE_LABELS[to.mode].toLowerCase()})` : ''}${warnings.length ? `, confirmed: ${warnings.join('; ')}` : ''}`,
      action: 'case.appointment-move',
      detail: {
        appointmentId: appointment.id,
        modeChanged: to.mode !== from.mode,
        confirmedWarnings: warnings.length,
      },
    })
    return { ...appointment, ...to }
  })
}

async function appointmentFor(trx: Queryable, ctx: Ctx, appointmentId: string, open = true) {
  const appointment = isId(appointmentId) ? await getAppointment(trx, appointmentId) : undefined
  if (!appointment) throw notFound()
  const found = await caseForUser(trx, ctx.user, ctx.actor, appointment.caseId, { open })
  return { appointment, ...found }
}

/** Records what happened to an appointment, and the goals the session worked on. */
export async function recordAppointment(
  db: Queryable,
  ctx: Ctx,
  appointmentId: string,
  input: { status: AppointmentStatus; goalIds: string[] },
  now: Date,
  onMilestone: readonly CaseMilestoneHandler[] = [],
): Promise<AppointmentRow> {
  return inTransaction(db, async (trx) => {
    const { appointment, case: kase } = await appointmentFor(trx, ctx, appointmentId)
    const goals = new Set((await goalsOfCase(trx, kase.id)).map((g) => g.id))
    const goalIds = input.goalIds.filter((id) => goals.has(id))
    const early = outcomeTooEarlyProblem(input.status, appointment.startsAt, now)
    if (early) throw badRequest(early, [{ field: 'status', message: early }])
    await updateAppointment(trx, appointment.id, { status: input.status, goalIds })
    if (input.status === 'attended') await markFirstContact(trx, kase.id, appointment.startsAt)
    await recordCaseChange(trx, ctx, kase.id, {
      kind: 'appointment',
      summary: `${APPOINTMENT_KIND_LABELS[appointment.kind]} appointment: ${APPOINTMENT_STATUS_LABELS[input.status].toLowerCase()}${goalIds.length ? `, worked on ${goalIds.length} ${goalIds.length === 1 ? 'goal' : 'goals'}` : ''}`,
      action: 'case.appointment-update',
      detail: { appointmentId, status: input.status, goals: goalIds.length },
    })
    // The initial assessment is done when the initial appointment is recorded as held.
    if (appointment.kind === 'initial' && input.status === 'attended' && appointment.status !== 'attended')
      await reachMilestone(
        trx,
        ctx,
        { point: 'initial-assessment', case: caseRef(kase), key: kase.id, at: appointment.startsAt },
        onMilestone,
      )
    return { ...appointment, status: input.status, goalIds }
  })
}

/** Lone working: the worker marks arrival at, or departure from, a home visit. */
export async function checkIn(
  db: Queryable,
  ctx: Ctx,
  appointmentId: string,
  what: 'arrive' | 'depart',
  now: Date,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const { appointment, case: kase } = await appointmentFor(trx, ctx, appointmentId, false)
    if (appointment.mode !== 'home_visit') throw badRequest('Only home visits have a lone-working check-in.')
    if (appointment.linkWorkerUserId !== ctx.user.id)
      throw badRequest('Only the worker making the visit can check in and out.')
    if (what === 'arrive' && appointment.arrivedAt) throw conflict('Arrival has already been recorded.')
    if (what === 'arrive' && appointment.status === 'cancelled') {
      const message = 'This visit was cancelled, so arrival cannot be recorded'
      throw badRequest(message, [{ field: 'arrive', message }])
    }
    const notToday = what === 'arrive' ? arrivalProblem(appointment.startsAt, now) : undefined
    if (notToday) throw badRequest(notToday, [{ field: 'arrive', message: notToday }])
    if (what === 'depart' && !appointment.arrivedAt) throw conflict('Record arrival before departure.')
    if (what === 'depart' && appointment.departedAt) throw conflict('Departure has already been recorded.')
    const at = now.toISOString()
    await updateAppointment(trx, appointment.id, what === 'arrive' ? { arrivedAt: at } : { departedAt: at })
    await recordCaseChange(trx, ctx, kase.id, {
      kind: 'lone-working',
      summary: what === 'arrive' ? 'Arrived at home visit' : 'Left home visit',
      action: what === 'arrive' ? 'case.visit-arrive' : 'case.visit-depart',
      detail: { appointmentId },
    })
  })
}

export async function updatePlan(db: Queryable, ctx: Ctx, caseId: string, plan: Omit<Plan, 'updatedAt'>) {
  await inTransaction(db, async (trx) => {
    await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    await savePlan(trx, caseId, plan)
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'plan',
      summary: 'Care and support plan updated',
      action: 'case.plan-update',
    })
  })
}

export async function addGoal(
  db: Queryable,
  ctx: Ctx,
  caseId: string,
  input: { text: string; targetDate: string | null; progress: GoalProgress },
  now: Date,
): Promise<string> {
  return inTransaction(db, async (trx) => {
    await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    const problems: FieldProblem[] = []
    if (!input.text.trim())
      problems.push({ field: 'text', message: 'Enter the goal in the person’s own words' })
    // A target date is set for today or later (London's today), never in the past.
    const target = input.targetDate ? goalTargetProblem(input.targetDate, londonDate(now)) : undefined
    if (target) problems.push({ field: 'targetDate', message: target })
    if (problems.length > 0) throw badRequest(problems[0]!.message, problems)
    const id = await insertGoal(trx, caseId, { ...input, text: input.text.trim() })
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'plan',
      summary: 'Goal added',
      action: 'case.goal-add',
      detail: { goalId: id },
    })
    return id
  })
}

export async function setGoalProgress(
  db: Queryable,
  ctx: Ctx,
  caseId: string,
  goalId: string,
  progress: GoalProgress,
) {
  await inTransaction(db, async (trx) => {
    await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    if (!isId(goalId) || !(await updateGoal(trx, caseId, goalId, progress))) throw notFound()
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'plan',
      summary: `Goal progress: ${GOAL_PROGRESS_LABELS[progress].toLowerCase()}`,
      action: 'case.goal-update',
      detail: { goalId, progress },
    })
  })
}

export async function addNote(
  db: Queryable,
  ctx: Ctx,
  caseId: string,
  input: { type: NoteType; text: string; forGpRecord?: boolean },
) {
  return inTransaction(db, async (trx) => {
    await caseForUser(trx, ctx.user, ctx.actor, caseId)
    const id = await insertNote(trx, caseId, { ...input, authorUserId: ctx.user.id })
    if (input.type === 'contact') await markFirstContact(trx, caseId, new Date().toISOString())
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'note',
      summary: `${NOTE_TYPE_LABELS[input.type]}${input.forGpRecord ? ' (for the GP record)' : ''}`,
      action: 'case.note-add',
      detail: { noteId: id, type: input.type, forGpRecord: input.forGpRecord === true },
    })
    return id
  })
}

export interface PrescriptionInput {
  serviceId: string
  serviceName: string
  need: string | null
  weeks: number
  expectedSessions: number
  start: string
}

export async function prescribe(
  db: Queryable,
  ctx: Ctx,
  caseId: string,
  input: PrescriptionInput,
): Promise<string> {
  return inTransaction(db, async (trx) => {
    const { case: kase, programme } = await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    const problem = prescriptionProblem(programme.prescription, input)
    if (problem) throw badRequest(problem.message, [problem])
    if (input.need && !programme.needs.some((n) => n.id === input.need))
      throw badRequest('Select a need from the list', [
        { field: 'need', message: 'Select a need from the list' },
      ])
    // A programme that accredits providers prescribes only what it accredits (Luton).
    await checkAccredited(trx, programme, input.serviceId, londonDate(new Date()))
    const end = prescriptionEnd(input.start, input.weeks)
    // The prescription is a referral in the provider's inbox: checked against the service's
    // rules, answered by the provider, whose records come back to the case.
    const referralId = await referToProvider(trx, ctx, kase, {
      serviceId: input.serviceId,
      serviceName: input.serviceName,
      need: input.need,
      consentAbout: `Prescription of ${input.serviceName} for ${input.weeks} weeks`,
      reason: `Prescription from ${programme.name}: ${input.serviceName} for ${input.weeks} weeks, ${input.start} to ${end}, ${input.expectedSessions} sessions expected`,
      field: 'serviceId',
      now: new Date(),
    })
    const id = await insertPrescription(trx, {
      ...input,
      caseId,
      personId: kase.personId,
      end,
      referralId: referralId.id,
    })
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'prescription',
      summary: `Prescribed ${input.serviceName} for ${input.weeks} weeks`,
      action: 'case.prescription-add',
      detail: { prescriptionId: id, serviceId: input.serviceId, weeks: input.weeks },
    })
    return id
  })
}

export async function signpost(
  db: Queryable,
  ctx: Ctx,
  caseId: string,
  input: {
    kind: 'signpost' | 'referral'
    referralId: string | null
    serviceId: string | null
    serviceName: string
    need: string | null
    note: string
  },
) {
  return inTransaction(db, async (trx) => {
    const { programme } = await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    if (input.need && !programme.needs.some((n) => n.id === input.need))
      throw badRequest('Select a need from the list', [
        { field: 'need', message: 'Select a need from the list' },
      ])
    const id = await insertSignpost(trx, caseId, { ...input, userId: ctx.user.id })
    await recordCaseChange(trx, ctx, caseId, {
      kind: input.kind,
      summary: `${input.kind === 'signpost' ? 'Signposted to' : 'Referred on to'} ${input.serviceName}`,
      action: input.kind === 'signpost' ? 'case.signpost-add' : 'case.onward-referral-add',
      detail: { signpostId: id, serviceId: input.serviceId, referralId: input.referralId },
    })
    return id
  })
}

/** Records whether the person took a signpost up, on an open case. */
export async function recordSignpostTakeUp(
  db: Queryable,
  ctx: Ctx,
  caseId: string,
  signpostId: string,
  takenUp: boolean,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    const signpost = (await signpostsOfCase(trx, caseId)).find((s) => s.id === signpostId)
    if (!signpost || !(await setSignpostTakenUp(trx, caseId, signpostId, takenUp))) throw notFound()
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'signpost',
      summary: `${signpost.serviceName}: ${takenUp ? 'taken up' : 'not taken up'}`,
      action: 'case.signpost-take-up',
      detail: { signpostId, takenUp },
    })
  })
}

/** The case a milestone or its end is about, as other capabilities are told of it. */
export interface CaseRef {
  id: string
  personId: string
  programmeId: string
  practiceOrganisationId: string | null
}

export const caseRef = (kase: CaseRef): CaseRef => ({
  id: kase.id,
  personId: kase.personId,
  programmeId: kase.programmeId,
  practiceOrganisationId: kase.practiceOrganisationId,
})

/**
 * A point in a case other capabilities are told of, inside the transaction that records it:
 * `initial-assessment` when the initial appointment is recorded as held; `prescription-ended`
 * when a prescription's review ends it (completed, or ended early), rather than extending it.
 */
export interface CaseMilestone {
  point: 'initial-assessment' | 'prescription-ended'
  case: CaseRef
  /** What the point happens once for: the case (its initial assessment), or the prescription. */
  key: string
  /** When it happened: the initial appointment's start, or the review. */
  at: string
  /** The prescription that ended, and whether it ended before its last day. */
  prescription?: { id: string; serviceName: string; endedEarly: boolean }
}
export type CaseMilestoneHandler = (trx: Queryable, milestone: CaseMilestone, ctx: Ctx) => Promise<void>

export async function reachMilestone(
  trx: Queryable,
  ctx: Ctx,
  milestone: CaseMilestone,
  handlers: readonly CaseMilestoneHandler[],
): Promise<void> {
  for (const handler of handlers) await handler(trx, milestone, ctx)
}

/** What other capabilities are told when a case ends, inside the transaction that closes it. */
export interface ClosedCase {
  id: string
  personId: string
  programmeId: string
  practiceOrganisationId: string | null
  closedAt: string
}
export type CaseClosedHandler = (trx: Queryable, closed: ClosedCase, ctx: Ctx) => Promise<void>

export async function exitCase(
  db: Queryable,
  ctx: Ctx,
  caseId: string,
  input: { closureReason: ClosureReason; exitPlan: string },
  now: Date,
  onClosed: readonly CaseClosedHandler[] = [],
) {
  await inTransaction(db, async (trx) => {
    const { case: kase } = await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    if (input.closureReason === 'goals_met') {
      const goals = await goalsOfCase(trx, caseId)
      if (!goals.some((goal) => goal.progress === 'achieved')) {
        const message =
          goals.length === 0
            ? 'The case has no goals: record the goals met in the plan first, or choose another reason'
            : 'No goal is achieved yet: record the goals met first, or choose another reason'
        throw badRequest(message, [{ field: 'closureReason', message }])
      }
    }
    await closeCase(trx, caseId, { ...input, at: now.toISOString() })
    // The loop closes: the referral that opened the case completes with the case, and its
    // referrer is told, in this transaction.
    const referral = kase.referralId ? await getReferral(trx, kase.referralId) : undefined
    if (referral && (referral.status === 'accepted' || referral.status === 'in-progress')) {
      await changeReferralStatus(
        trx,
        ctx.actor,
        referral.id,
        { to: 'completed', note: `Case closed: ${CLOSURE_REASON_LABELS[input.closureReason].toLowerCase()}` },
        { user: ctx.user, forTeam: true },
        { now },
      )
    }
    const future = (await appointmentsOfCase(trx, caseId)).filter(
      (a) => a.status === 'booked' && Date.parse(a.startsAt) > now.getTime(),
    )
    for (const a of future) await updateAppointment(trx, a.id, { status: 'cancelled' })
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'closed',
      summary: `Case closed: ${CLOSURE_REASON_LABELS[input.closureReason].toLowerCase()}${future.length ? `; ${future.length} booked ${future.length === 1 ? 'appointment' : 'appointments'} cancelled` : ''}`,
      action: 'case.close',
      detail: { closureReason: input.closureReason, cancelledAppointments: future.length },
    })
    const closed: ClosedCase = {
      id: caseId,
      personId: kase.personId,
      programmeId: kase.programmeId,
      practiceOrganisationId: kase.practiceOrganisationId,
      closedAt: now.toISOString(),
    }
    for (const handler of onClosed) await handler(trx, closed, ctx)
  })
}

/** A manager assigns (or reassigns) the case to one of the programme's link workers. */
export async function assignCase(db: Queryable, ctx: Ctx, caseId: string, userId: string) {
  await inTransaction(db, async (trx) => {
    const {
      programme,
      manages,
      case: kase,
    } = await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    if (!manages) throw notFound()
    const worker = programme.linkWorkers.find((w) => w.userId === userId)
    if (!worker) {
      const message = 'Select one of the programme’s link workers'
      throw badRequest(message, [{ field: 'userId', message }])
    }
    await setCaseWorker(trx, caseId, userId, await organisationOfWorker(trx, userId, programme))
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'assigned',
      summary: `${kase.linkWorkerUserId ? 'Reassigned' : 'Assigned'} to ${worker.name}`,
      action: 'case.assign',
      detail: { from: kase.linkWorkerUserId, to: userId },
    })
  })
}

/**
 * An onward referral from the case to a directory service, through the Referrals capability (so
 * the loop closes: the provider accepts or declines, and the case sees it). Recorded with the
 * service and the need, in the same transaction as the referral.
 */
export async function referOnward(
  db: Queryable,
  ctx: Ctx,
  caseId: string,
  input: { serviceId: string; serviceName: string; need: string | null; note: string; consent: boolean },
  now: Date,
): Promise<string> {
  return inTransaction(db, async (trx) => {
    const { case: kase, programme } = await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    if (!input.consent) {
      const message = 'Confirm the person has agreed to the referral'
      throw badRequest(message, [{ field: 'consent', message }])
    }
    if (input.need && !programme.needs.some((n) => n.id === input.need))
      throw badRequest('Select a need from the list', [
        { field: 'need', message: 'Select a need from the list' },
      ])
    const outcome = await referToProvider(trx, ctx, kase, {
      serviceId: input.serviceId,
      serviceName: input.serviceName,
      need: input.need,
      consentAbout: `Referral to ${input.serviceName}`,
      reason: input.note || `Onward referral from ${programme.name}`,
      field: 'serviceName',
      now,
    })
    const id = await insertSignpost(trx, caseId, {
      kind: 'referral',
      referralId: outcome.id,
      serviceId: input.serviceId,
      serviceName: input.serviceName,
      need: input.need,
      note: input.note,
      userId: ctx.user.id,
    })
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'referral',
      summary: `Referred on to ${input.serviceName}${outcome.flaggedForReview ? ' (flagged for the provider to review)' : ''}`,
      action: 'case.onward-referral-add',
      detail: { signpostId: id, serviceId: input.serviceId, referralId: outcome.id },
    })
    return id
  })
}

/**
 * Refers the case's person to a directory service, from the case: the referral goes to the
 * provider's inbox, checked against the service's rules (a refusal is a 400 with every reason,
 * on `field`). The person agreed it with the link worker (consent given to them, verbally). When
 * nobody at the provider has a Kith account, the link worker accepts it for them and records the
 * attendance, so it does not wait for a reply that cannot come.
 */
async function referToProvider(
  trx: Queryable,
  ctx: Ctx,
  kase: CaseRow,
  input: {
    serviceId: string
    serviceName: string
    need: string | null
    consentAbout: string
    reason: string
    field: string
    now: Date
  },
): Promise<{ id: string; flaggedForReview: boolean; acceptedForProvider: boolean }> {
  const [plan, goals] = await Promise.all([getPlan(trx, kase.id), goalsOfCase(trx, kase.id)])
  const outcome = await createReferral(
    trx,
    ctx.actor,
    {
      target: { serviceId: input.serviceId },
      person: { personId: kase.personId, heldThrough: 'case' },
      referrer: {
        kind: 'other_professional',
        userId: ctx.user.id,
        organisationId: kase.organisationId,
        name: ctx.user.name,
        contact: ctx.user.email,
      },
      consent: {
        about: input.consentAbout,
        givenBy: 'person',
        representativeName: null,
        representativeRelationship: null,
        method: 'verbal',
        givenAt: input.now.toISOString(),
      },
      needs: input.need ? [input.need] : [],
      whatMatters: plan.whatMatters,
      goals: goals.slice(0, 20).map((g) => g.text.slice(0, 500)),
      reason: input.reason.slice(0, 5000),
      answers: {},
      sourceCaseId: kase.id,
    },
    { now: input.now, user: ctx.user },
  )
  if (outcome.outcome === 'not-sent') {
    const why = outcome.eligibility.reasons.filter((r) => r.met === false).map((r) => r.message)
    const message = `The referral was not sent: ${why.join('; ') || 'the person does not meet the service’s criteria'}`
    throw badRequest(message, [{ field: input.field, message }])
  }
  const referral = await getReferral(trx, outcome.referralId)
  const providerStaff = referral
    ? await usersWithRoleIn(trx, referral.receivingOrganisationId, ['provider', 'link_worker'])
    : []
  const acceptedForProvider = providerStaff.length === 0 && referral?.status === 'requested'
  if (acceptedForProvider) {
    await changeReferralStatus(
      trx,
      ctx.actor,
      outcome.referralId,
      {
        to: 'accepted',
        note: 'Accepted by the link worker: the provider has no Kith account, so the link worker records attendance',
      },
      { user: ctx.user, forTeam: true },
      { now: input.now },
    )
  }
  return { id: outcome.referralId, flaggedForReview: outcome.flaggedForReview, acceptedForProvider }
}

/**
 * Opens a case when a referral to a link-worker or volunteering programme (or to a service run
 * for one, decision 0106) is accepted, in the acceptance's transaction, carrying over what
 * matters to the person and their goals into the plan. Direct to service opens none.
 */
export async function openCaseForAcceptedReferral(
  trx: Queryable,
  referral: AcceptedReferral,
  actor: Actor,
): Promise<void> {
  if (!referral.programmeId) return
  const programme = await getProgramme(trx, referral.programmeId)
  if (!programme || programme.pathway === 'direct_to_service') return
  const caseId = await openCase(trx, actor, {
    personId: referral.personId,
    programmeId: programme.id,
    referralId: referral.id,
    practiceOdsCode: referral.practiceOdsCode,
    needs: referral.needs,
    openedAt: referral.acceptedAt,
  })
  if (referral.whatMatters.trim()) {
    await savePlan(trx, caseId, {
      whatMatters: referral.whatMatters.trim(),
      agreedFocus: '',
      actions: '',
      followUpMode: null,
      followUpLocation: '',
      followUpFrequency: '',
    })
  }
  for (const goal of referral.goals.filter((g) => g.trim()))
    await insertGoal(trx, caseId, { text: goal.trim(), targetDate: null, progress: 'not_started' })
}

/** Records the needs the person presents with, from the programme's taxonomy. */
export async function updateNeeds(db: Queryable, ctx: Ctx, caseId: string, needs: string[]): Promise<void> {
  await inTransaction(db, async (trx) => {
    const { programme } = await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    const unknown = needs.filter((need) => !programme.needs.some((n) => n.id === need))
    if (unknown.length > 0)
      throw badRequest('Select needs from the list', [
        { field: 'needs', message: 'Select needs from the list' },
      ])
    const ordered = programme.needs.map((n) => n.id).filter((id) => needs.includes(id))
    await setCaseNeeds(trx, caseId, ordered)
    await recordCaseChange(trx, ctx, caseId, {
      kind: 'needs',
      summary: 'Needs updated',
      action: 'case.needs-update',
      detail: { needs: ordered },
    })
  })
}
