import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeEachDatabase } from '../db/testing.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'
import { audit, auditRefusal, listAuditEvents } from './audit.ts'
import { listOrganisations } from './store.ts'

describeEachDatabase('administrator pages', (database) => {
  async function asAdmin() {
    const { db } = database()
    const app = await testApp(db)
    const admin = await createAccount(db, 'administrator')
    const client = await new PageClient(app).signInAs(admin.userId)
    return { db, app, admin, client }
  }

  it('creates organisations inside others and lists them as a tree', async () => {
    const { db, app, client } = await asAdmin()
    const area = await client.post('/admin/organisations', {
      name: 'Merton',
      kind: 'area',
      parentId: '',
      odsCode: '',
      postcode: '',
    })
    assert.equal(area.statusCode, 303)
    const areaId = String(area.headers.location).split('/')[3]?.split('?')[0]
    const practice = await client.post('/admin/organisations', {
      name: 'Mitcham Green Surgery',
      kind: 'practice',
      parentId: areaId ?? '',
      odsCode: 'z90002',
      postcode: 'cr43da',
    })
    assert.equal(practice.statusCode, 303)
    const saved = (await listOrganisations(db)).find((o) => o.name === 'Mitcham Green Surgery')
    assert.equal(saved?.odsCode, 'Z90002')
    assert.equal(saved?.postcode, 'CR4 3DA')
    assert.equal(saved?.parentId, areaId)
    const list = await client.get('/admin/organisations')
    assert.match(list.body, /Merton<\/a>[\s\S]*<ul>[\s\S]*Mitcham Green Surgery<\/a>/)
    assert.equal((await listAuditEvents(db, { action: 'organisation.create' })).length, 2)
    await app.close()
  })

  it('shows every problem with an organisation form and saves nothing', async () => {
    const { db, app, client } = await asAdmin()
    const before = (await listOrganisations(db)).length
    const response = await client.post('/admin/organisations', {
      name: '',
      kind: 'castle',
      parentId: 'not-an-id',
      odsCode: '!!',
      postcode: 'nowhere',
    })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /<title>Error: Add an organisation – Kith<\/title>/)
    const text = textOf(response.body)
    for (const message of [
      'Enter the name of the organisation',
      'Select what kind of organisation it is',
      'Select a parent organisation from the list',
      'ODS code must be',
      'Enter a real postcode',
    ]) {
      assert.match(text, new RegExp(message))
    }
    assert.match(response.body, /href="#name"/)
    assert.equal((await listOrganisations(db)).length, before)
    await app.close()
  })

  it('refuses to put an organisation inside itself', async () => {
    const { db, app, client } = await asAdmin()
    const area = await client.post('/admin/organisations', {
      name: 'Area',
      kind: 'area',
      parentId: '',
      odsCode: '',
      postcode: '',
    })
    const areaId = String(area.headers.location).split('/')[3]!.split('?')[0]!
    const pcn = await client.post('/admin/organisations', {
      name: 'PCN',
      kind: 'pcn',
      parentId: areaId,
      odsCode: '',
      postcode: '',
    })
    const pcnId = String(pcn.headers.location).split('/')[3]!.split('?')[0]!
    const response = await client.post(`/admin/organisations/${areaId}`, {
      name: 'Area',
      kind: 'area',
      parentId: pcnId,
      odsCode: '',
      postcode: '',
    })
    assert.equal(response.statusCode, 400)
    assert.match(textOf(response.body), /cannot sit inside itself/)
    assert.equal((await listOrganisations(db)).find((o) => o.id === areaId)?.parentId, null)
    await app.close()
  })

  it('creates a user, gives a role, and deactivating signs them out', async () => {
    const { db, app, client, admin } = await asAdmin()
    const created = await client.post('/admin/users', { name: 'Chloe Mensah', email: 'Chloe@MVSC.example' })
    assert.equal(created.statusCode, 200)
    const password = /id="temporary-password">([^<]+)</.exec(created.body)?.[1]
    assert.ok(password && password.length >= 12)
    const user = await db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'chloe@mvsc.example')
      .executeTakeFirstOrThrow()
    const given = await client.post(`/admin/users/${user.id}/memberships`, {
      organisationId: admin.organisationId,
      role: 'link_worker',
      title: 'Social Prescribing Navigator',
    })
    assert.equal(given.statusCode, 200)
    assert.match(textOf(given.body), /Social Prescribing Navigator/)

    const chloe = new PageClient(app)
    assert.equal((await chloe.post('/sign-in', { email: 'chloe@mvsc.example', password })).statusCode, 303)
    assert.equal((await chloe.get('/')).statusCode, 200)

    const deactivated = await client.post(`/admin/users/${user.id}/deactivate`, {})
    assert.equal(deactivated.statusCode, 200)
    assert.doesNotMatch(textOf((await chloe.get('/')).body), /Hello,/)
    assert.equal(
      (await new PageClient(app).post('/sign-in', { email: 'chloe@mvsc.example', password })).statusCode,
      401,
    )
    const actions = (await listAuditEvents(db, { recordId: user.id })).map((e) => e.action).sort()
    assert.deepEqual(actions, [
      'membership.add',
      'sign-in',
      'sign-in-failed',
      'user.create',
      'user.deactivate',
    ])
    await app.close()
  })

  it('refuses a second account with the same email', async () => {
    const { db, app, client, admin } = await asAdmin()
    const response = await client.post('/admin/users', { name: 'Someone Else', email: admin.email })
    assert.equal(response.statusCode, 400)
    assert.match(textOf(response.body), /already an account with this email/)
    assert.equal((await db.selectFrom('users').select('id').execute()).length, 1)
    await app.close()
  })

  it('is closed to everyone but administrators', async () => {
    const { db } = database()
    const app = await testApp(db)
    const linkWorker = await createAccount(db, 'link_worker')
    const client = await new PageClient(app).signInAs(linkWorker.userId)
    for (const url of ['/admin/users', '/admin/organisations', '/admin/audit']) {
      assert.equal((await client.get(url)).statusCode, 403, url)
    }
    const post = await client.post('/admin/organisations', { name: 'Sneaky', kind: 'area' })
    assert.equal(post.statusCode, 403)
    assert.equal(
      (await listOrganisations(db)).some((o) => o.name === 'Sneaky'),
      false,
    )
    await app.close()
  })

  it('shows the audit log, newest first', async () => {
    const { app, client } = await asAdmin()
    await client.post('/admin/organisations', {
      name: 'Audited',
      kind: 'area',
      parentId: '',
      odsCode: '',
      postcode: '',
    })
    const page = await client.get('/admin/audit?action=organisation.create')
    assert.equal(page.statusCode, 200)
    assert.match(textOf(page.body), /Action organisation\.create Record organisation [0-9a-f-]{36}/)
    await app.close()
  })

  it('filters the audit log to refusals', async () => {
    const { app, client } = await asAdmin()
    const { db } = app.kith
    const caseId = '01a24814-8ee4-767c-be4f-3d589087ca44'
    await auditRefusal(
      db,
      { userId: null, ip: null },
      {
        recordType: 'case',
        recordId: caseId,
        detail: { attempted: 'case.read' },
      },
    )
    await audit(db, { userId: null, ip: null }, { action: 'user.read', recordType: 'user', recordId: caseId })
    assert.match(textOf((await client.get('/admin/audit')).body), /user\.read/)
    const page = await client.get('/admin/audit?refusals=yes')
    assert.equal(page.statusCode, 200)
    const text = textOf(page.body)
    assert.match(text, new RegExp(`Action case\\.access-refused Record case ${caseId}`))
    assert.doesNotMatch(text, /user\.read/)
    assert.match(page.body, /name="refusals" type="checkbox" value="yes" checked/)
    await app.close()
  })
})
