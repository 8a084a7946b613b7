import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'
import { getReferral } from './index.ts'
import { REFERRAL_STATUSES } from './lifecycle.ts'

describeEachDatabase('demo referrals', (database) => {
  it('holds referrals across the schemes in every status, and statistics for the Social Prescribing Service', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const statuses = new Set<string>()
    for (const id of demo.referrals.referrals) statuses.add((await getReferral(db, id))!.status)
    assert.deepEqual([...statuses].sort(), [...REFERRAL_STATUSES].sort())
    const declined = await db
      .selectFrom('referrals')
      .select('decision_reason')
      .where('decision_reason', '=', 'no-reply')
      .execute()
    assert.equal(declined.length, 1)
    // Accepting a referral to a link worker (here the Social Prescribing Service) is coded for the GP record.
    const coded = await db.selectFrom('referral_coded_entries').select('code').execute()
    assert.ok(coded.some((entry) => entry.code === '871731000000106'))
    assert.ok(coded.some((entry) => entry.code === '871711000000103'))
    // Every demo referral a link-worker programme accepted opened its case, as a real acceptance does.
    const accepted = await db
      .selectFrom('referrals')
      .innerJoin('programmes', 'programmes.id', 'referrals.programme_id')
      .innerJoin('referral_events', 'referral_events.referral_id', 'referrals.id')
      .select(['referrals.id', 'referral_events.at'])
      .where('programmes.pathway', '=', 'link_worker')
      .where('referral_events.to_status', '=', 'accepted')
      .execute()
    assert.ok(accepted.length >= 3, `${accepted.length} accepted`)
    const opened = await db
      .selectFrom('cases')
      .select(['referral_id', 'opened_at'])
      .where('referral_id', 'is not', null)
      .execute()
    const openedAt = new Map(opened.map((c) => [c.referral_id, c.opened_at]))
    // Each opened on the day its referral was accepted, not when the demo was loaded.
    for (const referral of accepted) assert.equal(openedAt.get(referral.id), referral.at, referral.id)

    const app = await testApp(db)
    const visitor = new PageClient(app)
    const sps = demo.directory.services['th.sps']!
    const page = textOf((await visitor.get(`/directory/services/${sps}`)).body)
    assert.match(page, /Usually replies in \d+ days/)
    assert.match(page, /\d+% of referrals accepted/)

    const refused = textOf((await visitor.get(`/self-referral/services/${sps}`)).body)
    assert.match(refused, /does not take self-referrals/)
    assert.match(refused, /Professional referrals only/)
    const culm = demo.programmes.programmes.culm!
    assert.equal((await visitor.get(`/self-referral/programmes/${culm}`)).statusCode, 200)
  })

  it('sends a weight-related goal to the weight management service instead', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const gp = await new PageClient(app).signInAs(demo.access.users['gp.towerhamlets@kith.example']!)
    const sps = demo.directory.services['th.sps']!
    const form = await gp.get(`/referrals/new/services/${sps}`)
    assert.equal(form.statusCode, 200)
    const answers = Object.fromEntries(
      [...form.body.matchAll(/name="(answer-[a-z0-9-]+)"/g)].map((m) => [m[1]!, 'no']),
    )
    for (const yes of ['capacity-to-engage', 'needs-identified-by-practice', 'wants-to-make-change'])
      answers[`answer-${yes}`] = 'yes'
    const result = await gp.post(`/referrals/new/services/${sps}`, {
      givenName: 'Wendy',
      familyName: 'Fictional',
      'dateOfBirth-day': '2',
      'dateOfBirth-month': '2',
      'dateOfBirth-year': '1980',
      registeredPracticeId: demo.access.organisations['th.bromleybybow']!,
      ...answers,
      goals: 'Lose weight before my knee operation',
      consentGiven: 'yes',
      consentGivenBy: 'person',
      consentMethod: 'verbal',
      referrerKind: 'gp_practice',
      referrerContact: 'gp@example.org',
    })
    assert.equal(result.statusCode, 200, result.body.slice(0, 2000))
    const text = textOf(result.body)
    assert.match(text, /The referral was not sent/)
    assert.match(text, /Weight Management/i)
  })
})
