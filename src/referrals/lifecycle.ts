// A referral's lifecycle, with the statuses of an HL7 FHIR R4 Task: which change may follow
// which, who may make it, and the reasons a referral can be turned down. Pure: no I/O.

export const REFERRAL_STATUSES = [
  'requested',
  'received',
  'accepted',
  'rejected',
  'in-progress',
  'completed',
  'cancelled',
  'failed',
] as const
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number]

export const STATUS_LABELS: Record<ReferralStatus, string> = {
  requested: 'Sent',
  received: 'Received',
  accepted: 'Accepted',
  rejected: 'Declined',
  'in-progress': 'In progress',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Could not be completed',
}

/** The NHS tag colour for each status. */
export const STATUS_COLOURS: Record<ReferralStatus, string> = {
  requested: 'blue',
  received: 'purple',
  accepted: 'green',
  rejected: 'red',
  'in-progress': 'aqua-green',
  completed: 'white',
  cancelled: 'grey',
  failed: 'orange',
}

/** What may follow each status. Rejected, completed, cancelled and failed are final. */
const NEXT: Record<ReferralStatus, readonly ReferralStatus[]> = {
  requested: ['received', 'accepted', 'rejected', 'cancelled', 'failed'],
  received: ['accepted', 'rejected', 'cancelled', 'failed'],
  accepted: ['in-progress', 'completed', 'cancelled', 'failed'],
  'in-progress': ['completed', 'cancelled', 'failed'],
  rejected: [],
  completed: [],
  cancelled: [],
  failed: [],
}

/** Still waiting for the receiving team's decision: nudged and declined automatically when it does not come. */
export const AWAITING_REPLY: readonly ReferralStatus[] = ['requested', 'received']
/** Not yet finished. */
export const OPEN_STATUSES: readonly ReferralStatus[] = ['requested', 'received', 'accepted', 'in-progress']

export function isStatus(value: unknown): value is ReferralStatus {
  return typeof value === 'string' && (REFERRAL_STATUSES as readonly string[]).includes(value)
}

export function isFinal(status: ReferralStatus): boolean {
  return NEXT[status].length === 0
}

/** Who is changing the referral: the team that received it, the one who made it, or Kith itself. */
export type Party = 'receiver' | 'referrer' | 'system'

const BY_PARTY: Record<Party, readonly ReferralStatus[]> = {
  receiver: ['received', 'accepted', 'rejected', 'in-progress', 'completed', 'failed'],
  referrer: ['cancelled'],
  system: ['rejected', 'failed'],
}

/** The statuses this party may move the referral to now. */
export function nextStatuses(from: ReferralStatus, parties: readonly Party[]): ReferralStatus[] {
  return NEXT[from].filter((to) => parties.some((party) => BY_PARTY[party].includes(to)))
}

/** Why the change is not allowed, or undefined when it is. */
export function transitionProblem(
  from: ReferralStatus,
  to: ReferralStatus,
  parties: readonly Party[],
): string | undefined {
  if (from === to) return `The referral is already ${STATUS_LABELS[to].toLowerCase()}.`
  if (!NEXT[from].includes(to)) {
    return isFinal(from)
      ? `The referral is ${STATUS_LABELS[from].toLowerCase()}, which is final: it cannot become ${STATUS_LABELS[to].toLowerCase()}.`
      : `A referral that is ${STATUS_LABELS[from].toLowerCase()} cannot become ${STATUS_LABELS[to].toLowerCase()}.`
  }
  if (!parties.some((party) => BY_PARTY[party].includes(to))) {
    return to === 'cancelled'
      ? 'Only the person who made the referral can cancel it.'
      : `Only the team that received the referral can mark it ${STATUS_LABELS[to].toLowerCase()}.`
  }
  return undefined
}

/** Why a referral is declined: a reason from this list, with text. */
export const DECLINE_REASONS = [
  'not-eligible',
  'person-declined',
  'unable-to-contact',
  'no-capacity',
  'more-suitable-service',
  'duplicate',
  'no-reply',
  'other',
] as const
export type DeclineReason = (typeof DECLINE_REASONS)[number]

export const DECLINE_REASON_LABELS: Record<DeclineReason, string> = {
  'not-eligible': 'The person does not meet the criteria',
  'person-declined': 'The person declined the referral',
  'unable-to-contact': 'We could not contact the person',
  'no-capacity': 'We have no capacity at the moment',
  'more-suitable-service': 'Another service is more suitable',
  duplicate: 'This is a duplicate of another referral',
  'no-reply': 'No reply in time (declined automatically)',
  other: 'Another reason',
}

/** Reasons a person can choose; `no-reply` is Kith's own. */
export const CHOOSABLE_DECLINE_REASONS = DECLINE_REASONS.filter((reason) => reason !== 'no-reply')

export function isDeclineReason(value: unknown): value is DeclineReason {
  return typeof value === 'string' && (DECLINE_REASONS as readonly string[]).includes(value)
}

/** SNOMED CT concepts a referral records (shared/reference/reference.md, section 1). */
export const SNOMED = {
  referralToSocialPrescribing: { code: '871731000000106', display: 'Referral to social prescribing service' },
  socialPrescribingDeclined: { code: '871711000000103', display: 'Social prescribing declined' },
} as const

/** What the referrer is told of each change: no personal data (interop/notifications.ts). */
export const STATUS_NOTICES: Record<ReferralStatus, { subject: string; body: string }> = {
  requested: { subject: 'Referral sent', body: 'A referral you made has been sent.' },
  received: { subject: 'Referral received', body: 'A referral you made has been received by the team.' },
  accepted: { subject: 'Referral accepted', body: 'A referral you made has been accepted.' },
  rejected: { subject: 'Referral declined', body: 'A referral you made has been declined. Kith shows why.' },
  'in-progress': { subject: 'Referral in progress', body: 'Work has started on a referral you made.' },
  completed: {
    subject: 'Referral completed',
    body: 'A referral you made has been completed. Its outcome is ready for you to read.',
  },
  cancelled: { subject: 'Referral cancelled', body: 'A referral you made has been cancelled.' },
  failed: {
    subject: 'Referral could not be completed',
    body: 'A referral you made could not be completed. Kith shows why.',
  },
}
