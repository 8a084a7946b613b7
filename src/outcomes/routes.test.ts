import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { createApiToken } from '../access/tokens.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { textOf } from '../web/testing.ts'
import { measuresDue } from './measures.ts'
import { readingsOfPerson } from './store.ts'
import { programmeFixture } from './testing.ts'

const ons4 = (life: number, worthwhile: number, happiness: number, anxiety: number) => ({
  'answers.life-satisfaction': String(life),
  'answers.worthwhile': String(worthwhile),
  'answers.happiness': String(happiness),
  'answers.anxiety': String(anxiety),
})

describeEachDatabase('outcome measure pages', (database) => {
  it('lets the manager schedule measures and a star, and prompts when they are due', async () => {
    const { db } = database()
    const t = await programmeFixture(db)
    const manager = await t.as(t.manager)
    const star = await manager.post(`/programmes/${t.programmeId}/outcomes/star`, {
      name: 'Wellbeing star',
      domains: 'Managing money\nSocial connection\nPain | lower',
      scaleMin: '1',
      scaleMax: '10',
    })
    assert.equal(star.statusCode, 303)
    const schedule = await manager.post(`/programmes/${t.programmeId}/outcomes/schedule`, {
      'stages.ons4': ['baseline', 'exit'],
      'stages.star:wellbeing-star': ['baseline', 'review', 'exit'],
    })
    assert.equal(schedule.statusCode, 303)
    const page = textOf((await manager.get(`/programmes/${t.programmeId}/outcomes`)).body)
    assert.match(page, /ONS4 personal well-being Baseline, Exit/)
    assert.match(page, /Wellbeing star Baseline, Review, Exit/)

    const due = await measuresDue(db, t.personId, t.programmeId, 'baseline')
    assert.deepEqual(
      due.map((d) => d.instrumentId),
      ['ons4', 'star:wellbeing-star'],
    )
    assert.deepEqual(
      (await measuresDue(db, t.personId, t.programmeId, 'review')).map((d) => d.instrumentId),
      ['star:wellbeing-star'],
    )

    // A star with two domains of the same name is refused, and nothing changes.
    const bad = await manager.post(`/programmes/${t.programmeId}/outcomes/star`, {
      name: 'Wellbeing star',
      domains: 'Money\nMoney',
      scaleMin: '1',
      scaleMax: '10',
    })
    assert.equal(bad.statusCode, 400)
    assert.match(textOf(bad.body), /Two domains are called "money"/)
    // Other managers and link workers cannot change it.
    assert.equal(
      (await (await t.as(t.otherManager)).get(`/programmes/${t.programmeId}/outcomes/schedule`)).statusCode,
      404,
    )
    assert.equal(
      (await (await t.as(t.worker)).get(`/programmes/${t.programmeId}/outcomes/schedule`)).statusCode,
      403,
    )
  })

  it('records answers with the link worker, refuses bad answers, and shows change', async () => {
    const { db } = database()
    let clock = new Date('2026-09-01T10:00:00Z')
    const t = await programmeFixture(db, () => clock)
    await (await t.as(t.manager)).post(`/programmes/${t.programmeId}/outcomes/schedule`, {
      'stages.ons4': ['baseline', 'exit'],
    })
    const worker = await t.as(t.worker)
    const base = `/outcomes/programmes/${t.programmeId}/people/${t.personId}`

    const form = await worker.get(`${base}/record/ons4/baseline`)
    assert.equal(form.statusCode, 200)
    assert.match(textOf(form.body), /Overall, how satisfied are you with your life nowadays\?/)

    const missing = await worker.post(`${base}/record/ons4/baseline`, {
      'answers.life-satisfaction': '4',
      'answers.worthwhile': '11',
      'answers.happiness': '5',
    })
    assert.equal(missing.statusCode, 400)
    const text = textOf(missing.body)
    assert.match(text, /must be a whole number from 0 to 10/)
    assert.match(text, /Answer "On a scale where nought is 'not at all anxious'/)
    assert.match(missing.body, /href="#answers-worthwhile"/)
    assert.equal((await readingsOfPerson(db, t.personId, t.programmeId)).length, 0)

    assert.equal((await worker.post(`${base}/record/ons4/baseline`, ons4(4, 5, 5, 7))).statusCode, 303)
    clock = new Date('2026-12-01T10:00:00Z')
    // The exit reading is given by the person on a shared screen.
    const shared = await worker.get(`${base}/record/ons4/exit/shared`)
    assert.doesNotMatch(shared.body, /Testperson/)
    assert.doesNotMatch(shared.body, /Sign out/)
    const sent = await worker.post(`${base}/record/ons4/exit/shared`, ons4(7, 5, 4, 3))
    assert.equal(sent.headers.location, `${base}/thank-you`)

    const readings = await readingsOfPerson(db, t.personId, t.programmeId)
    assert.deepEqual(
      readings.map((r) => [r.stage, r.enteredBy, r.scores['life-satisfaction']]),
      [
        ['baseline', 'link_worker', 4],
        ['exit', 'person', 7],
      ],
    )
    assert.deepEqual(await measuresDue(db, t.personId, t.programmeId, 'exit'), [])

    const page = textOf((await worker.get(base)).body)
    assert.match(page, /Life satisfaction \(better when higher\) 4 \(Low\) 7 \(High\) Better/)
    assert.match(page, /Worthwhile \(better when higher\) 5 \(Medium\) 5 \(Medium\) No change/)
    assert.match(page, /Happiness \(better when higher\) 5 \(Medium\) 4 \(Low\) Worse/)
    assert.match(page, /Anxiety \(better when lower\) 7 \(High\) 3 \(Low\) Better/)

    const programme = textOf((await worker.get(`/programmes/${t.programmeId}/outcomes`)).body)
    assert.match(
      programme,
      /1 of 1 person with a reading had a baseline and a later reading; 100% of them improved/,
    )
    assert.match(programme, /Life satisfaction Higher 1 4\.0 7\.0 \+3\.0 1 0 0 100%/)

    const events = await listAuditEvents(db, { recordId: t.personId })
    assert.equal(events.filter((e) => e.action === 'outcome-reading.create').length, 2)
    assert.ok(events.some((e) => e.action === 'outcome-reading.read'))
  })

  it('hides people and programmes from those who may not see them', async () => {
    const { db } = database()
    const t = await programmeFixture(db)
    const worker = await t.as(t.worker)
    // Someone outside the programme's practices.
    assert.equal(
      (await worker.get(`/outcomes/programmes/${t.programmeId}/people/${t.strangerId}`)).statusCode,
      404,
    )
    // A link worker of another programme.
    const other = await t.as(t.otherWorker)
    assert.equal(
      (await other.get(`/outcomes/programmes/${t.programmeId}/people/${t.personId}`)).statusCode,
      404,
    )
    assert.equal((await other.get(`/programmes/${t.programmeId}/outcomes`)).statusCode, 404)
    assert.equal((await worker.get(`/outcomes/programmes/${t.programmeId}/people/not-an-id`)).statusCode, 404)
  })

  it('computes the outcome payment from the rules the manager sets', async () => {
    const { db } = database()
    let clock = new Date('2026-09-01T10:00:00Z')
    const t = await programmeFixture(db, () => clock)
    const manager = await t.as(t.manager)
    await manager.post(`/programmes/${t.programmeId}/outcomes/star`, {
      name: 'Wellbeing star',
      domains: 'Money\nFriends',
      scaleMin: '1',
      scaleMax: '10',
    })
    const refused = await manager.post(`/programmes/${t.programmeId}/outcomes/payments`, {
      instrumentId: 'star:wellbeing-star',
      perPersonImproved: 'lots',
    })
    assert.equal(refused.statusCode, 400)
    assert.match(textOf(refused.body), /Enter the payment for each person who improved in pounds/)
    assert.equal(
      (
        await manager.post(`/programmes/${t.programmeId}/outcomes/payments`, {
          instrumentId: 'star:wellbeing-star',
          perPersonImproved: '250',
          cap: '',
        })
      ).statusCode,
      303,
    )
    const worker = await t.as(t.worker)
    const base = `/outcomes/programmes/${t.programmeId}/people/${t.personId}`
    await worker.post(`${base}/record/star%3Awellbeing-star/baseline`, {
      'answers.money': '3',
      'answers.friends': '5',
    })
    clock = new Date('2026-10-01T10:00:00Z')
    await worker.post(`${base}/record/star%3Awellbeing-star/review`, {
      'answers.money': '3',
      'answers.friends': '7',
    })
    const page = textOf((await manager.get(`/programmes/${t.programmeId}/outcomes/payments`)).body)
    assert.match(page, /People with at least two readings 1/)
    assert.match(page, /Improved in at least one domain 1 \(100% of those with two readings\)/)
    assert.match(page, /Outcome payment due £250\.00/)

    const { token } = await createApiToken(db, t.manager.userId, 'test')
    const api = await t.app.inject({
      method: 'GET',
      url: `/api/v1/programmes/${t.programmeId}/outcomes`,
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(api.statusCode, 200)
    const body = api.json() as { outcomePayment: { paymentPence: number; withTwoReadings: number } }
    assert.deepEqual([body.outcomePayment.paymentPence, body.outcomePayment.withTwoReadings], [25_000, 1])
  })
})
