// Issue 11, "Proof": for each seed row, the whole journey in the browser from the referral to the
// referrer reading the outcome. Every step a person takes is a step here: the referrer, the link
// worker or project officer, the provider and the programme's managers each sign in, follow links,
// fill forms and press buttons, and every page they reach passes the accessibility checks. The
// journeys run side by side, each with its own people and accounts; each pathway's walk is in
// journeys/.

import { describe, it } from 'node:test'
import { openKith } from './harness.ts'
import { walkDirectToService } from './journeys/direct.ts'
import { LINK_WORKER_JOURNEYS, walkLinkWorkerJourney } from './journeys/link-worker.ts'
import { walkListingJourney } from './journeys/listing.ts'
import { VOLUNTEERING_JOURNEYS, walkVolunteeringJourney } from './journeys/volunteering.ts'
import type { World } from './journeys/walker.ts'

const world: World = await openKith()

// Three journeys at a time keep two cores busy without slowing each page past the browser's timeouts.
describe('each seed row, from the referral to the referrer reading the outcome', { concurrency: 3 }, () => {
  for (const journey of LINK_WORKER_JOURNEYS)
    it(journey.scheme, (t) => walkLinkWorkerJourney(world, journey, t))
  it('East Riding of Yorkshire: a GP refers straight to exercise on prescription, with no link worker', (t) =>
    walkDirectToService(world, t))
  for (const journey of VOLUNTEERING_JOURNEYS)
    it(journey.scheme, (t) => walkVolunteeringJourney(world, journey, t))
  it('The listing “Social Prescribing Service (18+)”: a GP refers from the directory, and its cap of 5 further appointments holds', (t) =>
    walkListingJourney(world, t))
})
