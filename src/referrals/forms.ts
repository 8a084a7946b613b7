// The referral form: generated from the target's criteria (each attestation is a question) and
// read back into a ReferralInput. Pure functions: the routes call them and the store.

import { z } from 'zod'
import type { OrganisationKind } from '../access/roles.ts'
import type { CurrentUser } from '../access/users.ts'
import { addressField, addressLinesFrom } from '../people/address.ts'
import { CONSENT_METHODS, type PersonInput, personInputSchema } from '../people/person.ts'
import type { CriterionQuestion, ReferrerKind } from '../programmes/criteria.ts'
import { criteriaQuestions } from '../programmes/eligibility.ts'
import { dateFrom } from '../web/forms.ts'
import type { FieldProblem } from '../web/problem.ts'
import type { ConsentRef, ReferralTarget } from './index.ts'

type Body = Record<string, unknown>

export const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '')
export const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (item): item is string => typeof item === 'string' && item.trim() !== '',
  )

/** The questions the form asks: the target's attestations. Consent has its own section. */
export function formQuestions(target: ReferralTarget): CriterionQuestion[] {
  const consentIds = new Set(target.criteria.filter((c) => c.kind === 'consent').map((c) => c.id))
  return criteriaQuestions(target.criteria).filter((question) => !consentIds.has(question.id))
}

/** Answers from `answer-<criterion id>` fields: yes, no, or not known (left out). */
export function answersFrom(body: Body, questions: readonly CriterionQuestion[]): Record<string, boolean> {
  const answers: Record<string, boolean> = {}
  for (const question of questions) {
    const value = body[`answer-${question.id}`]
    if (value === 'yes') answers[question.id] = true
    else if (value === 'no') answers[question.id] = false
  }
  return answers
}

/** The kind of referrer a user most likely is, from their organisation and title. */
export function likelyReferrerKind(
  kind: OrganisationKind | undefined,
  title: string | null | undefined,
): ReferrerKind {
  if (title && /social/i.test(title) && /work/i.test(title)) return 'social_care'
  switch (kind) {
    case 'practice':
      return 'gp_practice'
    case 'pcn':
      return 'pcn'
    case 'council':
      return 'council'
    default:
      return 'other_professional'
  }
}

export function referrerMembership(user: CurrentUser) {
  return user.memberships.find((m) => m.role === 'referrer') ?? user.memberships[0]
}

const PERSON_FIELDS: Record<string, string> = { dateOfBirth: 'dateOfBirth-day' }

export interface ParsedForm {
  person: PersonInput | undefined
  consent: ConsentRef | undefined
  answers: Record<string, boolean>
  needs: string[]
  goals: string[]
  whatMatters: string
  reason: string
  referrerKind: ReferrerKind
  referrerContact: string
  personChoice: string
  submissionKey: string | null
  problems: FieldProblem[]
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Reads the form; `problems` lists every field to fix, with the ids the summary links to. */
export function parseReferralForm(
  body: Body,
  target: ReferralTarget,
  options: { today: string; now: Date; self: boolean; allowedReferrerKinds: readonly ReferrerKind[] },
): ParsedForm {
  const problems: FieldProblem[] = []
  // A self-referral's messages speak to the person ("Enter your first name").
  const person = personInputSchema(options.today, options.self ? 'self' : 'professional').safeParse({
    nhsNumber: text(body.nhsNumber) || null,
    givenName: text(body.givenName),
    familyName: text(body.familyName),
    dateOfBirth: dateFrom(body, 'dateOfBirth'),
    sexOrGender: null,
    addressLines: addressLinesFrom(body),
    postcode: text(body.postcode) || null,
    phone: text(body.phone) || null,
    email: text(body.email) || null,
    contactMethods: [],
    mayLeaveMessages: false,
    registeredPracticeId: text(body.registeredPracticeId) || null,
    conditions: list(body.conditions),
  })
  if (!person.success) {
    for (const issue of person.error.issues) {
      const field = String(issue.path[0] ?? '')
      const id = addressField(issue.path) ?? PERSON_FIELDS[field] ?? field
      if (!problems.some((p) => p.field === id)) problems.push({ field: id, message: issue.message })
    }
  }
  if (options.self && person.success && !person.data.phone && !person.data.email) {
    problems.push({
      field: 'phone',
      message: 'Enter a phone number or an email address so the team can contact you',
    })
  }

  let consent: ConsentRef | undefined
  if (body.consentGiven !== 'yes') {
    problems.push({
      field: 'consentGiven',
      message: options.self
        ? 'Confirm that you agree to this referral: it cannot be sent without your consent'
        : 'Confirm that the person has given consent: a referral cannot be sent without it',
    })
  } else {
    const givenBy = options.self ? 'person' : text(body.consentGivenBy)
    const method = options.self ? 'digital' : text(body.consentMethod)
    const parsed = z
      .object({
        givenBy: z.enum(['person', 'representative'], { error: 'Select who gave consent' }),
        method: z.enum(CONSENT_METHODS, { error: 'Select how consent was given' }),
        representativeName: z.string().max(200, 'Name must be 200 characters or fewer'),
        representativeRelationship: z.string().max(100, 'Relationship must be 100 characters or fewer'),
      })
      .safeParse({
        givenBy,
        method,
        representativeName: text(body.representativeName),
        representativeRelationship: text(body.representativeRelationship),
      })
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field =
          { givenBy: 'consentGivenBy', method: 'consentMethod' }[String(issue.path[0])] ??
          String(issue.path[0])
        problems.push({ field, message: issue.message })
      }
    } else {
      const c = parsed.data
      if (c.givenBy === 'representative' && !c.representativeName)
        problems.push({
          field: 'representativeName',
          message: 'Enter the name of the person who gave consent on their behalf',
        })
      if (c.givenBy === 'representative' && !c.representativeRelationship)
        problems.push({
          field: 'representativeRelationship',
          message: 'Enter their relationship to the person',
        })
      consent = {
        about: `Referral to ${target.name}`,
        givenBy: c.givenBy,
        representativeName: c.givenBy === 'representative' ? c.representativeName : null,
        representativeRelationship: c.givenBy === 'representative' ? c.representativeRelationship : null,
        method: c.method,
        givenAt: options.now.toISOString(),
      }
    }
  }

  const needIds = new Set(target.needs.map((need) => need.id))
  const needs = list(body.needs).filter((need) => needIds.has(need))
  const goals = text(body.goals)
    .split(/\r?\n/)
    .map((goal) => goal.trim())
    .filter((goal) => goal !== '')
  if (goals.length > 20)
    problems.push({ field: 'goals', message: 'Enter at most 20 goals, one on each line' })
  if (goals.some((goal) => goal.length > 500))
    problems.push({ field: 'goals', message: 'Each goal must be 500 characters or fewer' })
  const whatMatters = text(body.whatMatters)
  if (whatMatters.length > 5000)
    problems.push({ field: 'whatMatters', message: 'What matters must be 5,000 characters or fewer' })
  const reason = text(body.reason)
  if (reason.length > 5000)
    problems.push({ field: 'reason', message: 'The reason must be 5,000 characters or fewer' })

  let referrerKind: ReferrerKind = 'self'
  let referrerContact = ''
  if (!options.self) {
    const kind = text(body.referrerKind)
    if (!(options.allowedReferrerKinds as readonly string[]).includes(kind))
      problems.push({ field: 'referrerKind', message: 'Select who you are referring as' })
    else referrerKind = kind as ReferrerKind
    referrerContact = text(body.referrerContact)
    if (!referrerContact)
      problems.push({
        field: 'referrerContact',
        message: 'Enter a phone number or email address the team can contact you on',
      })
    else if (referrerContact.length > 200)
      problems.push({ field: 'referrerContact', message: 'Contact details must be 200 characters or fewer' })
  }
  const key = text(body.submissionKey)
  return {
    person: person.success ? person.data : undefined,
    consent,
    answers: answersFrom(body, formQuestions(target)),
    needs,
    goals,
    whatMatters,
    reason,
    referrerKind,
    referrerContact,
    personChoice: text(body.personChoice),
    submissionKey: UUID.test(key) ? key : null,
    problems,
  }
}

export { dateFrom }
