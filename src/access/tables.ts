import type { Generated } from 'kysely'
import type { OrganisationKind, Role } from './roles.ts'

export interface OrganisationTable {
  id: string
  name: string
  kind: OrganisationKind
  parent_id: string | null
  ods_code: string | null
  postcode: string | null
  created_at: string
  updated_at: string
}

export interface UserTable {
  id: string
  /** Always stored in lower case. */
  email: string
  name: string
  /** Null for an account that cannot sign in with a password (a kiosk device, say). */
  password_hash: string | null
  active: Generated<number>
  created_at: string
  updated_at: string
  last_sign_in_at: string | null
}

export interface MembershipTable {
  id: string
  user_id: string
  organisation_id: string
  role: Role
  /** The title the person goes by in this role: navigator, health facilitator, project officer… */
  title: string | null
  created_at: string
}

export interface SessionTable {
  /** SHA-256 of the cookie's value: the value itself is never stored. */
  id: string
  user_id: string
  created_at: string
  last_seen_at: string
  expires_at: string
}

export interface ApiTokenTable {
  id: string
  user_id: string
  name: string
  token_hash: string
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface SignInFailureTable {
  id: string
  /** `account:` or `address:` followed by a SHA-256 of the email or the IP address. */
  key: string
  at: string
}

/** Requests counted per route and address for a window (rate-limits.ts). */
export interface RateLimitWindowTable {
  key: string
  hits: number
  ends_at_ms: number
}

export interface AuditEventTable {
  id: string
  at: string
  actor_user_id: string | null
  action: string
  record_type: string | null
  record_id: string | null
  ip: string | null
  /** JSON: what changed, never a person's details. */
  detail: string | null
}

/**
 * An invitation to join an organisation in a role. The account is made when the invitation is
 * sent (so the notifications outbox can reach it) with no password: it cannot sign in until the
 * person accepts, setting their own name and password.
 */
export interface InvitationTable {
  id: string
  /** SHA-256 of the link's token: the token itself is never stored. */
  token_hash: string
  user_id: string
  organisation_id: string
  role: Role
  title: string | null
  invited_by_user_id: string
  created_at: string
  expires_at: string
  accepted_at: string | null
  withdrawn_at: string | null
}

declare module '../db/schema.ts' {
  interface Tables {
    organisations: OrganisationTable
    users: UserTable
    memberships: MembershipTable
    sessions: SessionTable
    api_tokens: ApiTokenTable
    sign_in_failures: SignInFailureTable
    rate_limit_windows: RateLimitWindowTable
    audit_events: AuditEventTable
    invitations: InvitationTable
  }
}
