// Who people are in Kith: the roles a membership gives and the kinds of organisation.

export const ROLES = [
  'referrer',
  'link_worker',
  'provider',
  'programme_manager',
  'administrator',
  /** A shared self-care kiosk device signed in for its practice (decision 0602). */
  'kiosk',
] as const
export type Role = (typeof ROLES)[number]

export const ROLE_LABELS: Record<Role, string> = {
  referrer: 'Referrer',
  link_worker: 'Link worker',
  provider: 'Provider',
  programme_manager: 'Programme manager',
  administrator: 'Administrator',
  kiosk: 'Self-care kiosk',
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

export const ORGANISATION_KINDS = [
  'area',
  'programme_body',
  'pcn',
  'practice',
  'vcs',
  'council',
  'leisure',
  'library',
] as const
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number]

export const ORGANISATION_KIND_LABELS: Record<OrganisationKind, string> = {
  area: 'Area',
  programme_body: 'Programme body',
  pcn: 'Primary care network',
  practice: 'GP practice',
  vcs: 'Voluntary or community organisation',
  council: 'Council service',
  leisure: 'Leisure',
  library: 'Library',
}

export function isOrganisationKind(value: unknown): value is OrganisationKind {
  return typeof value === 'string' && (ORGANISATION_KINDS as readonly string[]).includes(value)
}
