// The Outcomes, Prescriptions and attendance, and Caseload and capacity reports over small
// fixtures whose every figure is worked out by hand below. Groups are of five or more, so the
// figures are published; one group of three shows the small-numbers rule.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createOrganisation } from '../access/store.ts'
import { createApiToken } from '../access/tokens.ts'
import { issueCard, recordSession } from '../attendance/store.ts'
import { type BulkAppointment, insertAppointments, insertCases } from '../casework/index.ts'
import { insertPrescription, insertPrescriptionReview, reviewPrescription } from '../casework/store.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { createTestService } from '../directory/testing.ts'
import { insertReading, updateOutcomeSettings } from '../outcomes/store.ts'
import { insertPeople } from '../people/bulk.ts'
import { defaultSettings } from '../programmes/config.ts'
import { addLinkWorker, createProgramme, setProgrammePractices } from '../programmes/store.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'

const NOW = new Date('2026-11-30T10:00:00Z')
const PERIOD = 'from=2026-01-01&to=2026-06-30'
const DAY = 86_400_000
const at = (date: string, days = 0) => new Date(Date.parse(`${date}T10:00:00Z`) + days * DAY).toISOString()

async function fixture(db: Db, people: number) {
  const owner = await createOrganisation(db, {
    name: 'Figures Care Group',
    kind: 'programme_body',
    parentId: null,
    odsCode: null,
    postcode: null,
  })
  const practice = await createOrganisation(db, {
    name: 'Figures Practice',
    kind: 'practice',
    parentId: null,
    odsCode: 'Z70999',
    postcode: null,
  })
  const manager = await createAccount(db, 'programme_manager', {
    organisationId: owner,
    name: 'Mina Manager',
  })
  const workerA = await createAccount(db, 'link_worker', { organisationId: owner, name: 'Ada Worker' })
  const workerB = await createAccount(db, 'link_worker', { organisationId: owner, name: 'Ben Worker' })
  const settings = defaultSettings('Figures programme')
  const programmeId = await createProgramme(db, {
    name: 'Figures programme',
    ownerOrganisationId: owner,
    settings: { ...settings, appointments: { ...settings.appointments, furtherAppointmentsCap: 3 } },
  })
  await setProgrammePractices(db, programmeId, [practice])
  await addLinkWorker(db, programmeId, workerA.userId)
  await addLinkWorker(db, programmeId, workerB.userId)
  const personIds = await insertPeople(
    db,
    Array.from({ length: people }, (_, i) => ({
      givenName: `Person${i}`,
      familyName: 'Figures',
      dateOfBirth: '1970-01-01',
      registeredPracticeId: practice,
    })),
  )
  const app = await testApp(db, {}, () => NOW)
  const { token } = await createApiToken(db, manager.userId, 'reports')
  const api = async (name: string) => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/reports/${name}?${PERIOD}&programme=${programmeId}`,
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(response.statusCode, 200, response.body)
    return response.json()
  }
  const page = async (name: string) => {
    const client = await new PageClient(app).signInAs(manager.userId)
    const response = await client.get(`/reports/${name}?${PERIOD}&programme=${programmeId}`)
    assert.equal(response.statusCode, 200)
    return textOf(response.body)
  }
  return { db, owner, practice, manager, workerA, workerB, programmeId, personIds, api, page }
}

describeEachDatabase('report figures worked out by hand', (database) => {
  it('Outcomes: first and latest SWEMWBS readings, mean change, meaningful improvement, payment due', async () => {
    const { db } = database()
    const f = await fixture(db, 12)
    await insertCases(
      db,
      f.personIds.map((personId) => ({
        personId,
        programmeId: f.programmeId,
        practiceId: f.practice,
        organisationId: f.owner,
        linkWorkerUserId: f.workerA.userId,
        needs: [],
        openedAt: at('2026-01-10'),
      })),
    )
    // £150 for each person improved in any score, at most £900.
    await updateOutcomeSettings(
      db,
      f.programmeId,
      {
        measures: [{ instrumentId: 'swemwbs', stages: ['baseline', 'exit'] }],
        paymentRules: { instrumentId: 'swemwbs', perPersonImprovedPence: 15_000, capPence: 90_000 },
      },
      null,
    )
    // Ten people with a first and a latest metric score (and a raw score moving the same way);
    // the first five improved by at least 2.87, the next five did not. A middle reading is ignored.
    const pairs: [number, number][] = [
      [20, 24],
      [18, 21],
      [22, 25],
      [15, 20],
      [19, 22.5],
      [22, 23],
      [25, 25],
      [24, 22],
      [17, 19],
      [21, 20],
    ]
    const reading = (personId: string, stage: 'baseline' | 'exit', metric: number, when: string) =>
      insertReading(db, {
        personId,
        programmeId: f.programmeId,
        instrumentId: 'swemwbs',
        stage,
        takenAt: when,
        answers: {},
        scores: { metric, raw: Math.round(metric) },
        enteredBy: 'link_worker',
        recordedByUserId: null,
      })
    for (const [i, [first, latest]] of pairs.entries()) {
      const personId = f.personIds[i]!
      await reading(personId, 'baseline', first, at('2026-01-15'))
      if (i === 0) await reading(personId, 'exit', 10, at('2026-03-01'))
      await reading(personId, 'exit', latest, at('2026-05-15'))
    }
    // One person with a first reading only, and one whose second came after the period.
    await reading(f.personIds[10]!, 'baseline', 20, at('2026-02-01'))
    await reading(f.personIds[11]!, 'baseline', 20, at('2026-02-01'))
    await reading(f.personIds[11]!, 'exit', 30, at('2026-08-01'))

    const report = await f.api('outcomes')
    const swemwbs = report.instruments.find((i: { id: string }) => i.id === 'swemwbs')
    assert.ok(swemwbs)
    assert.equal(swemwbs.people, 12)
    assert.equal(swemwbs.withFirstAndLatest, 10)
    const metric = swemwbs.scores.find((s: { id: string }) => s.id === 'metric')
    assert.equal(metric.pairs, 10)
    // Firsts: 203 / 10; latests: 221.5 / 10; changes 4+3+3+5+3.5+1+0-2+2-1 = 18.5.
    assert.ok(Math.abs(metric.meanFirst - 20.3) < 1e-9)
    assert.ok(Math.abs(metric.meanLatest - 22.15) < 1e-9)
    assert.ok(Math.abs(metric.meanChange - 1.85) < 1e-9)
    assert.equal(metric.meaningfulChange, 2.87)
    assert.equal(metric.improvedMeaningfully, 5)
    assert.equal(metric.shareImprovedMeaningfully, 0.5)
    // Improved in any score: the five, plus 22→23 and 17→19: seven, £1,050 capped at £900.
    assert.deepEqual(
      report.payments.map((p: { improved: number; paymentPence: number }) => [p.improved, p.paymentPence]),
      [[7, 90_000]],
    )
    const text = await f.page('outcomes')
    assert.match(text, /Shah et al\. 2018/)
    assert.match(text, /£900\.00 \(capped\)/)
  })

  it('Prescriptions and attendance: started, completed, ended early, attendance by week, at least half, continued', async () => {
    const { db } = database()
    const f = await fixture(db, 17)
    const caseIds = await insertCases(
      db,
      f.personIds.map((personId) => ({
        personId,
        programmeId: f.programmeId,
        practiceId: f.practice,
        organisationId: f.owner,
        linkWorkerUserId: f.workerA.userId,
        needs: [],
        openedAt: at('2026-01-10'),
      })),
    )
    const serviceId = await createTestService(db, f.owner, { name: 'Walking group' })
    const activity = { serviceId, serviceName: 'Walking group' }
    // Sixteen four-week prescriptions of four sessions each: six completed (five of whom carried
    // on), five ended early, five still running at the end of the period; one more started
    // before the period and does not count.
    const prescribe = (i: number, start: string, end: string) =>
      insertPrescription(db, {
        caseId: caseIds[i]!,
        personId: f.personIds[i]!,
        serviceId,
        serviceName: 'Walking group',
        need: null,
        weeks: 4,
        expectedSessions: 4,
        start,
        end,
      })
    const actor = { userId: f.workerA.userId, ip: null }
    for (let i = 0; i < 16; i++) {
      const running = i >= 11
      const id = running
        ? await prescribe(i, '2026-06-15', '2026-07-12')
        : await prescribe(i, '2026-02-02', '2026-03-01')
      if (running) continue
      await issueCard(db, actor, f.personIds[i]!, f.programmeId)
      const completed = i < 6
      // Completed: sessions in weeks 1, 2 and 3; ended early: week 1 only.
      for (const date of completed ? ['2026-02-03', '2026-02-10', '2026-02-17'] : ['2026-02-03'])
        await recordSession(db, actor, {
          personId: f.personIds[i]!,
          programmeId: f.programmeId,
          activity,
          sessionDate: date,
          at: new Date(`${date}T11:00:00Z`),
        })
      const reviewedAt = completed ? at('2026-03-02') : at('2026-02-12')
      await insertPrescriptionReview(db, {
        prescriptionId: id,
        caseId: caseIds[i]!,
        userId: f.workerA.userId,
        reviewedAt,
        earlyReason: completed ? null : 'Moved away',
        sessionsAttended: completed ? 3 : 1,
        sessionsExpected: 4,
        goals: [],
        selfCare: 'growing',
        assessment: '',
        nextStep: 'end',
        previousEnd: null,
        newEnd: null,
      })
      await reviewPrescription(db, id, { continued: i < 5, at: reviewedAt })
    }
    await prescribe(16, '2025-12-01', '2025-12-28')

    const report = await f.api('prescriptions')
    assert.equal(report.started, 16)
    assert.equal(report.completed, 6)
    assert.equal(report.endedEarly, 5)
    assert.equal(report.inProgress, 5)
    // Of the eleven ended, six attended three of four sessions (at least half); five attended one.
    assert.equal(report.attendedHalfShare, 6 / 11)
    // Of the eleven reviewed, five carried on.
    assert.equal(report.continuedShare, 5 / 11)
    assert.deepEqual(
      report.byWeek.map((w: { week: number; attendances: number; perPrescription: number }) => [
        w.week,
        w.attendances,
        w.perPrescription,
      ]),
      [
        [1, 11, 11 / 16],
        [2, 6, 6 / 16],
        [3, 6, 6 / 16],
        [4, 0, 0],
      ],
    )
    const text = await f.page('prescriptions')
    assert.match(text, /Started 16 .* Completed 6 .* Ended early 5 .* Not yet reviewed 5 /)
    assert.match(text, /Attended at least half their sessions 55% .* Continued after the prescription 45% /)
    assert.match(text, /Week 1 11 16 0\.69 Week 2 6 16 0\.38 Week 3 6 16 0\.38 Week 4 0 16 0\.00/)
  })

  it('Caseload and capacity: open cases per link worker, waiting time, appointments by mode, the cap', async () => {
    const { db } = database()
    const f = await fixture(db, 14)
    const A = f.workerA.userId
    const B = f.workerB.userId
    const caseOf = (i: number, worker: string, extra: { closedAt?: string; openedAt?: string } = {}) => ({
      personId: f.personIds[i]!,
      programmeId: f.programmeId,
      practiceId: f.practice,
      organisationId: f.owner,
      linkWorkerUserId: worker,
      needs: [],
      openedAt: extra.openedAt ?? at('2026-02-01', i),
      closedAt: extra.closedAt ?? null,
    })
    // Ada: five open cases; Ben: six open and two closed in the period, and one closed before it.
    const ids = await insertCases(db, [
      ...[0, 1, 2, 3, 4].map((i) => caseOf(i, A)),
      ...[5, 6, 7, 8, 9, 10].map((i) => caseOf(i, B)),
      caseOf(11, B, { closedAt: at('2026-05-01') }),
      caseOf(12, B, { closedAt: at('2026-05-01') }),
      caseOf(13, B, { openedAt: at('2025-10-01'), closedAt: at('2025-12-01') }),
    ])
    // Days from opening to the first appointment: Ada's 2, 4, 6, 8, 10; Ben's open 1, 3, 5, 7, 9,
    // 11 and closed 20, 30: thirteen waits, the middle one 7 days. A cancelled earlier one is not
    // the first.
    const waits = [2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11, 20, 30]
    const modes = ['practice', 'practice', 'practice', 'practice', 'practice']
      .concat(Array(6).fill('home_visit'))
      .concat(['community_venue', 'community_venue']) as BulkAppointment['mode'][]
    const appointments: BulkAppointment[] = []
    const opened = (i: number) => at('2026-02-01', i)
    for (const [i, wait] of waits.entries())
      appointments.push({
        caseId: ids[i]!,
        linkWorkerUserId: i < 5 ? A : B,
        kind: 'initial',
        mode: modes[i]!,
        startsAt: new Date(Date.parse(opened(i)) + wait * DAY).toISOString(),
        minutes: 60,
        status: 'attended',
      })
    appointments.push({
      caseId: ids[12]!,
      linkWorkerUserId: B,
      kind: 'initial',
      mode: 'phone',
      startsAt: opened(12),
      minutes: 60,
      status: 'cancelled',
    })
    // Further appointments against the cap of three: Ada's five cases three each (at the cap),
    // five of Ben's open cases four each (past it), one of Ben's closed cases one.
    const further = (i: number, count: number, worker: string, mode: BulkAppointment['mode']) => {
      for (let k = 0; k < count; k++)
        appointments.push({
          caseId: ids[i]!,
          linkWorkerUserId: worker,
          kind: 'follow_up',
          mode,
          startsAt: new Date(Date.parse(opened(i)) + (35 + k * 7) * DAY).toISOString(),
          minutes: 45,
          status: 'attended',
        })
    }
    for (const i of [0, 1, 2, 3, 4]) further(i, 3, A, 'walk_and_talk')
    for (const i of [5, 6, 7, 8, 9]) further(i, 4, B, 'video')
    further(11, 1, B, 'community_venue')
    await insertAppointments(db, appointments)

    const report = await f.api('caseload')
    assert.equal(report.openCases, 11)
    assert.deepEqual(
      report.byLinkWorker.map((w: { name: string; openCases: number; expected: number | null }) => [
        w.name,
        w.openCases,
        w.expected,
      ]),
      [
        ['Ada Worker', 5, null],
        ['Ben Worker', 6, null],
      ],
    )
    assert.equal(report.medianDaysToFirstAppointment, 7)
    // Not cancelled, in the period: practice 5, home visits 6, walk and talk 15, video 20; the
    // community venue's three are fewer than five, so not published; phone's one was cancelled.
    assert.deepEqual(
      Object.fromEntries(
        report.appointmentsByMode.map((m: { mode: string; count: number }) => [m.mode, m.count]),
      ),
      { practice: 5, home_visit: 6, community_venue: null, walk_and_talk: 15, phone: 0, video: 20 },
    )
    assert.deepEqual(
      report.capUse.map((c: { cap: number; cases: number; atCap: number; overCap: number }) => [
        c.cap,
        c.cases,
        c.atCap,
        c.overCap,
      ]),
      [[3, 13, 5, 5]],
    )
    const text = await f.page('caseload')
    assert.match(text, /Median days from referral to first appointment 7/)
    assert.match(text, /Community venue fewer than 5/)
  })
})
