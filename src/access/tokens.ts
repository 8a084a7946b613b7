// API tokens: `kith_` and a random secret, shown once; the database keeps a digest.

import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { digest, newSecret } from './secrets.ts'

const PREFIX = 'kith_'

export async function createApiToken(
  db: Queryable,
  userId: string,
  name: string,
): Promise<{ id: string; token: string }> {
  const token = PREFIX + newSecret()
  const id = newId()
  await db
    .insertInto('api_tokens')
    .values({
      id,
      user_id: userId,
      name,
      token_hash: digest(token),
      created_at: nowIso(),
      last_used_at: null,
      revoked_at: null,
    })
    .execute()
  return { id, token }
}

/** The user a bearer token belongs to, if the token is known and not revoked. */
export async function userForToken(db: Queryable, token: string): Promise<string | undefined> {
  if (!token.startsWith(PREFIX)) return undefined
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'user_id', 'last_used_at'])
    .where('token_hash', '=', digest(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  if (!row) return undefined
  const now = nowIso()
  // Last use to the hour is enough to see which tokens are alive.
  if (!row.last_used_at || row.last_used_at.slice(0, 13) !== now.slice(0, 13)) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute()
  }
  return row.user_id
}

export async function listApiTokens(db: Queryable, userId: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute()
}

/** Revokes one of the user's tokens; false if it is not theirs or already revoked. */
export async function revokeApiToken(db: Queryable, userId: string, tokenId: string): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: nowIso() })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
