// Referrals: what the rest of Kith uses. A referral goes to a programme (its link-worker team)
// or to a directory service (its provider). It is checked against the target's rules first: an
// ineligible one is not sent; one the rules cannot settle is sent flagged for review. Every
// change of status is one transaction with its history entry, its audit event and the
// notification that tells the referrer.
//
// Casework uses `createReferral` for onward referrals from a case, `getReferral` and
// `referralsOfPerson`, and registers a `ReferralAcceptedHandler` on `context.referralAccepted`
// to open a case when a referral to a link-worker programme is accepted.

//
// The functions live by topic: targets.ts (where a referral goes, the eligibility check and
// suggestions), reading.ts (a referral, its lists, who stands where to it, reading one),
// person-finding.ts (the person a referral is about), making.ts (createReferral) and status.ts
// (changing status, reply deadlines). This module is the door the rest of Kith uses.

import { AWAITING_REPLY } from './lifecycle.ts'

export type { ReferralStatus } from './lifecycle.ts'
export {
  type ConsentRef,
  closedToReferrals,
  createReferral,
  type ReferralInput,
  type ReferralOutcome,
  userName,
} from './making.ts'
export { type PersonRef, PossibleDuplicates, personKnownTo } from './person-finding.ts'
export {
  allowedChanges,
  getReferral,
  inboxScope,
  namedForOthers,
  type PersonAsGiven,
  partiesOf,
  peopleSeenThroughReferrals,
  type Referral,
  type ReferralEvent,
  type ReferralPerson,
  type ReferralQuery,
  type ReferralWithHistory,
  readReferral,
  referralsOfPerson,
  referralsOfProgramme,
  referralsReceivedBy,
  referralsSentBy,
  searchReferrals,
} from './reading.ts'
// Statistics for the directory and the reports: one function computes both (statistics.ts).
export {
  describeStatistics,
  MIN_REPLIES_FOR_STATISTICS,
  type ReferralStatistics,
  type ReplyStatistics,
  referralStatistics,
  replyStatistics,
  serviceStatistics,
} from './statistics.ts'
export {
  type AcceptedReferral,
  applyReplyDeadlines,
  type ChangedBy,
  changeReferralStatus,
  type ReferralAcceptedHandler,
  type StatusChange,
} from './status.ts'
export { peopleReferredToProgramme, type ReferralScope, referralTimes } from './store.ts'
export {
  checkEligibility,
  type EligibilityCheck,
  type PersonPlace,
  type ReferralTarget,
  resolveTarget,
  type Suggestion,
  suggestionsFor,
  type TargetRef,
} from './targets.ts'

export { AWAITING_REPLY }
