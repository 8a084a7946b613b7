// Made-up data the benchmarks share: a fixed pseudo-random sequence, organisations by the dozen,
// a place scattered near a real one or anywhere in England, and a programme taking referrals.

import { createOrganisation } from '../src/access/store.ts'
import { createApiToken } from '../src/access/tokens.ts'
import type { Db } from '../src/db/schema.ts'
import { DEMO_PLACES } from '../src/directory/demo.ts'
import { SOCIAL_PRESCRIBING_CRITERIA } from '../src/directory/index.ts'
import { defaultSettings } from '../src/programmes/config.ts'
import { addLinkWorker, createProgramme, setProgrammePractices } from '../src/programmes/store.ts'
import { seeded } from '../src/seeded.ts'
import { createAccount } from '../src/web/testing.ts'

/** A small, fixed pseudo-random sequence, so every run works on the same data. */
export const random = seeded

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

/** A programme taking referrals from one practice, its link worker, and a referrer's API token. */
export async function benchProgramme(db: Db) {
  const owner = await createOrganisation(db, {
    name: 'Bench VCS',
    kind: 'vcs',
    parentId: null,
    odsCode: null,
    postcode: null,
  })
  const practice = await createOrganisation(db, {
    name: 'Bench Surgery',
    kind: 'practice',
    parentId: null,
    odsCode: 'Z99001',
    postcode: null,
  })
  const programmeId = await createProgramme(db, {
    name: 'Bench programme',
    ownerOrganisationId: owner,
    settings: {
      ...defaultSettings('Bench programme'),
      practiceRegistrationRequired: true,
      criteria: SOCIAL_PRESCRIBING_CRITERIA.filter((c) => c.kind !== 'referrer'),
      needs: [{ id: 'social-isolation', label: 'Social isolation' }],
    },
  })
  await setProgrammePractices(db, programmeId, [practice])
  const worker = await createAccount(db, 'link_worker', { organisationId: owner })
  await addLinkWorker(db, programmeId, worker.userId)
  const referrer = await createAccount(db, 'referrer', { organisationId: practice })
  const { token } = await createApiToken(db, referrer.userId, 'bench')
  return { programmeId, practice, worker, token }
}
