import assert from 'node:assert/strict'
import { it } from 'node:test'
import { PUBLIC } from './access/permissions.ts'
import { buildApp } from './app.ts'
import { describeEachDatabase } from './db/testing.ts'
import { createAccount, PageClient, testApp, testConfig } from './web/testing.ts'

describeEachDatabase('the app', (database) => {
  it('declares who may use every route it registers', async () => {
    const { db } = database()
    const app = await testApp(db)
    assert.ok(app.routeTable.length > 20)
    const undeclared = app.routeTable
      .filter((route) => route.access === undefined)
      .map((r) => `${r.method} ${r.url}`)
    assert.deepEqual(undeclared, [])
    await app.close()
  })

  it('refuses a route that declares nothing, even to a signed-in administrator', async () => {
    const { db } = database()
    const app = await buildApp(testConfig(), { db })
    app.get('/undeclared', async () => 'secret')
    app.get('/declared', { config: { access: PUBLIC } }, async () => 'open')
    await app.ready()
    const admin = await createAccount(db, 'administrator')
    const client = await new PageClient(app).signInAs(admin.userId)
    assert.equal((await client.get('/undeclared')).statusCode, 403)
    assert.equal((await app.inject({ url: '/undeclared' })).statusCode, 404)
    assert.equal((await app.inject({ url: '/declared' })).body, 'open')
    await app.close()
  })

  it('shows a 500 page, or a problem document, without a stack trace when something fails', async () => {
    const { db } = database()
    const app = await buildApp(testConfig(), { db })
    app.get('/broken', { config: { access: PUBLIC } }, async () => {
      throw new Error('secret internals at /work/src/thing.ts:12')
    })
    app.get('/api/v1/broken', { config: { access: PUBLIC } }, async () => {
      throw new Error('secret internals at /work/src/thing.ts:12')
    })
    await app.ready()
    const page = await app.inject({ url: '/broken' })
    assert.equal(page.statusCode, 500)
    assert.match(page.body, /<title>Sorry, there is a problem with the service – Kith<\/title>/)
    assert.doesNotMatch(page.body, /secret internals|thing\.ts/)
    const api = await app.inject({ url: '/api/v1/broken' })
    assert.equal(api.statusCode, 500)
    assert.deepEqual(api.json(), { type: 'about:blank', title: 'Internal server error', status: 500 })
    await app.close()
  })

  it('answers /health with 200 while the database is reachable and 503 once it is not', async () => {
    const { db } = database()
    const app = await testApp(db)
    const up = await app.inject({ url: '/health' })
    assert.equal(up.statusCode, 200)
    assert.equal(up.json().database, 'reachable')
    await db.destroy()
    const down = await app.inject({ url: '/health' })
    assert.equal(down.statusCode, 503)
    await app.close()
  })

  it('sends a strict content security policy with a nonce that the page uses', async () => {
    const { db } = database()
    const app = await testApp(db)
    const page = await app.inject({ url: '/sign-in' })
    const csp = String(page.headers['content-security-policy'])
    assert.doesNotMatch(csp, /unsafe-inline/)
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1]
    assert.ok(nonce)
    assert.match(page.body, new RegExp(`<script nonce="${nonce}">`))
    await app.close()
  })

  it('serves assets under fingerprinted names with long cache lifetimes', async () => {
    const { db } = database()
    const app = await testApp(db)
    const page = await app.inject({ url: '/sign-in' })
    const css = /href="(\/static\/styles\.[0-9a-f]{12}\.css)"/.exec(page.body)?.[1]
    assert.ok(css)
    const asset = await app.inject({ url: css })
    assert.equal(asset.statusCode, 200)
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable')
    assert.equal((await app.inject({ url: '/static/styles.000000000000.css' })).statusCode, 404)
    const script = /src="(\/static\/kith\.[0-9a-f]{12}\.js)"/.exec(page.body)?.[1]
    assert.ok(script)
    assert.match(
      (await app.inject({ url: script })).body,
      /from '\/static\/nhsuk-frontend\.min\.[0-9a-f]{12}\.js'/,
    )
    await app.close()
  })

  it('describes the API in OpenAPI', async () => {
    const { db } = database()
    const app = await testApp(db)
    const document = (await app.inject({ url: '/api/v1/openapi.json' })).json()
    assert.equal(document.openapi, '3.1.0')
    assert.ok(document.paths['/me'].get)
    // The FHIR API is linked by its CapabilityStatement, which is there to follow.
    assert.equal(document.externalDocs.url, '/fhir/metadata')
    assert.equal(
      (await app.inject({ url: document.externalDocs.url })).json().resourceType,
      'CapabilityStatement',
    )
    await app.close()
  })

  it('gives each role a home page that says what they can do', async () => {
    const { db } = database()
    const app = await testApp(db)
    for (const [role, phrase] of [
      ['referrer', /refer them with their consent/],
      ['link_worker', /care and support plans/],
      ['provider', /accept or decline referrals/],
      ['programme_manager', /accredit providers/],
      ['administrator', /Manage organisations, user accounts and roles/],
    ] as const) {
      const account = await createAccount(db, role)
      const home = await (await new PageClient(app).signInAs(account.userId)).get('/')
      assert.equal(home.statusCode, 200)
      assert.match(home.body, phrase)
    }
    await app.close()
  })
})

describeEachDatabase('the NHS.UK frontend assets', (database) => {
  it('are served, and nothing outside their folder is', async () => {
    const { db } = database()
    const app = await testApp(db)
    const icon = await app.inject({ url: '/assets/images/favicon.svg' })
    assert.equal(icon.statusCode, 200)
    assert.match(String(icon.headers['cache-control']), /max-age=604800/)
    for (const url of ['/assets/../../package.json', '/assets/%2e%2e/%2e%2e/%2e%2e/package.json']) {
      assert.notEqual((await app.inject({ url })).statusCode, 200, url)
    }
    await app.close()
  })
})
