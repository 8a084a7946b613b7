import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PUBLIC } from '../access/permissions.ts'
import { listOrganisations } from '../access/store.ts'
import { buildApp } from '../app.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { normaliseForm, nulAt } from './form-body.ts'
import { createAccount, PageClient, testConfig, textOf } from './testing.ts'

describe('a form as a route receives it', () => {
  it('keeps the first value of a field sent twice, unless the field is a list', () => {
    assert.deepEqual(normaliseForm({ name: ['a', 'b'], needs: ['x', 'y'] }, ['needs']), {
      name: 'a',
      needs: ['x', 'y'],
    })
    assert.deepEqual(normaliseForm({ needs: 'x' }, ['needs']), { needs: ['x'] })
  })

  it('gives a list that was not sent as empty, and lists named by a prefix only when sent', () => {
    assert.deepEqual(normaliseForm({}, ['needs', 'stages.*']), { needs: [] })
    assert.deepEqual(normaliseForm({ 'stages.ons4': 'baseline', other: ['a', 'b'] }, ['stages.*']), {
      'stages.ons4': ['baseline'],
      other: 'a',
    })
  })

  it('leaves out what is not a string, and keeps nested names as flat strings', () => {
    assert.deepEqual(
      normaliseForm(
        { a: { x: '1' }, b: 12, c: null, d: [{ y: 1 }, 'x'], 'e[f]': '1', tags: ['t', { z: 1 }] },
        ['tags'],
      ),
      { d: 'x', 'e[f]': '1', tags: ['t'] },
    )
  })

  it('removes U+0000, ignores __proto__, and makes anything but an object an empty form', () => {
    const raw = JSON.parse('{"__proto__": {"polluted": "yes"}, "te\\u0000xt": "a\\u0000b"}')
    const form = normaliseForm(raw)
    assert.deepEqual(form, { text: 'ab' })
    assert.equal(Object.getPrototypeOf(form), Object.prototype)
    for (const raw of [undefined, null, 'name=a', ['a'], 12]) assert.deepEqual(normaliseForm(raw), {})
  })

  it('finds a string holding U+0000 anywhere in a JSON value', () => {
    assert.deepEqual(nulAt({ person: { names: ['Ada', 'x\u0000'] } }), ['person', 'names', '1'])
    assert.equal(nulAt({ person: { names: ['Ada'] } }), undefined)
  })
})

describeEachDatabase('form bodies', (database) => {
  it('reach a page route as strings, and lists where the route declares them', async () => {
    const { db } = database()
    const app = await buildApp(testConfig(), { db })
    app.post('/echo', { config: { access: PUBLIC, listFields: ['tags'] } }, async (request) => ({
      body: request.body,
      query: request.query,
    }))
    await app.ready()
    const client = new PageClient(app)
    const response = await client.post('/echo?q=a&q=b', {
      name: ['first', 'second'],
      tags: ['x', 'y'],
      'nested[x]': '1',
      text: 'a\u0000b',
    })
    assert.equal(response.statusCode, 200, response.body)
    const { body, query } = response.json()
    assert.deepEqual(
      { ...body, _csrf: undefined },
      { name: 'first', tags: ['x', 'y'], 'nested[x]': '1', text: 'ab', _csrf: undefined },
    )
    assert.deepEqual(query, { q: 'a', tags: [] })
    await app.close()
  })

  async function asAdmin(db: Db) {
    const app = await buildApp(testConfig(), { db })
    let handled = 0
    app.post('/handled', { config: { access: PUBLIC } }, async () => ++handled)
    app.post('/api/v1/handled', { config: { access: PUBLIC } }, async () => ++handled)
    await app.ready()
    const admin = await createAccount(db, 'administrator')
    const client = await new PageClient(app).signInAs(admin.userId)
    await client.get('/account')
    const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    return { app, client, cookie, handled: () => handled }
  }
  const organisation = (name: string | string[], kind: string | string[] = 'area') => ({
    name,
    kind,
    parentId: '',
    odsCode: '',
    postcode: '',
  })

  it('refuses a body that is not a form on a page with 415, changing nothing', async () => {
    const { db } = database()
    const { app, client, cookie, handled } = await asAdmin(db)
    // Objects in a form shown again by its page made the NHS.UK templates throw (a 500).
    const before = (await listOrganisations(db)).length
    const json = await app.inject({
      method: 'POST',
      url: '/admin/organisations',
      headers: { cookie, 'content-type': 'application/json' },
      payload: { name: { toString: 'x' }, kind: ['area'], _csrf: client.csrfToken },
    })
    assert.equal(json.statusCode, 415)
    assert.match(textOf(json.body), /Nothing was changed/)
    assert.equal((await listOrganisations(db)).length, before)
    const text = await app.inject({
      method: 'POST',
      url: '/handled',
      headers: { cookie, 'content-type': 'text/plain' },
      payload: `_csrf=${client.csrfToken}`,
    })
    assert.equal(text.statusCode, 415)
    assert.equal(handled(), 0)
    await app.close()
  })

  it('refuses U+0000 in a JSON body with a problem naming the field', async () => {
    const { db } = database()
    const { app, handled } = await asAdmin(db)
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/handled',
      headers: { 'content-type': 'application/json' },
      payload: { person: { name: 'a\u0000' } },
    })
    assert.equal(response.statusCode, 400)
    assert.deepEqual(response.json().errors, [
      { pointer: '#/person/name', detail: 'must not contain the character U+0000' },
    ])
    assert.equal(handled(), 0)
    await app.close()
  })

  it('saves the first value of a field sent twice, and a form holding U+0000 without it', async () => {
    const { db } = database()
    const { app, client } = await asAdmin(db)
    const twice = await client.post(
      '/admin/organisations',
      organisation(['Twice Area', 'Other'], ['area', 'pcn']),
    )
    assert.equal(twice.statusCode, 303, twice.body)
    // PostgreSQL cannot store U+0000 (it answered 500).
    const nul = await client.post('/admin/organisations', organisation('Nul\u0000 Area'))
    assert.equal(nul.statusCode, 303, nul.body)
    const names = (await listOrganisations(db)).map((o) => [o.name, o.kind])
    assert.deepEqual(
      names.filter(([name]) => ['Twice Area', 'Other', 'Nul Area'].includes(name!)),
      [
        ['Nul Area', 'area'],
        ['Twice Area', 'area'],
      ],
    )
    await app.close()
  })
})
