import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { freshDatabase, type TestDatabase } from '../db/testing.ts'
import { chooseEncoding, loadAssets } from './assets.ts'
import { createAccount, PageClient, testApp } from './testing.ts'

// Compression does not depend on the database: SQLite only.
describe('compressed responses', () => {
  let database: TestDatabase
  let app: FastifyInstance

  before(async () => {
    database = await freshDatabase('sqlite')
    app = await testApp(database.db)
  })

  after(async () => {
    await app.close()
    await database.dispose()
  })

  const stylesheetUrl = async () => {
    const page = await app.inject({ url: '/sign-in' })
    const url = /href="(\/static\/styles\.[0-9a-f]{12}\.css)"/.exec(page.body)?.[1]
    assert.ok(url)
    return url
  }

  it('compresses pages with brotli, or gzip, as the browser accepts', async () => {
    const plain = await app.inject({ url: '/sign-in' })
    assert.equal(plain.headers['content-encoding'], undefined)
    const br = await app.inject({ url: '/sign-in', headers: { 'accept-encoding': 'gzip, deflate, br' } })
    assert.equal(br.headers['content-encoding'], 'br')
    assert.match(String(br.headers.vary), /accept-encoding/i)
    assert.ok(br.rawPayload.length < plain.rawPayload.length / 2)
    assert.match(brotliDecompressSync(br.rawPayload).toString(), /<h1>Sign in to Kith<\/h1>/)
    const gz = await app.inject({ url: '/sign-in', headers: { 'accept-encoding': 'gzip' } })
    assert.equal(gz.headers['content-encoding'], 'gzip')
    assert.match(gunzipSync(gz.rawPayload).toString(), /Sign in/)
  })

  it('compresses JSON, and a signed-in page, but not a response too small to gain', async () => {
    const openapi = await app.inject({ url: '/api/v1/openapi.json', headers: { 'accept-encoding': 'br' } })
    assert.equal(openapi.headers['content-encoding'], 'br')
    assert.equal(JSON.parse(brotliDecompressSync(openapi.rawPayload).toString()).openapi, '3.1.0')
    const small = await app.inject({ url: '/health', headers: { 'accept-encoding': 'br' } })
    assert.ok(small.rawPayload.length < 1024)
    assert.equal(small.headers['content-encoding'], undefined)
    const admin = await createAccount(database.db, 'administrator')
    const client = await new PageClient(app).signInAs(admin.userId)
    const home = await client.get('/', { 'accept-encoding': 'br' })
    assert.equal(home.statusCode, 200)
    assert.equal(home.headers['content-encoding'], 'br')
  })

  it('sends assets compressed once at start, in the form the browser accepts', async () => {
    const url = await stylesheetUrl()
    const plain = await app.inject({ url })
    assert.equal(plain.headers['content-encoding'], undefined)
    assert.equal(plain.headers.vary, 'Accept-Encoding')
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable')
    const br = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } })
    assert.equal(br.headers['content-encoding'], 'br')
    assert.equal(br.headers.vary, 'Accept-Encoding')
    assert.deepEqual(brotliDecompressSync(br.rawPayload), plain.rawPayload)
    const gz = await app.inject({ url, headers: { 'accept-encoding': 'gzip' } })
    assert.equal(gz.headers['content-encoding'], 'gzip')
    assert.deepEqual(gunzipSync(gz.rawPayload), plain.rawPayload)
    // The same bytes every time: compressed once, not per request.
    const again = await app.inject({ url, headers: { 'accept-encoding': 'br' } })
    assert.deepEqual(again.rawPayload, br.rawPayload)

    const icon = await app.inject({ url: '/assets/images/favicon.svg', headers: { 'accept-encoding': 'br' } })
    assert.equal(icon.headers['content-type'], 'image/svg+xml')
    assert.equal(icon.headers['content-encoding'], 'br')
    const revalidated = await app.inject({
      url: '/assets/images/favicon.svg',
      headers: { 'if-none-match': String(icon.headers.etag) },
    })
    assert.equal(revalidated.statusCode, 304)
    const png = await app.inject({
      url: '/assets/images/nhsuk-icon-180.png',
      headers: { 'accept-encoding': 'br' },
    })
    assert.equal(png.headers['content-encoding'], undefined, 'a PNG is compressed already')
    assert.equal((await app.inject({ url: '/assets/images/nothing.svg' })).statusCode, 404)
  })

  it('sends only the NHS.UK frontend rules Kith uses, with focus, print and error styles', async () => {
    const css = (await app.inject({ url: await stylesheetUrl() })).body
    const assets = await loadAssets()
    for (const kept of [
      '.nhsuk-button',
      '.nhsuk-header__navigation',
      '.nhsuk-error-summary',
      '.nhsuk-form-group--error',
      '.nhsuk-input--error',
      '.nhsuk-error-message',
      '.nhsuk-skip-link',
      '.nhsuk-tag--green',
      '.nhsuk-card--warning',
      ':focus',
      '@media print',
      '.kith-inline-form',
    ]) {
      assert.ok(css.includes(kept), `the stylesheet has ${kept}`)
    }
    for (const dropped of ['.nhsuk-hero', '.nhsuk-task-list', '.nhsuk-do-dont-list']) {
      assert.ok(!css.includes(dropped), `the stylesheet leaves out ${dropped}`)
      assert.ok(assets.unusedClasses.has(dropped.slice(1)))
    }
  })
})

describe('choosing an encoding', () => {
  const both = { br: Buffer.from('b'), gzip: Buffer.from('g') }
  it('prefers brotli, honours the browser’s weights and refusals', () => {
    assert.equal(chooseEncoding('gzip, deflate, br, zstd', both), 'br')
    assert.equal(chooseEncoding('gzip', both), 'gzip')
    assert.equal(chooseEncoding('br;q=0, gzip', both), 'gzip')
    assert.equal(chooseEncoding('br;q=0.5, gzip;q=1', both), 'gzip')
    assert.equal(chooseEncoding('*', both), 'br')
    assert.equal(chooseEncoding('identity', both), undefined)
    assert.equal(chooseEncoding(undefined, both), undefined)
    assert.equal(chooseEncoding('br', { gzip: both.gzip }), undefined)
  })
})
