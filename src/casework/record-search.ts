// Searching the cases a user may see, and their goals and appointments, in the database: the
// rule of `maySee` (cases.ts) as SQL conditions, for lists that must reach every record (the FHIR
// API's searches). Not audited: callers audit what they show.

import type { ExpressionBuilder } from 'kysely'
import type { CurrentUser } from '../access/users.ts'
import { organisationsWhere } from '../access/users.ts'
import type { Queryable, Tables } from '../db/schema.ts'
import {
  type Found,
  firstOf,
  inTimeRanges,
  type Paging,
  type PersonIdQuery,
  type TimeRange,
} from '../db/search.ts'
import { programmesOfUser } from '../programmes/store.ts'
import type { AppointmentStatus } from './rules.ts'
import { type AppointmentRow, type CaseRow, type Goal, getAppointment, getCase } from './store.ts'

/** What opens a case to the user (cases.ts `maySee`), as lists to test a case's columns against. */
interface CaseReach {
  userId: string
  managedProgrammeIds: string[]
  linkWorkerProgrammeIds: string[]
  linkWorkerOrganisationIds: string[]
}

async function reachOf(db: Queryable, user: CurrentUser): Promise<CaseReach> {
  const programmes = await programmesOfUser(db, user)
  return {
    userId: user.id,
    managedProgrammeIds: programmes.filter((p) => p.manages).map((p) => p.id),
    linkWorkerProgrammeIds: programmes.filter((p) => p.linkWorker).map((p) => p.id),
    linkWorkerOrganisationIds: organisationsWhere(user, 'link_worker'),
  }
}

function visible(eb: ExpressionBuilder<Tables, 'cases'>, reach: CaseReach) {
  const { managedProgrammeIds, linkWorkerProgrammeIds, linkWorkerOrganisationIds } = reach
  return eb.or([
    eb('cases.supporting_user_id', '=', reach.userId),
    ...(managedProgrammeIds.length > 0 ? [eb('cases.programme_id', 'in', managedProgrammeIds)] : []),
    ...(linkWorkerProgrammeIds.length > 0
      ? [
          eb.and([
            eb('cases.programme_id', 'in', linkWorkerProgrammeIds),
            eb.or([
              eb('cases.link_worker_user_id', '=', reach.userId),
              ...(linkWorkerOrganisationIds.length > 0
                ? [eb('cases.organisation_id', 'in', linkWorkerOrganisationIds)]
                : []),
            ]),
          ]),
        ]
      : []),
  ])
}

/** The people with a case the user may see, as a query of person ids. */
export async function peopleWithCasesSeenBy(db: Queryable, user: CurrentUser): Promise<PersonIdQuery> {
  const reach = await reachOf(db, user)
  return db
    .selectFrom('cases')
    .select('cases.person_id')
    .where((eb) => visible(eb, reach))
}

/** The people who have (or had) a case in one of the programmes, as a query of person ids. */
export function peopleWithCasesIn(db: Queryable, programmeId: string): PersonIdQuery {
  return db.selectFrom('cases').select('cases.person_id').where('cases.programme_id', '=', programmeId)
}

export interface CaseQuery extends Paging {
  personId?: string
  ids?: readonly string[]
  /** Open cases (true), or those no longer open (false). */
  open?: boolean
  /** On when the care plan last changed, else when the case opened. */
  updated?: readonly TimeRange[]
}

async function rowsOf<T>(ids: { id: string }[], load: (id: string) => Promise<T | undefined>): Promise<T[]> {
  const found = await Promise.all(ids.map(({ id }) => load(id)))
  return found.filter((row): row is Awaited<T> => row !== undefined)
}

/** The cases the user may see that match, their plan's last change first (then by id), one page. */
export async function searchCasesSeenBy(
  db: Queryable,
  user: CurrentUser,
  search: CaseQuery,
): Promise<Found<CaseRow>> {
  if (search.ids?.length === 0) return { rows: [], total: 0 }
  const reach = await reachOf(db, user)
  const planUpdated = firstOf('case_plans.updated_at', 'cases.opened_at')
  let query = db
    .selectFrom('cases')
    .leftJoin('case_plans', 'case_plans.case_id', 'cases.id')
    .where((eb) => visible(eb, reach))
  if (search.personId !== undefined) query = query.where('cases.person_id', '=', search.personId)
  if (search.ids) query = query.where('cases.id', 'in', [...search.ids])
  if (search.open !== undefined) query = query.where('cases.status', search.open ? '=' : '<>', 'open')
  if (search.updated) query = query.where(inTimeRanges(planUpdated, search.updated))
  const [ids, count] = await Promise.all([
    query
      .select(['cases.id', (eb) => eb.fn.coalesce('case_plans.updated_at', 'cases.opened_at').as('at')])
      .orderBy('at', 'desc')
      .orderBy('cases.id')
      .limit(search.limit)
      .offset(search.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirst(),
  ])
  return { rows: await rowsOf(ids, (id) => getCase(db, id)), total: Number(count?.total ?? 0) }
}

export interface CaseRecordQuery extends Paging {
  personId?: string
  ids?: readonly string[]
}

/** The goals of the cases the user may see, by id, one page, each with its case. */
export async function searchGoalsSeenBy(
  db: Queryable,
  user: CurrentUser,
  search: CaseRecordQuery & { achieved?: boolean },
): Promise<Found<{ goal: Goal; case: CaseRow }>> {
  if (search.ids?.length === 0) return { rows: [], total: 0 }
  const reach = await reachOf(db, user)
  let query = db
    .selectFrom('case_goals')
    .innerJoin('cases', 'cases.id', 'case_goals.case_id')
    .where((eb) => visible(eb, reach))
  if (search.personId !== undefined) query = query.where('cases.person_id', '=', search.personId)
  if (search.ids) query = query.where('case_goals.id', 'in', [...search.ids])
  if (search.achieved !== undefined)
    query = query.where('case_goals.progress', search.achieved ? '=' : '<>', 'achieved')
  const [rows, count] = await Promise.all([
    query
      .select([
        'case_goals.id',
        'case_goals.case_id as caseId',
        'case_goals.text',
        'case_goals.target_date as targetDate',
        'case_goals.progress',
      ])
      .orderBy('case_goals.id')
      .limit(search.limit)
      .offset(search.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirst(),
  ])
  const cases = new Map<string, Promise<CaseRow | undefined>>()
  const found: { goal: Goal; case: CaseRow }[] = []
  for (const { caseId, ...goal } of rows) {
    if (!cases.has(caseId)) cases.set(caseId, getCase(db, caseId))
    const kase = await cases.get(caseId)
    if (kase) found.push({ goal, case: kase })
  }
  return { rows: found, total: Number(count?.total ?? 0) }
}

/** The appointments of the cases the user may see, by id, one page, each with its case. */
export async function searchAppointmentsSeenBy(
  db: Queryable,
  user: CurrentUser,
  search: CaseRecordQuery & { statuses?: readonly AppointmentStatus[] },
): Promise<Found<{ appointment: AppointmentRow; case: CaseRow }>> {
  if (search.ids?.length === 0 || search.statuses?.length === 0) return { rows: [], total: 0 }
  const reach = await reachOf(db, user)
  let query = db
    .selectFrom('case_appointments')
    .innerJoin('cases', 'cases.id', 'case_appointments.case_id')
    .where((eb) => visible(eb, reach))
  if (search.personId !== undefined) query = query.where('cases.person_id', '=', search.personId)
  if (search.ids) query = query.where('case_appointments.id', 'in', [...search.ids])
  if (search.statuses) query = query.where('case_appointments.status', 'in', [...search.statuses])
  const [ids, count] = await Promise.all([
    query
      .select('case_appointments.id')
      .orderBy('case_appointments.id')
      .limit(search.limit)
      .offset(search.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirst(),
  ])
  const found: { appointment: AppointmentRow; case: CaseRow }[] = []
  for (const appointment of await rowsOf(ids, (id) => getAppointment(db, id))) {
    const kase = await getCase(db, appointment.caseId)
    if (kase) found.push({ appointment, case: kase })
  }
  return { rows: found, total: Number(count?.total ?? 0) }
}
