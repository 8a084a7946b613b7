import type { Generated } from 'kysely'

/**
 * email and sms go by GOV.UK Notify; fhir-message is a BaRS response message to the FHIR
 * messaging endpoint an account sent its referrals from; mesh is a document to a GP practice's
 * MESH mailbox.
 */
export const CHANNELS = ['email', 'sms', 'fhir-message', 'mesh'] as const
export type Channel = (typeof CHANNELS)[number]

/**
 * pending: waiting for the delivery job (or for its next retry); sent: Notify accepted it;
 * failed: Notify refused it for good, or every retry failed; not_sent: Notify is not configured
 * for this channel, so the message is kept for administrators; no_address: the account has no
 * address for the channel.
 */
export const OUTBOX_STATUSES = ['pending', 'sent', 'failed', 'not_sent', 'no_address'] as const
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number]

export interface NotificationTable {
  id: string
  user_id: string
  /** What happened, as `record-type.event` (`referral.accepted`). */
  kind: string
  subject: string
  /** Never personal data about the person a record is about: the link leads to the record. */
  body: string
  /** A path in Kith, such as `/referrals/0190…`; ids only. */
  link: string | null
  created_at: string
  read_at: string | null
}

export interface OutboxMessageTable {
  id: string
  notification_id: string
  user_id: string
  channel: Channel
  /** Where it was addressed when written: the account's email (or, later, mobile number). */
  address: string | null
  subject: string
  body: string
  link: string | null
  status: OutboxStatus
  attempts: Generated<number>
  next_attempt_at: string | null
  last_error: string | null
  /** GOV.UK Notify's id for the message, once sent. */
  provider_id: string | null
  created_at: string
  sent_at: string | null
}

export interface OutboxAttemptTable {
  id: string
  message_id: string
  at: string
  outcome: 'sent' | 'failed'
  /** The HTTP status Notify answered with; null when there was no answer. */
  status_code: number | null
  error: string | null
}

/** Where an account is reached on a channel other than its email. */
export interface ChannelAddressTable {
  user_id: string
  channel: Channel
  address: string
  updated_at: string
}

declare module '../db/schema.ts' {
  interface Tables {
    channel_addresses: ChannelAddressTable
    notifications: NotificationTable
    outbox_messages: OutboxMessageTable
    outbox_attempts: OutboxAttemptTable
  }
}
