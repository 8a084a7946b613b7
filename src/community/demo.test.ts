import assert from 'node:assert/strict'
import { it } from 'node:test'
import { DEMO_ACCOUNTS } from '../access/demo.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { getService } from '../directory/index.ts'
import { isQuiet } from './groups.ts'
import { allGroupDetails } from './groups-store.ts'
import { allOpportunities, placementsWhere } from './store.ts'
import { trainingOf } from './training-store.ts'

describeEachDatabase('the community demo', (database) => {
  it('has Blackburn’s placements at every stage, Culm Valley’s groups with histories, and every link worker’s training', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const names = []
    for (const o of await allOpportunities(db, { activeOnly: true }))
      names.push((await getService(db, o.serviceId))?.providerName)
    assert.ok(names.includes('Blackburn Community Food Bank'))
    assert.ok(names.includes('East Lancashire Hospice Shop, Darwen'))
    assert.ok(
      (await Promise.all(Object.values(demo.community.opportunities).map((id) => getService(db, id)))).some(
        (s) => s?.name === 'Community garden volunteering',
      ),
    )
    const placements = await placementsWhere(db, 'programme_id', [
      demo.programmes.programmes['bwd.recovery']!,
      demo.programmes.programmes['bwd.mental-health']!,
    ])
    assert.deepEqual([...new Set(placements.map((p) => p.status))].sort(), [
      'ended',
      'introduced',
      'proposed',
      'started',
    ])
    assert.equal(new Set(placements.map((p) => p.programmeId)).size, 2, 'both programmes')
    assert.ok(placements.every((p) => p.supportingName))

    const today = new Date().toISOString().slice(0, 10)
    const groups = await allGroupDetails(db, '2000-01-01')
    assert.equal(groups.length, 5)
    assert.ok(groups.every((g) => g.meetingsInYear > 0))
    assert.equal(
      groups.filter((g) => isQuiet(g, today)).length,
      1,
      'the creative writing group has gone quiet',
    )

    const workers = DEMO_ACCOUNTS.filter((a) => a.roles.some((r) => r.role === 'link_worker'))
    const users = await db.selectFrom('users').select(['id', 'email']).execute()
    const ids = users.filter((u) => workers.some((w) => w.email === u.email)).map((u) => u.id)
    const records = await trainingOf(db, ids)
    assert.ok(ids.every((id) => records.some((r) => r.userId === id)))
  })
})
