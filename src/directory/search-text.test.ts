import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isUnreviewed, parseSearch } from './search.ts'
import { cellsCovering, cellTokens, searchDocument, termToken } from './search-text.ts'
import { distanceKm } from './store.ts'

describe('search documents and map cells', () => {
  it('covers every point within the radius with the cells searched', () => {
    for (const [latitude, longitude] of [
      [51.88155, -0.4229],
      [54.96905, -1.6602],
      [50.86418, -3.39273],
      [51.52386, -0.01456],
    ] as const) {
      for (const radiusKm of [1, 5, 10, 15, 25, 50, 200]) {
        const cells = new Set(cellsCovering(latitude, longitude, radiusKm))
        for (let i = 0; i < 200; i++) {
          const bearing = (i / 200) * 2 * Math.PI
          const d = radiusKm * ((i % 7) / 6)
          const point = {
            latitude: latitude + (d / 111.2) * Math.cos(bearing),
            longitude: longitude + (d / (111.32 * Math.cos((latitude * Math.PI) / 180))) * Math.sin(bearing),
          }
          if (distanceKm({ latitude, longitude }, point) > radiusKm) continue
          const [fine, coarse] = cellTokens(point.latitude, point.longitude)
          assert.ok(cells.has(fine!) || cells.has(coarse!), `${radiusKm} km from ${latitude},${longitude}`)
        }
      }
    }
  })

  it('puts term and cell tokens in the document, letters and digits only', () => {
    const doc = searchDocument({
      name: 'Walking group',
      description: 'Walks',
      termLabels: ['Walking'],
      termIds: ['0193a8f0-0000-7000-8000-000000000101'],
      points: [
        { latitude: 51.5, longitude: -0.1 },
        { latitude: null, longitude: null },
      ],
    })
    assert.ok(doc.includes(termToken('0193a8f0-0000-7000-8000-000000000101')))
    assert.match(termToken('0193a8f0-0000-7000-8000-000000000101'), /^[a-z0-9]+$/)
    for (const token of cellTokens(51.5, -0.1)) assert.ok(doc.includes(token))
  })

  it('reads a search, refusing what is out of range', () => {
    const { request, problems } = parseSearch(
      { q: ' walks ', postcode: 'lu11hh', radius: '5', page: '2' },
      [],
    )
    assert.deepEqual(problems, [])
    assert.equal(request.postcode, 'LU1 1HH')
    assert.equal(request.radiusKm, 5)
    assert.equal(request.page, 2)
    const bad = parseSearch({ page: '0', per_page: '100000', age: 'old', radius: '0' }, [])
    assert.deepEqual(bad.problems.map((p) => p.field).sort(), ['age', 'page', 'per_page', 'radius'])
  })

  it('flags a listing not reviewed for 6 months', () => {
    assert.equal(isUnreviewed('2026-05-22', '2026-11-22'), false)
    assert.equal(isUnreviewed('2026-05-21', '2026-11-22'), true)
  })
})
