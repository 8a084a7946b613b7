import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { bestMatches, type Candidate, type Seeker } from './matching.ts'

const BLACKBURN = { latitude: 53.75868, longitude: -2.46726 }
const seeker: Seeker = {
  interests: ['Cooking'],
  skills: ['teamwork'],
  days: ['TU'],
  from: BLACKBURN,
  travelKm: 10,
  recovery: 'drug-alcohol',
  stage: 'early',
  needs: ['routine'],
}
const candidate = (id: string, over: Partial<Candidate> = {}): Candidate => ({
  id,
  interests: [],
  skillsGained: [],
  days: ['MO'],
  point: BLACKBURN,
  suits: [],
  stages: [],
  needs: [],
  placesLeft: 1,
  ...over,
})

describe('matching a person with volunteering opportunities', () => {
  it('ranks by what they share and says why', () => {
    const [best, next] = bestMatches(seeker, [
      candidate('b', { interests: ['gardening'] }),
      candidate('a', {
        interests: ['cooking'],
        skillsGained: ['teamwork', 'food hygiene'],
        days: ['TU', 'TH'],
        suits: ['drug-alcohol'],
        needs: ['routine'],
      }),
    ])
    assert.equal(best?.candidate.id, 'a')
    assert.equal(
      best?.reason,
      'Matches their interest in cooking, builds the teamwork skills they want, runs on Tuesdays, when they are free, suits people in recovery from drugs or alcohol, helps with routine and under 1 km away.',
    )
    assert.equal(next?.candidate.id, 'b')
  })

  it('leaves out what is full, too far or for another stage of recovery', () => {
    const far = { latitude: 51.88, longitude: -0.42 }
    const found = bestMatches(seeker, [
      candidate('full', { placesLeft: 0 }),
      candidate('far', { point: far }),
      candidate('later', { stages: ['sustained'] }),
      candidate('ok'),
    ])
    assert.deepEqual(
      found.map((m) => m.candidate.id),
      ['ok'],
    )
  })

  it('weighs no distance when the place of either is not known, and flexible times count', () => {
    const [match] = bestMatches({ ...seeker, from: undefined }, [candidate('x', { days: [] })])
    assert.equal(match?.distanceKm, null)
    assert.equal(match?.reason, 'Its times are flexible.')
  })
})
