// The Referrals report: received, accepted, declined by reason, declined automatically, withdrawn,
// by source, median days to reply and share accepted. The figures come from the same function
// as a directory listing's "Usually replies in N days" and "N% of referrals accepted".

import type { Queryable } from '../db/schema.ts'
import { REFERRER_KIND_LABELS, type ReferrerKind } from '../programmes/criteria.ts'
import {
  MIN_REPLIES_FOR_STATISTICS,
  type ReferralStatistics,
  referralStatistics,
} from '../referrals/index.ts'
import { barChart, lineChart } from './charts.ts'
import { type Figure, publishCount, publishShare, showCount, showShare, table } from './present.ts'
import type { ResolvedScope } from './scope.ts'

export const REFERRAL_DEFINITIONS = {
  received: 'Referrals made to the teams in scope in the period.',
  accepted: 'Of those, referrals whose first decision was to accept.',
  declined: 'Referrals the receiving team declined at first decision, by the reason they gave.',
  autoDeclined: 'Referrals Kith declined because no reply came in time.',
  withdrawn: 'Referrals the referrer withdrew (cancelled).',
  awaitingReply: 'Referrals still waiting for a first decision.',
  medianDaysToReply: `The median whole days from a referral being sent to its first decision, shown once at least ${MIN_REPLIES_FOR_STATISTICS} referrals have had one; a directory listing says “Usually replies in N days” from the same figure.`,
  shareAccepted: `Referrals accepted at first decision as a share of those decided, shown once at least ${MIN_REPLIES_FOR_STATISTICS} have been; a listing says “N% of referrals accepted” from the same figure.`,
} as const

export async function referralsReport(db: Queryable, scope: ResolvedScope): Promise<ReferralStatistics> {
  return referralStatistics(db, scope.referrals)
}

const sourceLabel = (source: string) => REFERRER_KIND_LABELS[source as ReferrerKind] ?? source

export function referralsJson(report: ReferralStatistics) {
  return {
    received: publishCount(report.received),
    accepted: publishCount(report.accepted),
    declined: publishCount(report.declined),
    declinedByReason: report.declinedByReason.map((r) => ({
      reason: r.reason,
      label: r.label,
      count: publishCount(r.count),
    })),
    autoDeclined: publishCount(report.autoDeclined),
    withdrawn: publishCount(report.withdrawn),
    awaitingReply: publishCount(report.awaitingReply),
    bySource: report.bySource.map((s) => ({
      source: s.source,
      label: sourceLabel(s.source),
      count: publishCount(s.count),
    })),
    byMonth: report.byMonth.map((m) => ({ month: m.month, count: publishCount(m.count) })),
    medianDaysToReply: report.medianDaysToReply,
    shareAccepted:
      report.acceptedPercent === null
        ? null
        : publishShare(report.acceptedPercent / 100, report.accepted, report.replies),
  }
}

export function referralsView(report: ReferralStatistics) {
  const d = REFERRAL_DEFINITIONS
  const figures: Figure[] = [
    { label: 'Received', value: showCount(report.received), definition: d.received },
    { label: 'Accepted', value: showCount(report.accepted), definition: d.accepted },
    { label: 'Declined', value: showCount(report.declined), definition: d.declined },
    { label: 'Declined automatically', value: showCount(report.autoDeclined), definition: d.autoDeclined },
    { label: 'Withdrawn', value: showCount(report.withdrawn), definition: d.withdrawn },
    { label: 'Waiting for a decision', value: showCount(report.awaitingReply), definition: d.awaitingReply },
    {
      label: 'Median days to reply',
      value: report.medianDaysToReply === null ? 'Too few replies yet' : String(report.medianDaysToReply),
      definition: d.medianDaysToReply,
    },
    {
      label: 'Share accepted',
      value:
        report.acceptedPercent === null
          ? 'Too few replies yet'
          : showShare(report.acceptedPercent / 100, report.accepted, report.replies),
      definition: d.shareAccepted,
    },
  ]
  const months = table(
    'by-month',
    'Referrals made each month',
    [
      ['Month', 'text'],
      ['Referrals', 'number'],
    ],
    report.byMonth.map((m) => [monthName(m.month), showCount(m.count)]),
  )
  const sources = table(
    'by-source',
    'Referrals by source',
    [
      ['Source', 'text'],
      ['Referrals', 'number'],
      ['Share', 'number'],
    ],
    report.bySource.map((s) => [
      sourceLabel(s.source),
      showCount(s.count),
      showShare(report.received === 0 ? null : s.count / report.received, s.count, report.received),
    ]),
  )
  const reasons = table(
    'declined-by-reason',
    'Declined, by reason',
    [
      ['Reason', 'text'],
      ['Referrals', 'number'],
    ],
    report.declinedByReason.map((r) => [r.label, showCount(r.count)]),
  )
  return {
    figures,
    tables: [months, sources, reasons],
    charts: [
      {
        tableId: 'by-month',
        chart: lineChart(
          'Referrals made each month',
          report.byMonth.map((m) => ({
            label: monthName(m.month),
            value: publishCount(m.count),
            text: showCount(m.count),
          })),
        ),
      },
      {
        tableId: 'by-source',
        chart: barChart(
          'Referrals by source',
          report.bySource.map((s) => ({
            label: sourceLabel(s.source),
            value: publishCount(s.count),
            text: showCount(s.count),
          })),
        ),
      },
    ],
    notes: [],
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
function monthName(month: string): string {
  const [year, m] = month.split('-')
  return `${MONTHS[Number(m) - 1] ?? m} ${year}`
}
