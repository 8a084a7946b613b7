// Issue 12: the referral form starts from the referrer's own practice and area; a practice's
// referrals reach its named link worker first; a retired programme takes no new referrals.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createOrganisation } from '../access/store.ts'
import { createApiToken } from '../access/tokens.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import {
  addLinkWorker,
  createProgramme,
  retireProgramme,
  setNamedLinkWorkers,
  setProgrammePractices,
} from '../programmes/store.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'
import { createReferral } from './index.ts'
import { apiReferralBody, referralInput, referralSetUp } from './testing.ts'

const actor = (userId: string) => ({ userId, ip: '127.0.0.1' })

async function setUp(db: Db) {
  const t = await referralSetUp(db)
  const secondPractice = await createOrganisation(db, {
    name: 'Mitcham Green Surgery',
    kind: 'practice',
    parentId: t.area,
    odsCode: `Y${String(Math.floor(Math.random() * 90000) + 10000)}`,
    postcode: null,
  })
  await setProgrammePractices(db, t.programmeId, [t.practice, secondPractice])
  const secondWorker = await createAccount(db, 'link_worker', {
    organisationId: t.owner,
    name: 'Shirin Akhtar',
  })
  await addLinkWorker(db, t.programmeId, secondWorker.userId)
  // Chloe is named for the first practice, Shirin for the second.
  await setNamedLinkWorkers(db, t.programmeId, {
    [t.practice]: t.worker.userId,
    [secondPractice]: secondWorker.userId,
  })
  // A programme in another area.
  const otherArea = await createOrganisation(db, {
    name: 'Luton',
    kind: 'area',
    parentId: null,
    odsCode: null,
    postcode: null,
  })
  const otherOwner = await createOrganisation(db, {
    name: 'Luton Borough Council',
    kind: 'council',
    parentId: otherArea,
    odsCode: null,
    postcode: null,
  })
  const otherProgramme = await createProgramme(db, {
    name: 'Luton navigators',
    ownerOrganisationId: otherOwner,
  })
  const app = await testApp(db)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  return { ...t, secondPractice, secondWorker, otherProgramme, app, as }
}

describeEachDatabase('referrals start local and reach the named link worker', (database) => {
  it('defaults the form to the referrer’s practice and lists their area’s programmes first', async () => {
    const { db } = database()
    const t = await setUp(db)
    const referrer = await t.as(t.referrer)
    const form = await referrer.get(`/referrals/new/programmes/${t.programmeId}`)
    assert.equal(form.statusCode, 200)
    const selected = /<option value="([^"]+)"[^>]*selected[^>]*>([^<]+)</.exec(form.body)
    assert.equal(selected?.[1], t.practice)
    assert.match(selected?.[2] ?? '', /High Street Wimbledon Surgery/)

    const choose = textOf((await referrer.get('/referrals/new')).body)
    assert.match(
      choose,
      /Programmes and services in Merton come first\. Social prescribing programmes Merton navigators/,
    )
    assert.doesNotMatch(choose, /Luton navigators/)
    assert.match(choose, /Show programmes and services elsewhere/)
    const all = textOf((await referrer.get('/referrals/new?elsewhere=1')).body)
    assert.match(all, /Luton navigators Luton Borough Council\. Outside Merton/)
    assert.match(all, /Show only Merton/)
    await t.app.close()
  })

  it('puts a practice’s referrals in its named link worker’s inbox, and the others’ under All referrals', async () => {
    const { db } = database()
    const t = await setUp(db)
    const sent = await createReferral(db, actor(t.referrer.userId), referralInput(t))
    assert.equal(sent.outcome, 'sent')
    const id = sent.outcome === 'sent' ? sent.referralId : ''
    // Only the named link worker is told of it.
    const told = await db
      .selectFrom('notifications')
      .select('user_id')
      .where('kind', '=', 'referral.new')
      .execute()
    assert.deepEqual(
      told.map((n) => n.user_id),
      [t.worker.userId],
    )

    const named = await t.as(t.worker)
    const inbox = textOf((await named.get('/referrals/inbox')).body)
    assert.match(inbox, /Waiting for a reply Person Referred to From Sent Status Alex Testperson/)

    const other = await t.as(t.secondWorker)
    const otherInbox = await other.get('/referrals/inbox')
    assert.doesNotMatch(textOf(otherInbox.body), /Alex Testperson/)
    assert.match(textOf(otherInbox.body), /There are no new referrals waiting for a reply/)
    assert.match(otherInbox.body, /<a href="\/referrals\/inbox\?list=all">All referrals<\/a>/)
    const team = textOf((await other.get('/referrals/inbox?list=all')).body)
    assert.match(team, /All referrals .*Alex Testperson.*Another worker’s practice/)
    // Anyone in the team can still act on it.
    const accepted = await other.post(`/referrals/${id}/status`, { status: 'accepted' })
    assert.equal(accepted.statusCode, 303, accepted.body)
    await t.app.close()
  })

  it('refuses referrals to a retired programme, on the form and the API, and keeps its records readable', async () => {
    const { db } = database()
    const t = await setUp(db)
    const before = await createReferral(db, actor(t.referrer.userId), referralInput(t))
    assert.equal(before.outcome, 'sent')
    const manager = await t.as(t.manager)
    assert.equal((await manager.get(`/programmes/${t.programmeId}/retire`)).statusCode, 200)
    const retired = await manager.post(`/programmes/${t.programmeId}/retire`, {})
    assert.equal(retired.statusCode, 303)
    assert.match(
      textOf((await manager.get(`/programmes/${t.programmeId}`)).body),
      /Retired Retired on \d+ \w+ \d{4}\. It takes no new referrals/,
    )

    const referrer = await t.as(t.referrer)
    const list = textOf((await referrer.get('/referrals/new?elsewhere=1')).body)
    assert.doesNotMatch(list, /Merton navigators/)
    const form = await referrer.get(`/referrals/new/programmes/${t.programmeId}`)
    assert.equal(form.statusCode, 409)
    assert.match(textOf(form.body), /Merton navigators has been retired, and takes no new referrals/)
    const posted = await referrer.post(`/referrals/new/programmes/${t.programmeId}`, { givenName: 'Alex' })
    assert.equal(posted.statusCode, 409)

    const { token } = await createApiToken(db, t.referrer.userId, 'test')
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: apiReferralBody(t),
    })
    assert.equal(api.statusCode, 409, api.body)
    assert.deepEqual(api.json().errors, [
      { pointer: '#/programmeId', detail: 'Merton navigators has been retired, and takes no new referrals' },
    ])
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 1)

    // Its records are kept: the referral made before is still read and worked on.
    const worker = await t.as(t.worker)
    const id = before.outcome === 'sent' ? before.referralId : ''
    const read = await worker.get(`/referrals/${id}`)
    assert.equal(read.statusCode, 200)
    assert.equal((await worker.post(`/referrals/${id}/status`, { status: 'accepted' })).statusCode, 303)
    await t.app.close()
  })

  it('refuses a referral to a service run for a retired programme', async () => {
    const { db } = database()
    const t = await setUp(db)
    const { createTestService } = await import('../directory/testing.ts')
    const { setServiceProgramme } = await import('../directory/index.ts')
    const serviceId = await createTestService(db, t.owner, { name: 'Merton link worker service' })
    await setServiceProgramme(db, serviceId, t.programmeId)
    await retireProgramme(db, t.programmeId, new Date().toISOString())
    await assert.rejects(
      createReferral(db, actor(t.referrer.userId), referralInput(t, { target: { serviceId } })),
      (error: { status: number; errors: { field: string; message: string }[] }) =>
        error.status === 409 &&
        error.errors[0]?.field === 'serviceId' &&
        /run for a programme that has been retired/.test(error.errors[0].message),
    )
    await t.app.close()
  })
})
