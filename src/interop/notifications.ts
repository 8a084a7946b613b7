// How Kith tells people things. A capability that changes something calls `notify(trx, …)` in
// the same transaction as the change: it writes the in-app notification and, for each external
// channel, a message in the outbox. The delivery job (delivery.ts) sends the outbox later, so a
// change is never lost to a mail outage and never half-written.
//
// Notifications carry no personal data about the person a record is about, in the app or by
// email or SMS: they say what happened ("A referral you made has been accepted.") and link to
// the record, whose page checks access and writes the audit event.

import { newId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { Channel, OutboxStatus } from './tables.ts'

export interface Notice {
  /** The account to tell. */
  userId: string
  /** What happened, as `record-type.event`: `referral.accepted`. */
  kind: string
  /** A short heading: `Referral accepted`. */
  subject: string
  /** One or two sentences with no personal data: `A referral you made has been accepted. Sign in to Kith to see it.` */
  body: string
  /** The path in Kith to open, made of ids only: `/referrals/0190…`. */
  link?: string
  /** External channels besides the app (default: email). `[]` for the app only. */
  channels?: readonly Channel[]
  /**
   * Where to send on a channel, when it is not the account's own address: a GP practice's ODS
   * code for `mesh`, whose mailbox is looked up when the message is sent.
   */
  addresses?: Partial<Record<Channel, string>>
}

export interface Notified {
  notificationId: string
  /** One outbox message per channel, in the order asked. */
  messageIds: string[]
}

/** A notice that breaks the rules (personal data, a link that is not a Kith path): a programming error. */
export class UnsafeNotice extends Error {}

export const SUBJECT_MAX = 120
export const BODY_MAX = 600
const KIND = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/
const LINK = /^\/[A-Za-z0-9\-._~/]*$/

// What a slip of personal data most often looks like. A name cannot be recognised, so the rule
// is also in the documentation: the text says what happened, the link says where.
const PERSONAL_DATA: [RegExp, string][] = [
  [/\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b/, 'a number that looks like an NHS number'],
  [/[^\s@]+@[^\s@]+\.[^\s@]+/, 'an email address'],
  [/(?:\+44\s?|\b0)7\d{3}\s?\d{3}\s?\d{3}\b/, 'a mobile phone number'],
  [/\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b/, 'a postcode'],
]

/** Throws UnsafeNotice when the notice could carry personal data or is malformed. */
export function checkNotice(notice: Notice): void {
  if (!KIND.test(notice.kind))
    throw new UnsafeNotice(`Notification kind "${notice.kind}" must be like referral.accepted`)
  const subject = notice.subject.trim()
  const body = notice.body.trim()
  if (subject === '' || subject.length > SUBJECT_MAX)
    throw new UnsafeNotice(`A notification subject needs 1 to ${SUBJECT_MAX} characters`)
  if (body === '' || body.length > BODY_MAX)
    throw new UnsafeNotice(`A notification body needs 1 to ${BODY_MAX} characters`)
  for (const [pattern, what] of PERSONAL_DATA) {
    if (pattern.test(subject) || pattern.test(body)) {
      throw new UnsafeNotice(`A notification must not carry personal data, and this one holds ${what}`)
    }
  }
  if (notice.link !== undefined && !LINK.test(notice.link)) {
    throw new UnsafeNotice('A notification link must be a path in Kith made of ids, with no query')
  }
}

export type Contact = { address: string } | { address: null; reason: string }

/** Where a channel reaches the account. Accounts have an email; a mobile number is for later. */
export async function contactFor(db: Queryable, userId: string, channel: Channel): Promise<Contact> {
  const user = await db
    .selectFrom('users')
    .select(['email', 'active'])
    .where('id', '=', userId)
    .executeTakeFirst()
  if (!user) return { address: null, reason: 'There is no such account' }
  if (user.active !== 1) return { address: null, reason: 'The account is deactivated' }
  if (channel === 'email') return { address: user.email }
  const other = await db
    .selectFrom('channel_addresses')
    .select('address')
    .where('user_id', '=', userId)
    .where('channel', '=', channel)
    .executeTakeFirst()
  if (other) return { address: other.address }
  return {
    address: null,
    reason:
      channel === 'sms'
        ? 'The account has no mobile phone number'
        : 'The account has no address for this channel',
  }
}

/**
 * Records where an account is reached on a channel other than email (the FHIR messaging endpoint
 * of a GP system, say). From then on its notices go there too, as well as by email.
 */
export async function setChannelAddress(
  db: Queryable,
  userId: string,
  channel: Exclude<Channel, 'email'>,
  address: string,
  now = new Date(),
): Promise<void> {
  await db
    .insertInto('channel_addresses')
    .values({ user_id: userId, channel, address, updated_at: now.toISOString() })
    .onConflict((oc) =>
      oc.columns(['user_id', 'channel']).doUpdateSet({ address, updated_at: now.toISOString() }),
    )
    .execute()
}

/** Where the account is reached on a channel other than email, if it is. */
export async function channelAddress(
  db: Queryable,
  userId: string,
  channel: Exclude<Channel, 'email'>,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('channel_addresses')
    .select('address')
    .where('user_id', '=', userId)
    .where('channel', '=', channel)
    .executeTakeFirst()
  return row?.address
}

/** The channels besides email an account has an address for: its notices go there too. */
async function extraChannels(db: Queryable, userId: string): Promise<Channel[]> {
  const rows = await db
    .selectFrom('channel_addresses')
    .select('channel')
    .where('user_id', '=', userId)
    .execute()
  return rows.map((row) => row.channel)
}

/**
 * Tells a user something: the in-app notification and one outbox message per channel, written
 * on `trx` so they commit (or not) with the change they describe.
 */
export async function notify(trx: Queryable, notice: Notice, now = new Date()): Promise<Notified> {
  checkNotice(notice)
  const at = now.toISOString()
  const notificationId = newId(now.getTime())
  const subject = notice.subject.trim()
  const body = notice.body.trim()
  const link = notice.link ?? null
  await trx
    .insertInto('notifications')
    .values({
      id: notificationId,
      user_id: notice.userId,
      kind: notice.kind,
      subject,
      body,
      link,
      created_at: at,
      read_at: null,
    })
    .execute()
  const messageIds: string[] = []
  const channels = notice.channels ?? ['email', ...(await extraChannels(trx, notice.userId))]
  for (const channel of new Set<Channel>(channels)) {
    const given = notice.addresses?.[channel]
    const contact: Contact = given ? { address: given } : await contactFor(trx, notice.userId, channel)
    const id = newId(now.getTime())
    const status: OutboxStatus = contact.address === null ? 'no_address' : 'pending'
    await trx
      .insertInto('outbox_messages')
      .values({
        id,
        notification_id: notificationId,
        user_id: notice.userId,
        channel,
        address: contact.address,
        subject,
        body,
        link,
        status,
        next_attempt_at: status === 'pending' ? at : null,
        last_error: contact.address === null ? contact.reason : null,
        provider_id: null,
        created_at: at,
        sent_at: null,
      })
      .execute()
    messageIds.push(id)
  }
  return { notificationId, messageIds }
}

export interface NotificationView {
  id: string
  kind: string
  subject: string
  body: string
  link: string | null
  createdAt: string
  readAt: string | null
}

/** A user's notifications, newest first; `before` is the id of the last one already shown. */
export async function listNotifications(
  db: Queryable,
  userId: string,
  options: { before?: string; limit?: number } = {},
): Promise<NotificationView[]> {
  let select = db
    .selectFrom('notifications')
    .select(['id', 'kind', 'subject', 'body', 'link', 'created_at as createdAt', 'read_at as readAt'])
    .where('user_id', '=', userId)
  if (options.before) select = select.where('id', '<', options.before)
  return select
    .orderBy('id', 'desc')
    .limit(options.limit ?? 50)
    .execute()
}

export async function countUnread(db: Queryable, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Marks one of the user's notifications read; false if the user has no such notification. */
export async function markRead(
  db: Queryable,
  userId: string,
  id: string,
  now = new Date(),
): Promise<boolean> {
  const found = await db
    .selectFrom('notifications')
    .select('read_at')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  if (!found) return false
  if (found.read_at === null) {
    await db
      .updateTable('notifications')
      .set({ read_at: now.toISOString() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .execute()
  }
  return true
}

/** Marks every unread notification of the user read; returns how many. */
export async function markAllRead(db: Queryable, userId: string, now = new Date()): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ read_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
