// Testing a programme's rules: a sample person, typed by a manager, checked by the evaluator
// against the programme's criteria, with every reason shown. Pure functions: nothing is saved and
// no person's record is read.

import { LONG_TERM_CONDITIONS } from '../people/conditions.ts'
import { isCalendarDate } from '../people/person.ts'
import { dateFrom } from '../web/forms.ts'
import type { FieldProblem } from '../web/problem.ts'
import {
  type Criteria,
  type CriterionQuestion,
  type EligibilityFacts,
  type EligibilityOutcome,
  type EligibilityResult,
  REFERRER_KINDS,
  type ReferrerKind,
} from './criteria.ts'
import { evaluate } from './eligibility.ts'
import { checked, type FormResult } from './forms.ts'
import { ROLE_LABELS } from './present.ts'

type Body = Record<string, unknown>

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

/**
 * A date of birth that makes someone `age` on `today`. Someone born on 29 February is given
 * 28 February in a common year, so that they have had their birthday when today is 29 February.
 */
export function birthDateForAge(age: number, today: string): string {
  const [year, month, day] = today.split('-')
  const born = `${String(Number(year) - age).padStart(4, '0')}-${month}-${day}`
  return isCalendarDate(born) ? born : `${String(Number(year) - age).padStart(4, '0')}-${month}-28`
}

/** The facts of a sample person from the form; each field left blank is not known. */
export function parseSample(
  body: Body,
  questions: readonly CriterionQuestion[],
  today: string,
): FormResult<EligibilityFacts> {
  const problems: FieldProblem[] = []
  const facts: EligibilityFacts = { today }

  const age = text(body.age)
  const dateOfBirth = dateFrom(body, 'dateOfBirth')
  if (age && dateOfBirth) {
    problems.push({ field: 'age', message: 'Enter an age or a date of birth, not both' })
  } else if (age) {
    if (!/^\d{1,3}$/.test(age) || Number(age) > 130)
      problems.push({ field: 'age', message: 'Enter the age in whole years, like 42' })
    else facts.dateOfBirth = birthDateForAge(Number(age), today)
  } else if (dateOfBirth) {
    if (!isCalendarDate(dateOfBirth))
      problems.push({ field: 'dateOfBirth-day', message: 'Date of birth must be a real date' })
    else if (dateOfBirth > today)
      problems.push({ field: 'dateOfBirth-day', message: 'Date of birth must be today or in the past' })
    else facts.dateOfBirth = dateOfBirth
  }

  const practice = text(body.practiceOdsCode).toUpperCase()
  if (practice) {
    if (/^[A-Z0-9]{3,10}$/.test(practice)) facts.practiceOdsCode = practice
    else problems.push({ field: 'practiceOdsCode', message: 'Select a practice from the list' })
  }

  const codes = checked(body.conditions)
  if (codes.some((code) => !LONG_TERM_CONDITIONS.some((c) => c.code === code)))
    problems.push({ field: 'conditions', message: 'Select conditions from the list' })
  else facts.conditions = codes

  const referrer = text(body.referrerKind)
  if (referrer) {
    if ((REFERRER_KINDS as readonly string[]).includes(referrer))
      facts.referrerKind = referrer as ReferrerKind
    else problems.push({ field: 'referrerKind', message: 'Select who refers from the list' })
  }

  const answers: Record<string, boolean> = {}
  for (const question of questions) {
    const value = body[`answer-${question.id}`]
    if (value === 'yes') answers[question.id] = true
    else if (value === 'no') answers[question.id] = false
  }
  facts.answers = answers

  const goals = text(body.goals)
    .split(/\r?\n/)
    .map((goal) => goal.trim())
    .filter((goal) => goal !== '')
  if (goals.length > 20 || goals.some((goal) => goal.length > 500))
    problems.push({
      field: 'goals',
      message: 'Enter at most 20 goals, one on each line, each of 500 characters or fewer',
    })
  facts.goals = goals

  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: facts }
}

const OUTCOMES: Record<EligibilityOutcome, { heading: string; text: string; colour: string }> = {
  eligible: {
    heading: 'Eligible',
    text: 'The referral could be made: the person meets every criterion.',
    colour: 'green',
  },
  ineligible: {
    heading: 'Not eligible',
    text: 'The referral could not be made: the person does not meet at least one criterion.',
    colour: 'red',
  },
  'needs-review': {
    heading: 'Needs review',
    text: 'The referral could be made, flagged for review: a criterion could not be checked.',
    colour: 'yellow',
  },
}

/** The evaluator's outcome for the sample, with every criterion's reason, in the order checked. */
export function sampleOutcome(criteria: Criteria, facts: EligibilityFacts) {
  const result: EligibilityResult = evaluate(criteria, facts)
  return {
    ...OUTCOMES[result.outcome],
    outcome: result.outcome,
    reasons: result.reasons.map((reason) => {
      const criterion = criteria.find((c) => c.id === reason.criterion)
      return {
        criterion: criterion?.text ?? reason.criterion,
        role: criterion ? ROLE_LABELS[criterion.role] : '',
        result: reason.met === true ? 'Met' : reason.met === false ? 'Not met' : 'Not known',
        colour: reason.met === true ? 'green' : reason.met === false ? 'red' : 'yellow',
        message: reason.message,
      }
    }),
    redirects: result.redirects.map((redirect) => redirect.message),
  }
}
