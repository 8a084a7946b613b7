// Referral statistics: what a directory listing says ("Usually replies in 3 days", "94% of
// referrals accepted") and what the Referrals report shows. Both come from `referralStatistics`,
// so the two can never disagree.

import { withRoomToCount } from '../db/dialect.ts'
import type { Queryable } from '../db/schema.ts'
import { DECLINE_REASON_LABELS, isDeclineReason } from './lifecycle.ts'
import {
  middleReplyTimes,
  type ReferralCount,
  type ReferralFact,
  type ReferralScope,
  referralCounts,
} from './store.ts'

const DAY = 86_400_000

/** Fewer replies than this and the statistics say nothing: a share of two is not a pattern. */
export const MIN_REPLIES_FOR_STATISTICS = 5

export interface ReplyStatistics {
  /** How many referrals have had a first decision (automatic declines included). */
  replies: number
  /** Median whole days from sending to the first reply; null when there are too few. */
  medianDaysToReply: number | null
  /** Share accepted at first decision, as a whole percentage; null when there are too few. */
  acceptedPercent: number | null
}

export function replyStatistics(
  rows: readonly { createdAt: string; firstReplyAt: string | null; firstReply: string }[],
): ReplyStatistics {
  const replies = rows.length
  if (replies < MIN_REPLIES_FOR_STATISTICS) return { replies, medianDaysToReply: null, acceptedPercent: null }
  const days = rows
    .filter((row) => row.firstReplyAt !== null)
    .map((row) => (new Date(row.firstReplyAt as string).getTime() - new Date(row.createdAt).getTime()) / DAY)
    .sort((a, b) => a - b)
  let median: number | null = null
  if (days.length >= MIN_REPLIES_FOR_STATISTICS) {
    const middle = Math.floor(days.length / 2)
    const value =
      days.length % 2 === 1
        ? (days[middle] as number)
        : ((days[middle - 1] as number) + (days[middle] as number)) / 2
    median = Math.max(0, Math.ceil(value))
  }
  const accepted = rows.filter((row) => row.firstReply === 'accepted').length
  return { replies, medianDaysToReply: median, acceptedPercent: Math.round((accepted / replies) * 100) }
}

export interface ReferralStatistics extends ReplyStatistics {
  /** Referrals made (received by the team) in scope. */
  received: number
  /** First decision: accepted. */
  accepted: number
  /** First decision: declined by the team (automatic declines apart). */
  declined: number
  declinedByReason: { reason: string; label: string; count: number }[]
  /** Declined by Kith for want of a reply in time. */
  autoDeclined: number
  /** Withdrawn (cancelled) by the referrer. */
  withdrawn: number
  /** Still waiting for a first decision. */
  awaitingReply: number
  bySource: { source: string; count: number }[]
  /** Referrals made in each month (`2026-04`), oldest first. */
  byMonth: { month: string; count: number }[]
}

/**
 * Counts and reply statistics over referral facts, one by one: pure, the definition the
 * database's counts (below) are tested against.
 */
export function summariseReferrals(facts: readonly ReferralFact[]): ReferralStatistics {
  const replied = facts.filter((fact) => fact.firstReply !== null)
  const reply = replyStatistics(replied.map((fact) => ({ ...fact, firstReply: fact.firstReply ?? '' })))
  return {
    ...summariseCounts(facts.map((fact) => ({ ...fact, month: fact.createdAt.slice(0, 7), count: 1 }))),
    ...reply,
  }
}

/** Every figure but the reply statistics, from grouped counts. */
function summariseCounts(counts: readonly ReferralCount[]): Omit<ReferralStatistics, keyof ReplyStatistics> {
  const reasons = new Map<string, number>()
  const sources = new Map<string, number>()
  const months = new Map<string, number>()
  let received = 0
  let replied = 0
  let accepted = 0
  let declined = 0
  let autoDeclined = 0
  let withdrawn = 0
  for (const row of counts) {
    const n = row.count
    received += n
    if (row.firstReply !== null) replied += n
    if (row.firstReply === 'accepted') accepted += n
    else if (row.firstReply === 'no-reply') autoDeclined += n
    else if (row.firstReply === 'rejected') {
      declined += n
      const reason = row.decisionReason ?? 'other'
      reasons.set(reason, (reasons.get(reason) ?? 0) + n)
    }
    if (row.status === 'cancelled') withdrawn += n
    sources.set(row.referrerKind, (sources.get(row.referrerKind) ?? 0) + n)
    months.set(row.month, (months.get(row.month) ?? 0) + n)
  }
  return {
    received,
    accepted,
    declined,
    declinedByReason: [...reasons]
      .map(([reason, count]) => ({
        reason,
        label: isDeclineReason(reason) ? DECLINE_REASON_LABELS[reason] : reason,
        count,
      }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    autoDeclined,
    withdrawn,
    awaitingReply: received - replied,
    bySource: [...sources]
      .map(([source, count]) => ({ source, count }))
      .sort((a, b) => b.count - a.count || a.source.localeCompare(b.source)),
    byMonth: [...months]
      .map(([month, count]) => ({ month, count }))
      .sort((a, b) => a.month.localeCompare(b.month)),
  }
}

/**
 * The one place referral statistics are computed: a directory listing asks for its service's,
 * the Referrals report for its scope and period. The database counts (grouped by first reply,
 * reason, source, status and month) and finds the middle reply times; no referral row leaves it.
 */
export async function referralStatistics(db: Queryable, scope: ReferralScope): Promise<ReferralStatistics> {
  // Two statements side by side, each with room to sort in memory (all of a country's referrals).
  const [counts, times] = await Promise.all([
    withRoomToCount(db, 64, (db) => referralCounts(db, scope)),
    withRoomToCount(db, 64, (db) => middleReplyTimes(db, scope)),
  ])
  const figures = summariseCounts(counts)
  const replies = figures.received - figures.awaitingReply
  if (replies < MIN_REPLIES_FOR_STATISTICS)
    return { ...figures, replies, medianDaysToReply: null, acceptedPercent: null }
  let median: number | null = null
  if (times.replies >= MIN_REPLIES_FOR_STATISTICS) {
    const [low, high] = [times.middle[0] as number, (times.middle[1] ?? times.middle[0]) as number]
    median = Math.max(0, Math.ceil((low / DAY + high / DAY) / 2))
  }
  return {
    ...figures,
    replies,
    medianDaysToReply: median,
    acceptedPercent: Math.round((figures.accepted / replies) * 100),
  }
}

/** "Usually replies in N days" and "N% of referrals accepted", computed from a service's referrals. */
export async function serviceStatistics(db: Queryable, serviceId: string): Promise<ReplyStatistics> {
  const { replies, medianDaysToReply, acceptedPercent } = await referralStatistics(db, {
    serviceIds: [serviceId],
  })
  return { replies, medianDaysToReply, acceptedPercent }
}

/** The sentences a listing shows, or none when there are too few referrals yet. */
export function describeStatistics(statistics: ReplyStatistics): string[] {
  const lines: string[] = []
  if (statistics.medianDaysToReply !== null)
    lines.push(
      statistics.medianDaysToReply <= 1
        ? 'Usually replies within a day'
        : `Usually replies in ${statistics.medianDaysToReply} days`,
    )
  if (statistics.acceptedPercent !== null) lines.push(`${statistics.acceptedPercent}% of referrals accepted`)
  return lines
}
