import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { openCase } from '../casework/index.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { programmeFixture, SYSTEM } from '../outcomes/testing.ts'
import { personInputSchema } from '../people/person.ts'
import { createPersonRecord } from '../people/records.ts'
import { createAccount, type PageClient, textOf } from '../web/testing.ts'
import { parseDateOfBirth, parseLinking } from './linking.ts'
import { assess, bmiOf, parseMeasurements } from './measurements.ts'
import { kioskReadingCounts, kioskReadingsOf, movePersonKioskReadings } from './store.ts'

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

describe('linking a kiosk reading', () => {
  const today = '2026-11-22'
  const dob = (day: string, month: string, year: string) => ({
    'dateOfBirth-day': day,
    'dateOfBirth-month': month,
    'dateOfBirth-year': year,
  })

  it('reads a date of birth as day, month and year, refusing dates that do not exist', () => {
    assert.deepEqual(parseDateOfBirth(dob('1', '7', '1958'), today), { ok: true, value: '1958-07-01' })
    const message = (body: Record<string, string>) => {
      const parsed = parseDateOfBirth(body, today)
      return parsed.ok ? '' : parsed.message
    }
    assert.equal(message({}), 'Enter your date of birth')
    assert.equal(message(dob('31', '2', '1980')), 'Your date of birth must be a real date, like 15 3 1984')
    assert.equal(message(dob('1', 'July', '1958')), 'Your date of birth must be a real date, like 15 3 1984')
    assert.equal(message(dob('1', '', '1958')), 'Your date of birth must include a month')
    assert.equal(message(dob('23', '11', '2026')), 'Your date of birth must be in the past')
    assert.equal(message(dob('1', '1', '1889')), 'Your date of birth must be after 1890')
  })

  it('asks how to link, takes a card when none was chosen, and normalises the postcode', () => {
    const none = parseLinking({}, today)
    assert.ok(!none.ok && none.problems[0]?.field === 'link')
    assert.deepEqual(parseLinking({ code: 'ABCD-EFGH' }, today), { ok: true, value: { link: 'card' } })
    assert.deepEqual(parseLinking({ link: 'none', postcode: 'nonsense' }, today), {
      ok: true,
      value: { link: 'none' },
    })
    assert.deepEqual(
      parseLinking({ link: 'details', ...dob('1', '7', '1958'), postcode: ' ex151fe ' }, today),
      {
        ok: true,
        value: { link: 'details', dateOfBirth: '1958-07-01', postcode: 'EX15 1FE' },
      },
    )
    const bad = parseLinking({ link: 'details', ...dob('31', '2', '1980'), postcode: 'EX15' }, today)
    assert.ok(!bad.ok)
    assert.deepEqual(
      bad.problems.map((p) => [p.field, p.message]),
      [
        ['dateOfBirth', 'Your date of birth must be a real date, like 15 3 1984'],
        ['postcode', 'Enter a full UK postcode, like EX15 1FE'],
      ],
    )
    const chosen = parseLinking({ link: 'somebody' }, today)
    assert.ok(!chosen.ok && chosen.problems[0]?.field === 'link')
  })
})

/** Gives a person a postcode (the fixture's people have none). */
async function livesAt(db: Db, personId: string, postcode: string) {
  await db.updateTable('people').set({ postcode }).where('id', '=', personId).execute()
}

async function newPerson(
  db: Db,
  practiceId: string,
  givenName: string,
  dateOfBirth: string,
  postcode: string,
) {
  return createPersonRecord(
    db,
    SYSTEM,
    personInputSchema('2026-11-22').parse({
      givenName,
      familyName: 'Testperson',
      dateOfBirth,
      postcode,
      registeredPracticeId: practiceId,
      addressLines: ['1 Station Road'],
      contactMethods: [],
      conditions: [],
    }),
  )
}

const BORN = { 'dateOfBirth-day': '1', 'dateOfBirth-month': '7', 'dateOfBirth-year': '1958' }
const EVER = { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' }

/** What the kiosk shows after sending: the page's text, which must not depend on who was found. */
async function send(device: PageClient, body: Record<string, string>) {
  const response = await device.post('/kiosk', body)
  return { status: response.statusCode, text: textOf(response.body), body: response.body }
}

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

describeEachDatabase('the kiosk without a card', (database) => {
  it('keeps an anonymous reading and counts it, for the programme manager, with no personal data', async () => {
    const { db } = database()
    const t = await programmeFixture(db)
    const kiosk = await createAccount(db, 'kiosk', { organisationId: t.practice })
    const device = await t.as(kiosk)

    const form = await device.get('/kiosk')
    const page = textOf(form.body)
    assert.match(page, /Add your readings to your record\?/)
    assert.match(page, /Yes, with my card/)
    assert.match(page, /I do not have a card: use my date of birth and postcode/)
    assert.match(page, /Do not add them to my record: just record my readings/)
    // Every way works without JavaScript: the card code, date of birth and postcode are plain fields.
    for (const id of ['code', 'dateOfBirth-day', 'dateOfBirth-month', 'dateOfBirth-year', 'postcode'])
      assert.match(form.body, new RegExp(`id="${id}"`))

    const sent = await send(device, { link: 'none', systolic: '128', diastolic: '82' })
    assert.equal(sent.status, 200)
    assert.match(sent.text, /Thank you: your readings are saved/)
    assert.match(sent.text, /Show this screen to reception if you want your readings added to your record/)
    assert.match(sent.text, /Blood pressure 128\/82 mmHg/)
    assert.deepEqual(await kioskReadingCounts(db, { organisationId: t.practice, ...EVER }), {
      linked: 0,
      anonymous: 1,
    })
    assert.deepEqual(await kioskReadingCounts(db, { organisationId: t.otherPractice, ...EVER }), {
      linked: 0,
      anonymous: 0,
    })
    assert.deepEqual(
      await kioskReadingCounts(db, { from: '2000-01-01T00:00:00.000Z', to: '2000-02-01T00:00:00.000Z' }),
      {
        linked: 0,
        anonymous: 0,
      },
    )
    // An anonymous reading is no one's: it is on no case.
    assert.equal((await kioskReadingsOf(db, t.personId, t.programmeId)).length, 0)

    // The programme manager sees the figures for the practices their programmes cover.
    const counts = await (await t.as(t.manager)).get('/kiosk/readings')
    assert.equal(counts.statusCode, 200)
    const text = textOf(counts.body)
    assert.match(text, /Last 30 days .* Mersey Place Surgery 0 1 1/)
    assert.doesNotMatch(text, /Elsewhere Surgery|Zoë|Testperson/)
    const other = textOf((await (await t.as(t.otherManager)).get('/kiosk/readings')).body)
    assert.match(other, /Elsewhere Surgery 0 0 0/)
    assert.doesNotMatch(other, /Mersey Place Surgery/)
    // Managers only: not the kiosk, not a link worker.
    assert.equal((await device.get('/kiosk/readings')).statusCode, 403)
    assert.equal((await (await t.as(t.worker)).get('/kiosk/readings')).statusCode, 403)
  })

  it('links a reading by date of birth and postcode to the one person in a covering programme’s caseload', async () => {
    const { db } = database()
    const t = await programmeFixture(db)
    const kiosk = await createAccount(db, 'kiosk', { organisationId: t.practice })
    const device = await t.as(kiosk)
    await livesAt(db, t.personId, 'EX15 1FE')
    await livesAt(db, t.neighbourPersonId, 'EX15 2AA')
    await livesAt(db, t.unreferredId, 'EX15 3BB')
    // In the caseload of a programme that does not cover the kiosk's practice.
    await livesAt(db, t.strangerId, 'EX15 4CC')
    await openCase(db, SYSTEM, { personId: t.strangerId, programmeId: t.otherProgrammeId })
    // Two people with the same date of birth and postcode, both in the programme's caseload.
    for (const name of ['Twin', 'Twain']) {
      const id = await newPerson(db, t.practice, name, '1970-01-02', 'EX15 5DD')
      await openCase(db, SYSTEM, { personId: id, programmeId: t.programmeId })
    }
    const reading = { systolic: '150', diastolic: '95', weightKg: '80', heightCm: '175' }

    // The person with a case in the programme: linked, in that programme, postcode typed loosely.
    const linked = await send(device, { link: 'details', ...BORN, postcode: 'ex151fe', ...reading })
    assert.equal(linked.status, 200)
    assert.equal(linked.text.includes('Zoë'), false)
    const readings = await kioskReadingsOf(db, t.personId, t.programmeId)
    assert.deepEqual(
      readings.map((r) => [r.linkedBy, r.systolic, r.diastolic, r.weightKg, r.heightCm, r.bmi]),
      [['date-of-birth-and-postcode', 150, 95, 80, 175, 26.1]],
    )
    assert.equal((await kioskReadingsOf(db, t.personId, t.neighbourProgrammeId)).length, 0)
    // The match is audited as a read of the person's record, without the details given.
    const reads = (await listAuditEvents(db, { recordId: t.personId, action: 'person.read' })).filter((e) =>
      (e.detail ?? '').includes('kiosk-match'),
    )
    assert.equal(reads.length, 1)
    assert.equal(reads[0]?.actor_user_id, kiosk.userId)
    assert.doesNotMatch(reads[0]?.detail ?? '', /1958|EX15/i)
    const created = await listAuditEvents(db, { recordId: t.personId, action: 'kiosk-reading.create' })
    assert.equal(created.length, 1)
    assert.doesNotMatch(created[0]?.detail ?? '', /1958|EX15/i)

    // The neighbouring programme's person: linked to the neighbouring programme, not the other.
    const neighbour = await send(device, { link: 'details', ...BORN, postcode: 'EX15 2AA', ...reading })
    assert.equal((await kioskReadingsOf(db, t.neighbourPersonId, t.neighbourProgrammeId)).length, 1)
    assert.equal((await kioskReadingsOf(db, t.neighbourPersonId, t.programmeId)).length, 0)

    // Registered at the practice but in no caseload; in the caseload of a programme that does not
    // cover this practice; two people; no one: kept anonymously.
    const unreferred = await send(device, { link: 'details', ...BORN, postcode: 'EX15 3BB', ...reading })
    const stranger = await send(device, { link: 'details', ...BORN, postcode: 'EX15 4CC', ...reading })
    const twins = await send(device, {
      link: 'details',
      'dateOfBirth-day': '2',
      'dateOfBirth-month': '1',
      'dateOfBirth-year': '1970',
      postcode: 'EX15 5DD',
      ...reading,
    })
    const nobody = await send(device, { link: 'details', ...BORN, postcode: 'TQ1 1AA', ...reading })
    const anonymous = await send(device, { link: 'none', ...reading })
    assert.equal((await kioskReadingsOf(db, t.unreferredId, t.programmeId)).length, 0)
    assert.equal((await kioskReadingsOf(db, t.strangerId, t.otherProgrammeId)).length, 0)
    assert.deepEqual(await kioskReadingCounts(db, EVER), { linked: 2, anonymous: 5 })

    // The kiosk is no oracle: the screen reads the same whoever was found, or no one.
    for (const other of [neighbour, unreferred, stranger, twins, nobody, anonymous]) {
      assert.equal(other.status, 200)
      assert.equal(other.text, linked.text)
    }
    assert.match(linked.text, /Thank you: your readings are saved/)
    assert.match(linked.text, /Show this screen to reception if you want your readings added to your record/)
  })

  it('shows a linked reading on the case and in the summary for the GP', async () => {
    const { db } = database()
    const t = await programmeFixture(db)
    const kiosk = await createAccount(db, 'kiosk', { organisationId: t.practice })
    await livesAt(db, t.personId, 'EX15 1FE')
    const sent = await send(await t.as(kiosk), {
      link: 'details',
      ...BORN,
      postcode: 'EX15 1FE',
      systolic: '138',
      diastolic: '86',
      weightKg: '82.5',
      heightCm: '168',
    })
    assert.equal(sent.status, 200)

    const worker = await t.as(t.worker)
    const page = textOf((await worker.get(`/casework/cases/${t.caseId}`)).body)
    assert.match(
      page,
      /Self-care kiosk readings .* 138\/86 mmHg 82\.5 kg 168 cm 29\.2 Date of birth and postcode/,
    )
    const summary = await worker.get(`/casework/cases/${t.caseId}/gp-summary.txt`)
    assert.equal(summary.statusCode, 200)
    assert.match(
      summary.body,
      /Self-measurements at the kiosk[\s\S]*\d{4}-\d{2}-\d{2}, blood pressure 138\/86 mmHg, weight 82\.5 kg, BMI 29\.2 \(linked by date of birth and postcode\)/,
    )
    // The neighbouring programme's link worker sees no case of this person, nor their reading.
    assert.equal((await (await t.as(t.neighbourWorker)).get(`/casework/cases/${t.caseId}`)).statusCode, 404)

    // Merging the person's records moves the reading to the record kept.
    const kept = await newPerson(db, t.practice, 'Zoe', '1958-07-01', 'EX15 1FE')
    await movePersonKioskReadings(db, t.personId, kept)
    assert.equal((await kioskReadingsOf(db, kept, t.programmeId)).length, 1)
    assert.equal((await kioskReadingsOf(db, t.personId, t.programmeId)).length, 0)
  })

  it('refuses a date of birth or postcode that cannot be right, clearly, and saves nothing', async () => {
    const { db } = database()
    const t = await programmeFixture(db)
    const kiosk = await createAccount(db, 'kiosk', { organisationId: t.practice })
    const device = await t.as(kiosk)
    await livesAt(db, t.personId, 'EX15 1FE')

    const impossible = await device.post('/kiosk', {
      link: 'details',
      'dateOfBirth-day': '31',
      'dateOfBirth-month': '2',
      'dateOfBirth-year': '1958',
      postcode: 'EX15',
      weightKg: '80',
      heightCm: '175',
    })
    assert.equal(impossible.statusCode, 400)
    assert.match(impossible.body, /<title>Error: /)
    const text = textOf(impossible.body)
    assert.match(text, /There is a problem/)
    assert.match(text, /Your date of birth must be a real date, like 15 3 1984/)
    assert.match(text, /Enter a full UK postcode, like EX15 1FE/)
    assert.match(impossible.body, /href="#dateOfBirth-day"/)
    assert.match(impossible.body, /href="#postcode"/)
    // What was typed is kept, and the choice stays open.
    assert.match(impossible.body, /name="postcode" type="text" value="EX15"|value="EX15"/)
    assert.match(impossible.body, /value="details" checked/)

    const missing = await device.post('/kiosk', { weightKg: '80', heightCm: '175' })
    assert.equal(missing.statusCode, 400)
    assert.match(textOf(missing.body), /Choose whether to add your readings to your record/)
    assert.match(missing.body, /href="#link"/)

    const empty = await device.post('/kiosk', { link: 'details', weightKg: '80', heightCm: '175' })
    assert.match(textOf(empty.body), /Enter your date of birth .* Enter your postcode/)

    // Bad readings with good details: nothing is saved, and nothing is looked up.
    const implausible = await device.post('/kiosk', {
      link: 'details',
      ...BORN,
      postcode: 'EX15 1FE',
      weightKg: '800',
    })
    assert.equal(implausible.statusCode, 400)

    assert.deepEqual(await kioskReadingCounts(db, EVER), { linked: 0, anonymous: 0 })
    assert.equal((await kioskReadingsOf(db, t.personId, t.programmeId)).length, 0)
    const reads = await listAuditEvents(db, { recordId: t.personId, action: 'person.read' })
    assert.equal(reads.filter((e) => (e.detail ?? '').includes('kiosk-match')).length, 0)
  })
})
