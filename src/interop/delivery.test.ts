import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { ConfigError, loadConfig } from '../config.ts'
import { newId } from '../db/ids.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { Scheduler } from '../scheduler/scheduler.ts'
import { createAccount, testConfig } from '../web/testing.ts'
import { DELIVERY_JOB, deliverPending, deliveryJob, notifySender, type Sender } from './delivery.ts'
import { notify } from './notifications.ts'
import { getOutboxMessage } from './outbox.ts'
import { type NotifyStandIn, startNotifyStandIn } from './testing.ts'

const EMAIL_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a'
const PUBLIC_URL = 'http://kith.test'
const T0 = new Date('2026-11-22T09:00:00.000Z')
const ACCEPTED = {
  kind: 'referral.accepted',
  subject: 'Referral accepted',
  body: 'A referral you made has been accepted. Sign in to Kith to see it.',
}

async function acceptedReferralNotice(db: Db) {
  const referrer = await createAccount(db, 'referrer')
  const referralId = newId()
  const { messageIds } = await db
    .transaction()
    .execute((trx) =>
      notify(trx, { userId: referrer.userId, ...ACCEPTED, link: `/referrals/${referralId}` }, T0),
    )
  return { referrer, referralId, messageId: messageIds[0]! }
}

const at = (ms: number) => new Date(T0.getTime() + ms)

describeEachDatabase('delivery through GOV.UK Notify', (database) => {
  let notifyApi: NotifyStandIn
  let sender: Sender
  beforeEach(async () => {
    notifyApi = await startNotifyStandIn()
    sender = notifySender({
      apiKey: notifyApi.apiKey,
      emailTemplateId: EMAIL_TEMPLATE,
      baseUrl: notifyApi.url,
      timeoutMs: 300,
    })
  })
  afterEach(async () => {
    await notifyApi.close()
  })

  it('sends a pending email with the template, the account’s address and no personal data, and records it', async () => {
    const { db } = database()
    const { referrer, referralId, messageId } = await acceptedReferralNotice(db)

    const report = await deliverPending(db, sender, T0, { publicUrl: PUBLIC_URL })
    assert.deepEqual(report, { sent: 1, retrying: 0, failed: 0, notSent: 0 })
    assert.equal(notifyApi.received.length, 1)
    const request = notifyApi.received[0]!
    assert.equal(request.path, '/v2/notifications/email')
    assert.deepEqual(request.body, {
      template_id: EMAIL_TEMPLATE,
      email_address: referrer.email,
      personalisation: {
        subject: 'Referral accepted',
        body: `A referral you made has been accepted. Sign in to Kith to see it.\n\n${PUBLIC_URL}/referrals/${referralId}`,
      },
      reference: messageId,
    })

    const message = await getOutboxMessage(db, messageId)
    assert.equal(message?.status, 'sent')
    assert.equal(message?.attempts, 1)
    assert.equal(message?.sentAt, T0.toISOString())
    assert.match(message?.providerId ?? '', /^[0-9a-f-]{36}$/)
    assert.deepEqual(
      message?.history.map((attempt) => [attempt.outcome, attempt.statusCode, attempt.at]),
      [['sent', 201, T0.toISOString()]],
    )
    // Sent once only.
    assert.deepEqual(await deliverPending(db, sender, at(3_600_000), { publicUrl: PUBLIC_URL }), {
      sent: 0,
      retrying: 0,
      failed: 0,
      notSent: 0,
    })
    assert.equal(notifyApi.received.length, 1)
  })

  it('retries a failure with backoff, recording each attempt, until Notify accepts it', async () => {
    const { db } = database()
    const { messageId } = await acceptedReferralNotice(db)
    notifyApi.answers.push('server-error', 'rate-limit')

    assert.equal((await deliverPending(db, sender, T0, { publicUrl: PUBLIC_URL })).retrying, 1)
    let message = await getOutboxMessage(db, messageId)
    assert.equal(message?.status, 'pending')
    assert.equal(message?.lastError, 'Exception: Internal server error')
    assert.equal(message?.nextAttemptAt, at(60_000).toISOString())

    // Not before it is due.
    await deliverPending(db, sender, at(59_999), { publicUrl: PUBLIC_URL })
    assert.equal(notifyApi.received.length, 1)

    assert.equal((await deliverPending(db, sender, at(60_000), { publicUrl: PUBLIC_URL })).retrying, 1)
    message = await getOutboxMessage(db, messageId)
    // The second wait is twice the first.
    assert.equal(message?.nextAttemptAt, at(60_000 + 120_000).toISOString())
    assert.match(message?.lastError ?? '', /^RateLimitError/)

    assert.equal((await deliverPending(db, sender, at(180_000), { publicUrl: PUBLIC_URL })).sent, 1)
    message = await getOutboxMessage(db, messageId)
    assert.equal(message?.status, 'sent')
    assert.equal(message?.lastError, null)
    assert.equal(message?.attempts, 3)
    assert.deepEqual(
      message?.history.map((attempt) => [attempt.outcome, attempt.statusCode, attempt.at]),
      [
        ['failed', 500, T0.toISOString()],
        ['failed', 429, at(60_000).toISOString()],
        ['sent', 201, at(180_000).toISOString()],
      ],
    )
    assert.equal(notifyApi.received.length, 3)
  })

  it('gives up at once on a message Notify refuses as invalid', async () => {
    const { db } = database()
    const { messageId } = await acceptedReferralNotice(db)
    notifyApi.answers.push('bad-request')
    assert.equal((await deliverPending(db, sender, T0, { publicUrl: PUBLIC_URL })).failed, 1)
    const message = await getOutboxMessage(db, messageId)
    assert.equal(message?.status, 'failed')
    assert.equal(message?.nextAttemptAt, null)
    assert.match(message?.lastError ?? '', /^BadRequestError: Can't send to this recipient/)
    await deliverPending(db, sender, at(86_400_000), { publicUrl: PUBLIC_URL })
    assert.equal(notifyApi.received.length, 1)
  })

  it('gives up after the last attempt fails', async () => {
    const { db } = database()
    const { messageId } = await acceptedReferralNotice(db)
    notifyApi.answers.push('server-error', 'server-error', 'server-error')
    const options = { publicUrl: PUBLIC_URL, maxAttempts: 3 }
    await deliverPending(db, sender, T0, options)
    await deliverPending(db, sender, at(60_000), options)
    assert.equal((await deliverPending(db, sender, at(180_000), options)).failed, 1)
    const message = await getOutboxMessage(db, messageId)
    assert.equal(message?.status, 'failed')
    assert.equal(message?.history.length, 3)
  })

  it('counts a Notify that does not answer as a failure to retry, without waiting for it', async () => {
    const { db } = database()
    const { messageId } = await acceptedReferralNotice(db)
    notifyApi.answers.push('no-answer')
    assert.equal((await deliverPending(db, sender, T0, { publicUrl: PUBLIC_URL })).retrying, 1)
    const message = await getOutboxMessage(db, messageId)
    assert.equal(message?.status, 'pending')
    assert.match(message?.lastError ?? '', /^No answer from Notify/)
    assert.equal(message?.history[0]?.statusCode, null)
  })

  it('keeps messages unsent, with the reason, when Notify is not configured', async () => {
    const { db } = database()
    const { messageId } = await acceptedReferralNotice(db)
    assert.equal((await deliverPending(db, undefined, T0, { publicUrl: PUBLIC_URL })).notSent, 1)
    const message = await getOutboxMessage(db, messageId)
    assert.equal(message?.status, 'not_sent')
    assert.match(message?.lastError ?? '', /NOTIFY_API_KEY/)
    assert.equal(message?.history.length, 0)
    assert.equal(notifyApi.received.length, 0)
  })

  it('is delivered by the scheduled job the app registers, from the configuration', async () => {
    const { db } = database()
    const { messageId } = await acceptedReferralNotice(db)
    const config = testConfig({
      notifyApiKey: notifyApi.apiKey,
      notifyEmailTemplateId: EMAIL_TEMPLATE,
      notifyBaseUrl: notifyApi.url,
    })
    const job = deliveryJob(config)
    assert.equal(job.name, DELIVERY_JOB)
    const scheduler = new Scheduler(db, [job], { now: () => T0 })
    assert.deepEqual(await scheduler.tick(), [{ job: DELIVERY_JOB, outcome: 'succeeded' }])
    assert.equal((await getOutboxMessage(db, messageId))?.status, 'sent')
    assert.equal(notifyApi.received.length, 1)
  })

  it('is refused by the stand-in, as by Notify, with a wrong key, and retried', async () => {
    const { db } = database()
    const { messageId } = await acceptedReferralNotice(db)
    const wrongKey = notifySender({
      apiKey: `kith_test-${notifyApi.apiKey.slice(10, 46)}-${newId()}`,
      emailTemplateId: EMAIL_TEMPLATE,
      baseUrl: notifyApi.url,
    })
    assert.equal((await deliverPending(db, wrongKey, T0, { publicUrl: PUBLIC_URL })).retrying, 1)
    const message = await getOutboxMessage(db, messageId)
    assert.match(message?.lastError ?? '', /^AuthError/)
    assert.equal(message?.history[0]?.statusCode, 403)
  })
})

describe('Notify configuration', () => {
  const key = 'kith_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0'
  const base = { NODE_ENV: 'test', DATA_DIR: '/tmp/kith-config-test' }

  it('reads the key and template ids', () => {
    const config = loadConfig({
      ...base,
      NOTIFY_API_KEY: key,
      NOTIFY_EMAIL_TEMPLATE_ID: EMAIL_TEMPLATE,
      NOTIFY_SMS_TEMPLATE_ID: 'a2f6e1d4-1c7e-4f0e-9f9e-0c1e4b9e2d11',
    })
    assert.equal(config.notifyApiKey, key)
    assert.equal(config.notifyEmailTemplateId, EMAIL_TEMPLATE)
    assert.equal(config.notifySmsTemplateId, 'a2f6e1d4-1c7e-4f0e-9f9e-0c1e4b9e2d11')
  })

  it('refuses a key without an email template, a malformed key and a malformed template id', () => {
    assert.throws(
      () => loadConfig({ ...base, NOTIFY_API_KEY: key }),
      (error: Error) => {
        assert.ok(error instanceof ConfigError)
        assert.match(error.message, /NOTIFY_EMAIL_TEMPLATE_ID must be set when NOTIFY_API_KEY is/)
        return true
      },
    )
    assert.throws(
      () => loadConfig({ ...base, NOTIFY_API_KEY: 'not-a-key', NOTIFY_EMAIL_TEMPLATE_ID: EMAIL_TEMPLATE }),
      /NOTIFY_API_KEY must be a GOV.UK Notify API key/,
    )
    assert.throws(
      () => loadConfig({ ...base, NOTIFY_API_KEY: key, NOTIFY_EMAIL_TEMPLATE_ID: 'template' }),
      /NOTIFY_EMAIL_TEMPLATE_ID must be a Notify template id/,
    )
  })
})
