// API tokens: `kith_` and a random secret, shown once; the database keeps a digest.

import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { OrganisationKind } from './roles.ts'
import { digest, newSecret } from './secrets.ts'
import type { CurrentUser, Membership } from './users.ts'

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

/**
 * The active user a bearer token belongs to, with their memberships, if the token is known and
 * not revoked. One query: every API request makes it.
 */
export async function userForToken(db: Queryable, token: string): Promise<CurrentUser | undefined> {
  if (!token.startsWith(PREFIX)) return undefined
  const rows = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .leftJoin('memberships', 'memberships.user_id', 'users.id')
    .leftJoin('organisations', 'organisations.id', 'memberships.organisation_id')
    .select([
      'api_tokens.id as tokenId',
      'api_tokens.last_used_at as lastUsedAt',
      'users.id as userId',
      'users.email',
      'users.name',
      'memberships.id as membershipId',
      'memberships.organisation_id as organisationId',
      'organisations.name as organisationName',
      'organisations.kind as organisationKind',
      'memberships.role',
      'memberships.title',
    ])
    .where('api_tokens.token_hash', '=', digest(token))
    .where('api_tokens.revoked_at', 'is', null)
    .where('users.active', '=', 1)
    .orderBy('organisations.name')
    .orderBy('memberships.role')
    .execute()
  const first = rows[0]
  if (!first) return undefined
  const now = nowIso()
  // Last use to the hour is enough to see which tokens are alive.
  if (!first.lastUsedAt || first.lastUsedAt.slice(0, 13) !== now.slice(0, 13)) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', first.tokenId).execute()
  }
  const memberships: Membership[] = []
  for (const row of rows) {
    if (row.membershipId === null || row.organisationId === null || row.role === null) continue
    memberships.push({
      id: row.membershipId,
      organisationId: row.organisationId,
      organisationName: row.organisationName ?? '',
      organisationKind: row.organisationKind as OrganisationKind,
      role: row.role,
      title: row.title,
    })
  }
  return { id: first.userId, email: first.email, name: first.name, memberships }
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
