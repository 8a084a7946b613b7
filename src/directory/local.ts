// Where services are proposed (decision 0103): the area a programme works in, and how far each
// service is from the person. An area is an organisation of kind `area`; a service is in it when
// its provider is in it. Distances run from a postcode's coordinates (the postcodes table, `kith
// import postcodes`) to the nearest of a service's places with coordinates.

import { getOrganisation, organisationAndDescendants } from '../access/store.ts'
import type { Queryable } from '../db/schema.ts'
import { normalisePostcode } from '../people/person.ts'
import { distanceKm, lookupPostcode } from './store.ts'

export interface Point {
  latitude: number
  longitude: number
}

export interface Area {
  /** The area organisation. */
  id: string
  name: string
  /** The area organisation and every organisation in it. */
  organisationIds: ReadonlySet<string>
}

/** Where services are proposed for: the person's place and the area that comes first. */
export interface Place {
  /** Where distances are measured from; undefined when Kith knows none of the postcodes. */
  from: Point | undefined
  /** The area whose services come first; undefined when there is none, and every service is local. */
  area: Area | undefined
}

/** The area an organisation is in: the nearest organisation of kind `area` at or above it. */
export async function areaOf(
  db: Queryable,
  organisationId: string | null | undefined,
): Promise<Area | undefined> {
  const seen = new Set<string>()
  let id = organisationId ?? null
  while (id && !seen.has(id)) {
    seen.add(id)
    const organisation = await getOrganisation(db, id)
    if (!organisation) return undefined
    if (organisation.kind === 'area')
      return {
        id,
        name: organisation.name,
        organisationIds: new Set(await organisationAndDescendants(db, id)),
      }
    id = organisation.parentId
  }
  return undefined
}

/** The coordinates of the first of these postcodes that Kith knows. */
export async function pointOfFirst(
  db: Queryable,
  postcodes: readonly (string | null | undefined)[],
): Promise<Point | undefined> {
  for (const given of postcodes) {
    const postcode = given ? normalisePostcode(given) : undefined
    const point = postcode ? await lookupPostcode(db, postcode) : undefined
    if (point) return point
  }
  return undefined
}

/**
 * The place for proposing services: distances from the first known of `postcodes` (the person's
 * own, then their practice's), and the area of `areaOrganisationId` (a programme's owner) first.
 */
export async function placeFor(
  db: Queryable,
  where: { postcodes: readonly (string | null | undefined)[]; areaOrganisationId?: string | null },
): Promise<Place> {
  const from = await pointOfFirst(db, where.postcodes)
  const area = await areaOf(db, where.areaOrganisationId)
  return { from, area }
}

/** Kilometres from `from` to the nearest of `places`; null when either is not known. */
export function nearestKm(from: Point | undefined, places: readonly Point[]): number | null {
  if (!from || places.length === 0) return null
  return Math.min(...places.map((point) => distanceKm(from, point)))
}

/** How a service stands from a place: its distance, and whether it is in the area. */
export function standing(
  place: Place,
  service: { providerOrganisationId: string; places: readonly Point[] },
): { distanceKm: number | null; inArea: boolean } {
  return {
    distanceKm: nearestKm(place.from, service.places),
    inArea: !place.area || place.area.organisationIds.has(service.providerOrganisationId),
  }
}

/** In the area first, then nearer first (unknown distances last). */
export function byPlace(
  a: { distanceKm: number | null; inArea: boolean },
  b: { distanceKm: number | null; inArea: boolean },
): number {
  if (a.inArea !== b.inArea) return a.inArea ? -1 : 1
  return (a.distanceKm ?? Number.POSITIVE_INFINITY) - (b.distanceKm ?? Number.POSITIVE_INFINITY) || 0
}
