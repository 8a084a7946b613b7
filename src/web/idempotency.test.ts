import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createApiToken } from '../access/tokens.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { programmeFixture } from '../outcomes/testing.ts'

const ons4 = { 'life-satisfaction': 5, worthwhile: 6, happiness: 5, anxiety: 4 }

describeEachDatabase('Idempotency-Key on creating API requests', (database) => {
  it('answers a retried request with its first answer and makes nothing new; refuses the key with another request', async () => {
    const { db } = database()
    const t = await programmeFixture(db)
    await (await t.as(t.manager)).post(`/programmes/${t.programmeId}/outcomes/schedule`, {
      'stages.ons4': ['baseline'],
    })
    const { token } = await createApiToken(db, t.worker.userId, 'test')
    const url = `/api/v1/programmes/${t.programmeId}/people/${t.personId}/outcome-readings`
    const send = (key: string | undefined, answers = ons4) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(key ? { 'idempotency-key': key } : {}),
        },
        payload: { instrumentId: 'ons4', stage: 'baseline', answers },
      })
    const readings = async () => (await db.selectFrom('outcome_readings').select('id').execute()).length
    const first = await send('"reading-1"')
    assert.equal(first.statusCode, 201, first.body)
    const again = await send('reading-1')
    assert.equal(again.statusCode, 201)
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.deepEqual(again.json(), first.json())
    assert.equal(await readings(), 1)
    const other = await send('reading-1', { ...ons4, happiness: 9 })
    assert.equal(other.statusCode, 422)
    assert.equal(await readings(), 1)
    // A refused request keeps no key: the same key with a good request then works.
    const bad = await send('reading-2', { ...ons4, happiness: 99 })
    assert.equal(bad.statusCode, 400)
    assert.equal((await send('reading-2')).statusCode, 201)
    assert.equal(await readings(), 2)
    // Without a key, each request is its own.
    assert.equal((await send(undefined)).statusCode, 201)
    assert.equal(await readings(), 3)
    const openapi = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    for (const path of [
      '/referrals',
      '/check-ins',
      '/programmes/{programmeId}/people/{personId}/outcome-readings',
    ])
      assert.ok(
        openapi.paths[path].post.parameters.some((p: { name: string }) => p.name === 'Idempotency-Key'),
        path,
      )
  })
})
