// Limits on signing in, kept in the database so they hold across every Kith process.
//
// An account (by email, whether or not it exists, so the answer never reveals which emails are
// registered) is locked for LOCK_MINUTES after ACCOUNT_FAILURES failures within the window; an
// address that fails ADDRESS_FAILURES times within the window is refused for the rest of it.

import { newId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { digest } from './secrets.ts'

export const ACCOUNT_FAILURES = 5
export const ADDRESS_FAILURES = 50
export const LOCK_MINUTES = 15

const accountKey = (email: string) => `account:${digest(email.trim().toLowerCase())}`
const addressKey = (ip: string) => `address:${digest(ip)}`

export type SignInGate = { allowed: true } | { allowed: false; until: Date }

async function failuresSince(db: Queryable, key: string, since: string) {
  return db
    .selectFrom('sign_in_failures')
    .select('at')
    .where('key', '=', key)
    .where('at', '>', since)
    .orderBy('at', 'desc')
    .execute()
}

export async function signInGate(
  db: Queryable,
  email: string,
  ip: string,
  now = new Date(),
): Promise<SignInGate> {
  const since = new Date(now.getTime() - LOCK_MINUTES * 60_000).toISOString()
  for (const [key, limit] of [
    [accountKey(email), ACCOUNT_FAILURES],
    [addressKey(ip), ADDRESS_FAILURES],
  ] as const) {
    const failures = await failuresSince(db, key, since)
    if (failures.length >= limit) {
      const latest = failures[0]?.at ?? now.toISOString()
      return { allowed: false, until: new Date(Date.parse(latest) + LOCK_MINUTES * 60_000) }
    }
  }
  return { allowed: true }
}

export async function recordSignInFailure(
  db: Queryable,
  email: string,
  ip: string,
  now = new Date(),
): Promise<void> {
  const at = now.toISOString()
  await db
    .insertInto('sign_in_failures')
    .values([
      { id: newId(), key: accountKey(email), at },
      { id: newId(), key: addressKey(ip), at },
    ])
    .execute()
}

export async function clearAccountFailures(db: Queryable, email: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('key', '=', accountKey(email)).execute()
}

/** Forgets failures older than the window; the scheduler calls it. */
export async function removeOldSignInFailures(db: Queryable, now = new Date()): Promise<void> {
  const since = new Date(now.getTime() - LOCK_MINUTES * 60_000).toISOString()
  await db.deleteFrom('sign_in_failures').where('at', '<=', since).execute()
}
