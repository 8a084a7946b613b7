// CarePlan, Goal and Appointment: the care and support plan of each case the user may see
// (casework's `getCaseForUser`, the rule its pages use).

import type { Appointment, CarePlan, Goal as FhirGoal } from '@medplum/fhirtypes'
import { refused } from '../../access/audit.ts'
import {
  type AppointmentRow,
  appointmentById,
  appointmentsOfCase,
  type CaseRow,
  type Goal,
  getCaseForUser,
  goalsOfCase,
  planOfCase,
} from '../../casework/index.ts'
import { isId } from '../../db/ids.ts'
import { APPOINTMENT_KIND_LABELS } from '../../programmes/config.ts'
import { visibleCasesOf } from '../access.ts'
import { type FhirContext, ref, UK_CORE, withMeta } from '../context.ts'
import { memo, patientIdOf, type ResourceHandler } from '../handler.ts'
import { fhirNotFound } from '../outcome.ts'
import { visiblePeople } from './referrals.ts'

/** The cases the user may see: of one person, or of everyone whose record they see. */
function casesFor(ctx: FhirContext, patient: string | undefined): Promise<CaseRow[]> {
  return memo(ctx, `cases:${patient ?? '*'}`, async () => {
    const people = patient ? [patient] : await visiblePeople(ctx)
    const cases: CaseRow[] = []
    for (const personId of people) cases.push(...(await visibleCasesOf(ctx.db, ctx.user, personId)))
    return cases
  })
}

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

function readFrom<R extends { id?: string }>(type: string) {
  return async function read(this: ResourceHandler, ctx: FhirContext, id: string) {
    const found = (await this.search(ctx, {})).find((resource) => resource.id === id)
    if (!found)
      throw refused({ recordType: type.toLowerCase(), recordId: id, detail: { attempted: `fhir.${type}` } })
    return found as unknown as R
  }
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
  async search(ctx, params) {
    const found: CarePlan[] = []
    for (const kase of await casesFor(ctx, params.patient)) found.push(await carePlanOf(ctx, kase))
    return found
  },
  personOf: (plan) => patientIdOf(plan.subject),
  statusOf: (plan) => plan.status,
}

export const goalHandler: ResourceHandler<FhirGoal> = {
  type: 'Goal',
  searchParams: ['patient'],
  read: readFrom<FhirGoal>('Goal'),
  async search(ctx, params) {
    const found: FhirGoal[] = []
    for (const kase of await casesFor(ctx, params.patient))
      for (const goal of await goalsOfCase(ctx.db, kase.id)) found.push(goalOf(kase, goal))
    return found
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
  async search(ctx, params) {
    const found: Appointment[] = []
    for (const kase of await casesFor(ctx, params.patient))
      for (const appointment of await appointmentsOfCase(ctx.db, kase.id))
        found.push(appointmentOf(kase, appointment))
    return found
  },
  personOf: (appointment) => patientIdOf(appointment.participant?.[0]?.actor),
  statusOf: (appointment) => appointment.status,
}
