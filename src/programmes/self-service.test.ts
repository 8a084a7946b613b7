// Issue 12: programme names are unique among running programmes; a manager retires a programme.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { createOrganisation } from '../access/store.ts'
import { createApiToken } from '../access/tokens.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'
import { addLinkWorker, createProgramme, getProgramme, listProgrammes } from './store.ts'

async function setUp(db: Db) {
  const owner = await createOrganisation(db, {
    name: 'Cotswold District Council',
    kind: 'council',
    parentId: null,
    odsCode: null,
    postcode: null,
  })
  const other = await createOrganisation(db, {
    name: 'Luton Borough Council',
    kind: 'council',
    parentId: null,
    odsCode: null,
    postcode: null,
  })
  const existing = await createProgramme(db, { name: 'Social prescribing', ownerOrganisationId: other })
  const mine = await createProgramme(db, { name: 'Cotswold social prescribing', ownerOrganisationId: owner })
  const manager = await createAccount(db, 'programme_manager', { organisationId: owner })
  const worker = await createAccount(db, 'link_worker', { organisationId: owner })
  await addLinkWorker(db, mine, worker.userId)
  const app = await testApp(db)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  const { token } = await createApiToken(db, manager.userId, 'test')
  const api = (url: string, payload: unknown = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    })
  return { app, as, api, owner, other, existing, mine, manager, worker }
}

const errorsOn = (html: string) =>
  [...html.matchAll(/<a href="#([^"]+)"[^>]*>([^<]+)<\/a>/g)]
    .filter((m) => html.indexOf('nhsuk-error-summary') < (m.index ?? 0))
    .map((m) => [m[1], m[2]?.trim()])

describeEachDatabase('programme self-service', (database) => {
  it('refuses a second running programme of the same name, on the form and the API', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const form = await manager.post('/programmes', {
      name: '  social PRESCRIBING ',
      ownerOrganisationId: t.owner,
    })
    assert.equal(form.statusCode, 400)
    assert.deepEqual(errorsOn(form.body), [
      ['name', 'There is already a programme called Social prescribing: choose another name'],
    ])
    const renamed = await manager.post(`/programmes/${t.mine}/details`, {
      name: 'Social prescribing',
      description: '',
      pathway: 'link_worker',
      linkWorkerTitle: 'Link worker',
    })
    assert.equal(renamed.statusCode, 400)
    assert.deepEqual(errorsOn(renamed.body), [
      ['name', 'There is already a programme called Social prescribing: choose another name'],
    ])
    assert.equal((await getProgramme(db, t.mine))?.name, 'Cotswold social prescribing')

    const api = await t.api('/api/v1/programmes', {
      name: 'Social Prescribing',
      ownerOrganisationId: t.owner,
    })
    assert.equal(api.statusCode, 409)
    assert.deepEqual(api.json().errors, [
      {
        pointer: '#/name',
        detail: 'There is already a programme called Social prescribing: choose another name',
      },
    ])
    const elsewhere = await t.api('/api/v1/programmes', {
      name: 'Cotswold walking',
      ownerOrganisationId: t.other,
    })
    assert.equal(elsewhere.statusCode, 400)
    assert.equal((await listProgrammes(db)).length, 2)

    const made = await t.api('/api/v1/programmes', { name: 'Cotswold walking', ownerOrganisationId: t.owner })
    assert.equal(made.statusCode, 201, made.body)
    assert.equal(made.json().name, 'Cotswold walking')
    await t.app.close()
  })

  it('retires a programme: audited, out of the running list, its name free again; only managers may', async () => {
    const { db } = database()
    const t = await setUp(db)
    const worker = await t.as(t.worker)
    assert.equal((await worker.post(`/programmes/${t.mine}/retire`, {})).statusCode, 403)
    const manager = await t.as(t.manager)
    const page = await manager.get(`/programmes/${t.mine}/retire`)
    assert.match(textOf(page.body), /takes no new referrals, from the referral form or the API/)
    assert.equal((await manager.post(`/programmes/${t.mine}/retire`, {})).statusCode, 303)
    assert.ok((await getProgramme(db, t.mine))?.retiredAt)
    assert.deepEqual(
      (await listProgrammes(db, { running: true })).map((p) => p.name),
      ['Social prescribing'],
    )
    assert.equal((await listAuditEvents(db, { action: 'programme.retire', recordId: t.mine })).length, 1)
    const list = textOf((await manager.get('/programmes')).body)
    assert.match(list, /Cotswold social prescribing Retired on \d+ \w+ \d{4}/)
    // Read as before by its link worker.
    assert.equal((await worker.get(`/programmes/${t.mine}`)).statusCode, 200)
    // The name may be used again.
    const again = await manager.post('/programmes', {
      name: 'Cotswold social prescribing',
      ownerOrganisationId: t.owner,
    })
    assert.equal(again.statusCode, 303)
    // Retiring by the API says when.
    const other = String(again.headers.location).split('/')[2]?.split('?')[0]
    const retired = await t.api(`/api/v1/programmes/${other}/retire`)
    assert.equal(retired.statusCode, 200)
    assert.match(retired.json().retiredAt, /^\d{4}-\d\d-\d\dT/)
    await t.app.close()
  })
})
