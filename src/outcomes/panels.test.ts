import assert from 'node:assert/strict'
import { it } from 'node:test'
import { loadCurrentUser } from '../access/store.ts'
import { bookAppointment, prescribe } from '../casework/cases.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { createTestService } from '../directory/testing.ts'
import { kioskReadingsOf } from '../kiosk/store.ts'
import { createAccount, textOf } from '../web/testing.ts'
import { programmeFixture } from './testing.ts'

describeEachDatabase('case page panels', (database) => {
  it('shows measures due, change, attendance against each prescription and kiosk readings', async () => {
    const { db } = database()
    let clock = new Date('2026-11-02T10:00:00Z')
    const t = await programmeFixture(db, () => clock)
    await (await t.as(t.manager)).post(`/programmes/${t.programmeId}/outcomes/schedule`, {
      'stages.ons4': ['baseline', 'exit'],
      'stages.loneliness': ['baseline'],
    })
    const { caseId } = t
    const user = await loadCurrentUser(db, t.worker.userId)
    const serviceId = await createTestService(db, t.provider.organisationId)
    await prescribe(db, { user: user!, actor: { userId: t.worker.userId, ip: null } }, caseId, {
      serviceId,
      serviceName: 'Walking group',
      need: null,
      weeks: 12,
      expectedSessions: 12,
      start: '2026-11-01',
    })
    const worker = await t.as(t.worker)
    let page = textOf((await worker.get(`/casework/cases/${caseId}`)).body)
    assert.match(
      page,
      /Outcome measures Not yet recorded: Baseline: ONS4 personal well-being Due Baseline: Loneliness/,
    )
    assert.match(page, /Exit: ONS4 personal well-being All outcome measures/)
    // An exit appointment makes the exit measures due.
    await bookAppointment(db, { user: user!, actor: { userId: t.worker.userId, ip: null } }, caseId, {
      kind: 'exit',
      mode: 'phone',
      place: 'Phone',
      startsAt: '2026-12-01T10:00:00.000Z',
      endsAt: '2026-12-01T10:30:00.000Z',
    })
    page = textOf((await worker.get(`/casework/cases/${caseId}`)).body)
    assert.match(page, /Exit: ONS4 personal well-being Due/)
    assert.match(page, /No attendance card that works\. .*Issue an attendance card/)

    const base = `/outcomes/programmes/${t.programmeId}/people/${t.personId}`
    await worker.post(`${base}/record/ons4/baseline`, {
      'answers.life-satisfaction': '4',
      'answers.worthwhile': '5',
      'answers.happiness': '5',
      'answers.anxiety': '7',
    })
    clock = new Date('2026-12-01T10:00:00Z')
    await worker.post(`${base}/record/ons4/exit`, {
      'answers.life-satisfaction': '6',
      'answers.worthwhile': '5',
      'answers.happiness': '5',
      'answers.anxiety': '8',
    })
    const card = await worker.post(`/attendance/programmes/${t.programmeId}/people/${t.personId}/card`, {})
    const code = /class="kith-card__code">([0-9A-Z-]+)</.exec(card.body)?.[1] ?? ''
    const provider = await t.as(t.provider)
    for (const day of ['2026-11-03', '2026-11-10', '2026-11-17']) {
      clock = new Date(`${day}T10:00:00Z`)
      await provider.post('/attendance/scan', {
        programmeId: t.programmeId,
        serviceId,
        code,
      })
    }
    const kiosk = await createAccount(db, 'kiosk', { organisationId: t.practice })
    await (await t.as(kiosk)).post('/kiosk', { code, systolic: '128', diastolic: '82' })
    assert.equal((await kioskReadingsOf(db, t.personId, t.programmeId)).length, 1)

    page = textOf((await worker.get(`/casework/cases/${caseId}`)).body)
    assert.match(page, /Life satisfaction: 4 to 6 \(better\)/)
    assert.match(page, /Anxiety: 7 to 8 \(worse\)/)
    assert.doesNotMatch(page, /Exit: ONS4/)
    assert.match(page, /Walking group, \S+ \S+ \S+ to \S+ \S+ \S+ 3 of 12/)
    assert.match(page, /Self-care kiosk readings .* 128\/82 mmHg/)
  })
})
