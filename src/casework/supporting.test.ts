// Volunteering on prescription (Blackburn with Darwen): accepting a referral opens a case held by
// the project officer, with the community navigator or the recovery support officer named on it to
// support; the supporting worker sees the case and has it in their caseload, and the two
// programmes stay apart.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { defaultSettings } from '../programmes/config.ts'
import {
  addLinkWorker,
  createProgramme,
  setNamedLinkWorkers,
  setProgrammePractices,
} from '../programmes/store.ts'
import { createAccount, createTestOrganisation, PageClient, testApp, textOf } from '../web/testing.ts'

const NOW = new Date('2026-11-30T10:00:00Z')

async function setUp(db: Db) {
  const cvs = await createTestOrganisation(db, 'Blackburn with Darwen CVS')
  const council = await createTestOrganisation(db, 'Blackburn with Darwen Borough Council', 'council')
  const practice = await createTestOrganisation(db, 'Blackburn Central Surgery', 'practice', 'Z64001')
  const officer = await createAccount(db, 'link_worker', {
    organisationId: cvs,
    name: 'Aisha Hussain',
    title: 'Project officer',
  })
  const navigator = await createAccount(db, 'link_worker', {
    organisationId: cvs,
    name: 'Dean Kershaw',
    title: 'Community navigator',
  })
  const recovery = await createAccount(db, 'link_worker', {
    organisationId: cvs,
    name: 'Mel Duckworth',
    title: 'Recovery support officer',
  })
  const outsider = await createAccount(db, 'link_worker', { name: 'Oscar Outsider' })
  const socialWorker = await createAccount(db, 'referrer', {
    organisationId: council,
    name: 'Jo Whitaker',
    title: 'Social worker',
  })
  const volunteering = async (name: string, supporter: string) => {
    const id = await createProgramme(db, {
      name,
      ownerOrganisationId: cvs,
      settings: {
        ...defaultSettings(name),
        pathway: 'volunteering',
        referralSources: ['gp_practice', 'social_care', 'council'],
        linkWorkerTitle: 'Project officer',
      },
    })
    await setProgrammePractices(db, id, [practice])
    await addLinkWorker(db, id, officer.userId)
    await addLinkWorker(db, id, supporter)
    await setNamedLinkWorkers(db, id, { [practice]: officer.userId })
    return id
  }
  const recoveryProgramme = await volunteering('Volunteering: drug and alcohol recovery', recovery.userId)
  const mentalHealth = await volunteering('Volunteering: mental health', navigator.userId)
  const app = await testApp(db, {}, () => NOW)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  return {
    app,
    as,
    practice,
    officer,
    navigator,
    recovery,
    outsider,
    socialWorker,
    recoveryProgramme,
    mentalHealth,
  }
}

type SetUp = Awaited<ReturnType<typeof setUp>>

/** The social worker refers someone to the programme; the project officer accepts. The case's id. */
async function referAndAccept(db: Db, t: SetUp, programmeId: string, givenName: string): Promise<string> {
  const referrer = await t.as(t.socialWorker)
  const sent = await referrer.post(`/referrals/new/programmes/${programmeId}`, {
    givenName,
    familyName: 'Testperson',
    'dateOfBirth-day': '11',
    'dateOfBirth-month': '11',
    'dateOfBirth-year': '1981',
    registeredPracticeId: t.practice,
    phone: '01632 960 001',
    whatMatters: 'Having something useful to do each week',
    goals: 'Volunteer one morning a week',
    consentGiven: 'yes',
    consentGivenBy: 'person',
    consentMethod: 'verbal',
    referrerKind: 'social_care',
    referrerContact: '01632 960 100',
  })
  assert.equal(sent.statusCode, 303, sent.body)
  const referralId = String(sent.headers.location).split('/')[2]!.split('?')[0]!
  const officer = await t.as(t.officer)
  assert.equal(
    (await officer.post(`/referrals/${referralId}/status`, { status: 'accepted' })).statusCode,
    303,
  )
  const kase = await db
    .selectFrom('cases')
    .select('id')
    .where('referral_id', '=', referralId)
    .executeTakeFirst()
  assert.ok(kase, 'accepting the referral opened a case')
  return kase.id
}

describeEachDatabase('volunteering cases and their supporting worker', (database) => {
  it('opens a case held by the project officer, supported by the programme’s navigator or recovery support officer, on acceptance', async () => {
    const { db } = database()
    const t = await setUp(db)
    const recoveryCase = await referAndAccept(db, t, t.recoveryProgramme, 'Ray')
    const mentalHealthCase = await referAndAccept(db, t, t.mentalHealth, 'Janet')
    const rows = await db
      .selectFrom('cases')
      .select(['id', 'link_worker_user_id', 'supporting_user_id'])
      .orderBy('opened_at')
      .orderBy('id')
      .execute()
    const byId = new Map(
      rows.map((r) => [r.id, { holder: r.link_worker_user_id, supporter: r.supporting_user_id }]),
    )
    assert.deepEqual(byId.get(recoveryCase), { holder: t.officer.userId, supporter: t.recovery.userId })
    assert.deepEqual(byId.get(mentalHealthCase), { holder: t.officer.userId, supporter: t.navigator.userId })

    const officer = await t.as(t.officer)
    const page = textOf((await officer.get(`/casework/cases/${recoveryCase}`)).body)
    assert.match(page, /Project officer Aisha Hussain/)
    assert.match(page, /Supporting worker Mel Duckworth/)
    assert.match(page, /Case opened and assigned, supported by Mel Duckworth/)
    assert.match(page, /Having something useful to do each week/)
    const caseload = textOf((await officer.get('/casework')).body)
    assert.match(caseload, /Ray Testperson/)
    assert.match(caseload, /Janet Testperson/)

    // The recovery support officer has their case, and not the mental-health programme's.
    const mel = await t.as(t.recovery)
    const melsCaseload = textOf((await mel.get('/casework')).body)
    assert.match(melsCaseload, /Ray Testperson/)
    assert.match(melsCaseload, /You support/)
    assert.doesNotMatch(melsCaseload, /Janet Testperson/)
    assert.equal((await mel.get(`/casework/cases/${recoveryCase}`)).statusCode, 200)
    assert.equal((await mel.get(`/casework/cases/${mentalHealthCase}`)).statusCode, 404)
    const { createApiToken } = await import('../access/tokens.ts')
    const { token } = await createApiToken(db, t.recovery.userId, 'test')
    const api = await t.app.inject({
      method: 'GET',
      url: '/api/v1/caseload',
      headers: { authorization: `Bearer ${token}` },
    })
    assert.deepEqual(
      api.json().cases.map((c: { id: string; supportingUserId: string }) => [c.id, c.supportingUserId]),
      [[recoveryCase, t.recovery.userId]],
    )
    const dean = await t.as(t.navigator)
    assert.equal((await dean.get(`/casework/cases/${mentalHealthCase}`)).statusCode, 200)
    assert.equal((await dean.get(`/casework/cases/${recoveryCase}`)).statusCode, 404)
  })

  it('names, changes and removes the supporting worker on the case page; the one named sees the case, no one else gains it', async () => {
    const { db } = database()
    const t = await setUp(db)
    const kase = await referAndAccept(db, t, t.mentalHealth, 'Janet')
    const officer = await t.as(t.officer)
    const form = await officer.get(`/casework/cases/${kase}/supporting`)
    assert.equal(form.statusCode, 200)
    const choices = textOf(form.body).split('Who supports the case?')[1] ?? ''
    assert.match(choices, /Dean Kershaw Community navigator/)
    assert.match(choices, /Mel Duckworth Recovery support officer/)
    assert.doesNotMatch(choices, /Aisha Hussain/)
    assert.doesNotMatch(choices, /Oscar Outsider/)

    const stranger = await officer.post(`/casework/cases/${kase}/supporting`, { userId: t.outsider.userId })
    assert.equal(stranger.statusCode, 400)
    assert.match(textOf(stranger.body), /Select one of the workers listed, or no one/)
    assert.equal((await officer.post(`/casework/cases/${kase}/supporting`, {})).statusCode, 400)

    const mel = await t.as(t.recovery)
    assert.equal((await mel.get(`/casework/cases/${kase}`)).statusCode, 404)
    const named = await officer.post(`/casework/cases/${kase}/supporting`, { userId: t.recovery.userId })
    assert.equal(named.statusCode, 303)
    assert.match(
      textOf((await officer.get(`/casework/cases/${kase}`)).body),
      /Now supported by Mel Duckworth/,
    )
    // Named, the recovery support officer sees this mental-health case, and only this one.
    assert.equal((await mel.get(`/casework/cases/${kase}`)).statusCode, 200)
    assert.match(textOf((await mel.get('/casework')).body), /Janet Testperson/)
    const outsider = await t.as(t.outsider)
    assert.equal((await outsider.get(`/casework/cases/${kase}`)).statusCode, 404)

    assert.equal(
      (await officer.post(`/casework/cases/${kase}/supporting`, { userId: 'none' })).statusCode,
      303,
    )
    assert.equal((await mel.get(`/casework/cases/${kase}`)).statusCode, 404)
    assert.match(
      textOf((await officer.get(`/casework/cases/${kase}`)).body),
      /Supporting worker No one named/,
    )
    const events = await listAuditEvents(db, { recordType: 'case', recordId: kase, action: 'case.supporter' })
    assert.equal(events.length, 2)
  })
})
