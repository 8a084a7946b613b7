// The MESH client against a local server that follows the MESH API: authorisation, look-up,
// chunked sending, inbox, download, acknowledgement, tracking, and the errors MESH answers.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { MeshConfig } from '../config.ts'
import { MeshClient, type MeshError, meshAuthorization } from './mesh.ts'
import { type LocalMesh, startLocalMesh } from './mesh-testing.ts'

const WORKFLOW = 'GPFED_CONSULT_REPORT'

describe('the MESH client', () => {
  let mesh: LocalMesh
  const config = (mailbox: string, password: string): MeshConfig => ({
    url: mesh.url,
    mailbox,
    password,
    sharedKey: mesh.sharedKey,
    workflowId: WORKFLOW,
  })
  before(async () => {
    mesh = await startLocalMesh()
    mesh.addMailbox('KITH001', 'kith-password')
    mesh.addMailbox('PRACTICE1', 'practice-password', { odsCode: 'Z99001', workflows: [WORKFLOW] })
  })
  after(() => mesh.close())

  it('signs each request with the NHSMESH header: an HMAC-SHA256 of the mailbox, nonce, count, password and time', () => {
    const header = meshAuthorization('KITH001', 'pw', 'TestKey', new Date('2026-12-06T09:05:00Z'), 'nonce', 3)
    assert.match(header, /^NHSMESH KITH001:nonce:3:202612060905:[0-9a-f]{64}$/)
  })

  it('sends a message in chunks to the mailbox found by ODS code, which the practice reads, acknowledges and Kith tracks', async () => {
    const kith = new MeshClient(config('KITH001', 'kith-password'), { chunkSize: 10 })
    const practice = new MeshClient(config('PRACTICE1', 'practice-password'))
    await kith.handshake()
    const to = await kith.lookup('Z99001', WORKFLOW)
    assert.equal(to, 'PRACTICE1')
    const body = Buffer.from('{"resourceType":"Bundle","type":"document"}')
    const id = await kith.send({
      to: to ?? '',
      workflowId: WORKFLOW,
      body,
      subject: 'Social prescribing summary',
      localId: 'local-1',
    })
    const sent = mesh.requests.filter((r) => r.method === 'POST' && r.path.includes('/outbox'))
    assert.equal(sent.length, Math.ceil(body.length / 10), 'one request a chunk')
    assert.equal(sent[0]?.headers['mex-chunk-range'], `1:${sent.length}`)
    assert.equal(sent[0]?.headers['mex-workflowid'], WORKFLOW)
    assert.deepEqual(await practice.inbox(), [id])
    const got = await practice.download(id)
    assert.equal(got.body.toString(), body.toString())
    assert.equal(got.headers['mex-from'], 'KITH001')
    assert.equal((await kith.track(id)).status, 'accepted')
    await practice.acknowledge(id)
    assert.deepEqual(await practice.inbox(), [])
    assert.equal((await kith.track(id)).status, 'acknowledged')
    kith.close()
    practice.close()
  })

  it('answers MESH’s errors: a wrong password, an unknown recipient (not retried), and a server failure (retried)', async () => {
    const wrong = new MeshClient(config('KITH001', 'not-the-password'))
    await assert.rejects(wrong.handshake(), (e: MeshError) => e.status === 401 && !e.retryable)
    const kith = new MeshClient(config('KITH001', 'kith-password'))
    await assert.rejects(
      kith.send({ to: 'NOBODY', workflowId: WORKFLOW, body: Buffer.from('x') }),
      (e: MeshError) => e.status === 417 && !e.retryable,
    )
    mesh.failNext(1)
    await assert.rejects(kith.inbox(), (e: MeshError) => e.status === 503 && e.retryable)
    assert.deepEqual(await kith.inbox(), [])
    wrong.close()
    kith.close()
  })
})
