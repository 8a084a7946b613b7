// Casework's domain rules as pure functions: the lists a case records (statuses, closure
// reasons, note types, goal progress), appointment times and clashes, the working pattern,
// lone-working overruns and arrival, goal target dates, prescription dates and their review.
// No I/O here.

import {
  APPOINTMENT_KIND_LABELS,
  APPOINTMENT_MODE_LABELS,
  type AppointmentKind,
  type AppointmentMode,
  type AppointmentRules,
  furtherAppointmentProblem,
  type PrescriptionRule,
  prescriptionWeeksProblem,
  WEEKDAY_LABELS,
  WEEKDAYS,
  type Weekday,
} from '../programmes/config.ts'
import { formatDate, formatDateTime, formatTime } from '../web/format.ts'

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

const LONDON_CLOCK = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** The wall-clock time in Europe/London of an instant, as a form takes it: `14:30`. */
export function londonTime(iso: string): string {
  return LONDON_CLOCK.format(new Date(iso))
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

/** Whether `YYYY-MM-DD` is a day on the calendar (not 31 February). */
export function isRealDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false
  const d = new Date(`${date}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date
}

/** Why a goal's target date cannot be set on `today` (London), or undefined. */
export function goalTargetProblem(targetDate: string, today: string): string | undefined {
  if (!isRealDate(targetDate)) return 'Enter the target date as a real date'
  if (targetDate < today) return 'The target date must be today or in the future'
  return undefined
}

/** Why arrival at a visit cannot be recorded `now`: only on the London day the visit starts. */
export function arrivalProblem(startsAt: string, now: Date): string | undefined {
  const day = londonDate(new Date(startsAt))
  return day === londonDate(now)
    ? undefined
    : `You can record arrival only on the day of the visit, ${formatDate(startsAt)}`
}

/** Why an appointment cannot be recorded as attended or missed `now`: not before it starts. */
export function outcomeTooEarlyProblem(status: AppointmentStatus, startsAt: string, now: Date) {
  if (Date.parse(startsAt) <= now.getTime()) return undefined
  if (status === 'attended') return 'An appointment cannot be attended before it starts'
  if (status === 'did_not_attend')
    return 'You can record that the person did not attend only once the appointment has started'
  return undefined
}

/** The weekday of a London date (`2026-12-02` is a Wednesday). */
export function weekdayOf(date: string): Weekday {
  return WEEKDAYS[(new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7]!
}

const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`

/**
 * What is outside the worker's working pattern in the programme about an appointment (a London
 * date, and whether it is at the person's practice): a day they do not work, or a practice other
 * than the one the pattern puts them at that day. No pattern set: nothing to say.
 */
export function patternWarnings(input: {
  workerName: string
  programmeName: string
  pattern: readonly { weekday: Weekday; practiceId: string | null; practiceName: string | null }[]
  date: string
  /** The person's practice when the appointment is at a practice; null otherwise. */
  atPractice: { id: string; name: string } | null
}): string[] {
  if (input.pattern.length === 0) return []
  const weekday = weekdayOf(input.date)
  const day = input.pattern.find((d) => d.weekday === weekday)
  if (!day) {
    const worked = WEEKDAYS.filter((w) => input.pattern.some((d) => d.weekday === w)).map(
      (w) => WEEKDAY_LABELS[w],
    )
    return [
      `${input.workerName} does not work on ${WEEKDAY_LABELS[weekday]}s in ${input.programmeName}: their working ${worked.length === 1 ? 'day is' : 'days are'} ${list(worked)}`,
    ]
  }
  const practice = input.atPractice
  if (!practice || day.practiceId === practice.id) return []
  return [
    day.practiceId
      ? `On ${WEEKDAY_LABELS[weekday]}s ${input.workerName} works at ${day.practiceName ?? 'another practice'}, not at ${practice.name}`
      : `On ${WEEKDAY_LABELS[weekday]}s ${input.workerName} works away from the practices, not at ${practice.name}`,
  ]
}

/** What a worker's other appointment that overlaps this one is, for a warning. */
export function clashWarning(
  workerName: string,
  other: { kind: AppointmentKind; startsAt: string; endsAt: string },
) {
  return `It overlaps ${workerName}’s ${APPOINTMENT_KIND_LABELS[other.kind].toLowerCase()} appointment on ${formatDateTime(other.startsAt)} to ${formatTime(other.endsAt)}`
}

/** The assessment, at a prescription's review, of the person's progress toward self-care. */
export const SELF_CARE = ['independent', 'growing', 'needs_support', 'not_yet'] as const
export type SelfCare = (typeof SELF_CARE)[number]
export const SELF_CARE_LABELS: Record<SelfCare, string> = {
  independent: 'Managing independently',
  growing: 'Growing in confidence',
  needs_support: 'Still needs regular support',
  not_yet: 'Not yet making progress',
}
export const SELF_CARE_HINTS: Record<SelfCare, string> = {
  independent: 'Confident to carry on without support from the programme',
  growing: 'Doing more for themselves, with some support still helping',
  needs_support: 'Taking part, but relies on support to keep going',
  not_yet: 'For example, has not been able to take part',
}

/** What happens after a prescription's review. */
export const NEXT_STEPS = ['continue', 'extend', 'new_prescription', 'end', 'exit'] as const
export type NextStep = (typeof NEXT_STEPS)[number]
export const NEXT_STEP_LABELS: Record<NextStep, string> = {
  continue: 'Continue independently',
  extend: 'Extend the prescription',
  new_prescription: 'A new prescription',
  end: 'End the prescription',
  exit: 'Close the case',
}

/** A review is due from the prescription's last day; before then it needs a reason. */
export function reviewIsEarly(end: string, today: string): boolean {
  return today < end
}

/** The last day a prescription starting on `start` may run to under the programme's rule. */
export function latestEnd(rule: PrescriptionRule | null, start: string): string {
  return prescriptionEnd(start, rule ? rule.maxWeeks : 104)
}

/** The whole weeks a prescription from `start` to `end` (both days included) runs over. */
export function weeksBetween(start: string, end: string): number {
  const days =
    Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000) + 1
  return Math.ceil(days / 7)
}

/** Why a prescription cannot be extended to `newEnd`, or undefined. */
export function extensionProblem(
  rule: PrescriptionRule | null,
  prescription: { start: string; end: string },
  newEnd: string,
  today: string,
): string | undefined {
  if (!isRealDate(newEnd)) return 'Enter the new end date as a real date'
  if (newEnd <= prescription.end)
    return `The new end date must be after the prescription’s end, ${formatDate(prescription.end)}`
  if (newEnd <= today) return 'The new end date must be in the future'
  const latest = latestEnd(rule, prescription.start)
  if (newEnd <= latest) return undefined
  const length = !rule
    ? 'A prescription can run for 104 weeks at most'
    : rule.minWeeks === rule.maxWeeks
      ? `Prescriptions in this programme are ${rule.minWeeks} weeks`
      : `Prescriptions in this programme are ${rule.minWeeks} to ${rule.maxWeeks} weeks`
  return `${length}, so this one can run to ${formatDate(latest)} at the latest`
}
