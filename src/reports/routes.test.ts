import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createApiToken } from '../access/tokens.ts'
import { caseworkFixture } from '../casework/testing.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { getProgramme, updateProgrammeSettings } from '../programmes/store.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'

// Cases opened in the fixture carry the real time, so reports run to today.
const TODAY = new Date().toISOString().slice(0, 10)

describeEachDatabase('report pages, scope and bad input', (database) => {
  it('lets programme managers read every report of their programmes and no one else’s', async () => {
    const { db } = database()
    const t = await caseworkFixture(db)
    const opened = await t.openCase()
    assert.ok(opened)
    const manager = await t.as(t.manager)
    const home = await manager.get('/')
    assert.match(home.body, /href="\/reports"/)
    const index = textOf((await manager.get('/reports')).body)
    for (const title of [
      'Activity',
      'Referrals',
      'Outcomes',
      'Prescriptions and attendance',
      'Caseload and capacity',
    ])
      assert.match(index, new RegExp(title))
    for (const name of ['activity', 'referrals', 'outcomes', 'prescriptions', 'caseload']) {
      const page = await manager.get(`/reports/${name}?to=${TODAY}&programme=${t.programmeId}`)
      assert.equal(page.statusCode, 200, name)
      assert.match(textOf(page.body), /counts from 1 to 4 are shown as “fewer than 5”/, name)
      const csv = await manager.get(`/reports/${name}/csv?to=${TODAY}`)
      assert.equal(csv.statusCode, 200, name)
      assert.match(csv.headers['content-type'] as string, /^text\/csv/)
    }
    // One client: a small number, suppressed with the shares worked out from it.
    const activity = textOf((await manager.get(`/reports/activity?from=2026-01-01&to=${TODAY}`)).body)
    assert.match(activity, /Clients fewer than 5/)
    assert.match(activity, /Social isolation fewer than 5 –/)

    // A manager of another programme may not choose this one; a referrer reads no reports.
    const other = await createAccount(db, 'programme_manager', { name: 'Other Manager' })
    const outsider = await t.as(other)
    const refused = await outsider.get(`/reports/activity?programme=${t.programmeId}`)
    assert.equal(refused.statusCode, 400)
    assert.match(refused.body, /<title>Error: Activity – Kith<\/title>/)
    assert.match(textOf(refused.body), /Select a programme you may see reports for/)
    assert.doesNotMatch(textOf(refused.body), /Clients/)
    const practice = await outsider.get(`/reports/activity?practice=${t.practice}`)
    assert.equal(practice.statusCode, 400)
    assert.match(textOf(practice.body), /Select a practice you may see reports for/)
    const referrer = await createAccount(db, 'referrer')
    assert.equal((await (await t.as(referrer)).get('/reports/activity')).statusCode, 403)

    // An administrator sees every programme.
    const admin = await createAccount(db, 'administrator')
    const all = await (await t.as(admin)).get(`/reports/activity?programme=${t.programmeId}&to=${TODAY}`)
    assert.equal(all.statusCode, 200)
  })

  it('shows each link worker’s open cases against the caseload the programme sets, or “Not set”', async () => {
    const { db } = database()
    const t = await caseworkFixture(db)
    await t.openCase()
    const manager = await t.as(t.manager)
    const url = `/reports/caseload?from=2000-01-01&to=${TODAY}&programme=${t.programmeId}`
    assert.match(textOf((await manager.get(url)).body), /Wendy Worker : list the cases fewer than 5 Not set/)
    const programme = (await getProgramme(db, t.programmeId))!
    await updateProgrammeSettings(db, t.programmeId, {
      ...programme,
      appointments: { ...programme.appointments, fullTimeCaseload: 25 },
    })
    assert.match(textOf((await manager.get(url)).body), /Wendy Worker : list the cases fewer than 5 25/)
    const { token } = await createApiToken(db, t.manager.userId, 'reports')
    const api = await t.app.inject({
      method: 'GET',
      url: url.replace('/reports/', '/api/v1/reports/'),
      headers: { authorization: `Bearer ${token}` },
    })
    assert.deepEqual(api.json().byLinkWorker, [
      { id: t.worker.userId, name: 'Wendy Worker', openCases: null, expected: 25 },
    ])
  })

  it('answers bad filters with a clear message on the page and a 400 problem on the API', async () => {
    const { db } = database()
    const t = await caseworkFixture(db)
    const manager = await t.as(t.manager)
    const { token } = await createApiToken(db, t.manager.userId, 'reports')
    const cases: [string, string, string][] = [
      ['from=2026-02-30&to=2026-03-31', 'from', 'The start date must be a real date'],
      ['from=2026-04-01&to=2026-03-31', 'to', 'The end date must be the same as or after the start date'],
      ['from=1-4-2026', 'from', 'Enter the start date as year, month and day, like 2026-04-01'],
      [`programme=${t.owner}`, 'programme', 'Select a programme you may see reports for'],
      ['network=not-an-id', 'network', 'Select a network of practices you may see reports for'],
    ]
    for (const [query, field, message] of cases) {
      const page = await manager.get(`/reports/referrals?${query}`)
      assert.equal(page.statusCode, 400, query)
      assert.match(page.body, /<title>Error: Referrals – Kith<\/title>/)
      assert.ok(textOf(page.body).includes(message), `${query}: ${message}`)
      assert.doesNotMatch(textOf(page.body), /Median days to reply/)
      const api = await t.app.inject({
        method: 'GET',
        url: `/api/v1/reports/referrals?${query}`,
        headers: { authorization: `Bearer ${token}` },
      })
      assert.equal(api.statusCode, 400, query)
      assert.match(api.headers['content-type'] as string, /application\/problem\+json/)
      assert.deepEqual(api.json().errors, [{ pointer: `#/${field}`, detail: message }])
    }
    const unknown = await manager.get('/reports/everything')
    assert.equal(unknown.statusCode, 400)
    assert.match(textOf(unknown.body), /There is no report called “everything”/)
    const api = await t.app.inject({
      method: 'GET',
      url: '/api/v1/reports/everything',
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(api.statusCode, 400)
    assert.equal(api.json().errors[0].pointer, '#/name')

    const openapi = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    const activity = openapi.paths['/reports/activity'].get
    assert.deepEqual(
      Object.keys(activity.responses['200'].content['application/json'].schema.properties).sort(),
      [
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
      ],
    )
    assert.ok(openapi.paths['/reports/referrals'])
  })

  it('shows the same reply time and share accepted as the directory listing', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const sps = demo.directory.services['th.sps']!
    const programme = demo.programmes.programmes['th.sps']!
    const listing = textOf((await new PageClient(app).get(`/directory/services/${sps}`)).body)
    const days = /Usually replies in (\d+) days/.exec(listing)?.[1]
    const accepted = /(\d+)% of referrals accepted/.exec(listing)?.[1]
    assert.ok(days && accepted)
    const admin = await new PageClient(app).signInAs(demo.access.users['admin@kith.example']!)
    const today = new Date().toISOString().slice(0, 10)
    const report = textOf(
      (await admin.get(`/reports/referrals?from=2000-01-01&to=${today}&programme=${programme}`)).body,
    )
    assert.match(report, new RegExp(`Median days to reply ${days} `))
    assert.match(report, new RegExp(`Share accepted ${accepted}%`))
  })
})
