// CarePlan, Goal and Appointment: the care and support plan of each case the user may see
// (casework's `getCaseForUser`, the rule its pages use), searched by casework's queries of that rule.

import type { Appointment, CarePlan, Goal as FhirGoal } from '@medplum/fhirtypes'
import { refused } from '../../access/audit.ts'
import {
  type AppointmentRow,
  appointmentById,
  type CaseRow,
  type Goal,
  getCaseForUser,
  goalsOfCase,
  planOfCase,
  searchAppointmentsSeenBy,
  searchCasesSeenBy,
  searchGoalsSeenBy,
} from '../../casework/index.ts'
import { isId } from '../../db/ids.ts'
import { APPOINTMENT_KIND_LABELS } from '../../programmes/config.ts'
import { type FhirContext, ref, UK_CORE, withMeta } from '../context.ts'
import { patientIdOf, type ResourceHandler } from '../handler.ts'
import { fhirNotFound } from '../outcome.ts'
import { pagingOf } from '../search.ts'

async function carePlanOf(ctx: FhirContext, kase: CaseRow): Promise<CarePlan> {
  const [plan, goals] = await Promise.all([planOfCase(ctx.db, kase.id), goalsOfCase(ctx.db, kase.id)])
  const description = [
    plan.whatMatters && `What matters to the person: ${plan.whatMatters}`,
    plan.agreedFocus && `Agreed focus: ${plan.agreedFocus}`,
  ]
    .filter(Boolean)
    .join('\n')
  return withMeta<CarePlan>(
    {
      resourceType: 'CarePlan',
      id: kase.id,
      ...(kase.referralId ? { basedOn: [ref('ServiceRequest', kase.referralId)] } : {}),
      status: kase.status === 'open' ? 'active' : 'completed',
      intent: 'plan',
      title: 'Personalised care and support plan',
      ...(description ? { description } : {}),
      subject: ref('Patient', kase.personId),
      period: { start: kase.openedAt, ...(kase.closedAt ? { end: kase.closedAt } : {}) },
      ...(kase.linkWorkerUserId
        ? { author: ref('Practitioner', kase.linkWorkerUserId, kase.linkWorkerName ?? undefined) }
        : {}),
      ...(goals.length > 0 ? { goal: goals.map((goal) => ref('Goal', goal.id)) } : {}),
      ...(plan.actions
        ? { activity: [{ detail: { status: 'in-progress', description: plan.actions } }] }
        : {}),
    },
    plan.updatedAt ?? kase.openedAt,
    UK_CORE.CarePlan,
  )
}

const GOAL_STATUS: Record<Goal['progress'], NonNullable<FhirGoal['achievementStatus']>['coding']> = {
  not_started: [{ system: 'http://terminology.hl7.org/CodeSystem/goal-achievement', code: 'no-progress' }],
  started: [{ system: 'http://terminology.hl7.org/CodeSystem/goal-achievement', code: 'in-progress' }],
  half_way: [{ system: 'http://terminology.hl7.org/CodeSystem/goal-achievement', code: 'improving' }],
  nearly_there: [{ system: 'http://terminology.hl7.org/CodeSystem/goal-achievement', code: 'improving' }],
  achieved: [{ system: 'http://terminology.hl7.org/CodeSystem/goal-achievement', code: 'achieved' }],
}

function goalOf(kase: CaseRow, goal: Goal): FhirGoal {
  return withMeta<FhirGoal>(
    {
      resourceType: 'Goal',
      id: goal.id,
      lifecycleStatus: goal.progress === 'achieved' ? 'completed' : 'active',
      achievementStatus: { coding: GOAL_STATUS[goal.progress] },
      description: { text: goal.text },
      subject: ref('Patient', kase.personId),
      ...(goal.targetDate ? { target: [{ dueDate: goal.targetDate }] } : {}),
    },
    null,
  )
}

const APPOINTMENT_STATUS: Record<AppointmentRow['status'], Appointment['status']> = {
  booked: 'booked',
  attended: 'fulfilled',
  did_not_attend: 'noshow',
  cancelled: 'cancelled',
}
const APPOINTMENT_STATUSES = Object.keys(APPOINTMENT_STATUS) as AppointmentRow['status'][]

function appointmentOf(kase: CaseRow, appointment: AppointmentRow): Appointment {
  return withMeta<Appointment>(
    {
      resourceType: 'Appointment',
      id: appointment.id,
      status: APPOINTMENT_STATUS[appointment.status],
      appointmentType: { text: APPOINTMENT_KIND_LABELS[appointment.kind] },
      description: `${APPOINTMENT_KIND_LABELS[appointment.kind]} appointment`,
      start: appointment.startsAt,
      end: appointment.endsAt,
      ...(kase.referralId ? { basedOn: [ref('ServiceRequest', kase.referralId)] } : {}),
      participant: [
        { actor: ref('Patient', kase.personId), status: 'accepted' },
        { actor: ref('Practitioner', appointment.linkWorkerUserId), status: 'accepted' },
      ],
    },
    null,
    UK_CORE.Appointment,
  )
}

/** The case by casework's rule for the pages; a refusal audited against the case otherwise. */
async function visibleCase(ctx: FhirContext, caseId: string, attempted: string): Promise<CaseRow> {
  const found = await getCaseForUser(ctx.db, ctx.user, caseId)
  if (!found) throw refused({ recordType: 'case', recordId: caseId, detail: { attempted } })
  return found.case
}

export const carePlanHandler: ResourceHandler<CarePlan> = {
  type: 'CarePlan',
  profile: UK_CORE.CarePlan,
  searchParams: ['patient', 'status'],
  async read(ctx, id) {
    return carePlanOf(ctx, await visibleCase(ctx, id, 'fhir.CarePlan'))
  },
  async search(ctx, search) {
    const open = search.statuses
      ? [search.statuses.includes('active'), search.statuses.includes('completed')]
      : [true, true]
    if (!open[0] && !open[1]) return { resources: [], total: 0 }
    const { rows, total } = await searchCasesSeenBy(ctx.db, ctx.user, {
      ...(search.patient !== undefined ? { personId: search.patient } : {}),
      ...(open[0] !== open[1] ? { open: open[0] === true } : {}),
      updated: search.updated,
      ...pagingOf(search),
    })
    const resources: CarePlan[] = []
    for (const kase of rows) resources.push(await carePlanOf(ctx, kase))
    return { resources, total }
  },
  personOf: (plan) => patientIdOf(plan.subject),
  statusOf: (plan) => plan.status,
}

export const goalHandler: ResourceHandler<FhirGoal> = {
  type: 'Goal',
  searchParams: ['patient'],
  async read(ctx, id) {
    const { rows } = isId(id)
      ? await searchGoalsSeenBy(ctx.db, ctx.user, { ids: [id], limit: 1, offset: 0 })
      : { rows: [] }
    const [found] = rows
    if (!found) throw refused({ recordType: 'goal', recordId: id, detail: { attempted: 'fhir.Goal' } })
    return goalOf(found.case, found.goal)
  },
  async search(ctx, search) {
    // Goals carry no time of change: a `_lastUpdated` search finds none.
    const achieved = search.statuses
      ? [search.statuses.includes('completed'), search.statuses.includes('active')]
      : [true, true]
    if (search.updated.length > 0 || (!achieved[0] && !achieved[1])) return { resources: [], total: 0 }
    const { rows, total } = await searchGoalsSeenBy(ctx.db, ctx.user, {
      ...(search.patient !== undefined ? { personId: search.patient } : {}),
      ...(achieved[0] !== achieved[1] ? { achieved: achieved[0] === true } : {}),
      ...pagingOf(search),
    })
    return { resources: rows.map((found) => goalOf(found.case, found.goal)), total }
  },
  personOf: (goal) => patientIdOf(goal.subject),
  statusOf: (goal) => goal.lifecycleStatus,
}

export const appointmentHandler: ResourceHandler<Appointment> = {
  type: 'Appointment',
  profile: UK_CORE.Appointment,
  searchParams: ['patient', 'status'],
  async read(ctx, id) {
    const appointment = isId(id) ? await appointmentById(ctx.db, id) : undefined
    if (!appointment) throw fhirNotFound()
    return appointmentOf(await visibleCase(ctx, appointment.caseId, 'fhir.Appointment'), appointment)
  },
  async search(ctx, search) {
    // Appointments carry no time of change here: a `_lastUpdated` search finds none.
    if (search.updated.length > 0) return { resources: [], total: 0 }
    const statuses = search.statuses
      ? APPOINTMENT_STATUSES.filter((status) => search.statuses?.includes(APPOINTMENT_STATUS[status] ?? ''))
      : undefined
    const { rows, total } = await searchAppointmentsSeenBy(ctx.db, ctx.user, {
      ...(search.patient !== undefined ? { personId: search.patient } : {}),
      ...(statuses ? { statuses } : {}),
      ...pagingOf(search),
    })
    return { resources: rows.map((found) => appointmentOf(found.case, found.appointment)), total }
  },
  personOf: (appointment) => patientIdOf(appointment.participant?.[0]?.actor),
  statusOf: (appointment) => appointment.status,
}
