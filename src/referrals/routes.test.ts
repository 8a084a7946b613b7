import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createOrganisation } from '../access/store.ts'
import { createApiToken } from '../access/tokens.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { findTerm } from '../directory/store.ts'
import { createTestService } from '../directory/testing.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'
import { apiReferralBody, referralForm, referralSetUp } from './testing.ts'

async function setUp(db: Db) {
  const t = await referralSetUp(db)
  const app = await testApp(db)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  return { ...t, app, as }
}

const form = referralForm

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

  it('speaks to the person on a self-referral, and of them on a professional’s referral', async () => {
    const { db } = database()
    const t = await setUp(db)
    const open = await referralSetUp(db, { referralSources: ['gp_practice', 'self'] })
    const visitor = new PageClient(t.app)
    const selfForm = await visitor.get(`/self-referral/programmes/${open.programmeId}`)
    assert.match(textOf(selfForm.body), /Select your GP practice/)
    const empty = await visitor.post(`/self-referral/programmes/${open.programmeId}`, {})
    assert.equal(empty.statusCode, 400)
    const summary = textOf(empty.body)
    for (const message of [
      'Enter your first name',
      'Enter your last name',
      'Enter your date of birth',
      'Confirm that you agree to this referral',
    ])
      assert.ok(summary.includes(message), `${message} in: ${summary}`)
    assert.doesNotMatch(textOf(empty.body), /\b(their|they)\b/i)
    const unknownPractice = await visitor.post(`/self-referral/programmes/${open.programmeId}`, {
      ...form(open),
      registeredPracticeId: '0190a000-0000-7000-8000-000000000000',
    })
    assert.equal(unknownPractice.statusCode, 400)
    assert.match(textOf(unknownPractice.body), /Select your GP practice from the list/)

    const referrer = await t.as(t.referrer)
    assert.match(
      textOf((await referrer.get(`/referrals/new/programmes/${t.programmeId}`)).body),
      /Select their GP practice/,
    )
    const professional = await referrer.post(`/referrals/new/programmes/${t.programmeId}`, {})
    assert.equal(professional.statusCode, 400)
    for (const message of ['Enter their first name', 'Enter their last name', 'Enter their date of birth'])
      assert.match(textOf(professional.body), new RegExp(message))
    assert.doesNotMatch(textOf(professional.body), /Enter your first name/)
  })

  it('offers a service’s needs, once each, and never its categories, as the needs of a referral to it', async () => {
    const { db } = database()
    const t = await setUp(db)
    const provider = await createOrganisation(db, {
      name: 'Poplar HARCA',
      kind: 'vcs',
      parentId: null,
      odsCode: null,
      postcode: null,
    })
    const term = async (vocabulary: string, code: string) => (await findTerm(db, vocabulary, code))!.id
    const service = await createTestService(db, provider, {
      name: 'Social Prescribing Service (18+)',
      termIds: [
        await term('category', 'social-prescribing'),
        await term('need', 'social-isolation'),
        await term('area', 'physical-activity'),
        await term('need', 'physical-activity'),
        await term('category', 'exercise'),
      ],
    })
    const referrer = await t.as(t.referrer)
    const page = (await referrer.get(`/referrals/new/services/${service}`)).body
    const needs = [...page.matchAll(/name="needs" type="checkbox" value="([^"]+)"/g)].map((m) => m[1])
    assert.deepEqual(needs.sort(), ['physical-activity', 'social-isolation'])
    assert.doesNotMatch(textOf(page), /Social prescribing(?! Service)/i)
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
      payload: apiReferralBody(t),
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

  it('never lets a referral read or change a record another organisation holds, and answers unknown ids with a 400 naming the field', async () => {
    const { db } = database()
    const t = await setUp(db)
    const { token: workerToken } = await createApiToken(db, t.worker.userId, 'test')
    const { token: strangerToken } = await createApiToken(db, t.stranger.userId, 'test')
    const json = (token: string, extra: Record<string, string> = {}) => ({
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...extra,
    })
    const body = (person: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      programmeId: t.programmeId,
      ...person,
      referrerKind: 'gp_practice',
      referrerContact: '01632 960 100',
      consent: { givenBy: 'person', method: 'verbal', givenAt: '2026-01-01T10:00:00Z' },
      answers: { 'crisis-needs': false },
      ...extra,
    })
    const alex = {
      nhsNumber: '9434765919',
      givenName: 'Alex',
      familyName: 'Testperson',
      dateOfBirth: '1970-03-01',
      registeredPracticeId: t.practice,
      phone: '01632 960 001',
      email: 'alex@example.com',
    }
    // The programme's own link worker refers Alex: the team holds the record.
    const held = await t.app.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: json(workerToken),
      payload: body({ person: alex }),
    })
    assert.equal(held.statusCode, 201, held.body)
    const personId = held.json().personId as string
    assert.ok(personId)
    const counts = async () => ({
      referrals: (await db.selectFrom('referrals').select('id').execute()).length,
      consents: (await db.selectFrom('person_consents').select('id').execute()).length,
      people: await db.selectFrom('people').selectAll().execute(),
    })
    const before = await counts()

    // A referrer of another organisation names Alex by id: as if there were no such person; nothing written; audited.
    const byId = await t.app.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: json(strangerToken),
      payload: body({ personId }),
    })
    assert.equal(byId.statusCode, 400, byId.body)
    assert.equal(byId.json().errors?.[0]?.pointer, '#/personId', byId.body)
    assert.deepEqual(await counts(), before)
    const refusals = await db
      .selectFrom('audit_events')
      .select(['action', 'record_id'])
      .where('action', '=', 'person.access-refused')
      .execute()
    assert.deepEqual(
      refusals.map((r) => ({ ...r })),
      [{ action: 'person.access-refused', record_id: personId }],
    )

    // By NHS number and date of birth: the referral is sent, and the stranger reads only what they typed.
    const byNumber = await t.app.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: json(strangerToken, { 'idempotency-key': 'stranger-1' }),
      payload: body({
        person: {
          nhsNumber: '9434765919',
          givenName: 'A',
          familyName: 'Testperson',
          dateOfBirth: '1970-03-01',
        },
      }),
    })
    assert.equal(byNumber.statusCode, 201, byNumber.body)
    assert.equal(byNumber.json().personId, null)
    const after = await counts()
    assert.deepEqual(after.people, before.people)
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/v1/referrals/${byNumber.json().id}`,
      headers: { authorization: `Bearer ${strangerToken}` },
    })
    assert.equal(read.statusCode, 200)
    assert.equal(read.json().personId, null)
    const page = await (await t.as(t.stranger)).get(`/referrals/${byNumber.json().id}`)
    assert.equal(page.statusCode, 200)
    assert.ok(!page.body.includes('alex@example.com') && !page.body.includes('960 001'))
    assert.ok(!page.body.includes('High Street Wimbledon Surgery'))
    // The same Idempotency-Key again answers with the first referral and makes nothing new.
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: json(strangerToken, { 'idempotency-key': 'stranger-1' }),
      payload: body({
        person: {
          nhsNumber: '9434765919',
          givenName: 'A',
          familyName: 'Testperson',
          dateOfBirth: '1970-03-01',
        },
      }),
    })
    assert.equal(again.statusCode, 200, again.body)
    assert.equal(again.json().id, byNumber.json().id)
    assert.equal((await counts()).referrals, after.referrals)
    // The same key from another user is theirs alone: a new referral.
    const workersKey = await t.app.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: json(workerToken, { 'idempotency-key': 'stranger-1' }),
      payload: body({ personId }),
    })
    assert.equal(workersKey.statusCode, 201, workersKey.body)
    assert.notEqual(workersKey.json().id, byNumber.json().id)
    const badKey = await t.app.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: json(workerToken, { 'idempotency-key': 'a b' }),
      payload: body({ personId }),
    })
    assert.equal(badKey.statusCode, 400)

    // Ids that name nothing, or nothing of the user's: 400 naming the field, never a 500.
    const missing = '0190a000-0000-7000-8000-000000000000'
    const cases: [Record<string, unknown>, string][] = [
      [body({ person: alex }, { sourceCaseId: missing }), 'sourceCaseId'],
      [
        body({ person: { ...alex, nhsNumber: null } }, { consentId: missing, consent: undefined }),
        'consentId',
      ],
      [body({ personId }, { consentId: missing, consent: undefined }), 'consentId'],
      [body({ person: { ...alex, registeredPracticeId: missing } }), 'registeredPracticeId'],
      [body({ personId: missing }), 'personId'],
      [{ ...body({ person: alex }), programmeId: missing }, 'programmeId'],
      [{ ...body({ person: alex }), programmeId: undefined, serviceId: missing }, 'serviceId'],
    ]
    const total = (await counts()).referrals
    for (const [payload, field] of cases) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/referrals',
        headers: json(workerToken),
        payload,
      })
      assert.equal(response.statusCode, 400, `${field}: ${response.body}`)
      assert.ok(
        response
          .json()
          .errors.some(
            (e: { pointer: string }) => e.pointer.endsWith(`/${field}`) || e.pointer.endsWith(`.${field}`),
          ),
        `${field}: ${response.body}`,
      )
    }
    assert.equal((await counts()).referrals, total)
    const openapi = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })
    assert.ok(
      openapi
        .json()
        .paths['/referrals'].post.parameters.some((p: { name: string }) => p.name === 'Idempotency-Key'),
    )
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
