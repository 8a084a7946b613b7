// The Prescriptions and attendance report (Luton, Rotherham): prescriptions started in the period,
// completed, ended early; attendances in each week of a prescription (from card check-ins); the
// share who attended at least half their sessions; the share who continued an activity after the
// prescription ended, where the review recorded it.

import { checkInsOfPeople } from '../attendance/store.ts'
import { type PrescriptionFact, prescriptionsStartedIn } from '../casework/index.ts'
import type { Queryable } from '../db/schema.ts'
import { barChart } from './charts.ts'
import {
  type Figure,
  publishCount,
  publishShare,
  showCount,
  showNumber,
  showShare,
  table,
} from './present.ts'
import type { ResolvedScope } from './scope.ts'

export const PRESCRIPTION_DEFINITIONS = {
  started: 'Prescriptions whose first day is in the period.',
  completed: 'Of those, prescriptions reviewed at or after their last day.',
  endedEarly: 'Of those, prescriptions reviewed and ended before their last day.',
  inProgress: 'Of those, prescriptions not yet reviewed.',
  attendedHalf:
    'Of the prescriptions that have ended, the share whose person attended at least half the sessions expected (card check-ins at the prescribed activity, or the sessions the review recorded, whichever is more).',
  continued:
    'Of the prescriptions reviewed, the share whose review recorded that the person continued the activity.',
  byWeek:
    'Check-ins at the prescribed activity in each week of the prescription, counted from its first day.',
} as const

export interface PrescriptionsReport {
  started: number
  completed: number
  endedEarly: number
  inProgress: number
  ended: number
  attendedHalf: number
  reviewed: number
  continued: number
  byWeek: { week: number; attendances: number; prescriptions: number }[]
}

const DAY = 86_400_000
const dayNumber = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY)

/** The report over prescriptions and the check-ins of their people. Pure. */
export function summarisePrescriptions(
  prescriptions: readonly PrescriptionFact[],
  checkIns: readonly { personId: string; programmeId: string; serviceId: string; sessionDate: string }[],
  today: string,
): PrescriptionsReport {
  const byKey = new Map<string, string[]>()
  for (const c of checkIns) {
    const key = `${c.personId}|${c.programmeId}|${c.serviceId}`
    const list = byKey.get(key)
    if (list) list.push(c.sessionDate)
    else byKey.set(key, [c.sessionDate])
  }
  const weeks = new Map<number, number>()
  let maxWeeks = 0
  let completed = 0
  let endedEarly = 0
  let ended = 0
  let attendedHalf = 0
  let reviewed = 0
  let continued = 0
  for (const p of prescriptions) {
    maxWeeks = Math.max(maxWeeks, p.weeks)
    const sessions = (byKey.get(`${p.personId}|${p.programmeId}|${p.serviceId}`) ?? []).filter(
      (date) => date >= p.startsOn && date <= p.endsOn,
    )
    for (const date of sessions) {
      const week = Math.floor((dayNumber(date) - dayNumber(p.startsOn)) / 7) + 1
      weeks.set(week, (weeks.get(week) ?? 0) + 1)
    }
    if (p.reviewedAt) {
      reviewed++
      if (p.endedEarly) endedEarly++
      else completed++
      if (p.continued) continued++
    }
    if (p.reviewedAt || p.endsOn < today) {
      ended++
      const attended = Math.max(sessions.length, p.sessionsAttended ?? 0)
      if (p.expectedSessions > 0 && attended * 2 >= p.expectedSessions) attendedHalf++
    }
  }
  return {
    started: prescriptions.length,
    completed,
    endedEarly,
    inProgress: prescriptions.length - reviewed,
    ended,
    attendedHalf,
    reviewed,
    continued,
    byWeek: Array.from({ length: maxWeeks }, (_, i) => ({
      week: i + 1,
      attendances: weeks.get(i + 1) ?? 0,
      prescriptions: prescriptions.filter((p) => p.weeks > i).length,
    })),
  }
}

export async function prescriptionsReport(db: Queryable, scope: ResolvedScope): Promise<PrescriptionsReport> {
  const prescriptions = await prescriptionsStartedIn(db, scope.cases, scope.days)
  const latestEnd = prescriptions.reduce((max, p) => (p.endsOn > max ? p.endsOn : max), scope.days.from)
  const checkIns = await checkInsOfPeople(
    db,
    prescriptions.map((p) => p.personId),
    { from: scope.days.from, to: latestEnd },
  )
  const lastDay = scope.filters.to
  return summarisePrescriptions(prescriptions, checkIns, nextDayOf(lastDay))
}

function nextDayOf(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10)
}

const perPrescription = (w: { attendances: number; prescriptions: number }) =>
  w.prescriptions === 0 ? null : w.attendances / w.prescriptions

export function prescriptionsJson(report: PrescriptionsReport) {
  return {
    started: publishCount(report.started),
    completed: publishCount(report.completed),
    endedEarly: publishCount(report.endedEarly),
    inProgress: publishCount(report.inProgress),
    attendedHalfShare: publishShare(
      report.ended === 0 ? null : report.attendedHalf / report.ended,
      report.attendedHalf,
      report.ended,
    ),
    continuedShare: publishShare(
      report.reviewed === 0 ? null : report.continued / report.reviewed,
      report.continued,
      report.reviewed,
    ),
    byWeek: report.byWeek.map((w) => ({
      week: w.week,
      attendances: publishCount(w.attendances),
      perPrescription: publishCount(w.prescriptions) === null ? null : perPrescription(w),
    })),
  }
}

export function prescriptionsView(report: PrescriptionsReport) {
  const d = PRESCRIPTION_DEFINITIONS
  const figures: Figure[] = [
    { label: 'Started', value: showCount(report.started), definition: d.started },
    { label: 'Completed', value: showCount(report.completed), definition: d.completed },
    { label: 'Ended early', value: showCount(report.endedEarly), definition: d.endedEarly },
    { label: 'Not yet reviewed', value: showCount(report.inProgress), definition: d.inProgress },
    {
      label: 'Attended at least half their sessions',
      value: showShare(
        report.ended === 0 ? null : report.attendedHalf / report.ended,
        report.attendedHalf,
        report.ended,
      ),
      definition: d.attendedHalf,
    },
    {
      label: 'Continued after the prescription',
      value: showShare(
        report.reviewed === 0 ? null : report.continued / report.reviewed,
        report.continued,
        report.reviewed,
      ),
      definition: d.continued,
    },
  ]
  const weeks = table(
    'by-week',
    'Attendances in each week of a prescription',
    [
      ['Week', 'text'],
      ['Attendances', 'number'],
      ['Prescriptions that long', 'number'],
      ['Attendances per prescription', 'number'],
    ],
    report.byWeek.map((w) => [
      `Week ${w.week}`,
      showCount(w.attendances),
      showCount(w.prescriptions),
      publishCount(w.prescriptions) === null ? '–' : showNumber(perPrescription(w), 2),
    ]),
  )
  return {
    figures,
    tables: [weeks],
    charts: [
      {
        tableId: 'by-week',
        chart: barChart(
          'Attendances per prescription in each week',
          report.byWeek.map((w) => {
            const value = publishCount(w.prescriptions) === null ? null : perPrescription(w)
            return { label: `Week ${w.week}`, value, text: value === null ? '–' : showNumber(value, 2) }
          }),
        ),
      },
    ],
    notes: [d.byWeek],
  }
}
