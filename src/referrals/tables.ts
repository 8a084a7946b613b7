import type { ReferralStatus } from './lifecycle.ts'

export interface ReferralTable {
  id: string
  /**
   * The target: a programme, or a directory service; a service run for a programme records that
   * programme too (decision 0106), and is received by the service's provider.
   */
  programme_id: string | null
  service_id: string | null
  /** The target's name when the referral was made, for lists. */
  target_name: string
  /** The organisation whose team receives the referral: the programme's owner or the service's provider. */
  receiving_organisation_id: string
  person_id: string
  /** The person's registered practice when referred. */
  practice_ods_code: string | null
  /** programmes/criteria.ts ReferrerKind. */
  referrer_kind: string
  /** Null for a self-referral. */
  referrer_user_id: string | null
  referrer_organisation_id: string | null
  referrer_name: string
  /** How the receiving team reaches the referrer: a phone number or an email address. */
  referrer_contact: string
  /** The case a link worker made this onward referral from. */
  source_case_id: string | null
  status: ReferralStatus
  /** The rules could not settle eligibility: the receiving team reviews it. */
  flagged_for_review: number
  /** JSON: the eligibility result when the referral was sent. */
  eligibility: string
  /** JSON: answers to the target's questions, by criterion id. */
  answers: string
  /** JSON array of need labels. */
  needs: string
  /** JSON array of the person's goals, in their words. */
  goals: string
  what_matters: string
  reason: string
  consent_id: string | null
  /**
   * JSON (PersonAsGiven): the person as the referrer described them. A referrer outside the
   * receiving team reads this, never the person's record (decision 0305).
   */
  person_as_given: string | null
  /** The form's one-time key: the same form sent twice makes one referral. */
  submission_key: string | null
  decision_reason: string | null
  decision_note: string | null
  /** When the receiving team first accepted or rejected it. */
  first_reply_at: string | null
  /** The first decision: `accepted`, `rejected`, or `no-reply` when Kith declined it for want of one. */
  first_reply: 'accepted' | 'rejected' | 'no-reply' | null
  nudge_due_at: string
  decline_due_at: string
  nudged_at: string | null
  created_at: string
  updated_at: string
}

export interface ReferralEventTable {
  id: string
  referral_id: string
  from_status: ReferralStatus | null
  to_status: ReferralStatus
  at: string
  /** Null for Kith itself (an automatic decline) or a self-referral. */
  actor_user_id: string | null
  actor_name: string
  reason: string | null
  note: string | null
}

export interface ReferralCodedEntryTable {
  id: string
  referral_id: string
  person_id: string
  /** SNOMED CT concept id (shared/reference/reference.md). */
  code: string
  display: string
  recorded_at: string
  recorded_by_user_id: string | null
}

declare module '../db/schema.ts' {
  interface Tables {
    referrals: ReferralTable
    referral_events: ReferralEventTable
    referral_coded_entries: ReferralCodedEntryTable
  }
}
