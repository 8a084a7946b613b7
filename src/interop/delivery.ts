// Delivery of the outbox by email and SMS through GOV.UK Notify, as a scheduled job.
//
// Each run sends the pending messages that are due. A message Notify accepts is marked sent; a
// failure Notify may recover from (no answer, rate limit, server error, refused key) is retried
// with backoff; a message Notify refuses as invalid, or one that has failed every attempt, is
// marked failed. Every attempt is recorded. Without a Notify key the messages are kept, marked
// not sent, for administrators to read. Delivery is at least once: a process that stops between
// Notify's answer and recording it sends that message again on the next run.

import { NotifyClient } from 'notifications-node-client'
import type { Config } from '../config.ts'
import type { Db } from '../db/schema.ts'
import type { Job } from '../scheduler/scheduler.ts'
import { duePending, holdMessage, recordAttempt } from './outbox.ts'
import type { Channel } from './tables.ts'

export interface OutgoingMessage {
  /** The outbox message id: sent to Notify as the reference. */
  id: string
  channel: Channel
  address: string
  subject: string
  /** The full text, ending with the link into Kith. */
  body: string
  /** The path in Kith the message is about (`/referrals/<id>`), for senders that build a document from it. */
  link: string | null
}

/** A failed send; `retryable` says whether trying again later may work. */
export class SendFailure extends Error {
  readonly statusCode: number | null
  readonly retryable: boolean

  constructor(message: string, statusCode: number | null, retryable: boolean) {
    super(message)
    this.statusCode = statusCode
    this.retryable = retryable
  }
}

export interface Sender {
  /** The channels it can send; messages for others are kept, not sent. */
  readonly channels: readonly Channel[]
  /** Sends one message; throws SendFailure. */
  send(message: OutgoingMessage): Promise<{ providerId: string }>
}

export interface NotifyOptions {
  apiKey: string
  emailTemplateId: string
  smsTemplateId?: string | undefined
  /** Notify's API address; a stand-in's in tests. */
  baseUrl?: string | undefined
  /** How long to wait for Notify's answer (default ten seconds). */
  timeoutMs?: number
}

interface NotifyError {
  message?: string
  code?: string
  response?: { status?: number; data?: { errors?: { error?: string; message?: string }[] } }
}

function failureFrom(error: unknown): SendFailure {
  const e = error as NotifyError
  const status = e.response?.status ?? null
  const first = e.response?.data?.errors?.[0]
  const text = first
    ? `${first.error ?? 'Error'}: ${first.message ?? ''}`.trim()
    : status
      ? `Notify answered ${status}`
      : `No answer from Notify (${e.code ?? e.message ?? 'unknown error'})`
  // 400 means this message can never be sent as it is; anything else may pass later (a rate
  // limit, an outage, or a key an administrator is about to fix).
  return new SendFailure(text.slice(0, 1000), status, status !== 400)
}

/** A sender over GOV.UK Notify's API with the `notifications-node-client` package. */
export function notifySender(options: NotifyOptions): Sender {
  const client = options.baseUrl
    ? new NotifyClient(options.baseUrl, options.apiKey)
    : new NotifyClient(options.apiKey)
  // The client sets no timeout of its own: a Notify that never answers must not hold the job.
  const api = client.apiClient as { restClient: (request: object) => Promise<unknown> }
  const request = api.restClient
  const timeout = options.timeoutMs ?? 10_000
  api.restClient = (config: object) => request({ ...config, timeout })

  return {
    channels: options.smsTemplateId ? ['email', 'sms'] : ['email'],
    async send(message) {
      try {
        const response =
          message.channel === 'email'
            ? await client.sendEmail(options.emailTemplateId, message.address, {
                personalisation: { subject: message.subject, body: message.body },
                reference: message.id,
              })
            : await client.sendSms(options.smsTemplateId ?? '', message.address, {
                personalisation: { body: message.body },
                reference: message.id,
              })
        return { providerId: response.data.id }
      } catch (error) {
        throw failureFrom(error)
      }
    },
  }
}

/** The Notify sender the configuration asks for, or undefined when there is no key. */
export function senderFromConfig(config: Config): Sender | undefined {
  if (!config.notifyApiKey || !config.notifyEmailTemplateId) return undefined
  return notifySender({
    apiKey: config.notifyApiKey,
    emailTemplateId: config.notifyEmailTemplateId,
    smsTemplateId: config.notifySmsTemplateId,
    baseUrl: config.notifyBaseUrl,
  })
}

export interface DeliveryOptions {
  /** Kith's address, for the link at the end of each message. */
  publicUrl: string
  batchSize?: number
  /** Attempts before a message is marked failed (default 8). */
  maxAttempts?: number
  /** The wait after a first failure (default a minute); it doubles with each failure, up to six hours. */
  retryAfterMs?: number
}

export interface DeliveryReport {
  sent: number
  /** Failed this time, to be tried again. */
  retrying: number
  /** Given up on. */
  failed: number
  /** Kept unsent: Notify is not configured for the channel. */
  notSent: number
}

/** Why a message of each channel is kept unsent when no sender takes it. */
const HELD: Record<Channel, (notifyConfigured: boolean) => string> = {
  email: () => 'GOV.UK Notify is not configured (NOTIFY_API_KEY), so messages are kept here',
  sms: (configured) =>
    configured
      ? 'GOV.UK Notify has no template for text messages (NOTIFY_SMS_TEMPLATE_ID)'
      : 'GOV.UK Notify is not configured (NOTIFY_API_KEY), so messages are kept here',
  'fhir-message': () =>
    'BaRS responses are not configured (BARS_ENDPOINTS names the endpoints Kith may answer), so messages are kept here',
  mesh: () => 'MESH is not configured (MESH_URL, MESH_MAILBOX and the rest), so messages are kept here',
}

const MAX_BACKOFF_MS = 6 * 3_600_000
// At most 500 messages a run (every fifteen seconds): under Notify's 3,000 a minute.
const MAX_BATCHES = 10

/** The text a message carries out of Kith: what happened, and where to sign in to see it. */
export function externalBody(message: { body: string; link: string | null }, publicUrl: string): string {
  return `${message.body}\n\n${publicUrl}${message.link ?? '/notifications'}`
}

export function nextAttemptAt(now: Date, attemptsSoFar: number, retryAfterMs: number): Date {
  return new Date(
    now.getTime() + Math.min(retryAfterMs * 2 ** Math.max(0, attemptsSoFar - 1), MAX_BACKOFF_MS),
  )
}

/** Sends the pending messages due by `now`; records each attempt. */
export async function deliverPending(
  db: Db,
  senders: Sender | readonly Sender[] | undefined,
  now: Date,
  options: DeliveryOptions,
): Promise<DeliveryReport> {
  const all: readonly Sender[] =
    senders === undefined ? [] : Array.isArray(senders) ? senders : [senders as Sender]
  const senderFor = (channel: Channel) => all.find((s) => s.channels.includes(channel))
  const notify = all.find((s) => s.channels.includes('email'))
  const batchSize = options.batchSize ?? 50
  const maxAttempts = options.maxAttempts ?? 8
  const retryAfterMs = options.retryAfterMs ?? 60_000
  const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0, notSent: 0 }
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const due = await duePending(db, now, batchSize)
    for (const message of due) {
      const sender = senderFor(message.channel)
      if (!sender) {
        await holdMessage(db, message.id, HELD[message.channel](notify !== undefined))
        report.notSent++
        continue
      }
      try {
        const { providerId } = await sender.send({
          id: message.id,
          channel: message.channel,
          address: message.address ?? '',
          subject: message.subject,
          body: externalBody(message, options.publicUrl),
          link: message.link,
        })
        await recordAttempt(db, message.id, now, { outcome: 'sent', providerId, statusCode: 201 })
        report.sent++
      } catch (error) {
        const failure =
          error instanceof SendFailure ? error : new SendFailure((error as Error).message, null, true)
        const attempts = message.attempts + 1
        const retry = failure.retryable && attempts < maxAttempts
        await recordAttempt(db, message.id, now, {
          outcome: 'failed',
          statusCode: failure.statusCode,
          error: failure.message,
          retryAt: retry ? nextAttemptAt(now, attempts, retryAfterMs) : null,
        })
        if (retry) report.retrying++
        else report.failed++
      }
    }
    if (due.length < batchSize) break
  }
  return report
}

export const DELIVERY_JOB = 'interop.deliver-messages'

/**
 * The scheduled job that delivers the outbox every fifteen seconds: by GOV.UK Notify as
 * configured, and by the senders other capabilities add (`others`, read at each run).
 */
export function deliveryJob(
  config: Config,
  others: () => readonly Sender[] = () => [],
  notify: Sender | undefined = senderFromConfig(config),
): Job {
  return {
    name: DELIVERY_JOB,
    every: 15_000,
    run: (db, now) =>
      deliverPending(db, [...(notify ? [notify] : []), ...others()], now, { publicUrl: config.publicUrl }),
  }
}
