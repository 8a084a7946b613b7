import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createApiToken } from '../access/tokens.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { listNotifications } from '../interop/notifications.ts'
import { recordReading } from '../outcomes/measures.ts'
import { updateOutcomeSettings } from '../outcomes/store.ts'
import { apiReferralBody, referralSetUp } from '../referrals/testing.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'

const ons4 = (answer: number) => ({
  'life-satisfaction': answer,
  worthwhile: answer,
  happiness: answer,
  anxiety: 10 - answer,
})

describeEachDatabase('closing the loop', (database) => {
  it('completes the referral when the case closes, tells the referrer, who reads the summary written for them and nothing else of the case', async () => {
    const { db } = database()
    const t = await referralSetUp(db)
    const app = await testApp(db)
    const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
    await updateOutcomeSettings(
      db,
      t.programmeId,
      { measures: [{ instrumentId: 'ons4', stages: ['baseline', 'exit'] }] },
      null,
    )

    // The GP refers.
    const { token } = await createApiToken(db, t.referrer.userId, 'test')
    const sent = await app.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: apiReferralBody(t),
    })
    assert.equal(sent.statusCode, 201, sent.body)
    const referralId = sent.json().id as string

    // The link worker accepts: a case opens.
    const worker = await as(t.worker)
    assert.equal(
      (await worker.post(`/referrals/${referralId}/status`, { status: 'accepted' })).statusCode,
      303,
    )
    const kase = await db
      .selectFrom('cases')
      .selectAll()
      .where('referral_id', '=', referralId)
      .executeTakeFirst()
    assert.ok(kase)
    const caseUrl = `/casework/cases/${kase.id}`

    // Before the case closes, the GP reads that the work is under way, and no summary.
    const gp = await as(t.referrer)
    const early = await gp.get(`/referrals/${referralId}/outcome`)
    assert.equal(early.statusCode, 200)
    assert.match(textOf(early.body), /working with the person/)
    assert.doesNotMatch(textOf(early.body), /Summary for the GP record/)

    // The work: a goal met, a signpost taken up, a note for the GP record, ONS4 4 then 7.
    await worker.post(`${caseUrl}/goals`, { text: 'Join a walking group', progress: 'achieved' })
    await worker.post(`${caseUrl}/signposts`, {
      kind: 'signpost',
      serviceName: 'Citizens Advice Merton',
      need: 'housing',
      note: '',
    })
    const signpost = await db
      .selectFrom('case_signposts')
      .select('id')
      .where('case_id', '=', kase.id)
      .executeTakeFirstOrThrow()
    assert.equal(
      (await worker.post(`${caseUrl}/signposts/${signpost.id}/taken-up`, { takenUp: 'yes' })).statusCode,
      303,
    )
    assert.equal(
      (
        await worker.post(`${caseUrl}/notes`, {
          type: 'benefits_check',
          text: 'Pension credit claim made with her',
          forGpRecord: 'yes',
        })
      ).statusCode,
      303,
    )
    await worker.post(`${caseUrl}/notes`, { type: 'general', text: 'Private working note' })
    const actor = { userId: t.worker.userId, ip: null }
    await recordReading(db, actor, {
      personId: kase.person_id,
      programmeId: t.programmeId,
      instrumentId: 'ons4',
      stage: 'baseline',
      answers: ons4(4),
      enteredBy: 'link_worker',
      takenAt: '2026-10-01T10:00:00.000Z',
    })
    await recordReading(db, actor, {
      personId: kase.person_id,
      programmeId: t.programmeId,
      instrumentId: 'ons4',
      stage: 'exit',
      answers: ons4(7),
      enteredBy: 'link_worker',
      takenAt: '2026-11-20T10:00:00.000Z',
    })

    // The GP cannot open the case itself, nor its summary page there.
    assert.equal((await gp.get(caseUrl)).statusCode, 403)
    assert.equal((await gp.get(`${caseUrl}/gp-summary`)).statusCode, 403)

    // Closing the case completes the referral in the same step, and tells the GP.
    assert.equal(
      (
        await worker.post(`${caseUrl}/exit`, {
          closureReason: 'goals_met',
          exitPlan: 'Walking group on Tuesdays',
        })
      ).statusCode,
      303,
    )
    const referral = await db
      .selectFrom('referrals')
      .select('status')
      .where('id', '=', referralId)
      .executeTakeFirstOrThrow()
    assert.equal(referral.status, 'completed')
    const told = await listNotifications(db, t.referrer.userId)
    assert.ok(told.some((n) => n.kind === 'referral.completed' && n.link === `/referrals/${referralId}`))

    // From the referral, the GP opens the summary written for them.
    const page = await gp.get(`/referrals/${referralId}`)
    assert.match(page.body, new RegExp(`href="/referrals/${referralId}/outcome"`))
    const outcome = await gp.get(`/referrals/${referralId}/outcome`)
    assert.equal(outcome.statusCode, 200)
    const text = textOf(outcome.body)
    assert.match(text, /Case closed: goals met/)
    assert.match(text, /871731000000106/)
    assert.match(text, /Social isolation/)
    assert.match(text, /Citizens Advice Merton\s*Signpost\s*Yes/)
    assert.match(text, /Life satisfaction: 4 on 2026-10-01, then 7 on 2026-11-20/)
    assert.match(text, /Pension credit claim made with her/)
    assert.match(text, /Join a walking group: achieved/)
    assert.match(text, /Walking group on Tuesdays/)
    // Nothing else of the case: not the notes kept for the team.
    assert.doesNotMatch(text, /Private working note/)
    // Someone who is not a party reads nothing.
    const stranger = await as(t.stranger)
    assert.equal((await stranger.get(`/referrals/${referralId}/outcome`)).statusCode, 404)
  })

  it('asks a provider completing a direct referral for its outcome, which the referrer reads', async () => {
    const { db } = database()
    const { seedDemo } = await import('../demo.ts')
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const as = (userId: string) => new PageClient(app).signInAs(userId)
    // A referral to a service, accepted by a provider with an account, made by someone signed in.
    const rows = await db
      .selectFrom('referrals')
      .innerJoin('memberships', 'memberships.organisation_id', 'referrals.receiving_organisation_id')
      .select(['referrals.id', 'referrals.referrer_user_id', 'memberships.user_id'])
      .where('referrals.service_id', 'is not', null)
      .where('referrals.status', '=', 'accepted')
      .where('referrals.referrer_user_id', 'is not', null)
      .where('memberships.role', '=', 'provider')
      .execute()
    const row = rows[0]
    assert.ok(row, 'the demo holds an accepted referral to a provider with an account')
    void demo
    const provider = await as(row.user_id)
    const bare = await provider.post(`/referrals/${row.id}/status`, { status: 'completed', note: '' })
    assert.equal(bare.statusCode, 400)
    assert.match(textOf(bare.body), /Enter the outcome/)
    assert.equal(
      (await db.selectFrom('referrals').select('status').where('id', '=', row.id).executeTakeFirstOrThrow())
        .status,
      'accepted',
    )
    const done = await provider.post(`/referrals/${row.id}/status`, {
      status: 'completed',
      note: 'Came to 10 of 12 sessions and now swims on her own on Fridays.',
    })
    assert.equal(done.statusCode, 303)
    const referrer = await as(row.referrer_user_id!)
    const outcome = textOf((await referrer.get(`/referrals/${row.id}/outcome`)).body)
    assert.match(outcome, /Completed/)
    assert.match(outcome, /now swims on her own on Fridays/)
  })

  it('makes a prescription a referral in the provider’s inbox, whose answer comes back to the case; the link worker records sessions where the provider has no account', async () => {
    const { db } = database()
    const { seedDemo } = await import('../demo.ts')
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const luton = await new PageClient(app).signInAs(demo.access.users['navigator.luton@kith.example']!)
    const id = demo.casework.cases[5]!
    const staffed = new Set(
      (
        await db
          .selectFrom('services')
          .innerJoin('memberships', 'memberships.organisation_id', 'services.provider_organisation_id')
          .select('services.id')
          .where('memberships.role', 'in', ['provider', 'link_worker'])
          .execute()
      ).map((r) => r.id),
    )
    const services = (await db.selectFrom('services').select('id').orderBy('name').execute()).map((r) => r.id)
    const base = { need: '', weeks: '12', expectedSessions: '12', start: '2026-11-02' }
    /** Prescribes the first of these services whose rules the person meets. */
    const prescribeOne = async (candidates: string[]) => {
      for (const serviceId of candidates) {
        const response = await luton.post(`/casework/cases/${id}/prescriptions`, { ...base, serviceId })
        if (response.statusCode === 303) return serviceId
        assert.equal(response.statusCode, 400, response.body)
      }
      assert.fail('no service took the prescription')
    }

    // To a provider with an account: a new referral in its inbox, which it accepts with a note.
    const withAccount = await prescribeOne(services.filter((s) => staffed.has(s)))
    const prescription = await db
      .selectFrom('case_prescriptions')
      .select(['referral_id', 'service_id'])
      .where('case_id', '=', id)
      .where('service_id', '=', withAccount)
      .executeTakeFirstOrThrow()
    assert.ok(prescription.referral_id)
    const referral = await db
      .selectFrom('referrals')
      .select(['status', 'source_case_id', 'receiving_organisation_id'])
      .where('id', '=', prescription.referral_id)
      .executeTakeFirstOrThrow()
    assert.deepEqual(
      { ...referral, receiving_organisation_id: undefined },
      { status: 'requested', source_case_id: id, receiving_organisation_id: undefined },
    )
    const member = await db
      .selectFrom('memberships')
      .select('user_id')
      .where('organisation_id', '=', referral.receiving_organisation_id)
      .where('role', 'in', ['provider', 'link_worker'])
      .executeTakeFirstOrThrow()
    const provider = await new PageClient(app).signInAs(member.user_id)
    assert.match(
      (await provider.get('/referrals/inbox')).body,
      new RegExp(`/referrals/${prescription.referral_id}`),
    )
    assert.equal(
      (
        await provider.post(`/referrals/${prescription.referral_id}/status`, {
          status: 'accepted',
          note: 'First session Monday 10am',
        })
      ).statusCode,
      303,
    )
    const casePage = textOf((await luton.get(`/casework/cases/${id}`)).body)
    assert.match(casePage, /Provider: Accepted/)
    assert.match(casePage, /First session Monday 10am/)

    // To one with no account: accepted for it at once, and the link worker records the sessions.
    const withoutAccount = await prescribeOne(services.filter((s) => !staffed.has(s)))
    const unstaffed = await db
      .selectFrom('case_prescriptions')
      .innerJoin('referrals', 'referrals.id', 'case_prescriptions.referral_id')
      .select(['referrals.status', 'case_prescriptions.person_id'])
      .where('case_prescriptions.case_id', '=', id)
      .where('case_prescriptions.service_id', '=', withoutAccount)
      .executeTakeFirstOrThrow()
    assert.equal(unstaffed.status, 'accepted')
    const kase = await db
      .selectFrom('cases')
      .select('programme_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    const attendance = `/attendance/programmes/${kase.programme_id}/people/${unstaffed.person_id}`
    const session = { serviceId: withoutAccount, 'date-day': '9', 'date-month': '11', 'date-year': '2026' }
    await luton.post(`${attendance}/card/revoke`, {})
    const noCard = await luton.post(`${attendance}/sessions`, session)
    assert.equal(noCard.statusCode, 400)
    assert.match(textOf(noCard.body), /Issue the person an attendance card first/)
    assert.equal((await luton.post(`${attendance}/card`, {})).statusCode, 200)
    assert.equal((await luton.post(`${attendance}/sessions`, session)).statusCode, 303)
    const future = await luton.post(`${attendance}/sessions`, { ...session, 'date-year': '2030' })
    assert.equal(future.statusCode, 400)
    assert.match(textOf(future.body), /today or in the past/)
    const twice = await luton.post(`${attendance}/sessions`, session)
    assert.match(textOf(twice.body), /already recorded/)
    const checkIns = await db
      .selectFrom('check_ins')
      .select(['method', 'session_date'])
      .where('person_id', '=', unstaffed.person_id)
      .where('service_id', '=', withoutAccount)
      .execute()
    assert.deepEqual(
      checkIns.map((c) => ({ ...c })),
      [{ method: 'recorded', session_date: '2026-11-09' }],
    )
  })

  it('lets the receiving team issue an attendance card for an accepted referral to a programme’s service, which the provider then scans', async () => {
    const { db } = database()
    const { seedDemo } = await import('../demo.ts')
    await seedDemo(db)
    const app = await testApp(db)
    const row = await db
      .selectFrom('referrals')
      .innerJoin('memberships', 'memberships.organisation_id', 'referrals.receiving_organisation_id')
      .select([
        'referrals.id',
        'referrals.programme_id',
        'referrals.service_id',
        'referrals.referrer_user_id',
        'memberships.user_id',
      ])
      .where('referrals.service_id', 'is not', null)
      .where('referrals.programme_id', 'is not', null)
      .where('referrals.status', 'in', ['accepted', 'in-progress'])
      .where('referrals.referrer_user_id', 'is not', null)
      .where('memberships.role', '=', 'provider')
      .executeTakeFirst()
    assert.ok(row, 'the demo holds an accepted referral to a service run for a programme (East Riding)')
    const provider = await new PageClient(app).signInAs(row.user_id)
    const page = await provider.get(`/referrals/${row.id}`)
    assert.match(page.body, new RegExp(`action="/referrals/${row.id}/card"`))
    const referrer = await new PageClient(app).signInAs(row.referrer_user_id!)
    assert.equal((await referrer.post(`/referrals/${row.id}/card`, {})).statusCode, 403)
    const card = await provider.post(`/referrals/${row.id}/card`, {})
    assert.equal(card.statusCode, 200)
    const code = /class="kith-card__code">([0-9A-Z-]+)</.exec(card.body)?.[1]
    assert.ok(code)
    const scanned = await provider.post('/attendance/scan', {
      programmeId: row.programme_id!,
      serviceId: row.service_id!,
      code,
    })
    assert.equal(scanned.statusCode, 200, scanned.body)
    assert.match(textOf(scanned.body), /Attendance recorded/)
  })
})
