// Referrals made and decided in the past, written at once: the demo's year of history behind each
// scheme. Each carries the events of its journey (sent, the first decision, a withdrawal) as the
// lifecycle would have written them, so lists, statistics and reports read them like any other.

import { newId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { ReferrerKind } from '../programmes/criteria.ts'
import type { DeclineReason, ReferralStatus } from './lifecycle.ts'
import type { ReferralEventRow, ReferralRow } from './store.ts'

export interface BulkReferral {
  programmeId: string | null
  serviceId?: string | null
  targetName: string
  receivingOrganisationId: string
  personId: string
  practiceOdsCode: string | null
  referrerKind: ReferrerKind
  referrerName: string
  referrerUserId?: string | null
  referrerOrganisationId?: string | null
  referrerContact: string
  reason: string
  createdAt: string
  /** The first decision and when it came; null while the referral waits for one. */
  firstReply: { kind: 'accepted' | 'rejected' | 'no-reply'; at: string; reason?: DeclineReason } | null
  /** Where it ended: `completed` once the help was given, `cancelled` when withdrawn after acceptance. */
  status: ReferralStatus
  /** When it was completed or withdrawn, after the first decision. */
  endedAt?: string
  /** Who decided, for the events. */
  deciderUserId?: string | null
  deciderName?: string
}

const DAY = 86_400_000

/** Writes the referrals and their events; returns their ids in order. */
export async function insertReferralHistory(
  db: Queryable,
  referrals: readonly BulkReferral[],
): Promise<string[]> {
  const rows: ReferralRow[] = []
  const events: ReferralEventRow[] = []
  for (const r of referrals) {
    const id = newId(Date.parse(r.createdAt))
    const reply = r.firstReply
    const updatedAt = r.endedAt ?? reply?.at ?? r.createdAt
    rows.push({
      id,
      programme_id: r.programmeId,
      service_id: r.serviceId ?? null,
      target_name: r.targetName,
      receiving_organisation_id: r.receivingOrganisationId,
      person_id: r.personId,
      practice_ods_code: r.practiceOdsCode,
      referrer_kind: r.referrerKind,
      referrer_user_id: r.referrerUserId ?? null,
      referrer_organisation_id: r.referrerOrganisationId ?? null,
      referrer_name: r.referrerName,
      referrer_contact: r.referrerContact,
      source_case_id: null,
      status: r.status,
      flagged_for_review: 0,
      eligibility: JSON.stringify({ outcome: 'eligible', reasons: [], redirects: [], suggestions: [] }),
      answers: '{}',
      needs: '[]',
      goals: '[]',
      what_matters: '',
      reason: r.reason,
      consent_id: null,
      person_as_given: null,
      submission_key: null,
      decision_reason: reply && reply.kind !== 'accepted' ? (reply.reason ?? 'no-reply') : null,
      decision_note: null,
      first_reply_at: reply?.at ?? null,
      first_reply: reply?.kind ?? null,
      nudge_due_at: new Date(Date.parse(r.createdAt) + 7 * DAY).toISOString(),
      decline_due_at: new Date(Date.parse(r.createdAt) + 14 * DAY).toISOString(),
      nudged_at: null,
      created_at: r.createdAt,
      updated_at: updatedAt,
    })
    const event = (from: ReferralStatus | null, to: ReferralStatus, at: string, reason: string | null) => {
      const byKith = reply?.kind === 'no-reply' && to === 'rejected'
      events.push({
        id: newId(Date.parse(at)),
        referral_id: id,
        from_status: from,
        to_status: to,
        at,
        actor_user_id:
          to === 'requested' ? (r.referrerUserId ?? null) : byKith ? null : (r.deciderUserId ?? null),
        actor_name:
          to === 'requested' ? r.referrerName : byKith ? 'Kith' : (r.deciderName ?? 'The receiving team'),
        reason,
        note: null,
      })
    }
    event(null, 'requested', r.createdAt, null)
    if (reply) {
      const decided = reply.kind === 'accepted' ? 'accepted' : 'rejected'
      event('requested', decided, reply.at, decided === 'rejected' ? (reply.reason ?? 'no-reply') : null)
      if (decided === 'accepted' && r.status !== 'accepted' && r.endedAt)
        event('accepted', r.status, r.endedAt, null)
    }
  }
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto('referrals')
      .values(rows.slice(i, i + 200))
      .execute()
  for (let i = 0; i < events.length; i += 400)
    await db
      .insertInto('referral_events')
      .values(events.slice(i, i + 400))
      .execute()
  return rows.map((row) => row.id)
}
