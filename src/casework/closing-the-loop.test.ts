import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createApiToken } from '../access/tokens.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { listNotifications } from '../interop/notifications.ts'
import { recordReading } from '../outcomes/measures.ts'
import { updateOutcomeSettings } from '../outcomes/store.ts'
import { referralSetUp } from '../referrals/testing.ts'
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
})
