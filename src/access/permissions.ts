// Every route says who may use it; a route that says nothing is refused to everyone.

import type { Role } from './roles.ts'
import type { CurrentUser } from './users.ts'

export type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'signed-in' }
  | { readonly kind: 'roles'; readonly roles: readonly Role[] }

export const PUBLIC: Access = { kind: 'public' }
export const SIGNED_IN: Access = { kind: 'signed-in' }
export function rolesAccess(...roles: Role[]): Access {
  return { kind: 'roles', roles }
}

export type Decision = 'allow' | 'sign-in' | 'forbid'

export function decide(access: Access | undefined, user: CurrentUser | null): Decision {
  if (!access) return 'forbid'
  if (access.kind === 'public') return 'allow'
  if (!user) return 'sign-in'
  if (access.kind === 'signed-in') return 'allow'
  return user.memberships.some((membership) => access.roles.includes(membership.role)) ? 'allow' : 'forbid'
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may use the route. Required: a route without it is refused to everyone. */
    access?: Access
  }
}
