import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { programmeFixture } from '../outcomes/testing.ts'
import { createAccount, textOf } from '../web/testing.ts'
import { assess, bmiOf, parseMeasurements } from './measurements.ts'
import { kioskReadingsOf } from './store.ts'

describe('kiosk measurements', () => {
  it('works out BMI as kg per square metre, to one decimal place', () => {
    assert.equal(bmiOf(70, 175), 22.9)
    assert.equal(bmiOf(95, 170), 32.9)
  })

  it('refuses implausible values, and a blood pressure without both numbers', () => {
    const bad = parseMeasurements({ systolic: '500', diastolic: '20' })
    assert.ok(!bad.ok)
    assert.deepEqual(
      bad.problems.map((p) => p.field),
      ['systolic', 'diastolic'],
    )
    assert.match(bad.problems[0]?.message ?? '', /between 50 and 300 mmHg/)
    const half = parseMeasurements({ systolic: '120', diastolic: '' })
    assert.ok(!half.ok && /both numbers/.test(half.problems[0]?.message ?? ''))
    const upsideDown = parseMeasurements({ systolic: '80', diastolic: '120' })
    assert.ok(!upsideDown.ok && upsideDown.problems[0]?.field === 'diastolic')
    const metres = parseMeasurements({ weightKg: '70', heightCm: '1.75' })
    assert.ok(!metres.ok && metres.problems[0]?.field === 'heightCm')
    assert.ok(!parseMeasurements({}).ok)
  })

  it('advises speaking to reception outside the NHS healthy ranges, and only then', () => {
    const fine = assess({ systolic: 118, diastolic: 76, weightKg: 70, heightCm: 175 })
    assert.deepEqual(fine.advice, [])
    const high = assess({ systolic: 140, diastolic: 85, weightKg: null, heightCm: null })
    assert.match(high.advice[0]?.text ?? '', /higher than the healthy range\. Please speak to reception/)
    const low = assess({ systolic: 100, diastolic: 60, weightKg: null, heightCm: null })
    assert.match(low.advice[0]?.text ?? '', /lower than the healthy range/)
    const heavy = assess({ systolic: null, diastolic: null, weightKg: 80, heightCm: 175 })
    assert.equal(heavy.bmi, 26.1)
    assert.match(heavy.advice[0]?.text ?? '', /BMI is above the healthy range/)
    for (const advice of [...high.advice, ...low.advice, ...heavy.advice])
      assert.doesNotMatch(advice.text, /hypertension|obese|diagnos/i)
  })
})

describeEachDatabase('the self-care kiosk', (database) => {
  it('records readings against a card and shows nothing about the person', async () => {
    const { db } = database()
    const t = await programmeFixture(db)
    const kiosk = await createAccount(db, 'kiosk', { organisationId: t.practice })
    const worker = await t.as(t.worker)
    const card = await worker.post(`/attendance/programmes/${t.programmeId}/people/${t.personId}/card`, {})
    const code = /class="kith-card__code">([0-9A-Z-]+)</.exec(card.body)?.[1] ?? ''

    const device = await t.as(kiosk)
    const page = await device.get('/kiosk')
    assert.equal(page.statusCode, 200)

    const refused = await device.post('/kiosk', { code, systolic: '500', diastolic: '20' })
    assert.equal(refused.statusCode, 400)
    assert.match(textOf(refused.body), /Your top number \(systolic\) must be between 50 and 300 mmHg/)
    assert.equal((await kioskReadingsOf(db, t.personId, t.programmeId)).length, 0)

    const sent = await device.post('/kiosk', {
      code,
      systolic: '150',
      diastolic: '95',
      weightKg: '80',
      heightCm: '175',
    })
    assert.equal(sent.statusCode, 200)
    assert.equal(sent.headers['cache-control'], 'no-store')
    const text = textOf(sent.body)
    assert.match(text, /Blood pressure 150\/95 mmHg/)
    assert.match(text, /Body mass index \(BMI\) 26\.1/)
    assert.match(text, /blood pressure reading is higher than the healthy range\. Please speak to reception/)
    assert.doesNotMatch(text, /Zoë|Testperson/)
    const readings = await kioskReadingsOf(db, t.personId, t.programmeId)
    assert.deepEqual(
      readings.map((r) => [r.systolic, r.diastolic, r.weightKg, r.heightCm, r.bmi]),
      [[150, 95, 80, 175, 26.1]],
    )
    const events = await listAuditEvents(db, { recordId: t.personId })
    assert.ok(events.some((e) => e.action === 'kiosk-reading.create'))

    // A kiosk of a practice outside the card's programme refuses it.
    const elsewhere = await createAccount(db, 'kiosk', { organisationId: t.otherPractice })
    const other = await (await t.as(elsewhere)).post('/kiosk', { code, weightKg: '80', heightCm: '175' })
    assert.equal(other.statusCode, 400)
    assert.match(textOf(other.body), /cannot be used at this kiosk/)
    assert.equal((await kioskReadingsOf(db, t.personId, t.programmeId)).length, 1)
    const refusals = await listAuditEvents(db, { refusals: true })
    assert.deepEqual(
      refusals.map((e) => [e.action, e.actor_user_id, JSON.parse(e.detail ?? '{}').attempted]),
      [['attendance-card.access-refused', elsewhere.userId, 'kiosk-reading.create']],
    )
    // Only kiosks use the kiosk page.
    assert.equal((await worker.get('/kiosk')).statusCode, 403)
  })
})
