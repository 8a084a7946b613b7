// The summary into the GP record: a case's end puts a message for the practice in the outbox; the
// delivery job sends it through MESH (here the local MESH server) as a FHIR document the practice
// reads from its mailbox; a MESH failure is retried; codes-only practices get the codes alone.

import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import type { Bundle, Composition } from '@medplum/fhirtypes'
import { exitCase } from '../casework/cases.ts'
import { appointmentSummariesOfCase } from '../casework/index.ts'
import { caseworkFixture } from '../casework/testing.ts'
import type { MeshConfig } from '../config.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { deliverPending } from '../interop/delivery.ts'
import { MeshClient } from '../interop/mesh.ts'
import { type LocalMesh, startLocalMesh } from '../interop/mesh-testing.ts'
import { attemptsOf } from '../interop/testing.ts'
import { createAccount, PageClient, textOf } from '../web/testing.ts'
import { gpDocumentOfCase } from './gp-record.ts'
import { setCodesOnly } from './sharing.ts'
import { assertValid, indexR4Definitions } from './testing.ts'

const WORKFLOW = 'GPFED_CONSULT_REPORT'
let mesh: LocalMesh
before(async () => {
  indexR4Definitions()
  mesh = await startLocalMesh()
  mesh.addMailbox('KITH001', 'kith-password')
  mesh.addMailbox('PRACTICE1', 'practice-password', { odsCode: 'Z99001', workflows: [WORKFLOW] })
})
after(() => mesh.close())

const meshConfig = (mailbox: string, password: string): MeshConfig => ({
  url: mesh.url,
  mailbox,
  password,
  sharedKey: mesh.sharedKey,
  workflowId: WORKFLOW,
})

/** Everything in the practice's mailbox, read and acknowledged. */
async function practiceReads(): Promise<{ workflowId: string; document: Bundle }[]> {
  const practice = new MeshClient(meshConfig('PRACTICE1', 'practice-password'))
  const read = []
  for (const id of await practice.inbox()) {
    const got = await practice.download(id)
    read.push({
      workflowId: String(got.headers['mex-workflowid']),
      document: JSON.parse(got.body.toString()) as Bundle,
    })
    await practice.acknowledge(id)
  }
  practice.close()
  return read
}

describeEachDatabase('the summary into the GP record', (database) => {
  it('sends the case summary to the practice’s MESH mailbox when the case ends, as a FHIR document, retrying when MESH fails', async () => {
    const { db } = database()
    const f = await caseworkFixture(db, undefined, {
      config: { mesh: meshConfig('KITH001', 'kith-password') },
    })
    const app = f.app
    const caseId = await f.openCase()
    await exitCase(
      db,
      await f.ctxOf(f.worker),
      caseId,
      { closureReason: 'moved_away', exitPlan: 'Moving to Leeds: the practice there will take over' },
      new Date(),
      app.kith.caseClosed,
    )
    const queued = await db
      .selectFrom('outbox_messages')
      .select(['id', 'status', 'address', 'body'])
      .where('channel', '=', 'mesh')
      .execute()
    assert.equal(queued.length, 1)
    assert.equal(queued[0]?.status, 'pending')
    assert.equal(queued[0]?.address, 'Z99001')
    assert.doesNotMatch(
      queued[0]?.body ?? '',
      /Ada|Testperson|9434765919/,
      'no personal data waits in the outbox',
    )

    mesh.failNext(1)
    const options = { publicUrl: 'http://kith.test' }
    assert.equal((await deliverPending(db, app.kith.senders, new Date(), options)).retrying, 1)
    const report = await deliverPending(db, app.kith.senders, new Date(Date.now() + 3_600_000), options)
    assert.equal(report.sent, 1, JSON.stringify(report))
    assert.deepEqual(await attemptsOf(db, queued[0]?.id ?? ''), [
      ['failed', 503],
      ['sent', 201],
    ])

    // Administrators see both attempts on the outbox page.
    const admin = await new PageClient(app).signInAs((await createAccount(db, 'administrator')).userId)
    assert.match(
      textOf((await admin.get('/admin/outbox')).body),
      /Channel MESH message To Practice Z99001 Subject Summary sent to the GP practice .* Status Sent Attempts 2/,
    )
    const shown = textOf((await admin.get(`/admin/outbox/${queued[0]?.id}`)).body)
    assert.match(shown, /MESH message id [0-9A-Za-z_-]+/)
    assert.match(shown, /Outcome Failed MESH answered 503 .* Outcome Sent MESH answered 201/)

    // The practice reads it from its mailbox, and acknowledges it.
    const [read, ...more] = await practiceReads()
    assert.ok(read)
    assert.equal(more.length, 0)
    assert.equal(read.workflowId, WORKFLOW)
    const document = read.document
    assertValid(document)
    assert.equal(document.type, 'document')
    const composition = document.entry?.[0]?.resource as Composition
    assert.equal(composition.resourceType, 'Composition')
    assert.equal(composition.title, 'Social prescribing summary: case closed')
    assert.deepEqual(
      composition.section?.map((s) => s.title),
      ['Referral', 'Needs and concerns', 'Support offered', 'Outcomes'],
    )
    const patient = document.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource
    assert.equal(patient?.resourceType === 'Patient' && patient.identifier?.[0]?.value, '9434765919')
    const condition = document.entry?.find((e) => e.resource?.resourceType === 'Condition')?.resource
    assert.equal(condition?.resourceType === 'Condition' && condition.code?.coding?.[0]?.code, '44054006')
    assert.match(JSON.stringify(composition), /Moving to Leeds/)

    // A practice that takes codes only gets the coded entries without the free text.
    await setCodesOnly(db, f.programmeId, f.practice, true)
    const codesOnly = await gpDocumentOfCase(
      db,
      'http://kith.test/fhir',
      caseId,
      app.kith.caseSummarySections,
    )
    assert.ok(codesOnly)
    assertValid(JSON.parse(codesOnly.json))
    assert.doesNotMatch(codesOnly.json, /Moving to Leeds/)
    assert.match(codesOnly.json, /44054006/)
    await app.close()
  })

  it('keeps the summary in the outbox, visible to administrators, when MESH is not configured', async () => {
    const { db } = database()
    const f = await caseworkFixture(db)
    const caseId = await f.openCase()
    await exitCase(
      db,
      await f.ctxOf(f.worker),
      caseId,
      { closureReason: 'moved_away', exitPlan: '' },
      new Date(),
      f.app.kith.caseClosed,
    )
    await deliverPending(db, f.app.kith.senders, new Date(), { publicUrl: 'http://kith.test' })
    const kept = await db
      .selectFrom('outbox_messages')
      .select(['status', 'last_error'])
      .where('channel', '=', 'mesh')
      .executeTakeFirstOrThrow()
    assert.equal(kept.status, 'not_sent')
    assert.match(kept.last_error ?? '', /MESH is not configured/)
    // Administrators see it on the outbox page: a MESH message to the practice's ODS code, not sent.
    const admin = await new PageClient(f.app).signInAs((await createAccount(db, 'administrator')).userId)
    const outbox = await admin.get('/admin/outbox')
    assert.equal(outbox.statusCode, 200)
    const listed = textOf(outbox.body)
    assert.match(listed, /MESH is not configured ?, so summaries for GP practices are not sent/)
    assert.match(
      listed,
      /Channel MESH message To Practice Z99001 Subject Summary sent to the GP practice .* Status Not sent Attempts 0/,
    )
    const id = /href="\/admin\/outbox\/([0-9a-f-]{36})"/.exec(outbox.body)?.[1]
    const shown = textOf((await admin.get(`/admin/outbox/${id}`)).body)
    assert.match(shown, /To GP practice, ODS code Z99001 \(on behalf of Wendy Worker\)/)
    assert.match(shown, /Last error MESH is not configured/)
    await f.app.close()
  })

  it('sends the summary at the initial assessment and at a prescription’s end only when the programme chose those points, once each, the document naming its point', async () => {
    const { db } = database()
    const f = await caseworkFixture(db, undefined, {
      config: { mesh: meshConfig('KITH001', 'kith-password') },
    })
    const worker = await f.as(f.worker)
    const manager = await f.as(f.manager)
    const meshMessages = async () =>
      Number(
        (
          await db
            .selectFrom('outbox_messages')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('channel', '=', 'mesh')
            .executeTakeFirstOrThrow()
        ).n,
      )
    /** Books the case's initial appointment this morning, and records it as held. */
    const initialAssessment = async (caseId: string, startTime: string, endTime: string) => {
      const booked = await worker.post(`/casework/cases/${caseId}/appointments`, {
        kind: 'initial',
        mode: 'practice',
        place: '',
        date: '2026-11-30',
        startTime,
        endTime,
      })
      assert.equal(booked.statusCode, 303, textOf(booked.body))
      const initial = (await appointmentSummariesOfCase(db, caseId)).find((a) => a.kind === 'initial')
      assert.ok(initial)
      const id = initial.id
      const record = async (status: string) => {
        const recorded = await worker.post(`/casework/appointments/${id}`, { status })
        assert.equal(recorded.statusCode, 303, textOf(recorded.body))
      }
      await record('attended')
      return record
    }
    /** Reviews a prescription and ends it (early, with a reason, when before its last day). */
    const endPrescription = async (caseId: string, prescriptionId: string, early: boolean) => {
      const reviewed = await worker.post(`/casework/cases/${caseId}/prescriptions/${prescriptionId}/review`, {
        ...(early ? { earlyReason: 'Found a job and cannot go on weekdays' } : {}),
        selfCare: 'growing',
        assessment: '',
        nextStep: 'end',
      })
      assert.equal(reviewed.statusCode, 303, reviewed.body)
    }

    // The programme has chosen no points: only the case's end sends the summary.
    const first = await f.openCase()
    await initialAssessment(first, '08:00', '08:30')
    await endPrescription(first, await f.prescribe(first, { start: '2026-10-05', weeks: 8 }), false)
    assert.equal(await meshMessages(), 0)
    const exited = await worker.post(`/casework/cases/${first}/exit`, {
      closureReason: 'moved_away',
      exitPlan: 'Moving to Leeds',
    })
    assert.equal(exited.statusCode, 303, textOf(exited.body))
    assert.equal(await meshMessages(), 1)

    // Its manager chooses both points.
    const saved = await manager.post(`/programmes/${f.programmeId}/gp-sharing`, {
      points: ['initial-assessment', 'prescription-ended'],
      [`practice-${f.practice}`]: 'whole',
      [`practice-${f.other}`]: 'whole',
    })
    assert.equal(saved.statusCode, 303, textOf(saved.body))

    const second = await f.openCase()
    const record = await initialAssessment(second, '09:00', '09:30')
    assert.equal(await meshMessages(), 2)
    // Recorded again (not attended, then attended): the initial assessment is sent once.
    await record('did_not_attend')
    await record('attended')
    assert.equal(await meshMessages(), 2)
    // Extending a prescription does not end it; ending it early does.
    const prescription = await f.prescribe(second, { start: '2026-11-16', weeks: 8 })
    const extended = await worker.post(`/casework/cases/${second}/prescriptions/${prescription}/review`, {
      earlyReason: 'Needs longer to settle in',
      selfCare: 'needs_support',
      assessment: '',
      nextStep: 'extend',
      newEnd: '2027-02-07',
      expectedSessions: '12',
    })
    assert.equal(extended.statusCode, 303, extended.body)
    assert.equal(await meshMessages(), 2)
    const another = await f.prescribe(second, { start: '2026-11-23', weeks: 8 })
    await endPrescription(second, another, true)
    assert.equal(await meshMessages(), 3)

    // The delivery job sends all three; the practice reads each, valid, naming its point.
    const report = await deliverPending(db, f.app.kith.senders, new Date(), { publicUrl: 'http://kith.test' })
    assert.equal(report.sent, 3, JSON.stringify(report))
    const read = await practiceReads()
    assert.equal(read.length, 3)
    for (const { document } of read) assertValid(document)
    const compositions = read.map(({ document }) => document.entry?.[0]?.resource as Composition)
    assert.deepEqual(compositions.map((c) => [c.title, c.event?.[0]?.code?.[0]?.coding?.[0]?.code]).sort(), [
      ['Social prescribing summary: case closed', 'case-closed'],
      ['Social prescribing summary: initial assessment done', 'initial-assessment'],
      ['Social prescribing summary: social prescription ended', 'prescription-ended'],
    ])
    const assessed = compositions.find(
      (c) => c.event?.[0]?.code?.[0]?.coding?.[0]?.code === 'initial-assessment',
    )
    assert.equal(assessed?.event?.[0]?.period?.start, '2026-11-30T09:00:00.000Z')
    await f.app.close()
  })
})
