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
      .where('id', 'in', demo.referrals.referrals)
      .execute()
    assert.equal(declined.length, 1)
    // Accepting a referral to a link worker (here the Social Prescribing Service) is coded for the GP record.
    const coded = await db.selectFrom('referral_coded_entries').select('code').execute()
    assert.ok(coded.some((entry) => entry.code === '871731000000106'))
    assert.ok(coded.some((entry) => entry.code === '871711000000103'))
    // Every demo referral accepted by a link-worker or volunteering programme (or by a listing run
    // for one) opened its case, as a real acceptance does; direct to service opened none.
    const accepted = await db
      .selectFrom('referrals')
      .innerJoin('programmes', 'programmes.id', 'referrals.programme_id')
      .innerJoin('referral_events', 'referral_events.referral_id', 'referrals.id')
      .select(['referrals.id', 'referral_events.at', 'programmes.pathway', 'referrals.service_id'])
      .where('referral_events.to_status', '=', 'accepted')
      .execute()
    const withCase = accepted.filter((r) => r.pathway !== 'direct_to_service')
    assert.ok(withCase.length >= 3, `${withCase.length} accepted`)
    const sps = demo.directory.services['th.sps']!
    assert.ok(withCase.filter((r) => r.service_id === sps).length >= 4, 'the listing opened cases')
    assert.ok(accepted.some((r) => r.pathway === 'volunteering'))
    assert.ok(accepted.some((r) => r.pathway === 'direct_to_service'))
    const opened = await db
      .selectFrom('cases')
      .select(['referral_id', 'opened_at'])
      .where('referral_id', 'is not', null)
      .execute()
    const openedAt = new Map(opened.map((c) => [c.referral_id, c.opened_at]))
    // Each opened on the day its referral was accepted, not when the demo was loaded.
    for (const referral of withCase) assert.equal(openedAt.get(referral.id), referral.at, referral.id)
    for (const referral of accepted.filter((r) => r.pathway === 'direct_to_service'))
      assert.equal(openedAt.has(referral.id), false, referral.id)
    // The listing's cases are in its own programme, whose cap is 5 further appointments.
    const listingCases = await db
      .selectFrom('cases')
      .innerJoin('referrals', 'referrals.id', 'cases.referral_id')
      .select('cases.programme_id')
      .where('referrals.service_id', '=', sps)
      .execute()
    assert.ok(listingCases.every((c) => c.programme_id === demo.programmes.programmes['th.sps']))
    // Blackburn's cases: held by the project officer, each with its programme's supporting worker.
    const blackburn = await db
      .selectFrom('cases')
      .select(['programme_id', 'link_worker_user_id', 'supporting_user_id'])
      .where('programme_id', 'in', [
        demo.programmes.programmes['bwd.recovery']!,
        demo.programmes.programmes['bwd.mental-health']!,
      ])
      // The cases the demo's referrals opened (not the year of closed history behind them).
      .where('referral_id', 'in', demo.referrals.referrals)
      .orderBy('programme_id')
      .execute()
    const user = (email: string) => demo.access.users[email]
    assert.deepEqual(
      blackburn.map((c) => [c.programme_id, c.link_worker_user_id, c.supporting_user_id]).sort(),
      [
        [
          demo.programmes.programmes['bwd.recovery'],
          user('officer.blackburn@kith.example'),
          user('recovery.blackburn@kith.example'),
        ],
        [
          demo.programmes.programmes['bwd.mental-health'],
          user('officer.blackburn@kith.example'),
          user('navigator.blackburn@kith.example'),
        ],
      ].sort(),
    )

    const app = await testApp(db)
    const visitor = new PageClient(app)
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

  it('walks each pathway with the demo accounts: the listing, East Riding and Blackburn with Darwen', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const as = (email: string) => new PageClient(app).signInAs(demo.access.users[email]!)
    const organisation = (key: string) => demo.access.organisations[key]!
    const person = (givenName: string, practice: string) => ({
      givenName,
      familyName: 'Walkthrough',
      'dateOfBirth-day': '2',
      'dateOfBirth-month': '2',
      'dateOfBirth-year': '1980',
      registeredPracticeId: organisation(practice),
      whatMatters: 'Feeling part of things again',
      goals: 'Meet people nearby',
      consentGiven: 'yes',
      consentGivenBy: 'person',
      consentMethod: 'verbal',
      referrerContact: 'referrer@example.org',
    })
    const sentId = (response: { statusCode: number; headers: Record<string, unknown>; body: string }) => {
      assert.equal(response.statusCode, 303, response.body.slice(0, 2000))
      return String(response.headers.location).split('/')[2]!.split('?')[0]!
    }
    const caseOf = (referralId: string) =>
      db.selectFrom('cases').selectAll().where('referral_id', '=', referralId).executeTakeFirst()

    // 1. Link worker, through the listing: the GP refers from the directory, a social prescriber accepts.
    const sps = demo.directory.services['th.sps']!
    const gp = await as('gp.towerhamlets@kith.example')
    assert.match((await gp.get(`/directory/services/${sps}`)).body, /Refer someone to this service/)
    const form = await gp.get(`/referrals/new/services/${sps}`)
    const answers = Object.fromEntries(
      [...form.body.matchAll(/name="(answer-[a-z0-9-]+)"/g)].map((m) => [m[1]!, 'no']),
    )
    for (const yes of ['capacity-to-engage', 'needs-identified-by-practice', 'wants-to-make-change'])
      answers[`answer-${yes}`] = 'yes'
    const toListing = {
      ...person('Ada', 'th.bromleybybow'),
      ...answers,
      needs: ['social-isolation'],
      referrerKind: 'gp_practice',
    }
    const onBehalf = await gp.post(`/referrals/new/services/${sps}`, {
      ...toListing,
      consentGivenBy: 'representative',
      representativeName: 'Ben Walkthrough',
      representativeRelationship: 'Son',
    })
    assert.match(textOf(onBehalf.body), /Consent was given by someone on the person’s behalf/)
    const listingReferral = sentId(await gp.post(`/referrals/new/services/${sps}`, toListing))
    const yusuf = await as('prescriber.towerhamlets@kith.example')
    assert.equal(
      (await yusuf.post(`/referrals/${listingReferral}/status`, { status: 'accepted' })).statusCode,
      303,
    )
    const listingCase = await caseOf(listingReferral)
    assert.equal(listingCase?.programme_id, demo.programmes.programmes['th.sps'])
    assert.equal(listingCase?.link_worker_user_id, demo.access.users['prescriber.towerhamlets@kith.example'])
    assert.match(
      textOf((await yusuf.get(`/casework/cases/${listingCase!.id}`)).body),
      /at most 5 further appointments, the exit included/,
    )

    // 2. Direct to service: the GP chooses among East Riding's services; the leisure centre replies;
    //    public health sees it.
    const er = demo.programmes.programmes.er!
    const exercise = demo.directory.services['er.exercise']!
    const amira = await as('gp.eastriding@kith.example')
    const choose = textOf((await amira.get(`/referrals/new/programmes/${er}`)).body)
    for (const name of ['Exercise on Prescription', 'Live Well programme', 'Books on Prescription'])
      assert.ok(choose.includes(name), name)
    const directReferral = sentId(
      await amira.post(`/referrals/new/services/${exercise}`, {
        ...person('Bea', 'er.beverley'),
        needs: ['physical-activity'],
        referrerKind: 'gp_practice',
      }),
    )
    const sarah = await as('provider.eastriding@kith.example')
    assert.match(textOf((await sarah.get('/referrals/inbox')).body), /Bea Walkthrough/)
    assert.equal(
      (await sarah.post(`/referrals/${directReferral}/status`, { status: 'accepted' })).statusCode,
      303,
    )
    assert.equal(await caseOf(directReferral), undefined)
    const graham = await as('manager.eastriding@kith.example')
    const everyReferral = textOf((await graham.get(`/referrals/programmes/${er}`)).body)
    assert.match(everyReferral, /Bea Walkthrough/)
    assert.match(everyReferral, /Ray Placeholder/)

    // 3. Volunteering: the social worker refers to the recovery programme; the project officer
    //    accepts; the recovery support officer supports, and has the case in their caseload.
    const recovery = demo.programmes.programmes['bwd.recovery']!
    const jo = await as('socialworker.blackburn@kith.example')
    const volunteeringReferral = sentId(
      await jo.post(`/referrals/new/programmes/${recovery}`, {
        ...person('Cal', 'bwd.central'),
        'answer-drug-or-alcohol-recovery': 'yes',
        referrerKind: 'social_care',
      }),
    )
    const aisha = await as('officer.blackburn@kith.example')
    assert.equal(
      (await aisha.post(`/referrals/${volunteeringReferral}/status`, { status: 'accepted' })).statusCode,
      303,
    )
    const volunteeringCase = await caseOf(volunteeringReferral)
    assert.equal(volunteeringCase?.link_worker_user_id, demo.access.users['officer.blackburn@kith.example'])
    assert.equal(volunteeringCase?.supporting_user_id, demo.access.users['recovery.blackburn@kith.example'])
    const mel = await as('recovery.blackburn@kith.example')
    assert.match(textOf((await mel.get('/casework')).body), /Cal Walkthrough/)
    assert.match(
      textOf((await aisha.get(`/casework/cases/${volunteeringCase!.id}`)).body),
      /Supporting worker Mel Duckworth/,
    )
  })
})
