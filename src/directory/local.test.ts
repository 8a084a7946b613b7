import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatMiles } from '../web/format.ts'
import { suggestionWhy } from './index.ts'
import { byPlace, nearestKm, standing } from './local.ts'

describe('where services are proposed', () => {
  it('says why a service is suggested naturally, each need once', () => {
    assert.equal(
      suggestionWhy(['exercise', 'exercise'], 'eligible'),
      'Helps with exercise. Its criteria are met.',
    )
    assert.equal(
      suggestionWhy(['exercise', 'weight-management', 'healthy-eating', 'exercise'], 'needs-review'),
      'Helps with exercise, weight management and healthy eating. Some of its criteria need checking.',
    )
    assert.equal(suggestionWhy([], 'eligible'), 'Its criteria are met.')
  })

  it('shows distances in miles', () => {
    assert.equal(formatMiles(3.7), '2.3 miles')
    assert.equal(formatMiles(1.609344), '1 mile')
    assert.equal(formatMiles(22.6), '14 miles')
    assert.equal(formatMiles(0.05), 'under 0.1 miles')
  })

  it('ranks the area’s services first, nearer first, unknown distances last', () => {
    const area = { id: 'a', name: 'Luton', organisationIds: new Set(['a', 'in']) }
    const from = { latitude: 51.88972, longitude: -0.44172 }
    const place = { from, area }
    const near = { providerOrganisationId: 'in', places: [{ latitude: 51.88017, longitude: -0.42398 }] }
    const nowhere = { providerOrganisationId: 'in', places: [] }
    const elsewhere = { providerOrganisationId: 'out', places: [{ latitude: 51.889, longitude: -0.4417 }] }
    const ranked = [elsewhere, nowhere, near].map((s) => ({ s, ...standing(place, s) })).sort(byPlace)
    assert.deepEqual(
      ranked.map((r) => r.s),
      [near, nowhere, elsewhere],
    )
    assert.equal(standing(place, nowhere).distanceKm, null)
    assert.equal(standing({ from, area: undefined }, elsewhere).inArea, true)
    assert.equal(nearestKm(undefined, near.places), null)
  })
})
