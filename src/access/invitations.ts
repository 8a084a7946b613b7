// Invitations: a programme manager brings staff into their organisation with no administrator.
// The invitation's link carries a random token; the database keeps its digest. It is used once,
// and expires. The person accepts it by setting their own name and password.

import { newId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { Role } from './roles.ts'
import { digest, newSecret } from './secrets.ts'

/** How long an invitation may be accepted. */
export const INVITATION_DAYS = 7

export interface Invitation {
  id: string
  userId: string
  email: string
  organisationId: string
  organisationName: string
  role: Role
  title: string | null
  createdAt: string
  expiresAt: string
  acceptedAt: string | null
  withdrawnAt: string | null
}

export type InvitationState = 'pending' | 'accepted' | 'expired' | 'withdrawn'

export function stateOf(invitation: Invitation, now: Date): InvitationState {
  if (invitation.acceptedAt) return 'accepted'
  if (invitation.withdrawnAt) return 'withdrawn'
  return invitation.expiresAt <= now.toISOString() ? 'expired' : 'pending'
}

function invitations(db: Queryable) {
  return db
    .selectFrom('invitations')
    .innerJoin('users', 'users.id', 'invitations.user_id')
    .innerJoin('organisations', 'organisations.id', 'invitations.organisation_id')
    .select([
      'invitations.id',
      'invitations.user_id as userId',
      'users.email',
      'invitations.organisation_id as organisationId',
      'organisations.name as organisationName',
      'invitations.role',
      'invitations.title',
      'invitations.created_at as createdAt',
      'invitations.expires_at as expiresAt',
      'invitations.accepted_at as acceptedAt',
      'invitations.withdrawn_at as withdrawnAt',
    ])
}

/** Writes an invitation and returns it with its token, which only the link carries. */
export async function createInvitation(
  db: Queryable,
  input: {
    userId: string
    organisationId: string
    role: Role
    title: string | null
    invitedBy: string
  },
  now: Date,
): Promise<{ id: string; token: string; expiresAt: string }> {
  const token = newSecret()
  const id = newId(now.getTime())
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000).toISOString()
  await db
    .insertInto('invitations')
    .values({
      id,
      token_hash: digest(token),
      user_id: input.userId,
      organisation_id: input.organisationId,
      role: input.role,
      title: input.title,
      invited_by_user_id: input.invitedBy,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      accepted_at: null,
      withdrawn_at: null,
    })
    .execute()
  return { id, token, expiresAt }
}

/** The invitation a link's token names, whatever its state. */
export async function invitationByToken(db: Queryable, token: string): Promise<Invitation | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined
  return invitations(db).where('invitations.token_hash', '=', digest(token)).executeTakeFirst()
}

export async function getInvitation(db: Queryable, id: string): Promise<Invitation | undefined> {
  return invitations(db).where('invitations.id', '=', id).executeTakeFirst()
}

/** The invitations to these organisations, newest first. */
export async function invitationsTo(
  db: Queryable,
  organisationIds: readonly string[],
): Promise<Invitation[]> {
  if (organisationIds.length === 0) return []
  return invitations(db)
    .where('invitations.organisation_id', 'in', [...organisationIds])
    .orderBy('invitations.created_at', 'desc')
    .limit(200)
    .execute()
}

/** The pending invitation of this account to this organisation, if there is one. */
export async function pendingInvitation(
  db: Queryable,
  userId: string,
  organisationId: string,
  now: Date,
): Promise<Invitation | undefined> {
  return invitations(db)
    .where('invitations.user_id', '=', userId)
    .where('invitations.organisation_id', '=', organisationId)
    .where('invitations.accepted_at', 'is', null)
    .where('invitations.withdrawn_at', 'is', null)
    .where('invitations.expires_at', '>', now.toISOString())
    .executeTakeFirst()
}

/**
 * Marks the invitation accepted, if it is still pending at `now`: true once, for one request,
 * however many arrive together (the update is the check).
 */
export async function markAccepted(db: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('invitations')
    .set({ accepted_at: now.toISOString() })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('withdrawn_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function markWithdrawn(db: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('invitations')
    .set({ withdrawn_at: now.toISOString() })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
