// The directory services a case can prescribe, signpost or refer to: casework reaches the
// directory only through its exported functions, here.

import { getOrganisation } from '../access/store.ts'
import type { Queryable } from '../db/schema.ts'
import { findServiceByName, getService, suggestServices } from '../directory/index.ts'
import type { Person } from '../people/person.ts'
import { londonDate } from '../web/format.ts'

export interface ServiceRef {
  id: string
  name: string
}

export interface ServiceChoice extends ServiceRef {
  /** Why it is offered, in a sentence. */
  why: string
}

/** The service with this name (ignoring case), if the directory has one. */
export async function findService(db: Queryable, name: string): Promise<ServiceRef | undefined> {
  const service = await findServiceByName(db, name.trim())
  return service ? { id: service.id, name: service.name } : undefined
}

/** The directory service with this id, if there is one and it is active. */
export async function serviceWithId(db: Queryable, id: string): Promise<ServiceRef | undefined> {
  const service = await getService(db, id)
  return service && service.status === 'active' ? { id: service.id, name: service.name } : undefined
}

/**
 * How far the services offered may be: 10 miles from the person's home, or, where Kith does not
 * know where that is, from their practice or the link worker's team.
 */
export const NEARBY_KM = 16

/**
 * Directory services near the person that meet the case's needs and whose criteria the person does
 * not fail, those they meet first: what a link worker is offered to prescribe or refer to.
 */
export async function servicesForCase(
  db: Queryable,
  kase: { needs: readonly string[]; practiceOrganisationId: string | null; organisationId: string },
  person: Person,
  now: Date,
  limit = 8,
): Promise<ServiceChoice[]> {
  const places = [person.registeredPractice?.id, kase.practiceOrganisationId, kase.organisationId]
  const organisations = await Promise.all(places.map((id) => (id ? getOrganisation(db, id) : undefined)))
  const suggested = await suggestServices(db, {
    needs: [...kase.needs],
    near: { postcodes: [person.postcode, ...organisations.map((o) => o?.postcode)], radiusKm: NEARBY_KM },
    facts: {
      dateOfBirth: person.dateOfBirth,
      ...(person.registeredPractice?.odsCode ? { practiceOdsCode: person.registeredPractice.odsCode } : {}),
      conditions: person.conditions.map((condition) => condition.code),
      referrerKind: 'other_professional',
      consentGiven: true,
      today: londonDate(now),
    },
    limit,
  })
  return suggested.map(({ service, why }) => ({ id: service.id, name: service.name, why }))
}
