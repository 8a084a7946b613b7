import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createApiToken } from '../access/tokens.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'
import { referralSetUp } from './testing.ts'

async function setUp(db: Db) {
  const t = await referralSetUp(db)
  const app = await testApp(db)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  return { ...t, app, as }
}

function form(t: { practice: string }, overrides: Record<string, string | string[]> = {}) {
  return {
    submissionKey: '0190a000-0000-7000-8000-00000000abcd',
    nhsNumber: '943 476 5919',
    givenName: 'Alex',
    familyName: 'Testperson',
    'dateOfBirth-day': '1',
    'dateOfBirth-month': '3',
    'dateOfBirth-year': '1970',
    registeredPracticeId: t.practice,
    phone: '01632 960 001',
    'answer-crisis-needs': 'no',
    needs: ['social-isolation'],
    whatMatters: 'Meeting people',
    goals: 'Join a walking group',
    reason: 'Lonely',
    consentGiven: 'yes',
    consentGivenBy: 'person',
    consentMethod: 'verbal',
    referrerKind: 'gp_practice',
    referrerContact: '01632 960 100',
    ...overrides,
  }
}

const errorLinks = (html: string) => [...html.matchAll(/<a href="#([^"]+)"/g)].map((m) => m[1])

describeEachDatabase('referral pages', (database) => {
  it('takes a referral from the form to the inbox, and tells the referrer when it is accepted', async () => {
    const { db } = database()
    const t = await setUp(db)
    const referrer = await t.as(t.referrer)
    const page = await referrer.get(`/referrals/new/programmes/${t.programmeId}`)
    assert.equal(page.statusCode, 200)
    assert.match(textOf(page.body), /Is the person in crisis\?/)

    const sent = await referrer.post(`/referrals/new/programmes/${t.programmeId}`, form(t))
    assert.equal(sent.statusCode, 303, sent.body)
    const location = sent.headers.location as string
    assert.match(location, /^\/referrals\/[0-9a-f-]{36}\?sent=1$/)
    const id = location.split('/')[2]!.split('?')[0]!

    const again = await referrer.post(`/referrals/new/programmes/${t.programmeId}`, form(t))
    assert.equal(again.headers.location, `/referrals/${id}?sent=again`)

    const worker = await t.as(t.worker)
    const inbox = await worker.get('/referrals/inbox')
    assert.match(textOf(inbox.body), /Alex Testperson/)
    const stranger = await t.as(t.otherWorker)
    assert.equal((await stranger.get(`/referrals/${id}`)).statusCode, 404)
    assert.doesNotMatch(textOf((await stranger.get('/referrals/inbox')).body), /Alex Testperson/)

    const opened = await worker.get(`/referrals/${id}`)
    assert.equal(opened.statusCode, 200)
    assert.match(textOf(opened.body), /Received/)
    assert.match(textOf((await referrer.get('/notifications')).body), /Referral received/)

    const declineWithoutReason = await worker.post(`/referrals/${id}/status`, { status: 'rejected' })
    assert.equal(declineWithoutReason.statusCode, 400)
    assert.deepEqual(errorLinks(declineWithoutReason.body).slice(0, 1), ['reason'])

    const accepted = await worker.post(`/referrals/${id}/status`, { status: 'accepted' })
    assert.equal(accepted.statusCode, 303)
    const mine = textOf((await referrer.get('/referrals')).body)
    assert.match(mine, /Alex Testperson/)
    assert.match(mine, /Accepted/)
    const notices = textOf((await referrer.get('/notifications')).body)
    assert.match(notices, /Referral accepted/)

    const backwards = await worker.post(`/referrals/${id}/status`, { status: 'requested' })
    assert.equal(backwards.statusCode, 409)
  })

  it('refuses bad input with clear messages and keeps nothing', async () => {
    const { db } = database()
    const t = await setUp(db)
    const referrer = await t.as(t.referrer)
    const url = `/referrals/new/programmes/${t.programmeId}`
    const badNumber = await referrer.post(url, form(t, { nhsNumber: '943 476 5918' }))
    assert.equal(badNumber.statusCode, 400)
    assert.match(textOf(badNumber.body), /valid NHS number/)
    const future = await referrer.post(url, form(t, { 'dateOfBirth-year': '2999' }))
    assert.equal(future.statusCode, 400)
    assert.deepEqual(errorLinks(future.body), ['dateOfBirth-day'])
    const noConsent = await referrer.post(url, form(t, { consentGiven: '' }))
    assert.equal(noConsent.statusCode, 400)
    assert.match(textOf(noConsent.body), /cannot be sent without it/)
    const unknown = await referrer.post(
      '/referrals/new/programmes/0190a000-0000-7000-8000-000000000000',
      form(t),
    )
    assert.equal(unknown.statusCode, 404)
    const crisis = await referrer.post(url, form(t, { 'answer-crisis-needs': 'yes' }))
    assert.equal(crisis.statusCode, 200)
    assert.match(textOf(crisis.body), /The referral was not sent/)
    assert.match(textOf(crisis.body), /excluded by “Crisis needs”/)
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 0)
    assert.equal((await db.selectFrom('people').select('id').execute()).length, 0)
  })

  it('refuses a self-referral where only professionals may refer, and takes one where people may refer themselves', async () => {
    const { db } = database()
    const t = await setUp(db)
    const visitor = new PageClient(t.app)
    const refused = await visitor.get(`/self-referral/programmes/${t.programmeId}`)
    assert.equal(refused.statusCode, 200)
    assert.match(textOf(refused.body), /takes referrals from professionals only/)
    const posted = await visitor.post(`/self-referral/programmes/${t.programmeId}`, form(t))
    assert.equal(posted.statusCode, 403)

    const open = await referralSetUp(db, { referralSources: ['gp_practice', 'self'] })
    const listing = textOf((await visitor.get('/self-referral')).body)
    assert.match(listing, /Refer yourself/)
    assert.equal((listing.match(/Merton navigators/g) ?? []).length, 1)
    const page = await visitor.get(`/self-referral/programmes/${open.programmeId}`)
    assert.equal(page.statusCode, 200)
    const sent = await visitor.post(`/self-referral/programmes/${open.programmeId}`, form(open))
    assert.equal(sent.statusCode, 200, sent.body)
    assert.match(textOf(sent.body), /Your referral has been sent/)
    const row = await db
      .selectFrom('referrals')
      .select(['referrer_kind', 'referrer_user_id'])
      .executeTakeFirstOrThrow()
    assert.deepEqual({ ...row }, { referrer_kind: 'self', referrer_user_id: null })
  })

  it('answers eligibility checks and takes referrals through the API', async () => {
    const { db } = database()
    const t = await setUp(db)
    const { token } = await createApiToken(db, t.referrer.userId, 'test')
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const check = await t.app.inject({
      method: 'POST',
      url: '/api/v1/eligibility-checks',
      headers,
      payload: {
        programmeId: t.programmeId,
        person: { dateOfBirth: '2015-01-01', practiceOdsCode: 'Z99999', conditions: [] },
        referrerKind: 'gp_practice',
        answers: { 'crisis-needs': false, 'consent-given': true },
        goals: [],
      },
    })
    assert.equal(check.statusCode, 200, check.body)
    const result = check.json()
    assert.equal(result.outcome, 'ineligible')
    assert.ok(
      result.reasons.some(
        (r: { criterion: string; met: boolean }) => r.criterion === 'age-18-plus' && !r.met,
      ),
    )
    assert.deepEqual(result.suggestions, [])

    const criteria = await t.app.inject({
      method: 'GET',
      url: `/api/v1/programmes/${t.programmeId}/criteria`,
      headers,
    })
    assert.equal(criteria.statusCode, 200)
    assert.ok(
      criteria
        .json()
        .criteria.some((c: { id: string; question: string }) => c.id === 'crisis-needs' && c.question),
    )

    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers,
      payload: {
        programmeId: t.programmeId,
        person: {
          nhsNumber: '9434765919',
          givenName: 'Alex',
          familyName: 'Testperson',
          dateOfBirth: '1970-03-01',
          registeredPracticeId: t.practice,
        },
        referrerKind: 'gp_practice',
        referrerContact: '01632 960 100',
        consent: { givenBy: 'person', method: 'verbal', givenAt: '2026-01-01T10:00:00Z' },
        answers: { 'crisis-needs': false },
        needs: ['social-isolation'],
      },
    })
    assert.equal(created.statusCode, 201, created.body)
    const referral = created.json()
    assert.equal(referral.status, 'requested')

    const { token: workerToken } = await createApiToken(db, t.worker.userId, 'test')
    const workerHeaders = { authorization: `Bearer ${workerToken}`, 'content-type': 'application/json' }
    const accept = await t.app.inject({
      method: 'POST',
      url: `/api/v1/referrals/${referral.id}/status`,
      headers: workerHeaders,
      payload: { status: 'accepted' },
    })
    assert.equal(accept.statusCode, 200, accept.body)
    const complete = await t.app.inject({
      method: 'POST',
      url: `/api/v1/referrals/${referral.id}/status`,
      headers: workerHeaders,
      payload: { status: 'completed' },
    })
    assert.equal(complete.statusCode, 200)
    const backwards = await t.app.inject({
      method: 'POST',
      url: `/api/v1/referrals/${referral.id}/status`,
      headers: workerHeaders,
      payload: { status: 'requested' },
    })
    assert.equal(backwards.statusCode, 409)
    const read = await t.app.inject({ method: 'GET', url: `/api/v1/referrals/${referral.id}`, headers })
    assert.deepEqual(
      read.json().history.map((e: { to: string }) => e.to),
      ['requested', 'accepted', 'completed'],
    )
    const other = await createAccount(db, 'referrer')
    const { token: otherToken } = await createApiToken(db, other.userId, 'test')
    const hidden = await t.app.inject({
      method: 'GET',
      url: `/api/v1/referrals/${referral.id}`,
      headers: { authorization: `Bearer ${otherToken}` },
    })
    assert.equal(hidden.statusCode, 404)
    const unknownService = await t.app.inject({
      method: 'POST',
      url: '/api/v1/eligibility-checks',
      headers,
      payload: { serviceId: '0190a000-0000-7000-8000-000000000000', person: {}, answers: {} },
    })
    assert.equal(unknownService.statusCode, 400)
    const openapi = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
    assert.ok(openapi.json().paths['/referrals/{id}/status'])
  })

  it('takes referrals sent at the same moment, each whole, and the same submission twice only once', async () => {
    const { db } = database()
    const t = await setUp(db)
    const { token } = await createApiToken(db, t.referrer.userId, 'test')
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const body = (givenName: string, extra: Record<string, unknown> = {}) => ({
      programmeId: t.programmeId,
      person: {
        givenName,
        familyName: 'Together',
        dateOfBirth: '1970-03-01',
        registeredPracticeId: t.practice,
      },
      referrerKind: 'gp_practice',
      referrerContact: '01632 960 100',
      consent: { givenBy: 'person', method: 'verbal', givenAt: '2026-01-01T10:00:00Z' },
      answers: { 'crisis-needs': false },
      needs: ['social-isolation'],
      ...extra,
    })
    const twice = body('Twice', { submissionKey: '0190a000-0000-7000-8000-00000000beef' })
    const payloads = [body('Ada'), twice, body('Bo'), twice, body('Cy'), body('Di')]
    const answers = await Promise.all(
      payloads.map((payload) => t.app.inject({ method: 'POST', url: '/api/v1/referrals', headers, payload })),
    )
    assert.deepEqual(
      answers.map((answer) => answer.statusCode).sort(),
      [200, 201, 201, 201, 201, 201],
      answers.map((answer) => answer.body).join('\n'),
    )
    const ids = answers.map((answer) => answer.json().id as string)
    assert.equal(ids[1], ids[3], 'the repeated submission answers with the first one’s referral')
    assert.equal(new Set(ids).size, 5)
    const referrals = await db.selectFrom('referrals').select(['id', 'person_id', 'consent_id']).execute()
    assert.deepEqual(referrals.map((r) => r.id).sort(), [...new Set(ids)].sort())
    const people = await db
      .selectFrom('people')
      .select(['id', 'given_name'])
      .where('family_name', '=', 'Together')
      .execute()
    assert.deepEqual(people.map((p) => p.given_name).sort(), ['Ada', 'Bo', 'Cy', 'Di', 'Twice'])
    for (const referral of referrals) {
      const history = await db
        .selectFrom('referral_events')
        .select('to_status')
        .where('referral_id', '=', referral.id)
        .execute()
      assert.deepEqual(
        history.map((event) => event.to_status),
        ['requested'],
      )
      assert.ok(people.some((p) => p.id === referral.person_id))
      assert.ok(
        await db
          .selectFrom('person_consents')
          .select('id')
          .where('id', '=', referral.consent_id)
          .executeTakeFirst(),
      )
    }
    const audited = await db
      .selectFrom('audit_events')
      .select('record_id')
      .where('action', '=', 'referral.create')
      .execute()
    assert.deepEqual(audited.map((a) => a.record_id).sort(), [...new Set(ids)].sort())
  })
})
