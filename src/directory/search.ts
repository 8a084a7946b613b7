// Reading a search from a query string: the same rules for the search page and the Open Referral
// API. Pure: the postcode is checked for form here and looked up by the caller.

import { normalisePostcode } from '../people/person.ts'
import type { FieldProblem } from '../web/problem.ts'
import { WEEKDAYS, type Weekday } from './schedules.ts'
import type { Term } from './store.ts'
import { choiceOf, isServiceKind, type ServiceKind } from './taxonomy.ts'

export const MAX_TEXT = 200
export const MAX_PER_PAGE = 100
export const RADII_KM = [1, 2, 5, 10, 25, 50] as const

export interface SearchRequest {
  text?: string
  /** The term the category names. */
  termId?: string
  /** Every term of that term's label, in any vocabulary: a service tagged with one of them matches. */
  termIds?: string[]
  kind?: ServiceKind
  selfReferral?: boolean
  age?: number
  /** An iCalendar day code (`TU`): services with a session on that day. */
  day?: Weekday
  postcode?: string
  radiusKm: number
  page: number
  perPage: number
}

function first(value: unknown): string | undefined {
  if (Array.isArray(value)) return first(value[0])
  return typeof value === 'string' ? value : undefined
}

function wholeNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,7}$/.test(value.trim())) return undefined
  return Number(value.trim())
}

export function parseSearch(
  query: Record<string, unknown>,
  terms: Term[],
  defaults: { perPage: number } = { perPage: 20 },
): { request: SearchRequest; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  const request: SearchRequest = { radiusKm: 10, page: 1, perPage: defaults.perPage }

  const text = first(query.q)?.trim()
  if (text) {
    if (text.length > MAX_TEXT)
      problems.push({ field: 'q', message: `Search words must be ${MAX_TEXT} characters or fewer` })
    else request.text = text
  }

  const category = first(query.category)?.trim()
  if (category) {
    const term = terms.find((t) => t.id === category || t.code === category)
    if (term) {
      request.termId = term.id
      request.termIds = choiceOf(term, terms).termIds
    } else problems.push({ field: 'category', message: 'Select a category from the list' })
  }

  const kind = first(query.kind)?.trim()
  if (kind) {
    if (isServiceKind(kind)) request.kind = kind
    else problems.push({ field: 'kind', message: 'Select a kind of service from the list' })
  }

  const referral = first(query.referral)?.trim()
  if (referral === 'self') request.selfReferral = true
  else if (referral === 'professional') request.selfReferral = false
  else if (referral) problems.push({ field: 'referral', message: 'Select who can refer' })

  const age = first(query.age)?.trim()
  if (age) {
    const years = wholeNumber(age)
    if (years === undefined || years > 130)
      problems.push({ field: 'age', message: 'Enter an age in whole years, like 42' })
    else request.age = years
  }

  const day = first(query.day)?.trim().toUpperCase()
  if (day) {
    const weekday = WEEKDAYS.find((d) => d.code === day)
    if (weekday) request.day = weekday.code
    else problems.push({ field: 'day', message: 'Select a day of the week from the list' })
  }

  const postcode = first(query.postcode)?.trim()
  if (postcode) {
    const normal = postcode.length <= 10 ? normalisePostcode(postcode) : undefined
    if (normal) request.postcode = normal
    else problems.push({ field: 'postcode', message: 'Enter a full UK postcode, like LU1 1HH' })
  }

  const radius = first(query.radius)?.trim()
  if (radius) {
    const km = wholeNumber(radius)
    if (km === undefined || km < 1 || km > 200)
      problems.push({ field: 'radius', message: 'Enter a distance from 1 to 200 kilometres' })
    else request.radiusKm = km
  }

  const page = first(query.page)?.trim()
  if (page !== undefined) {
    const n = wholeNumber(page)
    if (n === undefined || n < 1 || n > 100_000)
      problems.push({ field: 'page', message: 'The page number must be a whole number from 1' })
    else request.page = n
  }

  const perPage = first(query.per_page)?.trim()
  if (perPage !== undefined) {
    const n = wholeNumber(perPage)
    if (n === undefined || n < 1 || n > MAX_PER_PAGE)
      problems.push({ field: 'per_page', message: `The number per page must be from 1 to ${MAX_PER_PAGE}` })
    else request.perPage = n
  }
  return { request, problems }
}

/** Whether a listing is due a review: not reviewed for 6 months (183 days). */
export function isUnreviewed(lastReviewedOn: string, today: string): boolean {
  const last = Date.parse(`${lastReviewedOn}T00:00:00Z`)
  const now = Date.parse(`${today}T00:00:00Z`)
  if (Number.isNaN(last) || Number.isNaN(now)) return true
  const sixMonthsAgo = new Date(now)
  sixMonthsAgo.setUTCMonth(sixMonthsAgo.getUTCMonth() - 6)
  return last < sixMonthsAgo.getTime()
}
