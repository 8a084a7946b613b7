// The outbox's queries: what the delivery job takes and records, and what administrators read.

import { newId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { OutboxStatus } from './tables.ts'

const messageColumns = [
  'outbox_messages.id',
  'outbox_messages.user_id as userId',
  'outbox_messages.channel',
  'outbox_messages.address',
  'outbox_messages.subject',
  'outbox_messages.body',
  'outbox_messages.link',
  'outbox_messages.status',
  'outbox_messages.attempts',
  'outbox_messages.next_attempt_at as nextAttemptAt',
  'outbox_messages.last_error as lastError',
  'outbox_messages.provider_id as providerId',
  'outbox_messages.created_at as createdAt',
  'outbox_messages.sent_at as sentAt',
] as const

/** Pending messages due by `now`, oldest first. */
export async function duePending(db: Queryable, now: Date, limit: number) {
  return db
    .selectFrom('outbox_messages')
    .select(messageColumns)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now.toISOString())
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute()
}

export type AttemptResult =
  | { outcome: 'sent'; providerId: string; statusCode: number | null }
  | {
      outcome: 'failed'
      statusCode: number | null
      error: string
      /** Null when the message is given up on. */
      retryAt: Date | null
    }

/** Records one delivery attempt and its effect on the message, in one transaction. */
export async function recordAttempt(
  db: Queryable,
  messageId: string,
  at: Date,
  result: AttemptResult,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('outbox_attempts')
      .values({
        id: newId(at.getTime()),
        message_id: messageId,
        at: at.toISOString(),
        outcome: result.outcome,
        status_code: result.statusCode,
        error: result.outcome === 'failed' ? result.error : null,
      })
      .execute()
    await trx
      .updateTable('outbox_messages')
      .set((eb) =>
        result.outcome === 'sent'
          ? {
              status: 'sent' as const,
              attempts: eb('attempts', '+', 1),
              sent_at: at.toISOString(),
              provider_id: result.providerId,
              next_attempt_at: null,
              last_error: null,
            }
          : {
              status: result.retryAt ? ('pending' as const) : ('failed' as const),
              attempts: eb('attempts', '+', 1),
              next_attempt_at: result.retryAt?.toISOString() ?? null,
              last_error: result.error,
            },
      )
      .where('id', '=', messageId)
      .where('status', '=', 'pending')
      .execute()
  })
}

/** Keeps a message unsent, with the reason, for administrators to read. */
export async function holdMessage(db: Queryable, messageId: string, reason: string): Promise<void> {
  await db
    .updateTable('outbox_messages')
    .set({ status: 'not_sent', next_attempt_at: null, last_error: reason })
    .where('id', '=', messageId)
    .where('status', '=', 'pending')
    .execute()
}

/** The outbox, newest first; `before` is the id of the last message already shown. */
export async function listOutbox(
  db: Queryable,
  options: { status?: OutboxStatus; before?: string; limit?: number } = {},
) {
  let select = db.selectFrom('outbox_messages').select(messageColumns)
  if (options.status) select = select.where('status', '=', options.status)
  if (options.before) select = select.where('id', '<', options.before)
  return select
    .orderBy('id', 'desc')
    .limit(options.limit ?? 50)
    .execute()
}

export async function countOutbox(db: Queryable) {
  const rows = await db
    .selectFrom('outbox_messages')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute()
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)])) as Partial<
    Record<OutboxStatus, number>
  >
}

export async function getOutboxMessage(db: Queryable, id: string) {
  const message = await db
    .selectFrom('outbox_messages')
    .innerJoin('users', 'users.id', 'outbox_messages.user_id')
    .select([...messageColumns, 'users.name as userName'])
    .where('outbox_messages.id', '=', id)
    .executeTakeFirst()
  if (!message) return undefined
  const history = await db
    .selectFrom('outbox_attempts')
    .select(['id', 'at', 'outcome', 'status_code as statusCode', 'error'])
    .where('message_id', '=', id)
    .orderBy('at')
    .orderBy('id')
    .execute()
  return { ...message, history }
}
