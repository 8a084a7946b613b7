import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { programmeFixture } from '../outcomes/testing.ts'
import { textOf } from '../web/testing.ts'
import { attendanceOfPrescription, checkInsOf, issueCard } from './store.ts'

const codeOn = (html: string) => /class="kith-card__code">([0-9A-Z-]+)</.exec(html)?.[1] ?? ''

describeEachDatabase('attendance cards and check-ins', (database) => {
  it('issues a printable card, records attendance by code, and spots a duplicate', async () => {
    const { db } = database()
    let clock = new Date('2026-11-02T10:00:00Z')
    const t = await programmeFixture(db, () => clock)
    const worker = await t.as(t.worker)
    const base = `/attendance/programmes/${t.programmeId}/people/${t.personId}`
    assert.match(textOf((await worker.get(base)).body), /They have no card that works/)
    const card = await worker.post(`${base}/card`, {})
    assert.equal(card.statusCode, 200)
    const text = textOf(card.body)
    assert.match(text, /Zoë Luton social prescribing/)
    assert.doesNotMatch(text, /Testperson/)
    assert.match(card.body, /<svg role="img" aria-label="QR code of the attendance card"/)
    const code = codeOn(card.body)
    assert.match(code, /^[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}$/)

    const provider = await t.as(t.provider)
    const form = {
      programmeId: t.programmeId,
      serviceId: t.provider.organisationId,
      code: code.toLowerCase(),
    }
    const first = await provider.post('/attendance/scan', form)
    assert.equal(first.statusCode, 200)
    assert.match(textOf(first.body), /Attendance recorded Card …\w{3} at Test organisation \d+, 10:00am/)
    clock = new Date('2026-11-02T10:05:00Z')
    const again = await provider.post('/attendance/scan', form)
    assert.match(textOf(again.body), /Already recorded .* today at 10:00am\. Nothing more was recorded/)
    clock = new Date('2026-11-09T10:00:00Z')
    await provider.post('/attendance/scan', form)

    const checkIns = await checkInsOf(db, t.personId, t.programmeId)
    assert.equal(checkIns.length, 2)
    const attendance = await attendanceOfPrescription(db, {
      personId: t.personId,
      programmeId: t.programmeId,
      serviceId: t.provider.organisationId,
      start: '2026-11-01',
      end: '2027-01-24',
      expectedSessions: 12,
    })
    assert.deepEqual([attendance.attended, attendance.expected], [2, 12])
    assert.deepEqual(attendance.sessions, ['2026-11-02', '2026-11-09'])

    const events = await listAuditEvents(db, { recordId: t.personId })
    assert.equal(events.filter((e) => e.action === 'check-in.create').length, 2)
    assert.equal(events.filter((e) => e.action === 'attendance-card.issue').length, 1)
  })

  it('refuses revoked and replaced cards, cards of another programme and mistyped codes', async () => {
    const { db } = database()
    const t = await programmeFixture(db)
    const worker = await t.as(t.worker)
    const base = `/attendance/programmes/${t.programmeId}/people/${t.personId}`
    const old = codeOn((await worker.post(`${base}/card`, {})).body)
    const current = codeOn((await worker.post(`${base}/card`, {})).body)
    assert.notEqual(old, current)
    const provider = await t.as(t.provider)
    const scan = (programmeId: string, code: string) =>
      provider.post('/attendance/scan', { programmeId, serviceId: t.provider.organisationId, code })

    const replaced = await scan(t.programmeId, old)
    assert.equal(replaced.statusCode, 400)
    assert.match(textOf(replaced.body), /This card has been replaced by a newer one/)
    const elsewhere = await scan(t.otherProgrammeId, current)
    assert.match(textOf(elsewhere.body), /This card belongs to a different programme/)
    const typo = await scan(t.programmeId, `${current.slice(0, -1)}${current.endsWith('0') ? '1' : '0'}`)
    assert.match(textOf(typo.body), /a character may have been mistyped|No card has this code/)

    assert.equal((await worker.post(`${base}/card/revoke`, {})).statusCode, 303)
    const revoked = await scan(t.programmeId, current)
    assert.match(textOf(revoked.body), /This card has been cancelled and cannot be used/)
    assert.equal((await checkInsOf(db, t.personId, t.programmeId)).length, 0)

    // A card can only be issued by the programme's link workers, for people in it.
    const other = await t.as(t.otherWorker)
    assert.equal((await other.post(`${base}/card`, {})).statusCode, 404)
    assert.equal((await provider.get(base)).statusCode, 403)
  })

  it('keeps one working card when two are issued at once, and one check-in when a card is scanned twice at once', async () => {
    const { db } = database()
    let clock = new Date('2026-11-02T10:00:00Z')
    const t = await programmeFixture(db, () => clock)
    const worker = await t.as(t.worker)
    const base = `/attendance/programmes/${t.programmeId}/people/${t.personId}`
    // The page with the button, then the button pressed twice.
    await worker.get(base)
    const issued = await Promise.all([worker.post(`${base}/card`, {}), worker.post(`${base}/card`, {})])
    assert.deepEqual(
      issued.map((page) => page.statusCode),
      [200, 200],
    )
    const cards = await db
      .selectFrom('attendance_cards')
      .select('status')
      .where('person_id', '=', t.personId)
      .execute()
    assert.deepEqual(cards.map((card) => card.status).sort(), ['active', 'replaced'])

    const provider = await t.as(t.provider)
    await provider.get('/attendance/scan')
    const scan = (code: string) =>
      provider.post('/attendance/scan', {
        programmeId: t.programmeId,
        serviceId: t.provider.organisationId,
        code,
      })
    const first = await Promise.all(issued.map((page) => scan(codeOn(page.body))))
    const said = first.map((page) => textOf(page.body))
    assert.equal(said.filter((text) => /Attendance recorded/.test(text)).length, 1, said.join('\n'))
    assert.equal(said.filter((text) => /replaced by a newer one/.test(text)).length, 1, said.join('\n'))

    // The next week, the working card is scanned twice at the same moment.
    clock = new Date('2026-11-09T10:00:00Z')
    const working = codeOn(issued[said.findIndex((text) => /Attendance recorded/.test(text))]!.body)
    const twice = (await Promise.all([scan(working), scan(working)])).map((page) => textOf(page.body))
    assert.equal(twice.filter((text) => /Attendance recorded/.test(text)).length, 1, twice.join('\n'))
    assert.equal(twice.filter((text) => /Already recorded/.test(text)).length, 1, twice.join('\n'))
    assert.deepEqual(
      (await checkInsOf(db, t.personId, t.programmeId)).map((checkIn) => checkIn.sessionDate),
      ['2026-11-09', '2026-11-02'],
    )

    // Five more issued at the same moment, straight to the store, for a closer race: one works.
    const actor = { userId: t.worker.userId, ip: null }
    await Promise.all(Array.from({ length: 5 }, () => issueCard(db, actor, t.personId, t.programmeId)))
    const statuses = await db
      .selectFrom('attendance_cards')
      .select('status')
      .where('person_id', '=', t.personId)
      .execute()
    assert.equal(statuses.length, 7)
    assert.equal(statuses.filter((card) => card.status === 'active').length, 1)
  })
})
