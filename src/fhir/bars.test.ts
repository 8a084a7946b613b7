// Referrals in by BaRS: `$process-message` makes the same referral the pages make, answers with a
// BaRS response message, is idempotent on the message id, and refuses what is wrong by naming the
// element, writing nothing.

import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { before, it } from 'node:test'
import type { Bundle, MessageHeader } from '@medplum/fhirtypes'
import { loadCurrentUser } from '../access/store.ts'
import { createApiToken } from '../access/tokens.ts'
import type { Config } from '../config.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { deliverPending } from '../interop/delivery.ts'
import { attemptsOf } from '../interop/testing.ts'
import { changeReferralStatus, referralsReceivedBy } from '../referrals/index.ts'
import { referralSetUp } from '../referrals/testing.ts'
import { testApp } from '../web/testing.ts'
import { assertValid, barsReferralMessage, indexR4Definitions, type MessageOptions } from './testing.ts'

before(indexR4Definitions)

const BASE = 'http://kith.test/fhir'

async function setUp(db: Db, config: Partial<Config> = {}) {
  const t = await referralSetUp(db)
  const app = await testApp(db, config)
  const token = (await createApiToken(db, t.referrer.userId, 'GP system')).token
  const ods = (
    await db
      .selectFrom('organisations')
      .select('ods_code')
      .where('id', '=', t.practice)
      .executeTakeFirstOrThrow()
  ).ods_code as string
  const send = (options: Partial<MessageOptions> = {}, body?: unknown) =>
    app.inject({
      method: 'POST',
      url: '/fhir/$process-message',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      payload: JSON.stringify(
        body ??
          barsReferralMessage({
            base: BASE,
            messageId: '0b9f1c1e-4d1a-4b8a-9a55-5b1e0e6f0001',
            target: { programmeId: t.programmeId },
            practiceOdsCode: ods,
            ...options,
          }),
      ),
    })
  const count = async (table: 'referrals' | 'people' | 'person_consents') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  return { t, app, send, count, ods }
}

describeEachDatabase('BaRS referrals in', (database) => {
  it('makes the referral the pages make, answers with a BaRS response, and makes one referral of a message sent twice', async () => {
    const { db } = database()
    const { t, app, send, count } = await setUp(db)
    const response = await send()
    assert.equal(response.statusCode, 200, response.body)
    assert.match(String(response.headers['content-type']), /^application\/fhir\+json/)
    const message = response.json() as Bundle
    assertValid(message)
    assert.equal(message.type, 'message')
    const header = message.entry?.[0]?.resource as MessageHeader
    assert.deepEqual(header.eventCoding, {
      system: 'https://fhir.nhs.uk/CodeSystem/message-events-bars',
      code: 'servicerequest-response',
    })
    assert.deepEqual(header.response?.identifier, '0b9f1c1e-4d1a-4b8a-9a55-5b1e0e6f0001')
    assert.equal(header.response?.code, 'ok')
    const task = message.entry?.find((e) => e.resource?.resourceType === 'Task')?.resource
    assert.ok(task?.resourceType === 'Task')
    assert.equal(task.status, 'requested')

    // In the receiving team's inbox, with its reply deadlines (nudge and auto-decline), its needs and consent.
    const worker = (await loadCurrentUser(db, t.worker.userId))!
    const inbox = await referralsReceivedBy(db, worker)
    assert.equal(inbox.length, 1)
    const referral = inbox[0]!
    assert.equal(referral.id, task.id)
    assert.deepEqual(referral.needs, ['social-isolation'])
    assert.ok(referral.consentId)
    assert.ok(referral.nudgeDueAt && referral.declineDueAt)
    assert.equal(referral.referrer.userId, t.referrer.userId)
    assert.equal(referral.referrer.name, 'Dr Peter Walsh')
    const told = await db
      .selectFrom('notifications')
      .select('user_id')
      .where('user_id', '=', t.worker.userId)
      .execute()
    assert.ok(told.length >= 1, 'the link workers are told of the new referral')

    const again = await send()
    assert.equal(again.statusCode, 200)
    const againTask = (again.json() as Bundle).entry?.find(
      (e) => e.resource?.resourceType === 'Task',
    )?.resource
    assert.equal(againTask?.id, task.id)
    assert.equal(await count('referrals'), 1)
    await app.close()
  })

  it('refuses a malformed bundle, a missing NHS number, an unknown service, an unsupported event and an ineligible person, naming the element and writing nothing', async () => {
    const { db } = database()
    const { app, send, count } = await setUp(db)
    const good = barsReferralMessage({
      base: BASE,
      messageId: 'm1',
      target: { serviceId: '0190a000-0000-7000-8000-000000000000' },
    })
    const header = good.entry?.[0]?.resource as MessageHeader
    const cases: [string, Awaited<ReturnType<typeof send>>, number, string][] = [
      ['not a bundle', await send({}, { resourceType: 'Patient' }), 400, 'Bundle'],
      ['a collection', await send({}, { ...good, type: 'collection' }), 400, 'Bundle.type'],
      [
        'no NHS number',
        await send({ nhsNumber: null }),
        400,
        "Patient.identifier.where(system='https://fhir.nhs.uk/Id/nhs-number')",
      ],
      [
        'a wrong NHS number',
        await send({ nhsNumber: '9434765918' }),
        400,
        "Patient.identifier.where(system='https://fhir.nhs.uk/Id/nhs-number')",
      ],
      ['an unknown service', await send({}, good), 400, 'ServiceRequest.performer'],
      [
        'an unsupported event',
        await send(
          {},
          {
            ...good,
            entry: [
              {
                ...good.entry?.[0],
                resource: { ...header, eventCoding: { ...header.eventCoding, code: 'booking-request' } },
              },
              ...(good.entry ?? []).slice(1),
            ],
          },
        ),
        400,
        'MessageHeader.eventCoding',
      ],
      [
        'no consent',
        await send({}, { ...good, entry: good.entry?.filter((e) => e.resource?.resourceType !== 'Consent') }),
        400,
        'Consent',
      ],
    ]
    for (const [what, response, status, element] of cases) {
      assert.equal(response.statusCode, status, `${what}: ${response.body}`)
      const outcome = response.json()
      assertValid(outcome)
      assert.equal(outcome.resourceType, 'OperationOutcome', what)
      assert.deepEqual(outcome.issue[0].expression, [element], what)
    }
    const young = await send({ birthDate: '2015-01-01', messageId: 'young' })
    assert.equal(young.statusCode, 422, young.body)
    assert.ok(young.json().issue.some((i: { diagnostics: string }) => /18/.test(i.diagnostics)))
    assert.equal(await count('referrals'), 0)
    assert.equal(await count('people'), 0)
    assert.equal(await count('person_consents'), 0)

    const anonymous = await app.inject({ method: 'POST', url: '/fhir/$process-message', payload: good })
    assert.equal(anonymous.statusCode, 401)
    assert.equal(anonymous.json().resourceType, 'OperationOutcome')
    await app.close()
  })

  it('sends each change of status back to the sender as a BaRS message through the outbox, retried when the endpoint fails', async (t) => {
    const received: Bundle[] = []
    let failing = true
    const server = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk) => {
        body += chunk
      })
      request.on('end', () => {
        if (failing) {
          response.writeHead(503).end()
          return
        }
        received.push(JSON.parse(body) as Bundle)
        response.writeHead(202).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => server.close())
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bars`
    const { db } = database()
    const { t: s, app, send } = await setUp(db, { barsEndpoints: [endpoint] })
    const message = barsReferralMessage({
      base: BASE,
      messageId: 'status-1',
      target: { programmeId: s.programmeId },
      practiceOdsCode:
        (
          await db
            .selectFrom('organisations')
            .select('ods_code')
            .where('id', '=', s.practice)
            .executeTakeFirstOrThrow()
        ).ods_code ?? '',
    })
    const header = message.entry?.[0]?.resource as MessageHeader
    header.source = { endpoint }
    const sent = await send({}, message)
    assert.equal(sent.statusCode, 200, sent.body)
    const referralId =
      (sent.json() as Bundle).entry?.find((e) => e.resource?.resourceType === 'Task')?.resource?.id ?? ''
    const worker = (await loadCurrentUser(db, s.worker.userId))!
    await changeReferralStatus(
      db,
      { userId: worker.id, ip: null },
      referralId,
      { to: 'accepted' },
      { user: worker },
    )

    const options = { publicUrl: 'http://kith.test' }
    const first = await deliverPending(db, app.kith.senders, new Date(), options)
    assert.equal(first.retrying, 1, JSON.stringify(first))
    const queued = await db
      .selectFrom('outbox_messages')
      .select(['id', 'status', 'attempts', 'address'])
      .where('channel', '=', 'fhir-message')
      .execute()
    assert.equal(queued.length, 1)
    assert.deepEqual([queued[0]?.status, queued[0]?.attempts, queued[0]?.address], ['pending', 1, endpoint])

    failing = false
    const later = new Date(Date.now() + 3_600_000)
    const second = await deliverPending(db, app.kith.senders, later, options)
    assert.equal(second.sent, 1, JSON.stringify(second))
    assert.deepEqual(await attemptsOf(db, queued[0]?.id ?? ''), [
      ['failed', 503],
      ['sent', 201],
    ])
    assert.equal(received.length, 1)
    const answer = received[0]!
    assertValid(answer)
    assert.equal(
      (answer.entry?.[0]?.resource as MessageHeader | undefined)?.eventCoding?.code,
      'servicerequest-response',
    )
    const task = answer.entry?.find((e) => e.resource?.resourceType === 'Task')?.resource
    assert.ok(task?.resourceType === 'Task')
    assert.equal(task.status, 'accepted')
    assert.equal(task.for, undefined, 'no details of the person leave in the status message')
    await app.close()
  })

  it('keeps BaRS responses in the outbox, visible to administrators, when no endpoint is configured', async () => {
    const { db } = database()
    const { t: s, app, send } = await setUp(db)
    const sent = await send()
    const referralId =
      (sent.json() as Bundle).entry?.find((e) => e.resource?.resourceType === 'Task')?.resource?.id ?? ''
    const worker = (await loadCurrentUser(db, s.worker.userId))!
    await changeReferralStatus(
      db,
      { userId: worker.id, ip: null },
      referralId,
      { to: 'accepted' },
      { user: worker },
    )
    await deliverPending(db, app.kith.senders, new Date(), { publicUrl: 'http://kith.test' })
    const kept = await db
      .selectFrom('outbox_messages')
      .select(['status', 'last_error'])
      .where('channel', '=', 'fhir-message')
      .executeTakeFirstOrThrow()
    assert.equal(kept.status, 'not_sent')
    assert.match(kept.last_error ?? '', /BARS_ENDPOINTS/)
    await app.close()
  })
})
