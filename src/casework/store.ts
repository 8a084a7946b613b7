// Casework: the only place its SQL lives. These functions do not audit: index.ts and the routes
// call them inside a transaction that also writes the audit event.

import { type RawBuilder, sql } from 'kysely'
import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { AppointmentKind, AppointmentMode } from '../programmes/config.ts'
import type { AppointmentStatus, GoalProgress, NextStep, SelfCare } from './rules.ts'
import type { CaseTable } from './tables.ts'

export interface CaseRow {
  id: string
  personId: string
  programmeId: string
  referralId: string | null
  practiceOrganisationId: string | null
  organisationId: string
  linkWorkerUserId: string | null
  linkWorkerName: string | null
  /** The worker named to support the case (decision 0106), if any. */
  supportingUserId: string | null
  supportingName: string | null
  status: CaseTable['status']
  needs: string[]
  openedAt: string
  firstContactAt: string | null
  closedAt: string | null
  closureReason: string | null
  exitPlan: string | null
}

export async function insertCase(
  db: Queryable,
  input: {
    personId: string
    programmeId: string
    referralId: string | null
    practiceOrganisationId: string | null
    organisationId: string
    linkWorkerUserId: string | null
    supportingUserId?: string | null
    needs: string[]
    openedAt?: string
  },
): Promise<string> {
  const id = newId()
  const now = nowIso()
  await db
    .insertInto('cases')
    .values({
      id,
      person_id: input.personId,
      programme_id: input.programmeId,
      referral_id: input.referralId,
      practice_organisation_id: input.practiceOrganisationId,
      organisation_id: input.organisationId,
      link_worker_user_id: input.linkWorkerUserId,
      supporting_user_id: input.supportingUserId ?? null,
      status: 'open',
      needs: JSON.stringify(input.needs),
      opened_at: input.openedAt ?? now,
      first_contact_at: null,
      closed_at: null,
      closure_reason: null,
      exit_plan: null,
      updated_at: now,
    })
    .execute()
  await countCasesOfPeople(db, [input.personId])
  return id
}

/**
 * Records on each case of these people how many cases the person has (`person_case_count`), which
 * the Activity report reads to know whose figures add up case by case. Run after a case is opened
 * and after cases move between people.
 */
export async function countCasesOfPeople(db: Queryable, personIds: readonly string[]): Promise<void> {
  for (let i = 0; i < personIds.length; i += 400) {
    const chunk = personIds.slice(i, i + 400)
    await db
      .updateTable('cases')
      .set({
        person_case_count: sql<number>`(select count(*) from cases other where other.person_id = cases.person_id)`,
      })
      .where('person_id', 'in', chunk)
      .execute()
  }
}

/**
 * Copies onto each onward referral and signpost of these cases what the Activity report asks of
 * its case (programme, link worker, practice, organisation, opened and closed), and where it falls among
 * its case's others (the times of the one before it and of the second after it). Run after a
 * case's signposts are added and after any of those columns of the case change, in the same
 * transaction. Only rows whose values change are written.
 */
export async function keepSignpostsInStep(db: Queryable, caseIds: readonly string[] | 'all'): Promise<void> {
  const step = (only: RawBuilder<unknown>) =>
    sql`update case_signposts set
        programme_id = cases.programme_id,
        case_link_worker_user_id = cases.link_worker_user_id,
        case_practice_organisation_id = cases.practice_organisation_id,
        case_organisation_id = cases.organisation_id,
        case_opened_at = cases.opened_at,
        case_closed_at = cases.closed_at,
        previous_at = chain.previous_at,
        second_next_at = chain.second_next_at
      from cases, (select id, lag(created_at) over w as previous_at, lead(created_at, 2) over w as second_next_at
        from case_signposts where ${only} window w as (partition by case_id order by created_at, id)) chain
      where ${only} and cases.id = case_signposts.case_id and chain.id = case_signposts.id
        and (case_signposts.programme_id is distinct from cases.programme_id
          or case_signposts.case_link_worker_user_id is distinct from cases.link_worker_user_id
          or case_signposts.case_practice_organisation_id is distinct from cases.practice_organisation_id
          or case_signposts.case_organisation_id is distinct from cases.organisation_id
          or case_signposts.case_opened_at is distinct from cases.opened_at
          or case_signposts.case_closed_at is distinct from cases.closed_at
          or case_signposts.previous_at is distinct from chain.previous_at
          or case_signposts.second_next_at is distinct from chain.second_next_at)`.execute(db)
  if (caseIds === 'all') return void (await step(sql`1 = 1`))
  for (let i = 0; i < caseIds.length; i += 400)
    await step(
      sql`case_signposts.case_id in (${sql.join(caseIds.slice(i, i + 400).map((id) => sql`${id}`))})`,
    )
}

/** The case a referral opened, if any. */
export async function caseIdOfReferral(db: Queryable, referralId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('cases')
    .select('id')
    .where('referral_id', '=', referralId)
    .orderBy('opened_at')
    .executeTakeFirst()
  return row?.id
}

export async function getCase(db: Queryable, id: string): Promise<CaseRow | undefined> {
  const row = await db
    .selectFrom('cases')
    .leftJoin('users', 'users.id', 'cases.link_worker_user_id')
    .leftJoin('users as supporting', 'supporting.id', 'cases.supporting_user_id')
    .selectAll('cases')
    .select(['users.name as worker_name', 'supporting.name as supporting_name'])
    .where('cases.id', '=', id)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    id: row.id,
    personId: row.person_id,
    programmeId: row.programme_id,
    referralId: row.referral_id,
    practiceOrganisationId: row.practice_organisation_id,
    organisationId: row.organisation_id,
    linkWorkerUserId: row.link_worker_user_id,
    linkWorkerName: row.worker_name,
    supportingUserId: row.supporting_user_id,
    supportingName: row.supporting_name,
    status: row.status,
    needs: JSON.parse(row.needs) as string[],
    openedAt: row.opened_at,
    firstContactAt: row.first_contact_at,
    closedAt: row.closed_at,
    closureReason: row.closure_reason,
    exitPlan: row.exit_plan,
  }
}

/** Locks the case row for the rest of the transaction (an UPDATE locks on both databases). */
export async function lockCase(db: Queryable, id: string): Promise<void> {
  await db.updateTable('cases').set({ updated_at: nowIso() }).where('id', '=', id).execute()
}

export async function setCaseWorker(
  db: Queryable,
  id: string,
  linkWorkerUserId: string | null,
  organisationId: string,
): Promise<void> {
  await db
    .updateTable('cases')
    .set({ link_worker_user_id: linkWorkerUserId, organisation_id: organisationId, updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
  await keepSignpostsInStep(db, [id])
}

/** Names the case's supporting worker, or no one with null. */
export async function setCaseSupporter(db: Queryable, id: string, userId: string | null): Promise<void> {
  await db
    .updateTable('cases')
    .set({ supporting_user_id: userId, updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

export async function setCaseNeeds(db: Queryable, id: string, needs: string[]): Promise<void> {
  await db
    .updateTable('cases')
    .set({ needs: JSON.stringify(needs), updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

export async function closeCase(
  db: Queryable,
  id: string,
  input: { closureReason: string; exitPlan: string; at: string },
): Promise<void> {
  await db
    .updateTable('cases')
    .set({
      status: 'closed',
      closure_reason: input.closureReason,
      exit_plan: input.exitPlan,
      closed_at: input.at,
      updated_at: nowIso(),
    })
    .where('id', '=', id)
    .execute()
  await keepSignpostsInStep(db, [id])
}

export async function markFirstContact(db: Queryable, id: string, at: string): Promise<void> {
  await db
    .updateTable('cases')
    .set({ first_contact_at: at })
    .where('id', '=', id)
    .where('first_contact_at', 'is', null)
    .execute()
}

export interface CaseloadQuery {
  /** Cases assigned to this worker. */
  linkWorkerUserId?: string
  /** Cases this worker is named to support (decision 0106). */
  supportingUserId?: string
  /** Cases in these programmes (a manager's view). */
  programmeIds?: string[]
  /** Only cases with no worker. */
  unassigned?: boolean
  status: 'open' | 'closed'
  now: string
  today: string
  endingBy: string
  limit?: number
}

export interface CaseloadRow {
  id: string
  personId: string
  programmeId: string
  linkWorkerUserId: string | null
  linkWorkerName: string | null
  supportingUserId: string | null
  supportingName: string | null
  openedAt: string
  firstContactAt: string | null
  closedAt: string | null
  nextAppointmentAt: string | null
  overdueReviews: number
  endingSoon: number
}

/** Cases with what the caseload shows of each: the next appointment, reviews overdue, prescriptions ending. */
export async function listCaseload(db: Queryable, query: CaseloadQuery): Promise<CaseloadRow[]> {
  let select = db
    .selectFrom('cases')
    .leftJoin('users', 'users.id', 'cases.link_worker_user_id')
    .leftJoin('users as supporting', 'supporting.id', 'cases.supporting_user_id')
    .select((eb) => [
      'cases.id',
      'cases.person_id as personId',
      'cases.programme_id as programmeId',
      'cases.link_worker_user_id as linkWorkerUserId',
      'users.name as linkWorkerName',
      'cases.supporting_user_id as supportingUserId',
      'supporting.name as supportingName',
      'cases.opened_at as openedAt',
      'cases.first_contact_at as firstContactAt',
      'cases.closed_at as closedAt',
      eb
        .selectFrom('case_appointments')
        .select((e) => e.fn.min('case_appointments.starts_at').as('s'))
        .whereRef('case_appointments.case_id', '=', 'cases.id')
        .where('case_appointments.status', '=', 'booked')
        .where('case_appointments.starts_at', '>=', query.now)
        .as('nextAppointmentAt'),
      eb
        .selectFrom('case_prescriptions')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('case_prescriptions.case_id', '=', 'cases.id')
        .where('case_prescriptions.reviewed_at', 'is', null)
        .where('case_prescriptions.ends_on', '<', query.today)
        .as('overdueReviews'),
      eb
        .selectFrom('case_prescriptions')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('case_prescriptions.case_id', '=', 'cases.id')
        .where('case_prescriptions.reviewed_at', 'is', null)
        .where('case_prescriptions.ends_on', '>=', query.today)
        .where('case_prescriptions.ends_on', '<=', query.endingBy)
        .as('endingSoon'),
    ])
    .where('cases.status', '=', query.status)
  if (query.linkWorkerUserId) select = select.where('cases.link_worker_user_id', '=', query.linkWorkerUserId)
  if (query.supportingUserId) select = select.where('cases.supporting_user_id', '=', query.supportingUserId)
  if (query.programmeIds) {
    if (query.programmeIds.length === 0) return []
    select = select.where('cases.programme_id', 'in', query.programmeIds)
  }
  if (query.unassigned) select = select.where('cases.link_worker_user_id', 'is', null)
  const rows = await select
    .orderBy('cases.opened_at')
    .orderBy('cases.id')
    .limit(query.limit ?? 500)
    .execute()
  return rows.map((row) => ({
    ...row,
    nextAppointmentAt: row.nextAppointmentAt ?? null,
    overdueReviews: Number(row.overdueReviews ?? 0),
    endingSoon: Number(row.endingSoon ?? 0),
  }))
}

export interface AppointmentRow {
  id: string
  caseId: string
  linkWorkerUserId: string
  kind: AppointmentKind
  mode: AppointmentMode
  place: string
  startsAt: string
  endsAt: string
  status: AppointmentStatus
  capExceptionReason: string | null
  goalIds: string[]
  arrivedAt: string | null
  departedAt: string | null
}

const appointmentColumns = [
  'case_appointments.id',
  'case_appointments.case_id as caseId',
  'case_appointments.link_worker_user_id as linkWorkerUserId',
  'case_appointments.kind',
  'case_appointments.mode',
  'case_appointments.place',
  'case_appointments.starts_at as startsAt',
  'case_appointments.ends_at as endsAt',
  'case_appointments.status',
  'case_appointments.cap_exception_reason as capExceptionReason',
  'case_appointments.goal_ids as goalIds',
  'case_appointments.arrived_at as arrivedAt',
  'case_appointments.departed_at as departedAt',
] as const

function appointment<T extends { goalIds: string }>(row: T): Omit<T, 'goalIds'> & { goalIds: string[] } {
  return { ...row, goalIds: JSON.parse(row.goalIds) as string[] }
}

export async function insertAppointment(
  db: Queryable,
  input: {
    caseId: string
    linkWorkerUserId: string
    kind: AppointmentKind
    mode: AppointmentMode
    place: string
    startsAt: string
    endsAt: string
    capExceptionReason: string | null
    capExceptionByUserId: string | null
    status?: AppointmentStatus
  },
): Promise<string> {
  const id = newId()
  const now = nowIso()
  await db
    .insertInto('case_appointments')
    .values({
      id,
      case_id: input.caseId,
      link_worker_user_id: input.linkWorkerUserId,
      kind: input.kind,
      mode: input.mode,
      place: input.place,
      starts_at: input.startsAt,
      ends_at: input.endsAt,
      status: input.status ?? 'booked',
      cap_exception_reason: input.capExceptionReason,
      cap_exception_by_user_id: input.capExceptionByUserId,
      goal_ids: '[]',
      arrived_at: null,
      departed_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute()
  return id
}

export async function appointmentsOfCase(db: Queryable, caseId: string): Promise<AppointmentRow[]> {
  const rows = await db
    .selectFrom('case_appointments')
    .select(appointmentColumns)
    .where('case_id', '=', caseId)
    .orderBy('starts_at')
    .orderBy('id')
    .execute()
  return rows.map(appointment)
}

export async function getAppointment(db: Queryable, id: string): Promise<AppointmentRow | undefined> {
  const row = await db
    .selectFrom('case_appointments')
    .select(appointmentColumns)
    .where('id', '=', id)
    .executeTakeFirst()
  return row ? appointment(row) : undefined
}

export interface DiaryRow extends AppointmentRow {
  personId: string
}

/**
 * A worker's appointments starting in [from, to); with `programmeIds`, only those of cases in
 * these programmes (what a manager may see of another worker's diary).
 */
export async function diaryOf(
  db: Queryable,
  userId: string,
  from: string,
  to: string,
  programmeIds?: readonly string[],
): Promise<DiaryRow[]> {
  if (programmeIds?.length === 0) return []
  let query = db
    .selectFrom('case_appointments')
    .innerJoin('cases', 'cases.id', 'case_appointments.case_id')
    .select([...appointmentColumns, 'cases.person_id as personId'])
    .where('case_appointments.link_worker_user_id', '=', userId)
    .where('case_appointments.starts_at', '>=', from)
    .where('case_appointments.starts_at', '<', to)
  if (programmeIds) query = query.where('cases.programme_id', 'in', programmeIds)
  const rows = await query.orderBy('case_appointments.starts_at').orderBy('case_appointments.id').execute()
  return rows.map(appointment)
}

export async function updateAppointment(
  db: Queryable,
  id: string,
  change: Partial<{ status: AppointmentStatus; goalIds: string[]; arrivedAt: string; departedAt: string }>,
): Promise<void> {
  await db
    .updateTable('case_appointments')
    .set({
      ...(change.status ? { status: change.status } : {}),
      ...(change.goalIds ? { goal_ids: JSON.stringify(change.goalIds) } : {}),
      ...(change.arrivedAt ? { arrived_at: change.arrivedAt } : {}),
      ...(change.departedAt ? { departed_at: change.departedAt } : {}),
      updated_at: nowIso(),
    })
    .where('id', '=', id)
    .execute()
}

/**
 * The worker's appointments (not cancelled, not `exceptId`) that overlap [startsAt, endsAt). An
 * appointment is 8 hours at most, so only those starting in the 8 hours before are looked at.
 */
export async function overlappingAppointments(
  db: Queryable,
  userId: string,
  startsAt: string,
  endsAt: string,
  exceptId?: string,
): Promise<AppointmentRow[]> {
  let query = db
    .selectFrom('case_appointments')
    .select(appointmentColumns)
    .where('link_worker_user_id', '=', userId)
    .where('starts_at', '>', new Date(Date.parse(startsAt) - 8 * 3_600_000).toISOString())
    .where('starts_at', '<', endsAt)
    .where('ends_at', '>', startsAt)
    .where('status', '!=', 'cancelled')
  if (exceptId) query = query.where('id', '!=', exceptId)
  return (await query.orderBy('starts_at').orderBy('id').execute()).map(appointment)
}

export interface AppointmentPlace {
  startsAt: string
  endsAt: string
  mode: AppointmentMode
  place: string
}

export async function rescheduleAppointment(db: Queryable, id: string, to: AppointmentPlace): Promise<void> {
  await db
    .updateTable('case_appointments')
    .set({ starts_at: to.startsAt, ends_at: to.endsAt, mode: to.mode, place: to.place, updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

export interface AppointmentMove {
  id: string
  appointmentId: string
  from: AppointmentPlace
  to: AppointmentPlace
  reason: string
  warnings: string[]
  movedAt: string
  movedBy: string | null
}

export async function insertAppointmentMove(
  db: Queryable,
  input: Omit<AppointmentMove, 'id' | 'movedBy'> & { caseId: string; userId: string | null },
): Promise<string> {
  const id = newId()
  await db
    .insertInto('case_appointment_moves')
    .values({
      id,
      appointment_id: input.appointmentId,
      case_id: input.caseId,
      from_starts_at: input.from.startsAt,
      from_ends_at: input.from.endsAt,
      from_mode: input.from.mode,
      from_place: input.from.place,
      to_starts_at: input.to.startsAt,
      to_ends_at: input.to.endsAt,
      to_mode: input.to.mode,
      to_place: input.to.place,
      reason: input.reason,
      warnings: JSON.stringify(input.warnings),
      moved_at: input.movedAt,
      moved_by_user_id: input.userId,
    })
    .execute()
  return id
}

/** The moves of a case's appointments (or of one appointment), earliest first. */
export async function appointmentMoves(
  db: Queryable,
  where: { caseId: string } | { appointmentId: string },
): Promise<AppointmentMove[]> {
  const rows = await db
    .selectFrom('case_appointment_moves')
    .leftJoin('users', 'users.id', 'case_appointment_moves.moved_by_user_id')
    .selectAll('case_appointment_moves')
    .select('users.name as mover')
    .where(
      'caseId' in where ? 'case_appointment_moves.case_id' : 'case_appointment_moves.appointment_id',
      '=',
      'caseId' in where ? where.caseId : where.appointmentId,
    )
    .orderBy('case_appointment_moves.moved_at')
    .orderBy('case_appointment_moves.id')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    appointmentId: row.appointment_id,
    from: {
      startsAt: row.from_starts_at,
      endsAt: row.from_ends_at,
      mode: row.from_mode,
      place: row.from_place,
    },
    to: { startsAt: row.to_starts_at, endsAt: row.to_ends_at, mode: row.to_mode, place: row.to_place },
    reason: row.reason,
    warnings: JSON.parse(row.warnings) as string[],
    movedAt: row.moved_at,
    movedBy: row.mover ?? null,
  }))
}

export interface HomeVisitRow extends DiaryRow {
  linkWorkerName: string
  programmeId: string
}

/** Home visits in these programmes where the worker arrived since `since`: the lone-working view. */
export async function homeVisitsOf(
  db: Queryable,
  programmeIds: string[],
  since: string,
): Promise<HomeVisitRow[]> {
  if (programmeIds.length === 0) return []
  const rows = await db
    .selectFrom('case_appointments')
    .innerJoin('cases', 'cases.id', 'case_appointments.case_id')
    .innerJoin('users', 'users.id', 'case_appointments.link_worker_user_id')
    .select([
      ...appointmentColumns,
      'cases.person_id as personId',
      'cases.programme_id as programmeId',
      'users.name as linkWorkerName',
    ])
    .where('cases.programme_id', 'in', programmeIds)
    .where('case_appointments.mode', '=', 'home_visit')
    .where('case_appointments.arrived_at', 'is not', null)
    .where('case_appointments.starts_at', '>=', since)
    .orderBy('case_appointments.starts_at', 'desc')
    .limit(200)
    .execute()
  return rows.map(appointment)
}

export interface Plan {
  whatMatters: string
  agreedFocus: string
  actions: string
  followUpMode: AppointmentMode | null
  followUpLocation: string
  followUpFrequency: string
  updatedAt: string | null
}

export async function getPlan(db: Queryable, caseId: string): Promise<Plan> {
  const row = await db.selectFrom('case_plans').selectAll().where('case_id', '=', caseId).executeTakeFirst()
  return {
    whatMatters: row?.what_matters ?? '',
    agreedFocus: row?.agreed_focus ?? '',
    actions: row?.actions ?? '',
    followUpMode: row?.follow_up_mode ?? null,
    followUpLocation: row?.follow_up_location ?? '',
    followUpFrequency: row?.follow_up_frequency ?? '',
    updatedAt: row?.updated_at ?? null,
  }
}

export async function savePlan(db: Queryable, caseId: string, plan: Omit<Plan, 'updatedAt'>): Promise<void> {
  const values = {
    what_matters: plan.whatMatters,
    agreed_focus: plan.agreedFocus,
    actions: plan.actions,
    follow_up_mode: plan.followUpMode,
    follow_up_location: plan.followUpLocation,
    follow_up_frequency: plan.followUpFrequency,
    updated_at: nowIso(),
  }
  const updated = await db
    .updateTable('case_plans')
    .set(values)
    .where('case_id', '=', caseId)
    .executeTakeFirst()
  if (Number(updated.numUpdatedRows) === 0)
    await db
      .insertInto('case_plans')
      .values({ case_id: caseId, ...values })
      .execute()
}

export interface Goal {
  id: string
  text: string
  targetDate: string | null
  progress: GoalProgress
}

export async function goalsOfCase(db: Queryable, caseId: string): Promise<Goal[]> {
  return (
    await db
      .selectFrom('case_goals')
      .select(['id', 'text', 'target_date as targetDate', 'progress'])
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
  ).map((row) => ({ ...row }))
}

export async function insertGoal(
  db: Queryable,
  caseId: string,
  input: { text: string; targetDate: string | null; progress: GoalProgress },
): Promise<string> {
  const id = newId()
  const now = nowIso()
  await db
    .insertInto('case_goals')
    .values({
      id,
      case_id: caseId,
      text: input.text,
      target_date: input.targetDate,
      progress: input.progress,
      created_at: now,
      updated_at: now,
    })
    .execute()
  return id
}

export async function updateGoal(
  db: Queryable,
  caseId: string,
  goalId: string,
  progress: GoalProgress,
): Promise<boolean> {
  const result = await db
    .updateTable('case_goals')
    .set({ progress, updated_at: nowIso() })
    .where('id', '=', goalId)
    .where('case_id', '=', caseId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export interface Note {
  id: string
  type: string
  text: string
  authorName: string | null
  createdAt: string
  /** Marked for the GP record: the summary carries its text. */
  forGpRecord: boolean
}

export async function insertNote(
  db: Queryable,
  caseId: string,
  input: { type: string; text: string; authorUserId: string | null; forGpRecord?: boolean },
): Promise<string> {
  const id = newId()
  await db
    .insertInto('case_notes')
    .values({
      id,
      case_id: caseId,
      type: input.type,
      text: input.text,
      author_user_id: input.authorUserId,
      for_gp_record: input.forGpRecord ? 1 : 0,
      created_at: nowIso(),
    })
    .execute()
  return id
}

export async function notesOfCase(db: Queryable, caseId: string): Promise<Note[]> {
  return (
    await db
      .selectFrom('case_notes')
      .leftJoin('users', 'users.id', 'case_notes.author_user_id')
      .select([
        'case_notes.id',
        'case_notes.type',
        'case_notes.text',
        'users.name as authorName',
        'case_notes.created_at as createdAt',
        'case_notes.for_gp_record',
      ])
      .where('case_notes.case_id', '=', caseId)
      .orderBy('case_notes.created_at', 'desc')
      .orderBy('case_notes.id', 'desc')
      .execute()
  ).map(({ for_gp_record, ...row }) => ({ ...row, forGpRecord: for_gp_record === 1 }))
}

export async function addEvent(
  db: Queryable,
  caseId: string,
  event: { kind: string; summary: string; userId: string | null; at?: string },
): Promise<void> {
  await db
    .insertInto('case_events')
    .values({
      id: newId(),
      case_id: caseId,
      at: event.at ?? nowIso(),
      kind: event.kind,
      summary: event.summary,
      user_id: event.userId,
    })
    .execute()
}

export async function eventsOfCase(db: Queryable, caseId: string) {
  return (
    await db
      .selectFrom('case_events')
      .leftJoin('users', 'users.id', 'case_events.user_id')
      .select([
        'case_events.id',
        'case_events.at',
        'case_events.kind',
        'case_events.summary',
        'users.name as by',
      ])
      .where('case_events.case_id', '=', caseId)
      .orderBy('case_events.at', 'desc')
      .orderBy('case_events.id', 'desc')
      .limit(200)
      .execute()
  ).map((row) => ({ ...row }))
}

export interface Prescription {
  id: string
  caseId: string
  serviceId: string
  serviceName: string
  need: string | null
  weeks: number
  expectedSessions: number
  start: string
  end: string
  reviewedAt: string | null
  continued: boolean
  /** The referral to the provider the prescription made. */
  referralId: string | null
}

function prescriptions(db: Queryable) {
  return db
    .selectFrom('case_prescriptions')
    .select([
      'id',
      'case_id as caseId',
      'service_id as serviceId',
      'service_name as serviceName',
      'need',
      'weeks',
      'expected_sessions as expectedSessions',
      'starts_on as start',
      'ends_on as end',
      'reviewed_at as reviewedAt',
      'continued',
      'referral_id as referralId',
    ])
    .orderBy('starts_on')
    .orderBy('id')
}

const prescription = (row: Omit<Prescription, 'continued'> & { continued: number }): Prescription => ({
  ...row,
  weeks: Number(row.weeks),
  expectedSessions: Number(row.expectedSessions),
  continued: row.continued === 1,
})

export async function prescriptionsWhere(
  db: Queryable,
  column: 'case_id' | 'person_id',
  id: string,
): Promise<Prescription[]> {
  return (await prescriptions(db).where(column, '=', id).execute()).map(prescription)
}

export async function getPrescription(db: Queryable, id: string): Promise<Prescription | undefined> {
  const row = await prescriptions(db).where('id', '=', id).executeTakeFirst()
  return row ? prescription(row) : undefined
}

export async function insertPrescription(
  db: Queryable,
  input: {
    caseId: string
    personId: string
    serviceId: string
    serviceName: string
    need: string | null
    weeks: number
    expectedSessions: number
    start: string
    end: string
    referralId?: string | null
  },
): Promise<string> {
  const id = newId()
  await db
    .insertInto('case_prescriptions')
    .values({
      id,
      case_id: input.caseId,
      person_id: input.personId,
      service_id: input.serviceId,
      service_name: input.serviceName,
      need: input.need,
      weeks: input.weeks,
      expected_sessions: input.expectedSessions,
      starts_on: input.start,
      ends_on: input.end,
      reviewed_at: null,
      continued: 0,
      created_at: nowIso(),
      referral_id: input.referralId ?? null,
    })
    .execute()
  return id
}

/** The final review: the prescription is done with; `continued` when the person carries on by themselves. */
export async function reviewPrescription(
  db: Queryable,
  id: string,
  input: { continued: boolean; at: string },
): Promise<void> {
  await db
    .updateTable('case_prescriptions')
    .set({ reviewed_at: input.at, continued: input.continued ? 1 : 0 })
    .where('id', '=', id)
    .execute()
}

/** A prescription extended at its review: its new end, length and sessions; reviewed again then. */
export async function extendPrescription(
  db: Queryable,
  id: string,
  input: { end: string; weeks: number; expectedSessions: number },
): Promise<void> {
  await db
    .updateTable('case_prescriptions')
    .set({ ends_on: input.end, weeks: input.weeks, expected_sessions: input.expectedSessions })
    .where('id', '=', id)
    .execute()
}

export interface GoalAtReview {
  goalId: string
  text: string
  from: GoalProgress
  to: GoalProgress
}

export interface PrescriptionReview {
  id: string
  prescriptionId: string
  reviewedAt: string
  reviewedBy: string | null
  earlyReason: string | null
  sessionsAttended: number
  sessionsExpected: number
  goals: GoalAtReview[]
  selfCare: SelfCare
  assessment: string
  nextStep: NextStep
  previousEnd: string | null
  newEnd: string | null
}

export async function insertPrescriptionReview(
  db: Queryable,
  input: Omit<PrescriptionReview, 'id' | 'reviewedBy'> & { caseId: string; userId: string | null },
): Promise<string> {
  const id = newId()
  await db
    .insertInto('case_prescription_reviews')
    .values({
      id,
      prescription_id: input.prescriptionId,
      case_id: input.caseId,
      reviewed_at: input.reviewedAt,
      user_id: input.userId,
      early_reason: input.earlyReason,
      sessions_attended: input.sessionsAttended,
      sessions_expected: input.sessionsExpected,
      goals: JSON.stringify(input.goals),
      self_care: input.selfCare,
      assessment: input.assessment,
      next_step: input.nextStep,
      previous_end: input.previousEnd,
      new_end: input.newEnd,
    })
    .execute()
  return id
}

/** The reviews of a case's prescriptions, earliest first. */
export async function reviewsOfCase(db: Queryable, caseId: string): Promise<PrescriptionReview[]> {
  const rows = await db
    .selectFrom('case_prescription_reviews')
    .leftJoin('users', 'users.id', 'case_prescription_reviews.user_id')
    .selectAll('case_prescription_reviews')
    .select('users.name as reviewer')
    .where('case_prescription_reviews.case_id', '=', caseId)
    .orderBy('case_prescription_reviews.reviewed_at')
    .orderBy('case_prescription_reviews.id')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    prescriptionId: row.prescription_id,
    reviewedAt: row.reviewed_at,
    reviewedBy: row.reviewer ?? null,
    earlyReason: row.early_reason,
    sessionsAttended: Number(row.sessions_attended),
    sessionsExpected: Number(row.sessions_expected),
    goals: JSON.parse(row.goals) as GoalAtReview[],
    selfCare: row.self_care,
    assessment: row.assessment,
    nextStep: row.next_step,
    previousEnd: row.previous_end,
    newEnd: row.new_end,
  }))
}

export interface Signpost {
  id: string
  kind: 'signpost' | 'referral'
  referralId: string | null
  serviceId: string | null
  serviceName: string
  need: string | null
  note: string
  createdAt: string
  /** For a signpost: whether the person took it up (null: not known yet). */
  takenUp: boolean | null
}

export async function insertSignpost(
  db: Queryable,
  caseId: string,
  input: Omit<Signpost, 'id' | 'createdAt' | 'takenUp'> & { userId: string | null },
): Promise<string> {
  const id = newId()
  // Two recorded on one case at once take turns, so the second finds its place after the first.
  await lockCase(db, caseId)
  await db
    .insertInto('case_signposts')
    .values({
      id,
      case_id: caseId,
      kind: input.kind,
      referral_id: input.referralId,
      service_id: input.serviceId,
      service_name: input.serviceName,
      need: input.need,
      note: input.note,
      user_id: input.userId,
      created_at: nowIso(),
    })
    .execute()
  await keepSignpostsInStep(db, [caseId])
  return id
}

export async function signpostsOfCase(db: Queryable, caseId: string): Promise<Signpost[]> {
  return (
    await db
      .selectFrom('case_signposts')
      .select([
        'id',
        'kind',
        'referral_id as referralId',
        'service_id as serviceId',
        'service_name as serviceName',
        'need',
        'note',
        'created_at as createdAt',
        'taken_up as takenUp',
      ])
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
  ).map((row) => ({ ...row, takenUp: row.takenUp === 'yes' ? true : row.takenUp === 'no' ? false : null }))
}

/** Records whether the person took a signpost up; false when the case has no such signpost. */
export async function setSignpostTakenUp(
  db: Queryable,
  caseId: string,
  signpostId: string,
  takenUp: boolean | null,
): Promise<boolean> {
  const result = await db
    .updateTable('case_signposts')
    .set({ taken_up: takenUp === null ? null : takenUp ? 'yes' : 'no' })
    .where('id', '=', signpostId)
    .where('case_id', '=', caseId)
    .where('kind', '=', 'signpost')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** A person's records merged: their cases and prescriptions go to the record kept. */
export async function movePersonCases(db: Queryable, from: string, into: string): Promise<void> {
  await db.updateTable('cases').set({ person_id: into }).where('person_id', '=', from).execute()
  await countCasesOfPeople(db, [into])
  await db.updateTable('case_prescriptions').set({ person_id: into }).where('person_id', '=', from).execute()
}
