// The community capability's queries for volunteering: opportunities, what a person on a case
// looks for, placements and their hours. Groups and training have their own stores.

import { sql } from 'kysely'
import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { boxAround, type Candidate, type Point } from './matching.ts'
import type { DbsLevel, PlacementStatus, VolunteeringOpportunityTable } from './tables.ts'
import './tables.ts'

const list = (text: string): string[] => {
  const parsed = JSON.parse(text) as unknown
  return Array.isArray(parsed) ? parsed.map(String) : []
}

export interface OpportunityDetails {
  role: string
  involves: string
  skillsGained: string[]
  interests: string[]
  times: string
  days: string[]
  accessibility: string
  dbsLevel: DbsLevel
  referencesNeeded: number
  placesAvailable: number
  suits: string[]
  stages: string[]
  needs: string[]
}

export interface Opportunity extends OpportunityDetails {
  serviceId: string
  hostOrganisationId: string
  point: Point | null
  active: boolean
  /** Places not taken by a placement that is proposed, introduced or started. */
  placesLeft: number
}

/** Placements that hold a place: every one not ended. */
const HOLDING: PlacementStatus[] = ['proposed', 'introduced', 'started']

export async function saveOpportunityDetails(
  db: Queryable,
  serviceId: string,
  input: OpportunityDetails & { hostOrganisationId: string; point: Point | null; active: boolean },
): Promise<void> {
  const values = {
    host_organisation_id: input.hostOrganisationId,
    role: input.role,
    involves: input.involves,
    skills_gained: JSON.stringify(input.skillsGained),
    interests: JSON.stringify(input.interests),
    times: input.times,
    days: JSON.stringify(input.days),
    accessibility: input.accessibility,
    dbs_level: input.dbsLevel,
    references_needed: input.referencesNeeded,
    places_available: input.placesAvailable,
    suits: JSON.stringify(input.suits),
    stages: JSON.stringify(input.stages),
    needs: JSON.stringify(input.needs),
    latitude: input.point?.latitude ?? null,
    longitude: input.point?.longitude ?? null,
    active: input.active ? 1 : 0,
    updated_at: nowIso(),
  }
  await db
    .insertInto('volunteering_opportunities')
    .values({ service_id: serviceId, ...values })
    .onConflict((oc) => oc.column('service_id').doUpdateSet(values))
    .execute()
}

function placesTaken(db: Queryable) {
  return db
    .selectFrom('placements')
    .select(['opportunity_id', sql<number>`count(*)`.as('taken')])
    .where('status', 'in', HOLDING)
    .groupBy('opportunity_id')
    .as('taken')
}

/** An opportunity's row with the count of places taken (`taken`, a number or PostgreSQL's bigint text). */
type OpportunityRow = Omit<VolunteeringOpportunityTable, 'updated_at'> & { taken: number | string | null }

function toOpportunity(row: OpportunityRow): Opportunity {
  return {
    serviceId: row.service_id,
    hostOrganisationId: row.host_organisation_id,
    role: row.role,
    involves: row.involves,
    skillsGained: list(row.skills_gained),
    interests: list(row.interests),
    times: row.times,
    days: list(row.days),
    accessibility: row.accessibility,
    dbsLevel: row.dbs_level,
    referencesNeeded: Number(row.references_needed),
    placesAvailable: Number(row.places_available),
    suits: list(row.suits),
    stages: list(row.stages),
    needs: list(row.needs),
    point:
      row.latitude === null || row.longitude === null
        ? null
        : { latitude: Number(row.latitude), longitude: Number(row.longitude) },
    active: Number(row.active) === 1,
    placesLeft: Number(row.places_available) - Number(row.taken ?? 0),
  }
}

function opportunityQuery(db: Queryable) {
  return db
    .selectFrom('volunteering_opportunities as o')
    .leftJoin(placesTaken(db), 'taken.opportunity_id', 'o.service_id')
    .selectAll('o')
    .select('taken.taken')
}

export async function getOpportunity(db: Queryable, serviceId: string): Promise<Opportunity | undefined> {
  const row = await opportunityQuery(db).where('o.service_id', '=', serviceId).executeTakeFirst()
  return row && toOpportunity(row)
}

export async function opportunitiesOfHosts(
  db: Queryable,
  hostIds: readonly string[],
): Promise<Opportunity[]> {
  if (hostIds.length === 0) return []
  const rows = await opportunityQuery(db)
    .where('o.host_organisation_id', 'in', [...hostIds])
    .orderBy('o.role')
    .execute()
  return rows.map(toOpportunity)
}

export async function allOpportunities(
  db: Queryable,
  options: { activeOnly: boolean },
): Promise<Opportunity[]> {
  let query = opportunityQuery(db)
  if (options.activeOnly) query = query.where('o.active', '=', 1)
  return (await query.orderBy('o.role').orderBy('o.service_id').execute()).map(toOpportunity)
}

/**
 * The active opportunities with a place left that a person could reach: within `km` of `from`
 * (a box, narrowed exactly by the matcher) or with no place of their own. Without `from`, all.
 */
export async function candidateOpportunities(
  db: Queryable,
  from: Point | undefined,
  km: number,
): Promise<Candidate[]> {
  let query = db
    .selectFrom('volunteering_opportunities as o')
    .leftJoin(placesTaken(db), 'taken.opportunity_id', 'o.service_id')
    .select([
      'o.service_id',
      'o.interests',
      'o.skills_gained',
      'o.days',
      'o.suits',
      'o.stages',
      'o.needs',
      'o.latitude',
      'o.longitude',
      'o.places_available',
      'taken.taken',
    ])
    .where('o.active', '=', 1)
  if (from) {
    const box = boxAround(from, km)
    query = query.where((eb) =>
      eb.or([
        eb('o.latitude', 'is', null),
        eb.and([
          eb('o.latitude', '>=', box.minLat),
          eb('o.latitude', '<=', box.maxLat),
          eb('o.longitude', '>=', box.minLng),
          eb('o.longitude', '<=', box.maxLng),
        ]),
      ]),
    )
  }
  const rows = await query.execute()
  return rows.map((row) => ({
    id: row.service_id,
    interests: list(row.interests),
    skillsGained: list(row.skills_gained),
    days: list(row.days),
    suits: list(row.suits),
    stages: list(row.stages),
    needs: list(row.needs),
    point:
      row.latitude === null || row.longitude === null
        ? null
        : { latitude: Number(row.latitude), longitude: Number(row.longitude) },
    placesLeft: Number(row.places_available) - Number(row.taken ?? 0),
  }))
}

// What a person looks for -------------------------------------------------------------------

export interface VolunteerProfile {
  caseId: string
  personId: string
  interests: string[]
  skills: string[]
  days: string[]
  postcode: string | null
  travelKm: number
  recovery: string
  stage: string
  dbsLevel: DbsLevel
  dbsCheckedOn: string | null
  referencesReceived: number
  updatedAt: string
}

export async function getProfile(db: Queryable, caseId: string): Promise<VolunteerProfile | undefined> {
  const row = await db
    .selectFrom('volunteer_profiles')
    .selectAll()
    .where('case_id', '=', caseId)
    .executeTakeFirst()
  return (
    row && {
      caseId: row.case_id,
      personId: row.person_id,
      interests: list(row.interests),
      skills: list(row.skills),
      days: list(row.days),
      postcode: row.postcode,
      travelKm: Number(row.travel_km),
      recovery: row.recovery,
      stage: row.stage,
      dbsLevel: row.dbs_level,
      dbsCheckedOn: row.dbs_checked_on,
      referencesReceived: Number(row.references_received),
      updatedAt: row.updated_at,
    }
  )
}

export async function saveProfile(
  db: Queryable,
  userId: string | null,
  profile: Omit<VolunteerProfile, 'updatedAt'>,
): Promise<void> {
  const values = {
    person_id: profile.personId,
    interests: JSON.stringify(profile.interests),
    skills: JSON.stringify(profile.skills),
    days: JSON.stringify(profile.days),
    postcode: profile.postcode,
    travel_km: profile.travelKm,
    recovery: profile.recovery,
    stage: profile.stage,
    dbs_level: profile.dbsLevel,
    dbs_checked_on: profile.dbsCheckedOn,
    references_received: profile.referencesReceived,
    updated_at: nowIso(),
    updated_by_user_id: userId,
  }
  await db
    .insertInto('volunteer_profiles')
    .values({ case_id: profile.caseId, ...values })
    .onConflict((oc) => oc.column('case_id').doUpdateSet(values))
    .execute()
}

// Placements and hours -------------------------------------------------------------------------

export interface Placement {
  id: string
  caseId: string
  personId: string
  programmeId: string
  opportunityId: string
  hostOrganisationId: string
  status: PlacementStatus
  reason: string
  supportingUserId: string | null
  supportingName: string | null
  proposedAt: string
  introducedAt: string | null
  startedAt: string | null
  endedAt: string | null
  endReason: string | null
  /** Hours logged, and of them confirmed by the host. */
  hours: number
  confirmedHours: number
  /** `YYYY-MM-DD` of the last day with hours logged. */
  lastWorkedOn: string | null
}

function placementQuery(db: Queryable) {
  const hours = db
    .selectFrom('placement_hours')
    .select([
      'placement_id',
      sql<number>`sum(hours)`.as('hours'),
      sql<number>`sum(case when confirmed_at is null then 0 else hours end)`.as('confirmed'),
      sql<string>`max(worked_on)`.as('last_worked_on'),
    ])
    .groupBy('placement_id')
    .as('h')
  return db
    .selectFrom('placements as p')
    .leftJoin(hours, 'h.placement_id', 'p.id')
    .leftJoin('users as s', 's.id', 'p.supporting_user_id')
    .selectAll('p')
    .select(['h.hours', 'h.confirmed', 'h.last_worked_on', 's.name as supporting_name'])
}

type PlacementRow = Awaited<ReturnType<ReturnType<typeof placementQuery>['execute']>>[number]

function toPlacement(row: PlacementRow): Placement {
  return {
    id: row.id,
    caseId: row.case_id,
    personId: row.person_id,
    programmeId: row.programme_id,
    opportunityId: row.opportunity_id,
    hostOrganisationId: row.host_organisation_id,
    status: row.status,
    reason: row.reason,
    supportingUserId: row.supporting_user_id,
    supportingName: row.supporting_name ?? null,
    proposedAt: row.proposed_at,
    introducedAt: row.introduced_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    hours: Number(row.hours ?? 0),
    confirmedHours: Number(row.confirmed ?? 0),
    lastWorkedOn: row.last_worked_on ?? null,
  }
}

export async function getPlacement(db: Queryable, id: string): Promise<Placement | undefined> {
  const row = await placementQuery(db).where('p.id', '=', id).executeTakeFirst()
  return row && toPlacement(row)
}

export async function placementsWhere(
  db: Queryable,
  column: 'case_id' | 'host_organisation_id' | 'programme_id' | 'person_id',
  values: readonly string[],
): Promise<Placement[]> {
  if (values.length === 0) return []
  const rows = await placementQuery(db)
    .where(`p.${column}`, 'in', [...values])
    .orderBy('p.proposed_at', 'desc')
    .orderBy('p.id')
    .execute()
  return rows.map(toPlacement)
}

export async function insertPlacement(
  db: Queryable,
  input: {
    caseId: string
    personId: string
    programmeId: string
    opportunityId: string
    hostOrganisationId: string
    reason: string
    supportingUserId: string | null
    createdByUserId: string | null
    at: string
  },
  id: string = newId(),
): Promise<string> {
  await db
    .insertInto('placements')
    .values({
      id,
      case_id: input.caseId,
      person_id: input.personId,
      programme_id: input.programmeId,
      opportunity_id: input.opportunityId,
      host_organisation_id: input.hostOrganisationId,
      status: 'proposed',
      reason: input.reason,
      supporting_user_id: input.supportingUserId,
      proposed_at: input.at,
      introduced_at: null,
      started_at: null,
      ended_at: null,
      end_reason: null,
      created_by_user_id: input.createdByUserId,
    })
    .execute()
  return id
}

export async function setPlacementStatus(
  db: Queryable,
  id: string,
  status: PlacementStatus,
  at: string,
  endReason: string | null = null,
): Promise<void> {
  const column = {
    proposed: 'proposed_at',
    introduced: 'introduced_at',
    started: 'started_at',
    ended: 'ended_at',
  }[status] as 'proposed_at' | 'introduced_at' | 'started_at' | 'ended_at'
  await db
    .updateTable('placements')
    .set({ status, [column]: at, ...(status === 'ended' ? { end_reason: endReason } : {}) })
    .where('id', '=', id)
    .execute()
}

export async function setPlacementSupport(db: Queryable, id: string, userId: string | null): Promise<void> {
  await db.updateTable('placements').set({ supporting_user_id: userId }).where('id', '=', id).execute()
}

export interface HoursEntry {
  id: string
  placementId: string
  workedOn: string
  hours: number
  loggedAt: string
  confirmedAt: string | null
}

export async function hoursOf(db: Queryable, placementIds: readonly string[]): Promise<HoursEntry[]> {
  if (placementIds.length === 0) return []
  const rows = await db
    .selectFrom('placement_hours')
    .selectAll()
    .where('placement_id', 'in', [...placementIds])
    .orderBy('worked_on', 'desc')
    .orderBy('id')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    placementId: row.placement_id,
    workedOn: row.worked_on,
    hours: Number(row.hours),
    loggedAt: row.logged_at,
    confirmedAt: row.confirmed_at,
  }))
}

export async function getHoursEntry(
  db: Queryable,
  id: string,
): Promise<(HoursEntry & { personId: string }) | undefined> {
  const row = await db.selectFrom('placement_hours').selectAll().where('id', '=', id).executeTakeFirst()
  return (
    row && {
      id: row.id,
      placementId: row.placement_id,
      personId: row.person_id,
      workedOn: row.worked_on,
      hours: Number(row.hours),
      loggedAt: row.logged_at,
      confirmedAt: row.confirmed_at,
    }
  )
}

/** Hours already logged on the placement for that day. */
export async function hoursOnDay(db: Queryable, placementId: string, day: string): Promise<number> {
  const row = await db
    .selectFrom('placement_hours')
    .select(sql<number>`coalesce(sum(hours), 0)`.as('total'))
    .where('placement_id', '=', placementId)
    .where('worked_on', '=', day)
    .executeTakeFirst()
  return Number(row?.total ?? 0)
}

export async function insertHours(
  db: Queryable,
  input: {
    placementId: string
    personId: string
    workedOn: string
    hours: number
    userId: string | null
    at: string
  },
  id: string = newId(),
): Promise<string> {
  await db
    .insertInto('placement_hours')
    .values({
      id,
      placement_id: input.placementId,
      person_id: input.personId,
      worked_on: input.workedOn,
      hours: input.hours,
      logged_at: input.at,
      logged_by_user_id: input.userId,
      confirmed_at: null,
      confirmed_by_user_id: null,
    })
    .execute()
  return id
}

export async function confirmHours(db: Queryable, id: string, userId: string, at: string): Promise<void> {
  await db
    .updateTable('placement_hours')
    .set({ confirmed_at: at, confirmed_by_user_id: userId })
    .where('id', '=', id)
    .where('confirmed_at', 'is', null)
    .execute()
}

/** Moves a merged person's placements and hours onto the record kept. */
export async function movePersonPlacements(db: Queryable, from: string, into: string): Promise<void> {
  await db.updateTable('placements').set({ person_id: into }).where('person_id', '=', from).execute()
  await db.updateTable('placement_hours').set({ person_id: into }).where('person_id', '=', from).execute()
  await db.updateTable('volunteer_profiles').set({ person_id: into }).where('person_id', '=', from).execute()
}
