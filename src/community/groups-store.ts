// The community capability's queries for groups: their details, the support they get, their
// meetings, and new groups being started.

import { sql } from 'kysely'
import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import './tables.ts'

export interface GroupDetails {
  serviceId: string
  runBy: 'members' | 'facilitator'
  facilitatorUserId: string | null
  facilitatorName: string | null
  leaderUserId: string | null
  leaderEmail: string | null
  meetingPattern: string
  place: string
  contact: string
  forNeed: string
  members: number
  openToNew: boolean
  running: boolean
  recordedOn: string
  /** Meetings held in the last twelve months, and the last. */
  meetingsInYear: number
  lastMetOn: string | null
}

function detailsQuery(db: Queryable, since: string) {
  const meetings = db
    .selectFrom('group_meetings')
    .select([
      'service_id',
      sql<number>`sum(case when met_on >= ${since} then 1 else 0 end)`.as('in_year'),
      sql<string>`max(met_on)`.as('last_met_on'),
    ])
    .groupBy('service_id')
    .as('m')
  return db
    .selectFrom('group_details as g')
    .leftJoin(meetings, 'm.service_id', 'g.service_id')
    .leftJoin('users as f', 'f.id', 'g.facilitator_user_id')
    .leftJoin('users as l', 'l.id', 'g.leader_user_id')
    .selectAll('g')
    .select(['m.in_year', 'm.last_met_on', 'f.name as facilitator_name', 'l.email as leader_email'])
}

type DetailsRow = Awaited<ReturnType<ReturnType<typeof detailsQuery>['execute']>>[number]

function toDetails(row: DetailsRow): GroupDetails {
  return {
    serviceId: row.service_id,
    runBy: row.run_by,
    facilitatorUserId: row.facilitator_user_id,
    facilitatorName: row.facilitator_name ?? null,
    leaderUserId: row.leader_user_id,
    leaderEmail: row.leader_email ?? null,
    meetingPattern: row.meeting_pattern,
    place: row.place,
    contact: row.contact,
    forNeed: row.for_need,
    members: Number(row.members),
    openToNew: Number(row.open_to_new) === 1,
    running: Number(row.running) === 1,
    recordedOn: row.recorded_on,
    meetingsInYear: Number(row.in_year ?? 0),
    lastMetOn: row.last_met_on ?? null,
  }
}

export async function getGroupDetails(
  db: Queryable,
  serviceId: string,
  yearAgo: string,
): Promise<GroupDetails | undefined> {
  const row = await detailsQuery(db, yearAgo).where('g.service_id', '=', serviceId).executeTakeFirst()
  return row && toDetails(row)
}

export async function allGroupDetails(db: Queryable, yearAgo: string): Promise<GroupDetails[]> {
  return (await detailsQuery(db, yearAgo).orderBy('g.service_id').execute()).map(toDetails)
}

export async function saveGroupDetails(
  db: Queryable,
  input: Omit<GroupDetails, 'facilitatorName' | 'leaderEmail' | 'meetingsInYear' | 'lastMetOn'>,
): Promise<void> {
  const values = {
    run_by: input.runBy,
    facilitator_user_id: input.facilitatorUserId,
    leader_user_id: input.leaderUserId,
    meeting_pattern: input.meetingPattern,
    place: input.place,
    contact: input.contact,
    for_need: input.forNeed,
    members: input.members,
    open_to_new: input.openToNew ? 1 : 0,
    running: input.running ? 1 : 0,
    updated_at: nowIso(),
  }
  await db
    .insertInto('group_details')
    .values({ service_id: input.serviceId, recorded_on: input.recordedOn, ...values })
    .onConflict((oc) => oc.column('service_id').doUpdateSet(values))
    .execute()
}

export interface GroupSupport {
  id: string
  kind: string
  note: string
  givenOn: string
  byName: string | null
}

export async function supportOf(db: Queryable, serviceId: string): Promise<GroupSupport[]> {
  const rows = await db
    .selectFrom('group_support as s')
    .leftJoin('users as u', 'u.id', 's.by_user_id')
    .select(['s.id', 's.kind', 's.note', 's.given_on', 'u.name'])
    .where('s.service_id', '=', serviceId)
    .orderBy('s.given_on', 'desc')
    .orderBy('s.id', 'desc')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    note: r.note,
    givenOn: r.given_on,
    byName: r.name ?? null,
  }))
}

export async function insertSupport(
  db: Queryable,
  input: { serviceId: string; kind: string; note: string; givenOn: string; userId: string | null },
): Promise<string> {
  const id = newId()
  await db
    .insertInto('group_support')
    .values({
      id,
      service_id: input.serviceId,
      kind: input.kind,
      note: input.note,
      given_on: input.givenOn,
      by_user_id: input.userId,
      created_at: nowIso(),
    })
    .execute()
  return id
}

export interface GroupMeeting {
  id: string
  metOn: string
  attended: number
}

export async function meetingsOf(db: Queryable, serviceId: string, limit = 24): Promise<GroupMeeting[]> {
  const rows = await db
    .selectFrom('group_meetings')
    .select(['id', 'met_on', 'attended'])
    .where('service_id', '=', serviceId)
    .orderBy('met_on', 'desc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ id: r.id, metOn: r.met_on, attended: Number(r.attended) }))
}

export async function meetingOn(db: Queryable, serviceId: string, day: string): Promise<boolean> {
  const row = await db
    .selectFrom('group_meetings')
    .select('id')
    .where('service_id', '=', serviceId)
    .where('met_on', '=', day)
    .executeTakeFirst()
  return row !== undefined
}

export async function insertMeeting(
  db: Queryable,
  input: { serviceId: string; metOn: string; attended: number; userId: string | null },
): Promise<string> {
  const id = newId()
  await db
    .insertInto('group_meetings')
    .values({
      id,
      service_id: input.serviceId,
      met_on: input.metOn,
      attended: input.attended,
      recorded_by_user_id: input.userId,
      recorded_at: nowIso(),
    })
    .execute()
  return id
}

export interface NewGroup {
  id: string
  name: string
  idea: string
  forNeed: string
  interested: number
  interestedNote: string
  facilitatorUserId: string | null
  facilitatorName: string | null
  stepsDone: string[]
  firstMeetingOn: string | null
  updatedAt: string
}

function newGroupQuery(db: Queryable) {
  return db
    .selectFrom('new_groups as n')
    .leftJoin('users as f', 'f.id', 'n.facilitator_user_id')
    .selectAll('n')
    .select('f.name as facilitator_name')
}

function toNewGroup(row: Awaited<ReturnType<ReturnType<typeof newGroupQuery>['execute']>>[number]): NewGroup {
  const steps = JSON.parse(row.steps_done) as unknown
  return {
    id: row.id,
    name: row.name,
    idea: row.idea,
    forNeed: row.for_need,
    interested: Number(row.interested),
    interestedNote: row.interested_note,
    facilitatorUserId: row.facilitator_user_id,
    facilitatorName: row.facilitator_name ?? null,
    stepsDone: Array.isArray(steps) ? steps.map(String) : [],
    firstMeetingOn: row.first_meeting_on,
    updatedAt: row.updated_at,
  }
}

export async function listNewGroups(db: Queryable): Promise<NewGroup[]> {
  return (await newGroupQuery(db).orderBy('n.created_at', 'desc').execute()).map(toNewGroup)
}

export async function getNewGroup(db: Queryable, id: string): Promise<NewGroup | undefined> {
  const row = await newGroupQuery(db).where('n.id', '=', id).executeTakeFirst()
  return row && toNewGroup(row)
}

export async function saveNewGroup(
  db: Queryable,
  input: Omit<NewGroup, 'id' | 'facilitatorName' | 'updatedAt'>,
  userId: string | null,
  id?: string,
): Promise<string> {
  const values = {
    name: input.name,
    idea: input.idea,
    for_need: input.forNeed,
    interested: input.interested,
    interested_note: input.interestedNote,
    facilitator_user_id: input.facilitatorUserId,
    steps_done: JSON.stringify(input.stepsDone),
    first_meeting_on: input.firstMeetingOn,
    updated_at: nowIso(),
  }
  if (id) {
    await db.updateTable('new_groups').set(values).where('id', '=', id).execute()
    return id
  }
  const created = newId()
  await db
    .insertInto('new_groups')
    .values({ id: created, ...values, created_by_user_id: userId, created_at: nowIso() })
    .execute()
  return created
}
