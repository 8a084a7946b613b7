// How a kiosk reading is linked to a person, as the person chose on the form: by their card, by
// their date of birth and postcode (for anyone at the practice, with a card or without), or not
// at all. Pure functions, no I/O: which person the details find is decided in access.ts.

import { isCalendarDate, normalisePostcode } from '../people/person.ts'
import type { FieldProblem } from '../web/problem.ts'

export const LINKS = ['card', 'details', 'none'] as const
export type Link = (typeof LINKS)[number]

export type Linking =
  | { link: 'card' }
  | { link: 'details'; dateOfBirth: string; postcode: string }
  | { link: 'none' }

/** The id each field's error links to. */
export const LINK_ANCHORS: Record<string, string> = { dateOfBirth: 'dateOfBirth-day' }

const text = (body: Record<string, unknown>, name: string) =>
  typeof body[name] === 'string' ? (body[name] as string).trim() : ''

/**
 * The date of birth typed as day, month and year, or the problem with it. `today` is London's
 * date (`YYYY-MM-DD`).
 */
export function parseDateOfBirth(
  body: Record<string, unknown>,
  today: string,
): { ok: true; value: string } | { ok: false; message: string } {
  const day = text(body, 'dateOfBirth-day')
  const month = text(body, 'dateOfBirth-month')
  const year = text(body, 'dateOfBirth-year')
  if (!day && !month && !year) return { ok: false, message: 'Enter your date of birth' }
  const missing = [!day && 'a day', !month && 'a month', !year && 'a year'].filter(Boolean)
  if (missing.length > 0)
    return { ok: false, message: `Your date of birth must include ${missing.join(' and ')}` }
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year))
    return { ok: false, message: 'Your date of birth must be a real date, like 15 3 1984' }
  const value = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
  if (!isCalendarDate(value))
    return { ok: false, message: 'Your date of birth must be a real date, like 15 3 1984' }
  if (value > today) return { ok: false, message: 'Your date of birth must be in the past' }
  if (value < '1890-01-01') return { ok: false, message: 'Your date of birth must be after 1890' }
  return { ok: true, value }
}

/**
 * Reads the choice of how to link the reading. A form sent without a choice but with a card
 * (typed, or read by the camera, which sends the form itself) is linked by the card, as the kiosk
 * did before it offered a choice.
 */
export function parseLinking(
  body: Record<string, unknown>,
  today: string,
): { ok: true; value: Linking } | { ok: false; problems: FieldProblem[] } {
  const chosen = text(body, 'link')
  const link: Link | undefined = (LINKS as readonly string[]).includes(chosen)
    ? (chosen as Link)
    : chosen === '' && (text(body, 'code') || text(body, 'scanned'))
      ? 'card'
      : undefined
  if (!link)
    return {
      ok: false,
      problems: [{ field: 'link', message: 'Choose whether to add your readings to your record' }],
    }
  if (link !== 'details') return { ok: true, value: { link } }
  const problems: FieldProblem[] = []
  const dateOfBirth = parseDateOfBirth(body, today)
  if (!dateOfBirth.ok) problems.push({ field: 'dateOfBirth', message: dateOfBirth.message })
  const typed = text(body, 'postcode')
  const postcode = typed.length <= 10 ? normalisePostcode(typed) : undefined
  if (!typed) problems.push({ field: 'postcode', message: 'Enter your postcode' })
  else if (!postcode) problems.push({ field: 'postcode', message: 'Enter a full UK postcode, like EX15 1FE' })
  if (!dateOfBirth.ok || !postcode) return { ok: false, problems }
  return { ok: true, value: { link, dateOfBirth: dateOfBirth.value, postcode } }
}
