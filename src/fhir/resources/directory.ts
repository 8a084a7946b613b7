// Organization, Practitioner, PractitionerRole and HealthcareService: who works where, and the
// directory's services. None of these is a person's record.

import type { HealthcareService, Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes'
import { ORGANISATION_KIND_LABELS, ROLE_LABELS, ROLES, type Role } from '../../access/roles.ts'
import {
  getOrganisation,
  getUser,
  listOrganisations,
  membershipsOf,
  type Organisation,
  usersWithRoleIn,
} from '../../access/store.ts'
import { isId } from '../../db/ids.ts'
import { getService, listServices, SERVICE_KIND_LABELS, type ServiceSummary } from '../../directory/index.ts'
import { type FhirContext, kithSystem, ref, SYSTEMS, UK_CORE, withMeta } from '../context.ts'
import { memo, type ResourceHandler } from '../handler.ts'
import { fhirNotFound } from '../outcome.ts'

export function organizationOf(organisation: Organisation): Organization {
  return withMeta<Organization>(
    {
      resourceType: 'Organization',
      id: organisation.id,
      ...(organisation.odsCode ? { identifier: [{ system: SYSTEMS.ods, value: organisation.odsCode }] } : {}),
      active: true,
      type: [{ text: ORGANISATION_KIND_LABELS[organisation.kind] }],
      name: organisation.name,
      ...(organisation.postcode ? { address: [{ postalCode: organisation.postcode }] } : {}),
      ...(organisation.parentId ? { partOf: ref('Organization', organisation.parentId) } : {}),
    },
    null,
    UK_CORE.Organization,
  )
}

export const organizationHandler: ResourceHandler<Organization> = {
  type: 'Organization',
  profile: UK_CORE.Organization,
  searchParams: ['identifier'],
  async read(ctx, id) {
    const organisation = isId(id) ? await getOrganisation(ctx.db, id) : undefined
    if (!organisation) throw fhirNotFound()
    return organizationOf(organisation)
  },
  async list(ctx) {
    return (await listOrganisations(ctx.db)).map(organizationOf)
  },
  personOf: () => undefined,
  identifiersOf: (organization) => organization.identifier ?? [],
}

/** The users in the user's own organisations: the colleagues FHIR lists (any one is read by id). */
function colleagues(ctx: FhirContext): Promise<string[]> {
  return memo(ctx, 'colleagues', async () => {
    const ids = new Set<string>([ctx.user.id])
    for (const membership of ctx.user.memberships)
      for (const id of await usersWithRoleIn(ctx.db, membership.organisationId, ROLES)) ids.add(id)
    return [...ids]
  })
}

async function practitionerOf(ctx: FhirContext, id: string): Promise<Practitioner | undefined> {
  const user = isId(id) ? await getUser(ctx.db, id) : undefined
  if (!user) return undefined
  return withMeta<Practitioner>(
    {
      resourceType: 'Practitioner',
      id: user.id,
      identifier: [{ system: kithSystem(ctx, 'user'), value: user.id }],
      active: user.active === 1,
      name: [{ text: user.name }],
    },
    null,
    UK_CORE.Practitioner,
  )
}

export const practitionerHandler: ResourceHandler<Practitioner> = {
  type: 'Practitioner',
  profile: UK_CORE.Practitioner,
  searchParams: ['identifier'],
  async read(ctx, id) {
    const found = await practitionerOf(ctx, id)
    if (!found) throw fhirNotFound()
    return found
  },
  async list(ctx) {
    const found: Practitioner[] = []
    for (const id of await colleagues(ctx)) {
      const practitioner = await practitionerOf(ctx, id)
      if (practitioner) found.push(practitioner)
    }
    return found
  },
  personOf: () => undefined,
  identifiersOf: (practitioner) => practitioner.identifier ?? [],
}

async function rolesOf(ctx: FhirContext, userIds: string[]): Promise<PractitionerRole[]> {
  return (await membershipsOf(ctx.db, userIds)).map((membership) =>
    withMeta<PractitionerRole>(
      {
        resourceType: 'PractitionerRole',
        id: membership.id,
        active: true,
        practitioner: ref('Practitioner', membership.userId),
        organization: ref('Organization', membership.organisationId, membership.organisationName),
        code: [
          {
            text: membership.title
              ? `${ROLE_LABELS[membership.role as Role] ?? membership.role}: ${membership.title}`
              : (ROLE_LABELS[membership.role as Role] ?? membership.role),
          },
        ],
      },
      null,
      UK_CORE.PractitionerRole,
    ),
  )
}

export const practitionerRoleHandler: ResourceHandler<PractitionerRole> = {
  type: 'PractitionerRole',
  profile: UK_CORE.PractitionerRole,
  searchParams: [],
  async read(ctx, id) {
    const found = (await this.list?.(ctx))?.find((role) => role.id === id)
    if (!found) throw fhirNotFound()
    return found
  },
  async list(ctx) {
    return rolesOf(ctx, await colleagues(ctx))
  },
  personOf: () => undefined,
}

export function healthcareServiceOf(ctx: FhirContext, service: ServiceSummary): HealthcareService {
  const eligibility = service.criteria.map((criterion) => criterion.text).filter((text) => text)
  return withMeta<HealthcareService>(
    {
      resourceType: 'HealthcareService',
      id: service.id,
      identifier: [
        { system: kithSystem(ctx, 'openreferral-service'), value: service.id },
        ...(service.externalId
          ? [{ system: kithSystem(ctx, 'openreferral-source'), value: service.externalId }]
          : []),
      ],
      active: service.status === 'active',
      providedBy: ref('Organization', service.providerOrganisationId, service.providerName),
      type: [{ text: SERVICE_KIND_LABELS[service.kind] }],
      name: service.name,
      ...(service.description ? { comment: service.description } : {}),
      ...(eligibility.length > 0 ? { eligibility: [{ comment: eligibility.join('\n') }] } : {}),
      ...(service.needs.length > 0 ? { category: service.needs.map((need) => ({ text: need.label })) } : {}),
      referralMethod: [
        { text: service.selfReferral ? 'Professional or self-referral' : 'Professional referral' },
      ],
    },
    service.updatedAt,
    UK_CORE.HealthcareService,
  )
}

export const healthcareServiceHandler: ResourceHandler<HealthcareService> = {
  type: 'HealthcareService',
  profile: UK_CORE.HealthcareService,
  searchParams: ['identifier'],
  async read(ctx, id) {
    const service = isId(id) ? await getService(ctx.db, id) : undefined
    if (!service) throw fhirNotFound()
    return healthcareServiceOf(ctx, service)
  },
  async list(ctx) {
    return (await listServices(ctx.db, { activeOnly: true })).map((service) =>
      healthcareServiceOf(ctx, service),
    )
  },
  personOf: () => undefined,
  identifiersOf: (service) => service.identifier ?? [],
}
