// Made-up data the benchmarks share: a fixed pseudo-random sequence, organisations by the dozen,
// and a place scattered near a real one or anywhere in England.

import { createOrganisation } from '../src/access/store.ts'
import type { Db } from '../src/db/schema.ts'
import { DEMO_PLACES } from '../src/directory/demo.ts'

/** A small, fixed pseudo-random sequence, so every run works on the same data. */
export function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

/** `count` voluntary organisations named `${name} 0`, `${name} 1`, …; their ids. */
export async function organisations(db: Db, count: number, name: string): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i++)
    ids.push(
      await createOrganisation(db, {
        name: `${name} ${i}`,
        kind: 'vcs',
        parentId: null,
        odsCode: null,
        postcode: null,
      }),
    )
  return ids
}

/** Half the places cluster around real ones (within about 20 km), half spread across England. */
export function scatteredPlace(next: () => number): { latitude: number; longitude: number } {
  const centre = next() < 0.5 ? DEMO_PLACES[Math.floor(next() * DEMO_PLACES.length)]! : undefined
  return {
    latitude: centre ? centre.latitude + (next() - 0.5) * 0.4 : 50.4 + next() * 4.9,
    longitude: centre ? centre.longitude + (next() - 0.5) * 0.6 : -4.5 + next() * 6.2,
  }
}
