import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { createTestService } from '../directory/testing.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'
import { getCaseForUser, openCase, prescriptionsOfCase, prescriptionsOfPerson } from './index.ts'
import { caseworkFixture, NOW } from './testing.ts'

const actor = { userId: null, ip: null }

/** The casework fixture, with at most 2 appointments after the initial one. */
const setUp = (db: Db) => caseworkFixture(db, NOW, { furtherAppointmentsCap: 2 })

describeEachDatabase('casework', (database) => {
  it('opens a case for the named link worker of the practice, or unassigned, audited', async () => {
    const { db } = database()
    const t = await setUp(db)
    const named = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99001',
      needs: ['housing', 'not-a-need'],
    })
    const unnamed = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99002',
    })
    const { loadCurrentUser } = await import('../access/store.ts')
    const workerUser = (await loadCurrentUser(db, t.worker.userId))!
    const found = await getCaseForUser(db, workerUser, named)
    assert.equal(found?.case.linkWorkerUserId, t.worker.userId)
    assert.deepEqual(found?.case.needs, ['housing'])
    const second = await getCaseForUser(db, workerUser, unnamed)
    assert.equal(second?.case.linkWorkerUserId, null)
    const outsider = (await loadCurrentUser(db, t.outsider.userId))!
    assert.equal(await getCaseForUser(db, outsider, named), undefined)
    const events = await listAuditEvents(db, { recordType: 'case', recordId: named })
    assert.deepEqual(
      events.map((e) => e.action),
      ['case.create'],
    )
  })

  it('shows the caseload and case page to the worker, 404 to others, and audits reads', async () => {
    const { db } = database()
    const t = await setUp(db)
    const id = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99001',
    })
    const worker = await t.as(t.worker)
    const caseload = await worker.get('/casework')
    assert.equal(caseload.statusCode, 200)
    assert.match(textOf(caseload.body), /Ada Testperson/)
    assert.match(textOf(caseload.body), /Waiting 0 days/)
    const page = await worker.get(`/casework/cases/${id}`)
    assert.equal(page.statusCode, 200)
    const text = textOf(page.body)
    assert.match(text, /943 476 5919/)
    assert.match(text, /Diabetes mellitus type 2/)
    assert.match(text, /Case opened and assigned/)
    const reads = await listAuditEvents(db, { recordType: 'case', recordId: id, action: 'case.read' })
    assert.equal(reads.length, 1)
    for (const account of [t.outsider, t.otherManager]) {
      const other = await t.as(account)
      assert.equal((await other.get(`/casework/cases/${id}`)).statusCode, 404)
      assert.doesNotMatch(textOf((await other.get('/casework')).body), /Ada Testperson/)
    }
    const manager = await t.as(t.manager)
    assert.equal((await manager.get(`/casework/cases/${id}`)).statusCode, 200)
    assert.equal((await worker.get('/casework/cases/not-an-id')).statusCode, 404)
  })

  it('books appointments within the cap, refuses bad times and past the cap, and lets a manager make an exception', async () => {
    const { db } = database()
    const t = await setUp(db)
    const id = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99001',
    })
    const worker = await t.as(t.worker)
    const book = (
      kind: string,
      date: string,
      start: string,
      end: string,
      extra: Record<string, string> = {},
    ) =>
      worker.post(`/casework/cases/${id}/appointments`, {
        kind,
        mode: 'practice',
        place: '',
        date,
        startTime: start,
        endTime: end,
        ...extra,
      })
    const bad = await book('initial', '2026-12-01', '10:00', '09:00')
    assert.equal(bad.statusCode, 400)
    assert.match(textOf(bad.body), /The appointment must end after it starts/)
    assert.equal((await book('initial', '2026-12-01', '10:00', '11:00')).statusCode, 303)
    assert.match(
      textOf((await book('initial', '2026-12-02', '10:00', '11:00')).body),
      /already has an initial appointment/,
    )
    assert.equal((await book('follow_up', '2026-12-08', '10:00', '10:45')).statusCode, 303)
    assert.equal((await book('exit', '2026-12-15', '10:00', '10:30')).statusCode, 303)
    const past = await book('follow_up', '2026-12-22', '10:00', '10:45')
    assert.equal(past.statusCode, 400)
    assert.match(textOf(past.body), /at most 2 further appointments/)
    const manager = await t.as(t.manager)
    const exception = await manager.post(`/casework/cases/${id}/appointments`, {
      kind: 'follow_up',
      mode: 'practice',
      place: '',
      date: '2026-12-22',
      startTime: '10:00',
      endTime: '10:45',
      capException: 'Housing crisis needs one more session',
    })
    assert.equal(exception.statusCode, 303)
    const page = textOf((await worker.get(`/casework/cases/${id}`)).body)
    assert.match(page, /Past the cap: Housing crisis needs one more session/)
    // A clash in the diary: a second case's appointment at the same time.
    const id2 = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99001',
    })
    const clashing = {
      kind: 'initial',
      mode: 'practice',
      place: '',
      date: '2026-12-01',
      startTime: '10:30',
      endTime: '11:30',
    }
    // Booking into a clash asks first (decision 0403), then books when confirmed.
    const asked = await worker.post(`/casework/cases/${id2}/appointments`, clashing)
    assert.match(
      textOf(asked.body),
      /It overlaps Wendy Worker’s initial appointment on 1 December 2026 at 10:00am/,
    )
    assert.equal(
      (await worker.post(`/casework/cases/${id2}/appointments`, { ...clashing, confirm: 'yes' })).statusCode,
      303,
    )
    // No end time: the programme's usual length (initial: 60 minutes by default).
    const id3 = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99001',
    })
    await worker.post(`/casework/cases/${id3}/appointments`, {
      kind: 'initial',
      mode: 'practice',
      place: '',
      date: '2026-12-03',
      startTime: '09:00',
      endTime: '',
    })
    const made = await db
      .selectFrom('case_appointments')
      .select(['starts_at', 'ends_at'])
      .where('case_id', '=', id3)
      .executeTakeFirstOrThrow()
    assert.equal(Date.parse(made.ends_at) - Date.parse(made.starts_at), 60 * 60_000)
    const diary = textOf((await worker.get('/casework/diary?date=2026-12-01&view=week')).body)
    assert.match(diary, /2 appointments overlap another/)
  })

  it('keeps the care plan with goals, refuses a goal with no text, and records sessions against goals', async () => {
    const { db } = database()
    const t = await setUp(db)
    const id = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99001',
    })
    const worker = await t.as(t.worker)
    assert.equal(
      (
        await worker.post(`/casework/cases/${id}/plan`, {
          whatMatters: 'Seeing my grandchildren',
          agreedFocus: 'Getting out more',
          actions: 'Try the walking group',
          followUpMode: 'practice',
          followUpLocation: 'Surgery',
          followUpFrequency: 'Fortnightly',
        })
      ).statusCode,
      303,
    )
    const empty = await worker.post(`/casework/cases/${id}/goals`, {
      text: '  ',
      targetDate: '',
      progress: 'not_started',
    })
    assert.equal(empty.statusCode, 400)
    assert.match(textOf(empty.body), /Enter the goal in the person’s own words/)
    assert.equal(
      (
        await worker.post(`/casework/cases/${id}/goals`, {
          text: 'Walk to the park',
          targetDate: '2027-01-31',
          progress: 'started',
        })
      ).statusCode,
      303,
    )
    const print = await worker.get(`/casework/cases/${id}/plan/print`)
    assert.match(textOf(print.body), /Seeing my grandchildren.*Walk to the park/)
    const goalId = /name="goalIds" type="checkbox" value="([0-9a-f-]{36})"/.exec(
      (await worker.post(`/casework/cases/${id}/appointments`, {
        kind: 'initial',
        mode: 'practice',
        place: '',
        date: '2026-11-30',
        startTime: '09:00',
        endTime: '09:30',
      })) && (await worker.get(`/casework/appointments/${await firstAppointment(db, id)}`)).body,
    )?.[1]
    assert.ok(goalId)
    const record = await worker.post(`/casework/appointments/${await firstAppointment(db, id)}`, {
      status: 'attended',
      goalIds: [goalId],
    })
    assert.equal(record.statusCode, 303)
    const page = textOf((await worker.get(`/casework/cases/${id}`)).body)
    assert.match(page, /Initial appointment: attended, worked on 1 goal/)
    assert.doesNotMatch(page, /Waiting for first contact/)
  })

  it('prescribes within the weeks rule, records the review and continuation, and exits with a GP summary', async () => {
    const { db } = database()
    const t = await setUp(db)
    const id = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99001',
      needs: ['social-isolation'],
    })
    const worker = await t.as(t.worker)
    // The directory adapter finds no services here; store a prescription directly, then check the rule through the form.
    const { prescribe } = await import('./cases.ts')
    const { loadCurrentUser } = await import('../access/store.ts')
    const user = (await loadCurrentUser(db, t.worker.userId))!
    const svc = await createTestService(db, t.owner)
    await assert.rejects(
      prescribe(db, { user, actor }, id, {
        serviceId: svc,
        serviceName: 'Walking group',
        need: null,
        weeks: 20,
        expectedSessions: 10,
        start: '2026-12-01',
      }),
      /Prescriptions in this programme are 8 to 16 weeks/,
    )
    assert.deepEqual(await prescriptionsOfCase(db, id), [])
    const pid = await prescribe(db, { user, actor }, id, {
      serviceId: svc,
      serviceName: 'Walking group',
      need: 'social-isolation',
      weeks: 8,
      expectedSessions: 8,
      start: '2026-10-01',
    })
    const [p] = await prescriptionsOfPerson(db, t.personId)
    assert.equal(p?.end, '2026-11-25')
    assert.equal(p?.continued, false)
    assert.match(textOf((await worker.get('/casework?show=overdue')).body), /Ada Testperson/)
    const review = await worker.post(`/casework/cases/${id}/prescriptions/${pid}/review`, {
      selfCare: 'independent',
      assessment: '',
      nextStep: 'continue',
    })
    assert.equal(review.statusCode, 303, review.body)
    assert.equal((await prescriptionsOfCase(db, id))[0]?.continued, true)
    const formBad = await worker.post(`/casework/cases/${id}/prescriptions`, {
      serviceName: 'Nowhere',
      weeks: '8',
      expectedSessions: '8',
      start: '2026-12-01',
      need: '',
    })
    assert.equal(formBad.statusCode, 400)
    assert.equal(
      (
        await worker.post(`/casework/cases/${id}/signposts`, {
          kind: 'signpost',
          serviceName: 'Citizens Advice leaflet',
          need: 'housing',
          note: '',
        })
      ).statusCode,
      303,
    )
    assert.equal(
      (
        await worker.post(`/casework/cases/${id}/notes`, {
          type: 'benefits_check',
          text: 'Checked pension credit',
        })
      ).statusCode,
      303,
    )
    const noExit = await worker.post(`/casework/cases/${id}/exit`, {
      closureReason: 'goals_met',
      exitPlan: '',
    })
    assert.equal(noExit.statusCode, 400)
    // "Goals met" needs a goal that is met.
    const noGoals = await worker.post(`/casework/cases/${id}/exit`, {
      closureReason: 'goals_met',
      exitPlan: 'Keep walking on Tuesdays',
    })
    assert.equal(noGoals.statusCode, 400)
    assert.match(textOf(noGoals.body), /The case has no goals/)
    assert.equal(
      (await worker.post(`/casework/cases/${id}/goals`, { text: 'Walk twice a week', progress: 'started' }))
        .statusCode,
      303,
    )
    const notMet = await worker.post(`/casework/cases/${id}/exit`, {
      closureReason: 'goals_met',
      exitPlan: 'Keep walking on Tuesdays',
    })
    assert.equal(notMet.statusCode, 400)
    assert.match(textOf(notMet.body), /No goal is achieved yet/)
    const [goal] = await db.selectFrom('case_goals').select('id').where('case_id', '=', id).execute()
    assert.equal(
      (await worker.post(`/casework/cases/${id}/goals/${goal!.id}`, { progress: 'achieved' })).statusCode,
      303,
    )
    assert.equal(
      (
        await worker.post(`/casework/cases/${id}/exit`, {
          closureReason: 'goals_met',
          exitPlan: 'Keep walking on Tuesdays',
        })
      ).statusCode,
      303,
    )
    const closedBooking = await worker.post(`/casework/cases/${id}/appointments`, {
      kind: 'initial',
      mode: 'practice',
      place: '',
      date: '2026-12-01',
      startTime: '10:00',
      endTime: '11:00',
    })
    assert.equal(closedBooking.statusCode, 400)
    assert.match(textOf(closedBooking.body), /This case is closed/)
    const summary = await worker.get(`/casework/cases/${id}/gp-summary.json`)
    const json = JSON.parse(summary.body)
    assert.equal(json.coded[0].code, '871731000000106')
    assert.deepEqual(
      json.needsAndConcerns.longTermConditions.map((c: { code: string }) => c.code),
      ['44054006'],
    )
    assert.deepEqual(json.needsAndConcerns.needs, ['Social isolation'])
    assert.equal(json.supportOffered.prescriptions[0].continuedAfterEnd, true)
    assert.equal(json.supportOffered.signposts[0].service, 'Citizens Advice leaflet')
    assert.equal(json.outcomes.closureReason, 'Goals met')
    assert.deepEqual(json.supportOffered.interventions, ['Benefits eligibility check'])
    const text = await worker.get(`/casework/cases/${id}/gp-summary.txt`)
    assert.match(text.body, /Exit plan: Keep walking on Tuesdays/)
  })

  it('lets a manager reassign, and shows overrunning home visits to the manager', async () => {
    const { db } = database()
    const t = await setUp(db)
    const id = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99002',
    })
    const manager = await t.as(t.manager)
    assert.equal(
      (await manager.post(`/casework/cases/${id}/assign`, { userId: t.outsider.userId })).statusCode,
      400,
    )
    assert.equal(
      (await manager.post(`/casework/cases/${id}/assign`, { userId: t.worker2.userId })).statusCode,
      303,
    )
    const worker2 = await t.as(t.worker2)
    assert.equal(
      (
        await worker2.post(`/casework/cases/${id}/appointments`, {
          kind: 'initial',
          mode: 'home_visit',
          place: '',
          date: '2026-11-30',
          startTime: '08:00',
          endTime: '09:00',
        })
      ).statusCode,
      303,
    )
    const appointmentId = await firstAppointment(db, id)
    assert.equal((await worker2.post(`/casework/appointments/${appointmentId}/arrive`, {})).statusCode, 303)
    assert.match(textOf((await manager.get('/casework')).body), /1 home visit has overrun/)
    assert.doesNotMatch(textOf((await worker2.get('/casework')).body), /overrun/)
    const view = textOf((await manager.get('/casework/lone-working')).body)
    assert.match(view, /Overrunning visits.*Walter Worker.*Ada Testperson/)
    const worker = await t.as(t.worker)
    assert.equal((await worker.post(`/casework/appointments/${appointmentId}/depart`, {})).statusCode, 400)
  })
})

async function firstAppointment(db: Db, caseId: string): Promise<string> {
  const row = await db
    .selectFrom('case_appointments')
    .select('id')
    .where('case_id', '=', caseId)
    .orderBy('starts_at')
    .executeTakeFirstOrThrow()
  return row.id
}

describeEachDatabase('casework and referrals', (database) => {
  it('opens a case with the plan from the referral when a referral to the programme is accepted', async () => {
    const { db } = database()
    const { referralSetUp, referralInput } = await import('../referrals/testing.ts')
    const { createReferral, changeReferralStatus } = await import('../referrals/index.ts')
    const { loadCurrentUser } = await import('../access/store.ts')
    const t = await referralSetUp(db)
    const now = new Date()
    const sent = await createReferral(db, { userId: t.referrer.userId, ip: null }, referralInput(t), { now })
    assert.equal(sent.outcome, 'sent')
    if (sent.outcome !== 'sent') return
    const app = await testApp(db)
    const worker = (await loadCurrentUser(db, t.worker.userId))!
    await changeReferralStatus(
      db,
      { userId: t.worker.userId, ip: null },
      sent.referralId,
      { to: 'accepted' },
      { user: worker },
      { now: new Date(now.getTime() + 60_000), onAccepted: app.kith.referralAccepted },
    )
    assert.equal(app.kith.referralAccepted.length, 1)
    const row = await db
      .selectFrom('cases')
      .select(['id', 'link_worker_user_id'])
      .where('referral_id', '=', sent.referralId)
      .executeTakeFirstOrThrow()
    assert.equal(row.link_worker_user_id, t.worker.userId)
    const client = await new PageClient(app).signInAs(t.worker.userId)
    const page = textOf((await client.get(`/casework/cases/${row.id}`)).body)
    assert.match(page, /From Dr Peter Walsh/)
    assert.match(page, /Alex Testperson/)
  })
})

describeEachDatabase('casework demo', (database) => {
  it('seeds open cases with appointments, plans and prescriptions that the link workers see', async () => {
    const { db } = database()
    const { seedDemo } = await import('../demo.ts')
    const demo = await seedDemo(db)
    assert.equal(demo.casework.cases.length, 9)
    const app = await testApp(db)
    const luton = await new PageClient(app).signInAs(demo.access.users['navigator.luton@kith.example']!)
    const caseload = textOf((await luton.get('/casework')).body)
    assert.match(caseload, /Aisha Demo-Begum/)
    assert.match(caseload, /Review overdue/)
    const aisha = textOf((await luton.get(`/casework/cases/${demo.casework.cases[4]}`)).body)
    assert.match(aisha, /Record review of Active Luton gentle exercise/)
    assert.match(aisha, /Review overdue/)
    const merton = await new PageClient(app).signInAs(demo.access.users['navigator.merton@kith.example']!)
    assert.match(textOf((await merton.get('/casework/diary?view=week')).body), /Working: [^;]*Wimbledon/)
    const rotherham = await new PageClient(app).signInAs(demo.access.users['worker.rotherham@kith.example']!)
    const page = textOf((await rotherham.get(`/casework/cases/${demo.casework.cases[6]}`)).body)
    assert.match(page, /Friendship lunch club/)
    assert.match(page, /Reviewed [^:]+: continuing independently after the end; managing independently/)
    assert.deepEqual(
      (await prescriptionsOfCase(db, demo.casework.cases[6]!)).map((p) => p.serviceName),
      ['Friendship lunch club'],
    )
  })
})

describeEachDatabase('casework pages', (database) => {
  it('renders every form and view of a case for its worker and manager', async () => {
    const { db } = database()
    const t = await setUp(db)
    const id = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99001',
    })
    const worker = await t.as(t.worker)
    for (const path of [
      'appointments/new',
      'prescriptions/new',
      'signposts/new',
      'exit',
      'plan',
      'plan/print',
      'gp-summary',
    ]) {
      const response = await worker.get(`/casework/cases/${id}/${path}`)
      assert.equal(response.statusCode, 200, path)
      assert.equal((response.body.match(/<h1/g) ?? []).length, 1, path)
    }
    assert.equal((await worker.get(`/casework/cases/${id}/assign`)).statusCode, 403)
    const manager = await t.as(t.manager)
    assert.match(
      textOf((await manager.get(`/casework/cases/${id}/assign`)).body),
      /Wendy Worker.*Walter Worker|Walter Worker.*Wendy Worker/,
    )
    assert.equal((await manager.get('/casework/lone-working')).statusCode, 200)
    assert.equal((await manager.get(`/casework/diary?worker=${t.worker.userId}&view=week`)).statusCode, 200)
  })
})

describeEachDatabase('onward referrals', (database) => {
  it("refers on through Referrals with the person's consent, and records it apart from signposts", async () => {
    const { db } = database()
    const { seedDemo } = await import('../demo.ts')
    const { getReferral } = await import('../referrals/index.ts')
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const luton = await new PageClient(app).signInAs(demo.access.users['navigator.luton@kith.example']!)
    const id = demo.casework.cases[5]!
    const form = {
      kind: 'referral',
      serviceName: 'Friendship café',
      need: 'social-activity',
      note: 'Would like company',
    }
    const noConsent = await luton.post(`/casework/cases/${id}/signposts`, form)
    assert.equal(noConsent.statusCode, 400)
    assert.match(textOf(noConsent.body), /Confirm the person has agreed to the referral/)
    assert.equal(
      (await luton.post(`/casework/cases/${id}/signposts`, { ...form, consent: 'yes' })).statusCode,
      303,
    )
    const row = await db
      .selectFrom('case_signposts')
      .selectAll()
      .where('case_id', '=', id)
      .executeTakeFirstOrThrow()
    assert.equal(row.kind, 'referral')
    const referral = await getReferral(db, row.referral_id!)
    assert.equal(referral?.sourceCaseId, id)
    assert.equal(referral?.target.name, 'Friendship café')
    const page = textOf((await luton.get(`/casework/cases/${id}`)).body)
    assert.match(page, /Onward referral Friendship café/)
  })
})

describeEachDatabase('choosing a service for a case', (database) => {
  it('offers the directory services that meet the case’s needs, and prescribes or signposts the one chosen', async () => {
    const { db } = database()
    const { seedDemo } = await import('../demo.ts')
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const luton = await new PageClient(app).signInAs(demo.access.users['navigator.luton@kith.example']!)
    const id = demo.casework.cases[5]!
    const form = await luton.get(`/casework/cases/${id}/prescriptions/new`)
    assert.equal(form.statusCode, 200)
    const html = form.body.replace(/\s+/g, ' ')
    const offered = [...html.matchAll(/name="serviceId" type="radio" value="([^"]+)"/g)].map((m) => m[1]!)
    assert.ok(offered.length >= 2, html)
    assert.equal(offered.at(-1), 'other')
    const labels = [
      ...html.matchAll(
        /<label class="nhsuk-label nhsuk-radios__label" for="serviceId[^"]*">\s*([^<]+?)\s*</g,
      ),
    ].map((m) => m[1])
    assert.ok(labels.includes('Friendship café'), labels.join(', '))
    // A group that meets the need, but in Culm Valley, 200 miles away, is not offered in Luton.
    assert.ok(!labels.includes('Amblers Walking Group'), labels.join(', '))

    const base = { need: '', weeks: '12', expectedSessions: '12', start: '2026-12-01' }
    const nothing = await luton.post(`/casework/cases/${id}/prescriptions`, base)
    assert.equal(nothing.statusCode, 400)
    assert.match(nothing.body, /href="#serviceId">\s*Choose a service, or enter the name of another/)
    const unknown = await luton.post(`/casework/cases/${id}/prescriptions`, {
      ...base,
      serviceId: '0190a000-0000-7000-8000-000000000000',
    })
    assert.match(textOf(unknown.body), /Choose a service from the list/)
    const otherEmpty = await luton.post(`/casework/cases/${id}/prescriptions`, {
      ...base,
      serviceId: 'other',
    })
    assert.match(otherEmpty.body, /href="#serviceName">\s*Enter the name of the service\s*</)
    const before = (await prescriptionsOfCase(db, id)).length

    const chosen = offered[0]!
    const prescribed = await luton.post(`/casework/cases/${id}/prescriptions`, { ...base, serviceId: chosen })
    assert.equal(prescribed.statusCode, 303, prescribed.body)
    const prescriptions = await prescriptionsOfCase(db, id)
    assert.equal(prescriptions.length, before + 1)
    assert.ok(prescriptions.some((p) => p.serviceId === chosen))

    // Another service by name still works, and a signpost may name one outside the directory.
    const signposted = await luton.post(`/casework/cases/${id}/signposts`, {
      kind: 'signpost',
      serviceId: 'other',
      serviceName: 'Leaflet from the library',
      need: '',
      note: '',
    })
    assert.equal(signposted.statusCode, 303)
    const signpost = await db
      .selectFrom('case_signposts')
      .select(['service_id', 'service_name'])
      .where('case_id', '=', id)
      .where('service_name', '=', 'Leaflet from the library')
      .executeTakeFirst()
    assert.deepEqual({ ...signpost }, { service_id: null, service_name: 'Leaflet from the library' })
  })
})

describeEachDatabase('case panels', (database) => {
  it('shows the panels other capabilities register, in order, with what they loaded', async () => {
    const { db } = database()
    const t = await setUp(db)
    const id = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99001',
    })
    const seen: { caseId: string; personId: string; csrf: boolean; user: string }[] = []
    t.app.kith.casePanels.push(
      {
        order: 20,
        load: async () => ({
          template: 'casework/views/panel-example.njk',
          data: { id: 'second', heading: 'Second panel', lines: ['b'] },
        }),
      },
      {
        order: 10,
        load: async (_db, view) => {
          seen.push({
            caseId: view.caseId,
            personId: view.personId,
            csrf: view.csrfToken.length > 0,
            user: view.user.id,
          })
          return {
            template: 'casework/views/panel-example.njk',
            data: { id: 'first', heading: 'Outcome measures', lines: ['SWEMWBS taken'] },
          }
        },
      },
      { order: 5, load: async () => undefined },
    )
    const worker = await t.as(t.worker)
    const page = textOf((await worker.get(`/casework/cases/${id}`)).body)
    assert.match(page, /Outcome measures SWEMWBS taken Second panel b/)
    assert.deepEqual(seen, [{ caseId: id, personId: t.personId, csrf: true, user: t.worker.userId }])
  })
})

describeEachDatabase('case needs', (database) => {
  it('records needs from the programme taxonomy only', async () => {
    const { db } = database()
    const t = await setUp(db)
    const id = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99001',
    })
    const worker = await t.as(t.worker)
    assert.equal((await worker.get(`/casework/cases/${id}/needs`)).statusCode, 200)
    const bad = await worker.post(`/casework/cases/${id}/needs`, { needs: ['housing', 'unknown'] })
    assert.equal(bad.statusCode, 400)
    assert.match(textOf(bad.body), /Select needs from the list/)
    const ok = await worker.post(`/casework/cases/${id}/needs`, { needs: ['housing', 'social-isolation'] })
    assert.equal(ok.statusCode, 303)
    assert.match(textOf((await worker.get(`/casework/cases/${id}`)).body), /Needs Social isolation Housing/)
  })
})

describeEachDatabase('casework API', (database) => {
  it('answers the caseload and a case by bearer token, 404 for a case the user may not see', async () => {
    const { db } = database()
    const t = await setUp(db)
    const { createApiToken } = await import('../access/tokens.ts')
    const id = await openCase(db, actor, {
      personId: t.personId,
      programmeId: t.programmeId,
      practiceOdsCode: 'Z99001',
    })
    const token = (await createApiToken(db, t.worker.userId, 'test')).token
    const get = (url: string, bearer = token) =>
      t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}` } })
    const caseload = await get('/api/v1/caseload')
    assert.equal(caseload.statusCode, 200)
    assert.deepEqual(
      caseload
        .json()
        .cases.map((c: { id: string; waitingDays: number | null }) => [c.id, c.waitingDays === null]),
      [[id, false]],
    )
    const one = await get(`/api/v1/cases/${id}`)
    assert.equal(one.json().status, 'open')
    assert.equal(
      (await get(`/api/v1/cases/${id}/gp-summary`)).json().resourceType,
      'SocialPrescribingSummary',
    )
    const outsiderToken = (await createApiToken(db, t.outsider.userId, 'test')).token
    assert.equal((await get(`/api/v1/cases/${id}`, outsiderToken)).statusCode, 404)
    const spec = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    assert.ok(Object.keys(spec.paths).some((path) => path.endsWith('/caseload')))
  })
})
