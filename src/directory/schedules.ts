// When a service runs: its structured schedules (Open Referral UK's schedule: iCalendar days and
// times) read as a sentence, and the provider form's weekly sessions. Pure.

import type { FieldProblem } from '../web/problem.ts'
import type { ScheduleInput } from './store.ts'

export const WEEKDAYS = [
  { code: 'MO', name: 'Monday' },
  { code: 'TU', name: 'Tuesday' },
  { code: 'WE', name: 'Wednesday' },
  { code: 'TH', name: 'Thursday' },
  { code: 'FR', name: 'Friday' },
  { code: 'SA', name: 'Saturday' },
  { code: 'SU', name: 'Sunday' },
] as const
export type Weekday = (typeof WEEKDAYS)[number]['code']

const DAY_NAMES = new Map<string, string>(WEEKDAYS.map((day) => [day.code, day.name]))
const ORDINALS: Record<string, string> = {
  '1': 'first',
  '2': 'second',
  '3': 'third',
  '4': 'fourth',
  '5': 'fifth',
  '-1': 'last',
}

/** At most this many weekly sessions on the provider form. */
export const MAX_SESSIONS = 7

/** `09:30:00` → `9:30am`; `12:00:00` → `12 noon`, in the NHS style. */
export function describeTime(time: string): string {
  const [hours = 0, minutes = 0] = time.split(':').map(Number)
  if (minutes === 0 && hours === 12) return '12 noon'
  if (minutes === 0 && hours === 0) return '12 midnight'
  const hour = hours % 12 === 0 ? 12 : hours % 12
  return `${hour}${minutes === 0 ? '' : `:${String(minutes).padStart(2, '0')}`}${hours < 12 ? 'am' : 'pm'}`
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
}

/**
 * `Tuesdays and Fridays, 9:30am to 12 noon`; `The first Monday of the month, 2pm to 4pm`; the
 * schedule's description when it has neither days nor times.
 */
export function describeSchedule(schedule: ScheduleInput): string {
  const codes = schedule.byday
    .split(',')
    .map((code) => code.trim().toUpperCase())
    .filter(Boolean)
  const days = codes.map((code) => {
    const match = /^(-?\d)?([A-Z]{2})$/.exec(code)
    const name = match ? DAY_NAMES.get(match[2]!) : undefined
    if (!match || !name) return undefined
    const ordinal = match[1] ? ORDINALS[match[1]] : undefined
    if (schedule.freq === 'MONTHLY' && ordinal)
      return { text: `the ${ordinal} ${name} of the month`, nth: true }
    return { text: `${name}s`, nth: false }
  })
  const parts: string[] = []
  if (days.length > 0 && days.every((day) => day !== undefined)) {
    const when = list(days.map((day) => day.text))
    const monthly = schedule.freq === 'MONTHLY' && !days.some((day) => day.nth)
    const sentence = monthly ? `Once a month on ${when}` : when
    parts.push(sentence.charAt(0).toUpperCase() + sentence.slice(1))
  } else if (schedule.freq === 'MONTHLY') parts.push('Once a month')
  if (schedule.opensAt && schedule.closesAt)
    parts.push(`${describeTime(schedule.opensAt)} to ${describeTime(schedule.closesAt)}`)
  else if (schedule.opensAt) parts.push(`from ${describeTime(schedule.opensAt)}`)
  // The schedule's own words only when its days and times say nothing.
  return parts.join(', ') || schedule.description.trim()
}

/** One row of the provider form: a day of the week with its start and end, `HH:MM`. */
export interface Session {
  day: Weekday | ''
  opens: string
  closes: string
}

/**
 * The weekly sessions the form can show, one row per day, and the schedules it cannot (monthly,
 * or without both times), which saving keeps as they are.
 */
export function sessionsOf(schedules: readonly ScheduleInput[]): {
  sessions: Session[]
  kept: ScheduleInput[]
} {
  const sessions: Session[] = []
  const kept: ScheduleInput[] = []
  for (const schedule of schedules) {
    const codes = schedule.byday.split(',').map((code) => code.trim().toUpperCase())
    const weekly =
      schedule.freq === 'WEEKLY' &&
      schedule.opensAt !== null &&
      schedule.closesAt !== null &&
      codes.every((code) => DAY_NAMES.has(code))
    if (!weekly) {
      kept.push(schedule)
      continue
    }
    for (const code of codes)
      sessions.push({
        day: code as Weekday,
        opens: schedule.opensAt!.slice(0, 5),
        closes: schedule.closesAt!.slice(0, 5),
      })
  }
  return { sessions, kept }
}

/** `10`, `10:30`, `9.30`, `14:00` → `HH:MM`; undefined when it is not a time of day. */
export function parseTime(value: string): string | undefined {
  const match = /^(\d{1,2})(?:[:.](\d{2}))?$/.exec(value.trim())
  if (!match) return undefined
  const hours = Number(match[1])
  const minutes = Number(match[2] ?? '0')
  if (hours > 23 || minutes > 59) return undefined
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`
}

/** The form fields of session `index`. */
export const sessionField = (index: number, part: 'day' | 'opens' | 'closes') => `session-${index}-${part}`

/**
 * The weekly sessions the form sent, as schedules (one per session), or a problem per field. A row
 * with no day and no times is left out.
 */
export function parseSessions(
  body: Record<string, unknown>,
  description: string,
): { schedules: ScheduleInput[]; problems: FieldProblem[] } {
  const schedules: ScheduleInput[] = []
  const problems: FieldProblem[] = []
  const text = (name: string) => {
    const value = body[name]
    return typeof value === 'string' ? value.trim() : ''
  }
  for (let index = 0; index < MAX_SESSIONS; index++) {
    const day = text(sessionField(index, 'day')).toUpperCase()
    const opensText = text(sessionField(index, 'opens'))
    const closesText = text(sessionField(index, 'closes'))
    if (!day && !opensText && !closesText) continue
    const row = `Session ${index + 1}`
    if (!DAY_NAMES.has(day)) {
      problems.push({ field: sessionField(index, 'day'), message: `${row}: select the day` })
      continue
    }
    const opens = parseTime(opensText)
    const closes = parseTime(closesText)
    if (!opens)
      problems.push({
        field: sessionField(index, 'opens'),
        message: `${row}: enter when it starts, like 10:00`,
      })
    if (!closes)
      problems.push({
        field: sessionField(index, 'closes'),
        message: `${row}: enter when it ends, like 12:00`,
      })
    if (opens && closes && closes <= opens)
      problems.push({ field: sessionField(index, 'closes'), message: `${row}: it must end after it starts` })
    if (opens && closes && closes > opens)
      schedules.push({
        freq: 'WEEKLY',
        byday: day,
        opensAt: `${opens}:00`,
        closesAt: `${closes}:00`,
        description,
      })
  }
  return { schedules, problems }
}
