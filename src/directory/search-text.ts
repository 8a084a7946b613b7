// What free-text search reads for a service: its name, description and category labels, plus
// tokens no person types, for each of its taxonomy terms and for the map cells its locations are
// in. One full-text query then answers words + category + place together, from the full-text
// index alone (decision 0100).

/** A service's terms as tokens: `kithterm1` and the id's hex digits. */
export function termToken(termId: string): string {
  return `kithterm1${termId.replace(/[^0-9a-f]/gi, '').toLowerCase()}`
}

const FINE = 10 // cells of 0.1 degree
const FINE_RADIUS_KM = 15

function fineCell(latitude: number, longitude: number): string {
  return `kithcell${Math.floor(latitude * FINE) + 900}n${Math.floor(longitude * FINE) + 1800}`
}

function coarseCell(latitude: number, longitude: number): string {
  return `kithzone${Math.floor(latitude) + 90}n${Math.floor(longitude) + 180}`
}

/** The cells a point is in, fine and coarse. */
export function cellTokens(latitude: number, longitude: number): string[] {
  return [fineCell(latitude, longitude), coarseCell(latitude, longitude)]
}

/** The cells that together cover a circle: fine cells for a small radius, coarse for a large one. */
export function cellsCovering(latitude: number, longitude: number, radiusKm: number): string[] {
  const dLat = radiusKm / 111.2
  const dLng = radiusKm / (111.32 * Math.max(0.05, Math.cos((latitude * Math.PI) / 180)))
  const fine = radiusKm <= FINE_RADIUS_KM
  const step = fine ? 1 / FINE : 1
  const cell = fine ? fineCell : coarseCell
  const cells = new Set<string>()
  for (let lat = latitude - dLat; lat < latitude + dLat + step; lat += step) {
    for (let lng = longitude - dLng; lng < longitude + dLng + step; lng += step) {
      cells.add(cell(Math.min(lat, latitude + dLat), Math.min(lng, longitude + dLng)))
    }
  }
  return [...cells]
}

export function searchDocument(input: {
  name: string
  description: string
  termLabels: string[]
  termIds: string[]
  points: { latitude: number | null; longitude: number | null }[]
}): string {
  const tokens = [
    ...input.termIds.map(termToken),
    ...input.points.flatMap((p) =>
      p.latitude === null || p.longitude === null ? [] : cellTokens(p.latitude, p.longitude),
    ),
  ]
  return [input.name, input.description, input.termLabels.join('\n'), [...new Set(tokens)].join(' ')].join(
    '\n',
  )
}
