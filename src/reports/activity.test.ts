import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { createApiToken } from '../access/tokens.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'
import { TOWER_HAMLETS_YEAR, towerHamletsFixture } from './testing.ts'

const NOW = new Date('2026-11-30T10:00:00Z')
const query = `from=${TOWER_HAMLETS_YEAR.from}&to=${TOWER_HAMLETS_YEAR.to}`

describeEachDatabase('the Activity report', (database) => {
  it('reproduces the Tower Hamlets figures exactly, on the page, over the API and as CSV', async () => {
    const { db } = database()
    const t = await towerHamletsFixture(db)
    const app = await testApp(db, {}, () => NOW)
    const { token } = await createApiToken(db, t.manager.userId, 'reports')
    const auditBefore = (await listAuditEvents(db, {})).length

    const api = await app.inject({
      method: 'GET',
      url: `/api/v1/reports/activity?${query}`,
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(api.statusCode, 200)
    const report = api.json()
    assert.deepEqual(Object.keys(report).sort(), [
      'byNetwork',
      'byPractice',
      'bySocialPrescriber',
      'clients',
      'needs',
      'onwardReferrals',
      'organisations',
      'services',
      'signposts',
      'threeOrMoreShare',
    ])
    assert.equal(report.clients, 1000)
    assert.deepEqual(
      report.needs.map((n: { id: string; clients: number; share: number }) => [n.id, n.clients, n.share]),
      [
        ['weight-management', 240, 0.24],
        ['low-level-mental-health', 210, 0.21],
        ['social-isolation', 160, 0.16],
        ['housing', 130, 0.13],
        ['financial', 130, 0.13],
      ],
    )
    assert.equal(report.onwardReferrals, 1200)
    assert.equal(report.signposts, 834)
    assert.equal(report.onwardReferrals + report.signposts, 2034)
    assert.equal(report.services, 333)
    assert.equal(report.organisations, 279)
    assert.equal(report.threeOrMoreShare, 0.22)
    // By practice (each with its named social prescriber), network and social prescriber.
    assert.equal(report.byPractice.length, 16)
    assert.ok(
      report.byPractice.every((p: { socialPrescriber: { named: boolean } }) => p.socialPrescriber.named),
    )
    assert.equal(
      report.byPractice.find((p: { name: string }) => p.name === 'Practice 1A').socialPrescriber.name,
      'Social Prescriber 01',
    )
    assert.equal(report.byNetwork.length, 8)
    assert.equal(report.bySocialPrescriber.length, 10)
    const sum = (list: { onwardReferrals: number; signposts: number }[]) =>
      list.reduce((total, g) => total + g.onwardReferrals + g.signposts, 0)
    assert.equal(sum(report.byNetwork), 2034)
    assert.equal(sum(report.bySocialPrescriber), 2034)
    const network1 = report.byNetwork.find((n: { name: string }) => n.name === 'Network 1')
    // Practices 1A and 1B have 63 clients each, and one person with a case elsewhere had an earlier one at 1B.
    assert.equal(network1.clients, 127)

    const manager = await new PageClient(app).signInAs(t.manager.userId)
    const page = await manager.get(`/reports/activity?${query}`)
    assert.equal(page.statusCode, 200)
    const text = textOf(page.body)
    assert.match(text, /Clients 1,000 Distinct people with a case open at any time in the period\./)
    assert.match(text, /Weight management 240 24%/)
    assert.match(text, /Low-level mental health 210 21%/)
    assert.match(text, /Social isolation 160 16%/)
    assert.match(text, /Housing 130 13%/)
    assert.match(text, /Financial concerns 130 13%/)
    assert.match(text, /Onward referrals and signposts 2,034/)
    assert.match(text, /Services reached 333/)
    assert.match(text, /Organisations reached 279/)
    assert.match(text, /Given three or more 22%/)
    assert.match(text, /counts from 1 to 4 are shown as “fewer than 5”/)
    assert.match(page.body, /<svg class="kith-chart"[^>]*role="img"/)

    const csv = await app.inject({
      method: 'GET',
      url: `/api/v1/reports/activity?${query}`,
      headers: { authorization: `Bearer ${token}`, accept: 'text/csv' },
    })
    assert.equal(csv.statusCode, 200)
    assert.match(csv.headers['content-type'] as string, /^text\/csv/)
    assert.match(csv.body, /^Figure,Value\n/)
    assert.match(csv.body, /Weight management,240,24%/)
    const table = await manager.get(`/reports/activity/csv/needs?${query}`)
    assert.equal(table.statusCode, 200)
    assert.equal(table.body.split('\n')[0], 'Need,Clients,Share of clients')

    // Reading reports writes no audit event about anyone.
    assert.equal((await listAuditEvents(db, {})).length, auditBefore)
  })
})
