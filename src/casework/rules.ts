// Casework's domain rules as pure functions: the lists a case records (statuses, closure
// reasons, note types, goal progress), appointment times and clashes, lone-working overruns,
// prescription dates, and the GP summary. No I/O here.

import {
  APPOINTMENT_KIND_LABELS,
  APPOINTMENT_MODE_LABELS,
  type AppointmentKind,
  type AppointmentMode,
  type AppointmentRules,
  furtherAppointmentProblem,
  type PrescriptionRule,
  prescriptionWeeksProblem,
} from '../programmes/config.ts'

export const CASE_STATUSES = ['open', 'closed'] as const
export type CaseStatus = (typeof CASE_STATUSES)[number]

export const APPOINTMENT_STATUSES = ['booked', 'attended', 'did_not_attend', 'cancelled'] as const
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number]
export const APPOINTMENT_STATUS_LABELS: Record<AppointmentStatus, string> = {
  booked: 'Booked',
  attended: 'Attended',
  did_not_attend: 'Did not attend',
  cancelled: 'Cancelled',
}

export const GOAL_PROGRESS = ['not_started', 'started', 'half_way', 'nearly_there', 'achieved'] as const
export type GoalProgress = (typeof GOAL_PROGRESS)[number]
export const GOAL_PROGRESS_LABELS: Record<GoalProgress, string> = {
  not_started: 'Not started',
  started: 'Started',
  half_way: 'Half way',
  nearly_there: 'Nearly there',
  achieved: 'Achieved',
}

export const CLOSURE_REASONS = [
  'goals_met',
  'declined',
  'did_not_engage',
  'moved_away',
  'referred_elsewhere',
  'died',
] as const
export type ClosureReason = (typeof CLOSURE_REASONS)[number]
export const CLOSURE_REASON_LABELS: Record<ClosureReason, string> = {
  goals_met: 'Goals met',
  declined: 'Declined further support',
  did_not_engage: 'Did not engage',
  moved_away: 'Moved away',
  referred_elsewhere: 'Referred elsewhere',
  died: 'Died',
}

/** Note types: general ones, then the Merton interventions. */
export const NOTE_TYPES = [
  'general',
  'contact',
  'assessment',
  'form_filling',
  'benefits_check',
  'counselling_engagement',
  'home_and_family_stability',
  'mental_health_and_resilience',
  'relationships',
  'volunteering',
  'social_connectedness',
] as const
export type NoteType = (typeof NOTE_TYPES)[number]
export const NOTE_TYPE_LABELS: Record<NoteType, string> = {
  general: 'General note',
  contact: 'Contact (call, message or letter)',
  assessment: 'One-to-one assessment',
  form_filling: 'Help with forms',
  benefits_check: 'Benefits eligibility check',
  counselling_engagement: 'Engaging with counselling',
  home_and_family_stability: 'Home and family stability',
  mental_health_and_resilience: 'Mental health and resilience',
  relationships: 'Relationships',
  volunteering: 'Volunteering',
  social_connectedness: 'Social connectedness',
}

export { APPOINTMENT_KIND_LABELS, APPOINTMENT_MODE_LABELS }

/** A home visit still going this long after its booked end is an overrun. */
export const OVERRUN_GRACE_MINUTES = 30

/** Prescriptions ending within this many days show on the caseload. */
export const ENDING_SOON_DAYS = 14

export function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString()
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

export function daysBetween(fromIso: string, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - Date.parse(fromIso)) / 86_400_000))
}

/** Why an appointment's times are wrong, or undefined. */
export function appointmentTimesProblem(startsAt: string, endsAt: string): string | undefined {
  if (!(Date.parse(endsAt) > Date.parse(startsAt))) return 'The appointment must end after it starts'
  if (Date.parse(endsAt) - Date.parse(startsAt) > 8 * 3_600_000)
    return 'An appointment must be 8 hours or shorter'
  return undefined
}

export interface Booked {
  kind: AppointmentKind
  status: AppointmentStatus
}

/**
 * Why this booking breaks the programme's rules, or undefined. The initial appointment comes
 * once; the rest count against the cap (cancelled ones do not count).
 */
export function bookingProblem(rules: AppointmentRules, existing: readonly Booked[], kind: AppointmentKind) {
  const held = existing.filter((a) => a.status !== 'cancelled')
  if (kind === 'initial') {
    return held.some((a) => a.kind === 'initial') ? 'This case already has an initial appointment' : undefined
  }
  return furtherAppointmentProblem(rules, held.filter((a) => a.kind !== 'initial').length)
}

export function modeProblem(rules: AppointmentRules, mode: AppointmentMode): string | undefined {
  return rules.modes.includes(mode)
    ? undefined
    : `This programme does not offer ${APPOINTMENT_MODE_LABELS[mode].toLowerCase()} appointments`
}

export interface Slot {
  id: string
  startsAt: string
  endsAt: string
  status: AppointmentStatus
}

/** The ids of appointments that overlap another (cancelled ones never clash). */
export function clashes(slots: readonly Slot[]): Set<string> {
  const live = slots
    .filter((s) => s.status !== 'cancelled')
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt))
  const found = new Set<string>()
  for (let i = 0; i < live.length; i++) {
    const a = live[i]!
    for (let j = i + 1; j < live.length; j++) {
      const b = live[j]!
      if (Date.parse(b.startsAt) >= Date.parse(a.endsAt)) break
      found.add(a.id)
      found.add(b.id)
    }
  }
  return found
}

/** Whether a home visit has overrun: arrived, not departed past the end plus grace, or left late. */
export function overran(
  visit: { endsAt: string; arrivedAt: string | null; departedAt: string | null },
  now: Date,
): boolean {
  if (!visit.arrivedAt) return false
  const limit = Date.parse(visit.endsAt) + OVERRUN_GRACE_MINUTES * 60_000
  if (visit.departedAt) return Date.parse(visit.departedAt) > limit
  return now.getTime() > limit
}

/** The last day of a prescription of `weeks` starting on `startsOn`. */
export function prescriptionEnd(startsOn: string, weeks: number): string {
  return addDays(startsOn, weeks * 7 - 1)
}

export function prescriptionProblem(
  rule: PrescriptionRule | null,
  input: { weeks: number; expectedSessions: number },
): { field: string; message: string } | undefined {
  const weeks = prescriptionWeeksProblem(rule, input.weeks)
  if (weeks) return { field: 'weeks', message: weeks }
  if (!Number.isInteger(input.expectedSessions) || input.expectedSessions < 1 || input.expectedSessions > 500)
    return {
      field: 'expectedSessions',
      message: 'Enter the expected sessions as a whole number from 1 to 500',
    }
  return undefined
}

/** The day in Europe/London of an instant, as `YYYY-MM-DD`. */
const LONDON_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' })
const LONDON_HOUR = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  hourCycle: 'h23',
})

export function londonDate(at: Date): string {
  return LONDON_DAY.format(at)
}

/**
 * The UTC instant of a wall-clock time in Europe/London (`2026-11-30`, `14:30`): British summer
 * time is one hour ahead of UTC, winter time equal to it.
 */
export function londonToUtc(date: string, time: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{1,2}:\d{2}$/.test(time)) return undefined
  const [h, m] = time.split(':').map(Number) as [number, number]
  if (h > 23 || m > 59) return undefined
  const guess = Date.parse(`${date}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00Z`)
  if (Number.isNaN(guess)) return undefined
  // The offset London has at that moment: compare its wall clock with UTC.
  const parts = LONDON_HOUR.format(new Date(guess))
  const offsetHours = (Number(parts) - h + 24) % 24
  return new Date(guess - offsetHours * 3_600_000).toISOString()
}

/** Monday of the week containing `date`. */
export function weekStart(date: string): string {
  const d = new Date(`${date}T00:00:00Z`)
  const weekday = (d.getUTCDay() + 6) % 7
  return addDays(date, -weekday)
}
