// The casework rules a link worker expects (decision 0403): goal target dates not in the past,
// arrival only on the day of a visit, outcomes not before an appointment starts, moving an
// appointment with both times kept, confirmation outside the working pattern or in a clash, and
// the prescription review as a form.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { checkIn, issueCard } from '../attendance/store.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { setWorkingPattern } from '../programmes/store.ts'
import { textOf } from '../web/testing.ts'
import { prescriptionsOfCase } from './index.ts'
import { caseworkFixture } from './testing.ts'

const appointmentsOf = (db: Db, caseId: string) =>
  db
    .selectFrom('case_appointments')
    .select(['id', 'starts_at', 'ends_at', 'mode', 'place', 'status', 'arrived_at'])
    .where('case_id', '=', caseId)
    .orderBy('starts_at')
    .execute()

const booking = (date: string, start: string, end: string, extra: Record<string, string> = {}) => ({
  kind: 'follow_up',
  mode: 'practice',
  place: '',
  date,
  startTime: start,
  endTime: end,
  ...extra,
})

describeEachDatabase('casework rules', (database) => {
  it('refuses a goal target date in the past (London’s today), saving nothing', async () => {
    const { db } = database()
    const t = await caseworkFixture(db)
    const id = await t.openCase()
    const worker = await t.as(t.worker)
    const goal = (targetDate: string) =>
      worker.post(`/casework/cases/${id}/goals`, {
        text: 'Walk to the park',
        targetDate,
        progress: 'started',
      })
    const past = await goal('2020-06-01')
    assert.equal(past.statusCode, 400)
    assert.match(past.body, /<title>Error: Care and support plan – Kith<\/title>/)
    assert.match(past.body, /href="#goal-targetDate">\s*The target date must be today or in the future/)
    assert.match(textOf(past.body), /Error: The target date must be today or in the future/)
    assert.equal((await goal('2026-11-29')).statusCode, 400)
    assert.equal((await goal('2026-02-30')).statusCode, 400)
    const goals = () => db.selectFrom('case_goals').select('target_date').where('case_id', '=', id).execute()
    assert.deepEqual(await goals(), [])
    assert.equal((await goal('2026-11-30')).statusCode, 303)
    // Half past eleven at night in July is already the next day in London.
    t.setNow(new Date('2026-07-31T23:30:00Z'))
    assert.equal((await goal('2026-07-31')).statusCode, 400)
    assert.equal((await goal('2026-08-01')).statusCode, 303)
    assert.deepEqual(
      (await goals()).map((g) => g.target_date),
      ['2026-11-30', '2026-08-01'],
    )
  })

  it('records arrival at a home visit only on its day, and no outcome before an appointment starts', async () => {
    const { db } = database()
    const t = await caseworkFixture(db)
    const id = await t.openCase()
    const worker = await t.as(t.worker)
    const booked = await worker.post(`/casework/cases/${id}/appointments`, {
      ...booking('2026-12-02', '10:00', '11:00'),
      kind: 'initial',
      mode: 'home_visit',
    })
    assert.equal(booked.statusCode, 303)
    const [visit] = await appointmentsOf(db, id)
    const early = await worker.post(`/casework/appointments/${visit!.id}/arrive`, {})
    assert.equal(early.statusCode, 400)
    assert.match(early.body, /<title>Error: /)
    assert.match(
      early.body,
      /href="#arrive">\s*You can record arrival only on the day of the visit, 2 December 2026/,
    )
    assert.equal((await appointmentsOf(db, id))[0]!.arrived_at, null)
    const missed = await worker.post(`/casework/appointments/${visit!.id}`, { status: 'did_not_attend' })
    assert.equal(missed.statusCode, 400)
    assert.match(
      textOf(missed.body),
      /You can record that the person did not attend only once the appointment has started/,
    )
    const attended = await worker.post(`/casework/appointments/${visit!.id}`, { status: 'attended' })
    assert.match(textOf(attended.body), /An appointment cannot be attended before it starts/)
    assert.equal((await appointmentsOf(db, id))[0]!.status, 'booked')
    assert.doesNotMatch(textOf((await worker.get(`/casework/cases/${id}`)).body), /Arrived at home visit/)
    // On the day, before the visit's time: arrival is recorded.
    t.setNow(new Date('2026-12-02T09:50:00Z'))
    assert.equal((await worker.post(`/casework/appointments/${visit!.id}/arrive`, {})).statusCode, 303)
    assert.equal((await appointmentsOf(db, id))[0]!.arrived_at, '2026-12-02T09:50:00.000Z')
    t.setNow(new Date('2026-12-02T10:20:00Z'))
    assert.equal(
      (await worker.post(`/casework/appointments/${visit!.id}`, { status: 'did_not_attend' })).statusCode,
      303,
    )
  })

  it('moves a booked appointment, keeping both times on the appointment, the timeline and the audit log', async () => {
    const { db } = database()
    const t = await caseworkFixture(db)
    const id = await t.openCase()
    const worker = await t.as(t.worker)
    await worker.post(`/casework/cases/${id}/appointments`, {
      ...booking('2026-12-01', '10:00', '11:00'),
      kind: 'initial',
      place: 'Room 4',
    })
    const [appointment] = await appointmentsOf(db, id)
    const page = await worker.get(`/casework/appointments/${appointment!.id}`)
    assert.match(page.body, new RegExp(`href="/casework/appointments/${appointment!.id}/move"`))
    const form = await worker.get(`/casework/appointments/${appointment!.id}/move`)
    assert.equal(form.statusCode, 200)
    assert.match(form.body, /name="date" type="date" value="2026-12-01"/)
    assert.match(form.body, /name="startTime" type="time" value="10:00"/)
    const move = (values: Record<string, string>) =>
      worker.post(`/casework/appointments/${appointment!.id}/move`, {
        date: '2026-12-03',
        startTime: '14:00',
        endTime: '15:00',
        mode: 'practice',
        place: 'Room 2',
        reason: 'Ada asked for the afternoon',
        ...values,
      })
    const backwards = await move({ endTime: '13:00' })
    assert.equal(backwards.statusCode, 400)
    assert.match(backwards.body, /<title>Error: Move the appointment – Kith<\/title>/)
    assert.match(textOf(backwards.body), /The appointment must end after it starts/)
    assert.match(
      textOf(await move({ mode: 'phone' }).then((r) => r.body)),
      /does not offer phone appointments/,
    )
    assert.equal((await appointmentsOf(db, id))[0]!.starts_at, '2026-12-01T10:00:00.000Z')

    const moved = await move({})
    assert.equal(moved.statusCode, 303)
    assert.equal(moved.headers.location, `/casework/appointments/${appointment!.id}?saved=moved`)
    const after = (await appointmentsOf(db, id))[0]!
    assert.deepEqual(
      [after.id, after.starts_at, after.ends_at, after.place, after.status],
      [appointment!.id, '2026-12-03T14:00:00.000Z', '2026-12-03T15:00:00.000Z', 'Room 2', 'booked'],
    )
    const shown = textOf((await worker.get(`/casework/appointments/${appointment!.id}?saved=moved`)).body)
    assert.match(shown, /The appointment has been moved/)
    assert.match(shown, /When 3 December 2026 at 2:00pm to 3:00pm/)
    assert.match(
      shown,
      /Previous times Was 1 December 2026 at 10:00am to 11:00am, at the practice: Room 4\. Moved 30 November 2026 at 10:00am by Wendy Worker: Ada asked for the afternoon/,
    )
    const casePage = textOf((await worker.get(`/casework/cases/${id}`)).body)
    assert.match(casePage, /Moved; first booked for 1 December 2026 at 10:00am/)
    assert.match(
      casePage,
      /Initial appointment moved from 1 December 2026 at 10:00am to 3 December 2026 at 2:00pm \(Wendy Worker\)/,
    )
    const events = await listAuditEvents(db, {
      recordType: 'case',
      recordId: id,
      action: 'case.appointment-move',
    })
    assert.equal(events.length, 1)
    assert.equal(JSON.parse(events[0]!.detail ?? '{}').appointmentId, appointment!.id)

    // Moved again, the first time is still in its history; a blank end keeps the length.
    assert.equal(
      (await move({ date: '2026-12-04', startTime: '09:00', endTime: '', reason: '' })).statusCode,
      303,
    )
    assert.equal((await appointmentsOf(db, id))[0]!.ends_at, '2026-12-04T10:00:00.000Z')
    const twice = textOf((await worker.get(`/casework/appointments/${appointment!.id}`)).body)
    assert.match(twice, /Was 3 December 2026 at 2:00pm to 3:00pm.*Was 1 December 2026 at 10:00am to 11:00am/)

    // Only a booked appointment moves; another programme's worker cannot reach it.
    t.setNow(new Date('2026-12-04T11:00:00Z'))
    await worker.post(`/casework/appointments/${appointment!.id}`, { status: 'attended' })
    const recorded = await move({ date: '2026-12-10' })
    assert.equal(recorded.statusCode, 400)
    assert.match(
      textOf(recorded.body),
      /Only a booked appointment can be moved; this one is recorded as attended/,
    )
    assert.doesNotMatch((await worker.get(`/casework/appointments/${appointment!.id}`)).body, /\/move"/)
    const outsider = await t.as(t.outsider)
    assert.equal(
      (await outsider.post(`/casework/appointments/${appointment!.id}/move`, { date: '2026-12-10' }))
        .statusCode,
      404,
    )
    assert.equal(
      (await db.selectFrom('case_appointment_moves').select('id').where('case_id', '=', id).execute()).length,
      2,
    )
  })

  it('asks before booking or moving outside the working pattern or into a clash, then books when confirmed', async () => {
    const { db } = database()
    const t = await caseworkFixture(db)
    // Wendy: Mondays at Test Practice, Tuesdays at Other Practice, Thursdays away from practices.
    await setWorkingPattern(db, t.programmeId, t.worker.userId, [
      { weekday: 'monday', practiceId: t.practice },
      { weekday: 'tuesday', practiceId: t.other },
      { weekday: 'thursday', practiceId: null },
    ])
    const id = await t.openCase()
    const worker = await t.as(t.worker)
    const book = (values: Record<string, string>) => worker.post(`/casework/cases/${id}/appointments`, values)
    const count = async () => (await appointmentsOf(db, id)).length

    const wednesday = booking('2026-12-02', '10:00', '11:00', { kind: 'initial' })
    const asked = await book(wednesday)
    assert.equal(asked.statusCode, 200)
    assert.doesNotMatch(asked.body, /<title>Error/)
    const warning = textOf(asked.body)
    assert.match(
      warning,
      /Wendy Worker does not work on Wednesdays in Social prescribing: their working days are Monday, Tuesday and Thursday/,
    )
    assert.match(asked.body, /name="confirm" type="checkbox" value="yes"/)
    assert.match(warning, /Book it anyway/)
    assert.equal(await count(), 0)
    // Sent again without the box ticked: an error on the box; still nothing booked.
    const unticked = await book({ ...wednesday, warned: 'yes' })
    assert.equal(unticked.statusCode, 400)
    assert.match(
      unticked.body,
      /href="#confirm">\s*Select ‘Book it anyway’, or change the day, time or place/,
    )
    assert.equal(await count(), 0)
    const confirmed = await book({ ...wednesday, warned: 'yes', confirm: 'yes' })
    assert.equal(confirmed.statusCode, 303)
    assert.equal(await count(), 1)
    assert.match(
      textOf((await worker.get(`/casework/cases/${id}`)).body),
      /Initial appointment booked \(at the practice\), confirmed: Wendy Worker does not work on Wednesdays/,
    )

    // A Tuesday at the person's practice, when the pattern puts Wendy at the other one.
    assert.match(
      textOf((await book(booking('2026-12-01', '10:00', '11:00'))).body),
      /On Tuesdays Wendy Worker works at Other Practice, not at Test Practice/,
    )
    // A Thursday at a practice, when she is away from them; a home visit that Thursday is fine.
    assert.match(
      textOf((await book(booking('2026-12-03', '10:00', '11:00'))).body),
      /On Thursdays Wendy Worker works away from the practices, not at Test Practice/,
    )
    assert.equal(
      (await book(booking('2026-12-03', '10:00', '11:00', { mode: 'home_visit' }))).statusCode,
      303,
    )
    // A Monday at her practice: booked straight away.
    assert.equal((await book(booking('2026-12-07', '10:00', '11:00'))).statusCode, 303)
    assert.equal(await count(), 3)
    // Over another of her appointments: a clash to confirm.
    assert.match(
      textOf((await book(booking('2026-12-07', '10:30', '11:30'))).body),
      /It overlaps Wendy Worker’s follow-up appointment on 7 December 2026 at 10:00am to 11:00am/,
    )

    // Moving the Monday one to a Wednesday asks the same, and moves it when confirmed.
    const monday = (await appointmentsOf(db, id)).find((a) => a.starts_at === '2026-12-07T10:00:00.000Z')!
    const move = {
      date: '2026-12-09',
      startTime: '10:00',
      endTime: '11:00',
      mode: 'practice',
      place: '',
      reason: '',
    }
    const moveAsked = await worker.post(`/casework/appointments/${monday.id}/move`, move)
    assert.equal(moveAsked.statusCode, 200)
    assert.match(textOf(moveAsked.body), /Wendy Worker does not work on Wednesdays.*Move it anyway/)
    assert.equal((await appointmentsOf(db, id)).find((a) => a.id === monday.id)!.starts_at, monday.starts_at)
    assert.equal(
      (await worker.post(`/casework/appointments/${monday.id}/move`, { ...move, confirm: 'yes' })).statusCode,
      303,
    )
    assert.equal(
      (await appointmentsOf(db, id)).find((a) => a.id === monday.id)!.starts_at,
      '2026-12-09T10:00:00.000Z',
    )
    assert.match(
      textOf((await worker.get(`/casework/appointments/${monday.id}`)).body),
      /confirmed: Wendy Worker does not work on Wednesdays/,
    )
    // Its own old time is no clash: moving it by half an hour on its day asks nothing more than the day.
    const again = await worker.post(`/casework/appointments/${monday.id}/move`, {
      ...move,
      startTime: '10:30',
      endTime: '11:30',
    })
    assert.doesNotMatch(textOf(again.body), /overlaps/)
  })

  it('reviews a prescription with attendance, progress on each goal, self-care and the next step', async () => {
    const { db } = database()
    const t = await caseworkFixture(db)
    const id = await t.openCase()
    const worker = await t.as(t.worker)
    for (const [text, progress] of [
      ['Walk to the park', 'started'],
      ['Join a group', 'not_started'],
    ] as const)
      await worker.post(`/casework/cases/${id}/goals`, { text, targetDate: '', progress })
    const goalIds = (
      await db
        .selectFrom('case_goals')
        .select(['id', 'text'])
        .where('case_id', '=', id)
        .orderBy('text')
        .execute()
    ).map((g) => g.id)
    // 8 weeks from 5 October: it ended on 29 November. Three sessions with the card.
    const pid = await t.prescribe(id, { start: '2026-10-05', weeks: 8 })
    const actor = { userId: t.worker.userId, ip: null }
    const { code } = await issueCard(db, actor, t.personId, t.programmeId)
    for (const day of ['2026-10-06', '2026-10-13', '2026-11-03'])
      await checkIn(db, actor, {
        presented: { code },
        programmeId: t.programmeId,
        activity: { serviceId: t.serviceId, serviceName: 'Walking group' },
        at: new Date(`${day}T10:00:00Z`),
      })
    const casePage = (await worker.get(`/casework/cases/${id}`)).body
    assert.match(textOf(casePage), /Review overdue Record review of Walking group/)
    const path = `/casework/cases/${id}/prescriptions/${pid}/review`
    const form = await worker.get(path)
    assert.equal(form.statusCode, 200)
    const formText = textOf(form.body)
    assert.match(formText, /3 of 8 expected sessions attended \(38%\)/)
    assert.match(formText, /Progress on “Walk to the park”.*Progress on “Join a group”/)
    assert.match(formText, /Progress toward self-care.*Managing independently/)
    assert.match(
      formText,
      /Next step Continue independently.*Extend the prescription.*A new prescription.*Close the case/,
    )
    assert.doesNotMatch(formText, /Why review it early/)

    // One click, as before, is not a review: nothing is recorded.
    const oneClick = await worker.post(path, { continued: 'yes' })
    assert.equal(oneClick.statusCode, 400)
    assert.match(oneClick.body, /<title>Error: Review the prescription – Kith<\/title>/)
    assert.match(
      oneClick.body,
      /href="#selfCare">\s*Select how the person is getting on toward looking after themselves/,
    )
    assert.match(oneClick.body, /href="#nextStep">\s*Select the next step/)
    assert.equal((await prescriptionsOfCase(db, id))[0]!.continued, false)

    const reviewed = await worker.post(path, {
      [`goal-${goalIds[0]!}`]: 'started',
      [`goal-${goalIds[1]!}`]: 'half_way',
      selfCare: 'growing',
      assessment: 'Enjoys the walks; would like to keep going with a friend.',
      nextStep: 'continue',
    })
    assert.equal(reviewed.statusCode, 303)
    const [prescription] = await prescriptionsOfCase(db, id)
    assert.equal(prescription!.continued, true)
    const goals = await db
      .selectFrom('case_goals')
      .select(['text', 'progress'])
      .where('case_id', '=', id)
      .orderBy('text')
      .execute()
    assert.deepEqual(
      goals.map((g) => g.progress),
      ['started', 'half_way'],
    )
    const page = textOf((await worker.get(`/casework/cases/${id}`)).body)
    assert.match(page, /Reviewed 30 Nov 2026: continuing independently after the end; growing in confidence/)
    assert.match(
      page,
      /Reviewed Walking group; 3 of 8 expected sessions attended; growing in confidence; progress updated on 2 goals; next: continue independently \(Wendy Worker\)/,
    )
    const shown = textOf((await worker.get(`/casework/cases/${id}/prescriptions/${pid}`)).body)
    assert.match(
      shown,
      /Review on 30 November 2026, by Wendy Worker Attendance 3 of 8 expected sessions attended/,
    )
    assert.match(shown, /Join a group: not started to started/)
    assert.match(
      shown,
      /Growing in confidence Enjoys the walks; would like to keep going with a friend\. Next step Continue independently/,
    )
    const audited = await listAuditEvents(db, {
      recordType: 'case',
      recordId: id,
      action: 'case.prescription-review',
    })
    assert.deepEqual(
      audited.map((e) => JSON.parse(e.detail ?? '{}')),
      [{ prescriptionId: pid, nextStep: 'continue', continued: true, early: false, goalsUpdated: 2 }],
    )
    // Reviewed: the form is not offered again.
    assert.equal((await worker.get(path)).statusCode, 303)
  })

  it('opens the review early only with a reason, extends within the programme’s rule, and leads on to a new prescription or the exit', async () => {
    const { db } = database()
    const t = await caseworkFixture(db)
    const id = await t.openCase()
    const worker = await t.as(t.worker)
    // 8 weeks from 16 November: ends 10 January 2027; the programme allows 16 weeks, to 7 March.
    const pid = await t.prescribe(id, { start: '2026-11-16', weeks: 8 })
    const path = `/casework/cases/${id}/prescriptions/${pid}/review`
    assert.match(
      textOf((await worker.get(`/casework/cases/${id}`)).body),
      /Review due 10 Jan 2027 Review early of Walking group/,
    )
    const form = textOf((await worker.get(path)).body)
    assert.match(
      form,
      /This prescription ends on 10 January 2027\. Its review is due then; to review it now, say why\./,
    )
    const review = {
      selfCare: 'needs_support',
      assessment: '',
      nextStep: 'extend',
      newEnd: '2027-02-07',
      expectedSessions: '12',
    }
    const noReason = await worker.post(path, review)
    assert.equal(noReason.statusCode, 400)
    assert.match(
      noReason.body,
      /href="#earlyReason">\s*Enter why the review comes before the prescription ends on 10 January 2027/,
    )
    const tooLong = await worker.post(path, {
      ...review,
      earlyReason: 'Group moves to Fridays',
      newEnd: '2027-03-14',
    })
    assert.match(
      tooLong.body,
      /href="#newEnd">\s*Prescriptions in this programme are 8 to 16 weeks, so this one can run to 7 March 2027 at the latest/,
    )
    const tooSoon = await worker.post(path, {
      ...review,
      earlyReason: 'Group moves to Fridays',
      newEnd: '2027-01-03',
    })
    assert.match(
      textOf(tooSoon.body),
      /The new end date must be after the prescription’s end, 10 January 2027/,
    )
    assert.deepEqual(
      (await prescriptionsOfCase(db, id)).map((p) => [p.end, p.weeks]),
      [['2027-01-10', 8]],
    )
    const extended = await worker.post(path, { ...review, earlyReason: 'Group moves to Fridays' })
    assert.equal(extended.statusCode, 303)
    assert.equal(extended.headers.location, `/casework/cases/${id}?saved=extended#prescriptions`)
    const [p] = await prescriptionsOfCase(db, id)
    assert.deepEqual([p!.end, p!.weeks, p!.expectedSessions, p!.continued], ['2027-02-07', 12, 12, false])
    const page = textOf((await worker.get(`/casework/cases/${id}?saved=extended`)).body)
    assert.match(page, /Reviewed 30 Nov 2026: extended to 7 February 2027\. Review due 7 Feb 2027/)
    assert.match(
      page,
      /Reviewed Walking group early; 0 of 8 expected sessions attended; still needs regular support; next: extended to 7 February 2027/,
    )
    assert.match(
      textOf((await worker.get(`/casework/cases/${id}/prescriptions/${pid}`)).body),
      /Reviewed early because Group moves to Fridays/,
    )

    // Its new end comes: reviewed again, this time on to a new prescription.
    t.setNow(new Date('2027-02-07T12:00:00Z'))
    const again = await worker.post(path, { selfCare: 'growing', nextStep: 'new_prescription' })
    assert.equal(again.statusCode, 303)
    assert.equal(again.headers.location, `/casework/cases/${id}/prescriptions/new?after=review`)
    assert.match(
      textOf((await worker.get(again.headers.location as string)).body),
      /The review has been recorded\. Now add the new prescription\./,
    )
    assert.equal(
      (
        await db
          .selectFrom('case_prescription_reviews')
          .select('id')
          .where('prescription_id', '=', pid)
          .execute()
      ).length,
      2,
    )

    // A programme that allows no continuing: not offered, and refused if sent.
    const second = await t.prescribe(id, { start: '2026-12-07', weeks: 8 })
    await db
      .updateTable('programmes')
      .set({ prescription: JSON.stringify({ minWeeks: 8, maxWeeks: 8, mayContinueAfter: false }) })
      .where('id', '=', t.programmeId)
      .execute()
    const secondPath = `/casework/cases/${id}/prescriptions/${second}/review`
    const noOptions = textOf((await worker.get(secondPath)).body)
    assert.doesNotMatch(noOptions, /Continue independently|Extend the prescription/)
    const refused = await worker.post(secondPath, { selfCare: 'independent', nextStep: 'continue' })
    assert.match(
      textOf(refused.body),
      /This programme does not record people continuing after a prescription ends/,
    )
    const exit = await worker.post(secondPath, { selfCare: 'independent', nextStep: 'exit' })
    assert.equal(exit.headers.location, `/casework/cases/${id}/exit`)
  })
})
