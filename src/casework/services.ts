// The directory services a case can prescribe, signpost or refer to: casework reaches the
// directory only through its exported functions, here.

import { getOrganisation } from '../access/store.ts'
import type { Queryable } from '../db/schema.ts'
import {
  accreditationsOfProgramme,
  findServiceByName,
  getService,
  type Place,
  type Point,
  placeFor,
  postcodePoint,
  type ServiceSummary,
  standing,
  suggestServices,
} from '../directory/index.ts'
import type { Person } from '../people/person.ts'
import { londonDate } from '../web/format.ts'
import { badRequest } from '../web/problem.ts'

export interface ServiceRef {
  id: string
  name: string
  providerOrganisationId: string
  /** Its places with coordinates. */
  places: Point[]
}

export interface ServiceChoice extends ServiceRef {
  /** Why it is offered, in a sentence or two. */
  why: string
  /** Kilometres from the person; null when Kith does not know where they or the service are. */
  distanceKm: number | null
  /** Whether it is in the programme's area. */
  inArea: boolean
}

/** The services offered for a case: those in the programme's area, and those elsewhere. */
export interface ServiceChoices {
  local: ServiceChoice[]
  elsewhere: ServiceChoice[]
  /** Where distances run from, and the programme's area. */
  place: Place
}

const ref = (service: ServiceSummary): ServiceRef => ({
  id: service.id,
  name: service.name,
  providerOrganisationId: service.providerOrganisationId,
  places: service.places,
})

/** The service with this name (ignoring case), if the directory has one. */
export async function findService(db: Queryable, name: string): Promise<ServiceRef | undefined> {
  const service = await findServiceByName(db, name.trim())
  return service ? ref(service) : undefined
}

/** The directory service with this id, if there is one and it is active. */
export async function serviceWithId(db: Queryable, id: string): Promise<ServiceRef | undefined> {
  const service = await getService(db, id)
  return service && service.status === 'active' ? ref(service) : undefined
}

/**
 * Where a case's services are measured from: the person's home, or, where Kith does not know
 * where that is, their practice, the case's practice or the link worker's team; and the area of
 * the programme's owner.
 */
export async function placeForCase(
  db: Queryable,
  kase: { practiceOrganisationId: string | null; organisationId: string },
  programme: { ownerOrganisationId: string },
  person: Person,
): Promise<Place> {
  const places = [person.registeredPractice?.id, kase.practiceOrganisationId, kase.organisationId]
  const organisations = await Promise.all(places.map((id) => (id ? getOrganisation(db, id) : undefined)))
  return placeFor(db, {
    postcodes: [person.postcode, ...organisations.map((o) => o?.postcode)],
    areaOrganisationId: programme.ownerOrganisationId,
  })
}

/** How far a service is from the place, and whether it is in the area. */
export function standingOf(
  place: Place,
  service: ServiceRef,
): { distanceKm: number | null; inArea: boolean } {
  return standing(place, service)
}

/**
 * The ids (services and providers) a programme accredits on `today`; undefined when the
 * programme accredits no one, and so allows any service.
 */
export async function accreditedBy(
  db: Queryable,
  programmeId: string,
  today: string,
): Promise<Set<string> | undefined> {
  const accreditations = await accreditationsOfProgramme(db, programmeId)
  if (accreditations.length === 0) return undefined
  return new Set(
    accreditations
      .filter((a) => a.accreditedFrom <= today && (a.accreditedTo === null || a.accreditedTo >= today))
      .map((a) => a.subjectId),
  )
}

const isAccredited = (accredited: Set<string> | undefined, service: ServiceRef) =>
  !accredited || accredited.has(service.id) || accredited.has(service.providerOrganisationId)

/**
 * Refuses a prescription of a service the programme has not accredited, when the programme
 * accredits providers (Luton: only its accredited providers' activities are prescribed).
 */
export async function checkAccredited(
  db: Queryable,
  programme: { id: string; name: string },
  serviceId: string,
  today: string,
): Promise<void> {
  const accredited = await accreditedBy(db, programme.id, today)
  if (!accredited) return
  const service = await getService(db, serviceId)
  if (service && isAccredited(accredited, ref(service))) return
  const message = `${programme.name} has not accredited ${service ? `${service.providerName}, who runs ${service.name}` : 'this service'}: choose a service it accredits`
  throw badRequest(message, [{ field: 'serviceId', message }])
}

/** How many services of each kind the forms offer. */
const OFFERED = 8

/**
 * Directory services that meet the case's needs and whose criteria the person does not fail:
 * those in the programme's area nearer first, and apart from them those elsewhere, nearer first.
 * `accreditedOnly` (a prescription) leaves out what the programme has not accredited.
 */
export async function servicesForCase(
  db: Queryable,
  kase: {
    needs: readonly string[]
    practiceOrganisationId: string | null
    organisationId: string
    programmeId: string
  },
  programme: { ownerOrganisationId: string },
  person: Person,
  now: Date,
  options: { accreditedOnly?: boolean } = {},
): Promise<ServiceChoices> {
  const today = londonDate(now)
  const place = await placeForCase(db, kase, programme, person)
  const accredited = options.accreditedOnly ? await accreditedBy(db, kase.programmeId, today) : undefined
  const suggested = await suggestServices(db, {
    needs: [...kase.needs],
    place,
    facts: {
      dateOfBirth: person.dateOfBirth,
      ...(person.registeredPractice?.odsCode ? { practiceOdsCode: person.registeredPractice.odsCode } : {}),
      conditions: person.conditions.map((condition) => condition.code),
      referrerKind: 'other_professional',
      consentGiven: true,
      today,
    },
    limit: 200,
  })
  const choices = suggested
    .map(({ service, why, distanceKm, inArea }) => ({ ...ref(service), why, distanceKm, inArea }))
    .filter((choice) => isAccredited(accredited, choice))
  return {
    local: choices.filter((choice) => choice.inArea).slice(0, OFFERED),
    elsewhere: choices.filter((choice) => !choice.inArea).slice(0, OFFERED),
    place,
  }
}

/** Where a home visit is: the person's address, and a link to a map of it. */
export interface Home {
  lines: string[]
  postcode: string | null
  /** OpenStreetMap at the postcode's coordinates when Kith knows them, else its search for the postcode. */
  mapHref: string | null
}

/**
 * The person's home for a visit. The map link is an ordinary link the worker chooses to follow:
 * no map is embedded and nothing is fetched from elsewhere, so the CSP is unchanged. It names the
 * postcode's coordinates when Kith knows them, so the postcode itself is not sent (decision 0103).
 */
export async function homeFor(
  db: Queryable,
  person: { addressLines: readonly string[]; postcode: string | null },
): Promise<Home> {
  const point = person.postcode ? await postcodePoint(db, person.postcode) : undefined
  const at = (value: number) => value.toFixed(5)
  const mapHref = point
    ? `https://www.openstreetmap.org/?mlat=${at(point.latitude)}&mlon=${at(point.longitude)}#map=17/${at(point.latitude)}/${at(point.longitude)}`
    : person.postcode
      ? `https://www.openstreetmap.org/search?query=${encodeURIComponent(person.postcode)}`
      : null
  return { lines: [...person.addressLines], postcode: person.postcode, mapHref }
}
