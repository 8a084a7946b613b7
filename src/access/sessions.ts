// Sessions live in the database, so every Kith process sharing it shares them. The cookie holds
// a random secret; the database holds only its digest.

import type { Queryable } from '../db/schema.ts'
import { digest, newSecret } from './secrets.ts'

export interface SessionPolicy {
  idleMinutes: number
  maxHours: number
}

/** Seen-at times are written at most this often, so reading pages does not write on every request. */
const TOUCH_INTERVAL_MS = 60_000

export async function createSession(db: Queryable, userId: string, policy: SessionPolicy, now = new Date()) {
  const secret = newSecret()
  await db
    .insertInto('sessions')
    .values({
      id: digest(secret),
      user_id: userId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + policy.maxHours * 3_600_000).toISOString(),
    })
    .execute()
  return secret
}

/** The user a session cookie belongs to, or undefined if it is unknown, idle too long or past its end. */
export async function resumeSession(
  db: Queryable,
  secret: string,
  policy: SessionPolicy,
  now = new Date(),
): Promise<string | undefined> {
  const id = digest(secret)
  const session = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst()
  if (!session) return undefined
  const idleSince = now.getTime() - Date.parse(session.last_seen_at)
  if (idleSince > policy.idleMinutes * 60_000 || now.toISOString() >= session.expires_at) {
    await db.deleteFrom('sessions').where('id', '=', id).execute()
    return undefined
  }
  if (idleSince > TOUCH_INTERVAL_MS) {
    await db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id', '=', id).execute()
  }
  return session.user_id
}

export async function endSession(db: Queryable, secret: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', digest(secret)).execute()
}

export async function endSessionsOf(db: Queryable, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute()
}

/** Removes sessions past their end; the scheduler calls it. */
export async function removeExpiredSessions(
  db: Queryable,
  policy: SessionPolicy,
  now = new Date(),
): Promise<number> {
  const idleCutoff = new Date(now.getTime() - policy.idleMinutes * 60_000).toISOString()
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<', idleCutoff)]))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
