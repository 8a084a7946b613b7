// The formats people expect, shared by templates and text exports. Times are stored in UTC and
// shown in Europe/London.

const TIME_ZONE = 'Europe/London'

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: TIME_ZONE,
})
const shortDateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: TIME_ZONE,
})
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
  timeZone: TIME_ZONE,
})
const weekdayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: TIME_ZONE })

function toDate(value: string | Date | null | undefined): Date | undefined {
  if (value === null || value === undefined || value === '') return undefined
  // A plain date (a date of birth) is a calendar day, not an instant: read it at noon UTC so
  // that no time zone moves it to another day.
  const date =
    value instanceof Date ? value : new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value)
  return Number.isNaN(date.getTime()) ? undefined : date
}

/** `22 November 2026` */
export function formatDate(value: string | Date | null | undefined): string {
  const date = toDate(value)
  return date ? dateFormat.format(date) : ''
}

/** `22 Nov 2026` */
export function formatShortDate(value: string | Date | null | undefined): string {
  const date = toDate(value)
  return date ? shortDateFormat.format(date) : ''
}

/** `9:30am`, in the NHS style (no space, lower case). */
export function formatTime(value: string | Date | null | undefined): string {
  const date = toDate(value)
  return date ? timeFormat.format(date).replace(/\s/g, '').toLowerCase() : ''
}

/** `22 November 2026 at 9:30am` */
export function formatDateTime(value: string | Date | null | undefined): string {
  const date = toDate(value)
  return date ? `${formatDate(date)} at ${formatTime(date)}` : ''
}

export function formatWeekday(value: string | Date | null | undefined): string {
  const date = toDate(value)
  return date ? weekdayFormat.format(date) : ''
}

/** `943 476 5919` */
export function formatNhsNumber(value: string | null | undefined): string {
  const digits = (value ?? '').replace(/\D/g, '')
  return digits.length === 10
    ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`
    : (value ?? '')
}

/** `EX15 1FE`: upper case with one space before the inward code. */
export function formatPostcode(value: string | null | undefined): string {
  const compact = (value ?? '').replace(/\s+/g, '').toUpperCase()
  return compact.length > 3 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact
}

/** The calendar date in London for an instant: `2026-11-22`. */
const LONDON_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
})

export function londonDate(value: Date = new Date()): string {
  return LONDON_DATE.format(value)
}

/** `3 people`, `1 person` */
export function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`
}

const KM_PER_MILE = 1.609344

/** `2.3 miles`, `1 mile`, `14 miles`: kilometres as the miles people in England expect. */
export function formatMiles(km: number): string {
  const miles = km / KM_PER_MILE
  const shown = miles < 10 ? Math.round(miles * 10) / 10 : Math.round(miles)
  if (shown === 0) return 'under 0.1 miles'
  return `${shown.toLocaleString('en-GB')} ${shown === 1 ? 'mile' : 'miles'}`
}
