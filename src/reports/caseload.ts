// The Caseload and capacity report: open cases per link worker at the end of the period, the wait
// from referral to first appointment, appointments by mode, and further appointments used against
// each programme's cap.

import { userNames } from '../access/store.ts'
import { appointmentsIn, casesOpenIn, firstAppointments, furtherAppointmentsUsed } from '../casework/index.ts'
import type { Queryable } from '../db/schema.ts'
import { APPOINTMENT_MODE_LABELS, APPOINTMENT_MODES, type AppointmentMode } from '../programmes/config.ts'
import { getProgramme } from '../programmes/store.ts'
import { referralTimes } from '../referrals/index.ts'
import { barChart } from './charts.ts'
import { type Figure, publishCount, showCount, table } from './present.ts'
import type { ResolvedScope } from './scope.ts'

export const CASELOAD_DEFINITIONS = {
  openCases: 'Cases open at the end of the period.',
  expected:
    'The caseload one full-time link worker should carry is the figure the programme’s managers set in its appointment rules (“Not set” until they do); for a worker with cases in programmes that set different figures, none is shown. Compare a part-time worker’s open cases with their share of it.',
  wait: 'For cases opened in the period, the median whole days from the referral being made (or the case opening, without a referral) to the first appointment that was not cancelled.',
  byMode: 'Appointments in the period that were not cancelled, by where or how they happened.',
  cap: 'For cases open in the period, appointments after the initial one (follow-ups, reviews and the exit, not cancelled) against the programme’s cap: at the cap, or past it with a manager’s reason.',
} as const

export interface CaseloadReport {
  openCases: number
  byLinkWorker: { id: string | null; name: string; openCases: number; expected: number | null }[]
  waited: number
  medianDaysToFirstAppointment: number | null
  appointmentsByMode: { mode: AppointmentMode; count: number }[]
  capUse: {
    programmeId: string
    programmeName: string
    cap: number | null
    cases: number
    atCap: number
    overCap: number
  }[]
}

const DAY = 86_400_000

function median(values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const value =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
  return Math.max(0, Math.ceil(value))
}

export async function caseloadReport(db: Queryable, scope: ResolvedScope): Promise<CaseloadReport> {
  const cases = await casesOpenIn(db, scope.cases, scope.period)
  const open = cases.filter((c) => c.closedAt === null || c.closedAt >= scope.period.to)
  const perWorker = new Map<string | null, number>()
  for (const c of open) perWorker.set(c.linkWorkerUserId, (perWorker.get(c.linkWorkerUserId) ?? 0) + 1)
  const programmes = new Map<string, Awaited<ReturnType<typeof getProgramme>>>()
  for (const programmeId of new Set(cases.map((c) => c.programmeId)))
    programmes.set(programmeId, await getProgramme(db, programmeId))
  // The caseload each worker should carry: their programmes' figure, when those agree.
  const targets = new Map<string | null, Set<number | null>>()
  for (const c of open) {
    const target = programmes.get(c.programmeId)?.appointments.fullTimeCaseload ?? null
    const set = targets.get(c.linkWorkerUserId) ?? new Set()
    set.add(target)
    targets.set(c.linkWorkerUserId, set)
  }
  const expectedOf = (id: string | null) => {
    const set = targets.get(id)
    return set?.size === 1 ? ([...set][0] ?? null) : null
  }
  const names = await userNames(
    db,
    [...perWorker.keys()].filter((id) => id !== null),
  )

  const opened = cases.filter((c) => c.openedAt >= scope.period.from)
  const [first, referred] = await Promise.all([
    firstAppointments(
      db,
      opened.map((c) => c.caseId),
    ),
    referralTimes(
      db,
      opened.flatMap((c) => (c.referralId ? [c.referralId] : [])),
    ),
  ])
  const waits: number[] = []
  for (const c of opened) {
    const at = first.get(c.caseId)
    if (!at) continue
    const start = (c.referralId ? referred.get(c.referralId) : undefined) ?? c.openedAt
    waits.push((Date.parse(at) - Date.parse(start)) / DAY)
  }

  const appointments = (await appointmentsIn(db, scope.cases, scope.period)).filter(
    (a) => a.status !== 'cancelled',
  )
  const modes = new Map<AppointmentMode, number>()
  for (const a of appointments) modes.set(a.mode, (modes.get(a.mode) ?? 0) + 1)

  const used = await furtherAppointmentsUsed(
    db,
    cases.map((c) => c.caseId),
  )
  const capUse: CaseloadReport['capUse'] = []
  for (const programmeId of new Set(cases.map((c) => c.programmeId))) {
    const programme = programmes.get(programmeId)
    const cap = programme?.appointments.furtherAppointmentsCap ?? null
    const inProgramme = cases.filter((c) => c.programmeId === programmeId)
    capUse.push({
      programmeId,
      programmeName: programme?.name ?? 'Unknown programme',
      cap,
      cases: inProgramme.length,
      atCap: cap === null ? 0 : inProgramme.filter((c) => (used.get(c.caseId) ?? 0) === cap).length,
      overCap: cap === null ? 0 : inProgramme.filter((c) => (used.get(c.caseId) ?? 0) > cap).length,
    })
  }
  return {
    openCases: open.length,
    byLinkWorker: [...perWorker]
      .map(([id, count]) => ({
        id,
        name: id ? (names.get(id) ?? 'Unknown') : 'No link worker',
        openCases: count,
        expected: id ? expectedOf(id) : null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    waited: waits.length,
    medianDaysToFirstAppointment: median(waits),
    appointmentsByMode: APPOINTMENT_MODES.map((mode) => ({ mode, count: modes.get(mode) ?? 0 })),
    capUse: capUse.sort((a, b) => a.programmeName.localeCompare(b.programmeName)),
  }
}

export function caseloadJson(report: CaseloadReport) {
  return {
    openCases: publishCount(report.openCases),
    byLinkWorker: report.byLinkWorker.map((w) => ({ ...w, openCases: publishCount(w.openCases) })),
    medianDaysToFirstAppointment:
      publishCount(report.waited) === null ? null : report.medianDaysToFirstAppointment,
    appointmentsByMode: report.appointmentsByMode.map((m) => ({
      mode: m.mode,
      label: APPOINTMENT_MODE_LABELS[m.mode],
      count: publishCount(m.count),
    })),
    capUse: report.capUse.map((c) => ({
      ...c,
      cases: publishCount(c.cases),
      atCap: publishCount(c.atCap),
      overCap: publishCount(c.overCap),
    })),
  }
}

export function caseloadView(report: CaseloadReport) {
  const d = CASELOAD_DEFINITIONS
  const figures: Figure[] = [
    { label: 'Open cases', value: showCount(report.openCases), definition: d.openCases },
    {
      label: 'Median days from referral to first appointment',
      value:
        report.medianDaysToFirstAppointment === null || publishCount(report.waited) === null
          ? '–'
          : String(report.medianDaysToFirstAppointment),
      definition: d.wait,
    },
  ]
  const workers = table(
    'by-link-worker',
    'Open cases by link worker',
    [
      ['Link worker', 'text'],
      ['Open cases', 'number'],
      ['Caseload they should carry', 'number'],
    ],
    report.byLinkWorker.map((w) => [
      w.name,
      showCount(w.openCases),
      w.expected === null ? 'Not set' : String(w.expected),
    ]),
  )
  const modes = table(
    'by-mode',
    'Appointments by mode',
    [
      ['Mode', 'text'],
      ['Appointments', 'number'],
    ],
    report.appointmentsByMode.map((m) => [APPOINTMENT_MODE_LABELS[m.mode], showCount(m.count)]),
  )
  const cap = table(
    'cap',
    'Further appointments against the cap',
    [
      ['Programme', 'text'],
      ['Cap', 'number'],
      ['Cases', 'number'],
      ['At the cap', 'number'],
      ['Past the cap', 'number'],
    ],
    report.capUse.map((c) => [
      c.programmeName,
      c.cap === null ? 'No cap' : `Initial and ${c.cap} more`,
      showCount(c.cases),
      showCount(c.atCap),
      showCount(c.overCap),
    ]),
  )
  return {
    figures,
    tables: [workers, modes, cap],
    charts: [
      {
        tableId: 'by-mode',
        chart: barChart(
          'Appointments by mode',
          report.appointmentsByMode.map((m) => ({
            label: APPOINTMENT_MODE_LABELS[m.mode],
            value: publishCount(m.count),
            text: showCount(m.count),
          })),
        ),
      },
    ],
    notes: [d.expected, d.byMode, d.cap],
  }
}
