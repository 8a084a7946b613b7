// Volunteering on prescription: publishing opportunities (directory services of kind
// volunteering, with their own details), matching a person on a case, and placements from
// proposed to ended with the hours logged and confirmed. Each change is one transaction and is
// audited against the person's case; bad input changes nothing.

import { type Actor, audit } from '../access/audit.ts'
import type { CurrentUser } from '../access/users.ts'
import { type CaseForUser, getCaseForUser } from '../casework/index.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import {
  createService,
  findTerm,
  getService,
  getServices,
  postcodePoint,
  type ServiceInput,
  updateService,
} from '../directory/index.ts'
import { listProgrammes } from '../programmes/store.ts'
import { badRequest, conflict } from '../web/problem.ts'
import { DBS_RANK, type OpportunityForm, type ProfileForm } from './forms.ts'
import { bestMatches, type Match, type RecoveryKind, type Stage } from './matching.ts'
import {
  candidateOpportunities,
  getOpportunity,
  getProfile,
  hoursOnDay,
  insertHours,
  insertPlacement,
  type Placement,
  placementsWhere,
  saveOpportunityDetails,
  saveProfile,
  setPlacementStatus,
  type VolunteerProfile,
} from './store.ts'
import type { PlacementStatus } from './tables.ts'

const DBS_NEEDED = {
  none: 'no DBS check',
  basic: 'a basic DBS check',
  standard: 'a standard DBS check',
  enhanced: 'an enhanced DBS check',
} as const

export type Ctx = { user: CurrentUser; actor: Actor }

/** The directory listing of an opportunity: a volunteering service with the volunteering terms. */
async function serviceInputOf(db: Queryable, form: OpportunityForm, today: string): Promise<ServiceInput> {
  const termIds: string[] = []
  for (const [vocabulary, code] of [
    ['area', 'volunteering'],
    ['category', 'volunteering'],
    ...form.needs.map((need) => ['need', need]),
  ] as const) {
    const term = await findTerm(db, vocabulary, code)
    if (term) termIds.push(term.id)
  }
  const point = form.postcode ? await postcodePoint(db, form.postcode) : undefined
  return {
    name: form.name,
    description: `${form.role}. ${form.involves}`,
    kind: 'volunteering',
    status: form.active ? 'active' : 'inactive',
    selfReferral: false,
    criteria: [],
    criteriaNotes: form.suits.length > 0 ? 'Offered through volunteering on prescription.' : '',
    additionalNeeds: form.accessibility,
    disclaimer: '',
    cost: 'Free',
    free: true,
    ageMin: 18,
    ageMax: null,
    schedule: form.times,
    contactName: form.contactName,
    email: form.email,
    phone: form.phone,
    url: '',
    lastReviewedOn: today,
    termIds,
    locations:
      form.postcode || form.address
        ? [
            {
              name: form.name,
              address: form.address,
              town: form.town,
              postcode: form.postcode ? form.postcode.toUpperCase() : null,
              latitude: point?.latitude ?? null,
              longitude: point?.longitude ?? null,
            },
          ]
        : [],
  }
}

async function saveDetails(
  db: Queryable,
  serviceId: string,
  hostOrganisationId: string,
  form: OpportunityForm,
  input: ServiceInput,
) {
  const place = input.locations[0]
  await saveOpportunityDetails(db, serviceId, {
    hostOrganisationId,
    role: form.role,
    involves: form.involves,
    skillsGained: form.skillsGained,
    interests: form.interests,
    times: form.times,
    days: form.days,
    accessibility: form.accessibility,
    dbsLevel: form.dbsLevel,
    referencesNeeded: form.referencesNeeded,
    placesAvailable: form.placesAvailable,
    suits: form.suits,
    stages: form.stages,
    needs: form.needs,
    point:
      place?.latitude != null && place.longitude != null
        ? { latitude: place.latitude, longitude: place.longitude }
        : null,
    active: form.active,
  })
}

/** Publishes an opportunity of the host organisation: its directory service and its details. */
export async function publishOpportunity(
  db: Queryable,
  actor: Actor,
  hostOrganisationId: string,
  form: OpportunityForm,
  today: string,
): Promise<string> {
  return inTransaction(db, async (trx) => {
    const input = await serviceInputOf(trx, form, today)
    const id = await createService(trx, hostOrganisationId, input)
    await saveDetails(trx, id, hostOrganisationId, form, input)
    await audit(trx, actor, { action: 'opportunity.publish', recordType: 'service', recordId: id })
    return id
  })
}

/** Updates an opportunity: its listing and its details, places included. */
export async function reviseOpportunity(
  db: Queryable,
  actor: Actor,
  serviceId: string,
  hostOrganisationId: string,
  form: OpportunityForm,
  today: string,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const input = await serviceInputOf(trx, form, today)
    await updateService(trx, serviceId, input)
    await saveDetails(trx, serviceId, hostOrganisationId, form, input)
    await audit(trx, actor, { action: 'opportunity.update', recordType: 'service', recordId: serviceId })
  })
}

/** Records what the person on the case looks for, and the checks they have had. */
export async function recordProfile(db: Queryable, ctx: Ctx, kase: CaseForUser, form: ProfileForm) {
  await inTransaction(db, async (trx) => {
    await saveProfile(trx, ctx.user.id, {
      caseId: kase.case.id,
      personId: kase.case.personId,
      interests: form.interests,
      skills: form.skills,
      days: form.days,
      postcode: form.postcode ? form.postcode.toUpperCase() : null,
      travelKm: form.travelKm,
      recovery: form.recovery,
      stage: form.stage,
      dbsLevel: form.dbsLevel,
      dbsCheckedOn: form.dbsCheckedOn || null,
      referencesReceived: form.referencesReceived,
    })
    await audit(trx, ctx.actor, {
      action: 'volunteer-profile.update',
      recordType: 'case',
      recordId: kase.case.id,
    })
  })
}

export interface ProposedMatch extends Match {
  name: string
  hostName: string
}

/**
 * The best opportunities for the person on the case, with the reason for each; none until what
 * they look for is recorded. The case's needs count as theirs.
 */
export async function matchesFor(
  db: Queryable,
  kase: CaseForUser,
  limit = 5,
): Promise<ProposedMatch[] | undefined> {
  const profile = await getProfile(db, kase.case.id)
  return profile ? proposalsFor(db, profile, kase.case.needs, limit) : undefined
}

/** The best opportunities for what a person looks for, named, best first. */
export async function proposalsFor(
  db: Queryable,
  profile: Pick<
    VolunteerProfile,
    'interests' | 'skills' | 'days' | 'postcode' | 'travelKm' | 'recovery' | 'stage'
  >,
  needs: readonly string[],
  limit = 5,
): Promise<ProposedMatch[]> {
  const from = profile.postcode ? await postcodePoint(db, profile.postcode) : undefined
  const candidates = await candidateOpportunities(db, from, profile.travelKm)
  const matches = bestMatches(
    {
      interests: profile.interests,
      skills: profile.skills,
      days: profile.days,
      from,
      travelKm: profile.travelKm,
      recovery: profile.recovery as RecoveryKind,
      stage: profile.stage as Stage,
      needs,
    },
    candidates,
    limit,
  )
  const services = new Map(
    (
      await getServices(
        db,
        matches.map((m) => m.candidate.id),
      )
    ).map((s) => [s.id, s]),
  )
  return matches.flatMap((match) => {
    const service = services.get(match.candidate.id)
    return service ? [{ ...match, name: service.name, hostName: service.providerName }] : []
  })
}

/**
 * The officer's choice: a proposed placement at the opportunity, with the worker supporting it.
 * Refused, with nothing saved, when no place is left or the person lacks a check the role needs.
 */
export async function proposePlacement(
  db: Queryable,
  ctx: Ctx,
  kase: CaseForUser,
  input: { opportunityId: string; supportingUserId: string | null; reason: string; at: string },
): Promise<string> {
  return inTransaction(db, async (trx) => {
    const opportunity = await getOpportunity(trx, input.opportunityId)
    const service = opportunity && (await getService(trx, opportunity.serviceId))
    if (!opportunity || !service || !opportunity.active)
      throw badRequest('Choose an opportunity that is open.', [
        { field: 'opportunityId', message: 'Choose an opportunity that is open' },
      ])
    if (opportunity.placesLeft <= 0)
      throw badRequest(`${service.name} has no places left.`, [
        { field: 'opportunityId', message: `${service.name} has no places left: choose another opportunity` },
      ])
    const profile = await getProfile(trx, kase.case.id)
    const recorded = profile?.dbsCheckedOn ? profile.dbsLevel : 'none'
    if (DBS_RANK[opportunity.dbsLevel] > DBS_RANK[recorded])
      throw badRequest(`${service.name} needs a check that is not recorded.`, [
        {
          field: 'opportunityId',
          message: `${service.name} needs ${DBS_NEEDED[opportunity.dbsLevel]}: record the person’s check, with its date, before placing them`,
        },
      ])
    if (opportunity.referencesNeeded > (profile?.referencesReceived ?? 0))
      throw badRequest(`${service.name} needs references that are not recorded.`, [
        {
          field: 'opportunityId',
          message: `${service.name} needs ${opportunity.referencesNeeded} references: record them before placing the person`,
        },
      ])
    const supporting = input.supportingUserId ?? kase.case.supportingUserId
    if (supporting && !kase.programme.linkWorkers.some((w) => w.userId === supporting))
      throw badRequest('Choose a worker of the programme to support the placement.', [
        { field: 'supportingUserId', message: 'Choose a worker of the programme' },
      ])
    const id = await insertPlacement(trx, {
      caseId: kase.case.id,
      personId: kase.case.personId,
      programmeId: kase.case.programmeId,
      opportunityId: opportunity.serviceId,
      hostOrganisationId: opportunity.hostOrganisationId,
      reason: input.reason,
      supportingUserId: supporting ?? null,
      createdByUserId: ctx.user.id,
      at: input.at,
    })
    await audit(trx, ctx.actor, {
      action: 'placement.propose',
      recordType: 'case',
      recordId: kase.case.id,
      detail: { placementId: id, opportunityId: opportunity.serviceId },
    })
    return id
  })
}

const NEXT: Record<PlacementStatus, readonly PlacementStatus[]> = {
  proposed: ['introduced', 'ended'],
  introduced: ['started', 'ended'],
  started: ['ended'],
  ended: [],
}

/** Moves a placement on: introduced, started, or ended with a reason. */
export async function movePlacement(
  db: Queryable,
  ctx: Ctx,
  placement: Placement,
  status: PlacementStatus,
  endReason: string,
  at: string,
): Promise<void> {
  if (!NEXT[placement.status].includes(status))
    throw conflict(`A placement that is ${placement.status} cannot become ${status}.`)
  await inTransaction(db, async (trx) => {
    await setPlacementStatus(trx, placement.id, status, at, status === 'ended' ? endReason : null)
    await audit(trx, ctx.actor, {
      action: `placement.${status}`,
      recordType: 'case',
      recordId: placement.caseId,
      detail: { placementId: placement.id },
    })
  })
}

/**
 * Logs hours the person volunteered on a day: not a day in the future, not before the placement
 * started, and no more than 24 hours in a day with what is already logged.
 */
export async function logHours(
  db: Queryable,
  ctx: Ctx,
  placement: Placement,
  input: { workedOn: string; hours: number; today: string; at: string },
): Promise<string> {
  if (placement.status !== 'started' && placement.status !== 'ended')
    throw badRequest('Hours can be logged once the placement has started.', [
      { field: 'workedOn', message: 'Hours can be logged once the placement has started' },
    ])
  if (input.workedOn > input.today)
    throw badRequest('The day is in the future.', [
      { field: 'workedOn', message: 'The day they volunteered must be today or in the past' },
    ])
  if (placement.startedAt && input.workedOn < placement.startedAt.slice(0, 10))
    throw badRequest('The day is before the placement started.', [
      { field: 'workedOn', message: 'The day must be on or after the placement started' },
    ])
  return inTransaction(db, async (trx) => {
    const already = await hoursOnDay(trx, placement.id, input.workedOn)
    if (already + input.hours > 24)
      throw badRequest('More than 24 hours in a day.', [
        {
          field: 'hours',
          message: `${already} hours are already logged that day: no more than 24 hours in a day`,
        },
      ])
    const id = await insertHours(trx, {
      placementId: placement.id,
      personId: placement.personId,
      workedOn: input.workedOn,
      hours: input.hours,
      userId: ctx.user.id,
      at: input.at,
    })
    await audit(trx, ctx.actor, {
      action: 'placement-hours.log',
      recordType: 'case',
      recordId: placement.caseId,
      detail: { placementId: placement.id },
    })
    return id
  })
}

/** Started placements with no hours logged in the last `weeks` weeks (counting from the start). */
export function stalled(placements: readonly Placement[], today: string, weeks: number): Placement[] {
  const since = new Date(`${today}T00:00:00Z`)
  since.setUTCDate(since.getUTCDate() - weeks * 7)
  const cutoff = since.toISOString().slice(0, 10)
  return placements.filter(
    (p) => p.status === 'started' && (p.lastWorkedOn ?? p.startedAt?.slice(0, 10) ?? today) < cutoff,
  )
}

/** Placements in volunteering programmes, of the cases the user may see (casework decides). */
export async function visiblePlacements(db: Queryable, user: CurrentUser): Promise<Placement[]> {
  const programmes = (await listProgrammes(db)).filter((p) => p.pathway === 'volunteering')
  const placements = await placementsWhere(
    db,
    'programme_id',
    programmes.map((p) => p.id),
  )
  const seen = new Map<string, boolean>()
  const visible: Placement[] = []
  for (const p of placements) {
    if (!seen.has(p.caseId)) seen.set(p.caseId, (await getCaseForUser(db, user, p.caseId)) !== undefined)
    if (seen.get(p.caseId)) visible.push(p)
  }
  return visible
}
