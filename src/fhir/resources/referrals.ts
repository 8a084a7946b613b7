// ServiceRequest and Task: each referral, and its lifecycle as a Task following the HL7 Gravity
// and BaRS pattern (the Task's focus is the ServiceRequest; its status is the referral's).

import type { Patient, Reference, ServiceRequest, Task } from '@medplum/fhirtypes'
import {
  type Referral,
  type ReferralStatus,
  readReferral,
  resolveTarget,
  searchReferrals,
} from '../../referrals/index.ts'
import { seesRecord } from '../access.ts'
import { type FhirContext, kithSystem, ref, SYSTEMS, UK_CORE, withMeta } from '../context.ts'
import { memo, patientIdOf, type ResourceHandler } from '../handler.ts'
import { idsNamed, type ParsedSearch, pagingOf } from '../search.ts'

export const REFERRAL_CODE = {
  system: SYSTEMS.snomed,
  code: '871731000000106',
  display: 'Referral to social prescribing service',
} as const

const SERVICE_REQUEST_STATUS: Record<ReferralStatus, ServiceRequest['status']> = {
  requested: 'active',
  received: 'active',
  accepted: 'active',
  'in-progress': 'active',
  completed: 'completed',
  rejected: 'revoked',
  cancelled: 'revoked',
  failed: 'revoked',
}

interface Seen {
  referral: Referral
  parties: string[]
}

const REFERRAL_STATUSES = Object.keys(SERVICE_REQUEST_STATUS) as ReferralStatus[]

/**
 * The page of referrals the user is a party to (referrals' `searchReferrals`: received, overseen
 * or sent) that match; `patient` keeps those whose person's record the user sees.
 */
async function referralPage(
  ctx: FhirContext,
  search: ParsedSearch,
  statuses: ReferralStatus[] | undefined,
): Promise<{ found: Seen[]; total: number }> {
  const ids = idsNamed(search, kithSystem(ctx, 'referral'))
  const page = await searchReferrals(ctx.db, ctx.user, {
    ...pagingOf(search),
    ...(search.patient !== undefined ? { personId: search.patient } : {}),
    ...(ids ? { ids } : {}),
    ...(statuses ? { statuses } : {}),
    updated: search.updated,
  })
  for (const seen of page.found) ctx.memo.set(`seen:${seen.referral.id}`, Promise.resolve(seen))
  return page
}

/** A referral this request's search found for the user, with how they stand to it. */
async function foundSeen(ctx: FhirContext, id: string): Promise<Seen | undefined> {
  return (await ctx.memo.get(`seen:${id}`)) as Seen | undefined
}

async function needLabels(ctx: FhirContext, referral: Referral): Promise<Map<string, string>> {
  const { programmeId, serviceId } = referral.target
  const key = `needs:${serviceId ?? programmeId}`
  return memo(ctx, key, async () => {
    const target = await resolveTarget(ctx.db, serviceId ? { serviceId } : { programmeId: programmeId ?? '' })
    return new Map((target?.needs ?? []).map((need) => [need.id, need.label]))
  })
}

/** The person as the referrer gave them, for a referrer outside the receiving team (decision 0305). */
function personAsGiven(referral: Referral): Patient {
  const given = referral.personAsGiven
  return {
    resourceType: 'Patient',
    id: 'person',
    ...(given?.nhsNumber ? { identifier: [{ system: SYSTEMS.nhsNumber, value: given.nhsNumber }] } : {}),
    name: [{ family: given?.familyName ?? '', given: [given?.givenName ?? ''] }],
    ...(given?.dateOfBirth ? { birthDate: given.dateOfBirth } : {}),
  }
}

function requesterOf(referral: Referral): Reference<never> {
  return referral.referrer.userId
    ? ref('Practitioner', referral.referrer.userId, referral.referrer.name)
    : { display: referral.referrer.name }
}

function performerOf(referral: Referral): Reference<never> {
  return referral.target.serviceId
    ? ref('HealthcareService', referral.target.serviceId, referral.target.name)
    : ref('Organization', referral.receivingOrganisationId, referral.target.name)
}

export async function serviceRequestOf(ctx: FhirContext, seen: Seen): Promise<ServiceRequest> {
  const { referral } = seen
  const record = seesRecord(seen.parties)
  const labels = await needLabels(ctx, referral)
  const request: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id: referral.id,
    ...(record ? {} : { contained: [personAsGiven(referral)] }),
    identifier: [{ system: kithSystem(ctx, 'referral'), value: referral.id }],
    status: SERVICE_REQUEST_STATUS[referral.status],
    intent: 'order',
    code: { coding: [REFERRAL_CODE] },
    subject: record ? ref('Patient', referral.personId) : { reference: '#person' },
    authoredOn: referral.createdAt,
    requester: requesterOf(referral),
    performer: [performerOf(referral)],
    ...(referral.needs.length > 0
      ? { reasonCode: referral.needs.map((id) => ({ text: labels.get(id) ?? id })) }
      : {}),
    ...(referral.consentId && record ? { supportingInfo: [ref('Consent', referral.consentId)] } : {}),
    ...(referral.reason || referral.whatMatters
      ? {
          note: [
            ...(referral.reason ? [{ text: `Reason: ${referral.reason}` }] : []),
            ...(referral.whatMatters
              ? [{ text: `What matters to the person: ${referral.whatMatters}` }]
              : []),
          ],
        }
      : {}),
  }
  return withMeta(request, referral.updatedAt, UK_CORE.ServiceRequest)
}

export function taskOf(ctx: FhirContext, seen: Seen): Task {
  const { referral } = seen
  const record = seesRecord(seen.parties)
  const focus = ref('ServiceRequest', referral.id)
  const task: Task = {
    resourceType: 'Task',
    id: referral.id,
    identifier: [{ system: kithSystem(ctx, 'referral'), value: referral.id }],
    basedOn: [focus],
    status: referral.status,
    ...(referral.decision
      ? {
          statusReason: {
            text: referral.decision.note
              ? `${referral.decision.reasonLabel}: ${referral.decision.note}`
              : referral.decision.reasonLabel,
          },
        }
      : {}),
    intent: 'order',
    code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
    focus,
    ...(record ? { for: ref('Patient', referral.personId) } : {}),
    authoredOn: referral.createdAt,
    lastModified: referral.updatedAt,
    requester: requesterOf(referral),
    owner: ref('Organization', referral.receivingOrganisationId),
  }
  return withMeta(task, referral.updatedAt, UK_CORE.Task)
}

/** The referral by `readReferral`, which decides access and audits the read or the refusal. */
async function readSeen(ctx: FhirContext, id: string): Promise<Seen> {
  const { referral, parties } = await readReferral(ctx.db, ctx.actor, ctx.user, id)
  return { referral, parties }
}

export const serviceRequestHandler: ResourceHandler<ServiceRequest> = {
  type: 'ServiceRequest',
  profile: UK_CORE.ServiceRequest,
  searchParams: ['patient', 'status', 'identifier'],
  readAudits: true,
  async read(ctx, id) {
    return serviceRequestOf(ctx, await readSeen(ctx, id))
  },
  async found(ctx, id) {
    const seen = await foundSeen(ctx, id)
    return seen && serviceRequestOf(ctx, seen)
  },
  async search(ctx, search) {
    const statuses = search.statuses
      ? REFERRAL_STATUSES.filter((status) => search.statuses?.includes(SERVICE_REQUEST_STATUS[status] ?? ''))
      : undefined
    const { found, total } = await referralPage(ctx, search, statuses)
    const resources: ServiceRequest[] = []
    for (const seen of found) resources.push(await serviceRequestOf(ctx, seen))
    return { resources, total }
  },
  personOf: (request) => patientIdOf(request.subject),
  statusOf: (request) => request.status,
  identifiersOf: (request) => request.identifier ?? [],
}

export const taskHandler: ResourceHandler<Task> = {
  type: 'Task',
  profile: UK_CORE.Task,
  searchParams: ['patient', 'status', 'identifier'],
  includes: { 'Task:focus': (task) => task.focus, 'Task:based-on': (task) => task.basedOn?.[0] },
  readAudits: true,
  async read(ctx, id) {
    return taskOf(ctx, await readSeen(ctx, id))
  },
  async search(ctx, search) {
    const statuses =
      search.statuses && REFERRAL_STATUSES.filter((status) => search.statuses?.includes(status))
    const { found, total } = await referralPage(ctx, search, statuses)
    return { resources: found.map((seen) => taskOf(ctx, seen)), total }
  },
  personOf: (task) => patientIdOf(task.for),
  statusOf: (task) => task.status,
  identifiersOf: (task) => task.identifier ?? [],
}
