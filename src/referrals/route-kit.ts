// What the referral pages and the API share: who may use them, a referral's short reference,
// the target a path names, and a referral as a list or page shows it.

import { rolesAccess } from '../access/permissions.ts'
import { isId } from '../db/ids.ts'
import { REFERRER_KINDS } from '../programmes/criteria.ts'
import type { Referral, TargetRef } from './index.ts'
import { STATUS_COLOURS, STATUS_LABELS } from './lifecycle.ts'

export const REFER = rolesAccess('referrer', 'link_worker', 'programme_manager', 'provider')
export const RECEIVE = rolesAccess('link_worker', 'provider', 'programme_manager')
export const PROFESSIONAL_KINDS = REFERRER_KINDS.filter((kind) => kind !== 'self')

export type Body = Record<string, unknown>

/** A short reference people can read out: the last six characters of the id. */
export function referenceOf(id: string): string {
  return id.replace(/-/g, '').slice(-6).toUpperCase()
}

export function targetRef(kind: string, id: string): TargetRef | undefined {
  if (!isId(id)) return undefined
  if (kind === 'programmes') return { programmeId: id }
  if (kind === 'services') return { serviceId: id }
  return undefined
}

export function present(referral: Referral, names?: Map<string, string>) {
  return {
    ...referral,
    reference: referenceOf(referral.id),
    personName: names?.get(referral.personId) ?? '',
    statusLabel: STATUS_LABELS[referral.status],
    statusColour: STATUS_COLOURS[referral.status],
  }
}
