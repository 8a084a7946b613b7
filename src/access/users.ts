// The signed-in person as the rest of Kith sees them: who they are and what they may do where.

import type { OrganisationKind, Role } from './roles.ts'

export interface Membership {
  id: string
  organisationId: string
  organisationName: string
  organisationKind: OrganisationKind
  role: Role
  title: string | null
}

export interface CurrentUser {
  id: string
  email: string
  name: string
  memberships: Membership[]
}

export function hasRole(user: CurrentUser | null | undefined, ...roles: Role[]): boolean {
  return !!user && user.memberships.some((membership) => roles.includes(membership.role))
}

/** The organisations in which the user holds one of the roles. */
export function organisationsWhere(user: CurrentUser, ...roles: Role[]): string[] {
  return [...new Set(user.memberships.filter((m) => roles.includes(m.role)).map((m) => m.organisationId))]
}

export function rolesOf(user: CurrentUser): Role[] {
  return [...new Set(user.memberships.map((membership) => membership.role))]
}
