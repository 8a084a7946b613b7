// The programme manager's forms: each turns what a browser posts (strings, and arrays for
// checkboxes) into the shape of the programme's configuration, then validates it with the same
// schemas as everything else (config.ts, criteria.ts). Field names on the pages follow the
// configuration's paths (`lengths.initial`), so each problem lands on its own field.

import { createHash } from 'node:crypto'
import { z } from 'zod'
import { LONG_TERM_CONDITIONS } from '../people/conditions.ts'
import { normalisePostcode } from '../people/person.ts'
import type { FieldProblem } from '../web/problem.ts'
import {
  appointmentRulesSchema,
  descriptionSchema,
  GENERATED_CRITERIA,
  linkWorkerTitleSchema,
  type Need,
  nameSchema,
  needId,
  needsSchema,
  PATHWAYS,
  type PrescriptionRule,
  prescriptionRuleSchema,
  referralSourcesSchema,
  replyDeadlinesSchema,
  WEEKDAYS,
} from './config.ts'
import {
  type Criterion,
  criterionSchema,
  type EligibilityOutcome,
  REFERRER_KIND_LABELS,
  REFERRER_KINDS,
} from './criteria.ts'
import { evaluate } from './eligibility.ts'
import { ROLE_LABELS } from './present.ts'

type Body = Record<string, unknown>
export type FormResult<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] }

/** The criterion form's checkboxes: its fields that are lists (web/form-body.ts). */
export const CRITERION_LISTS = ['anyOf', 'odsCodes', 'allowed']

/** Checkboxes post nothing, one string, or an array. */
export function checked(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return []
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string')
}

/** `"12"` → 12; anything else is passed on for the schema to refuse with its own message. */
function number(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const trimmed = value.trim()
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed === '' ? undefined : trimmed
}

function yesNo(value: unknown): boolean | undefined {
  return value === 'yes' ? true : value === 'no' ? false : undefined
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function problemsOf(error: z.ZodError, rename: (field: string) => string = (f) => f): FieldProblem[] {
  const problems: FieldProblem[] = []
  for (const issue of error.issues) {
    const field = rename(issue.path.map(String).join('.'))
    if (!problems.some((p) => p.field === field)) problems.push({ field, message: issue.message })
  }
  return problems
}

function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  rename?: (field: string) => string,
): FormResult<z.output<S>> {
  const result = schema.safeParse(input)
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, problems: problemsOf(result.error, rename) }
}

const detailsSchema = z.object({
  name: nameSchema,
  description: descriptionSchema,
  pathway: z.enum(PATHWAYS, { error: 'Select how people reach help in the programme' }),
  linkWorkerTitle: linkWorkerTitleSchema,
})

export function parseDetails(body: Body) {
  return validate(detailsSchema, {
    name: text(body.name),
    description: text(body.description),
    pathway: body.pathway,
    linkWorkerTitle: text(body.linkWorkerTitle),
  })
}

const referralsSchema = z
  .object({ referralSources: referralSourcesSchema })
  .and(replyDeadlinesSchema)
  .transform(({ referralSources, nudgeAfterDays, declineAfterDays }) => ({
    referralSources,
    replyDeadlines: { nudgeAfterDays, declineAfterDays },
  }))

export function parseReferrals(body: Body) {
  return validate(referralsSchema, {
    referralSources: checked(body.referralSources),
    nudgeAfterDays: number(body.nudgeAfterDays),
    declineAfterDays: number(body.declineAfterDays),
  })
}

export function parseAppointments(body: Body) {
  const capped = yesNo(body.capped)
  if (capped === undefined) {
    return {
      ok: false as const,
      problems: [{ field: 'capped', message: 'Select whether further appointments are limited' }],
    }
  }
  return validate(appointmentRulesSchema, {
    furtherAppointmentsCap: capped ? number(body.furtherAppointmentsCap) : null,
    lengths: {
      initial: number(body['lengths.initial']),
      follow_up: number(body['lengths.follow_up']),
      review: number(body['lengths.review']),
      exit: number(body['lengths.exit']),
    },
    modes: checked(body.modes),
    fullTimeCaseload: number(body.fullTimeCaseload) ?? null,
  })
}

const fixedWeeks = z
  .number({ error: 'Enter the length of a prescription in weeks, as a whole number' })
  .int('Enter the length of a prescription in weeks, as a whole number')
  .min(1, 'A prescription must be at least 1 week')
  .max(104, 'A prescription must be 104 weeks or fewer')

export function parsePrescription(body: Body): FormResult<PrescriptionRule | null> {
  const length = body.length
  if (length === 'none') return { ok: true, value: null }
  if (length !== 'fixed' && length !== 'range') {
    return {
      ok: false,
      problems: [{ field: 'length', message: 'Select whether prescriptions have a set length' }],
    }
  }
  const problems: FieldProblem[] = []
  const mayContinueAfter = yesNo(body.mayContinueAfter)
  let weeks: { minWeeks: unknown; maxWeeks: unknown }
  if (length === 'fixed') {
    const fixed = fixedWeeks.safeParse(number(body.fixedWeeks))
    if (!fixed.success) problems.push({ field: 'fixedWeeks', message: fixed.error.issues[0]?.message ?? '' })
    weeks = { minWeeks: fixed.data, maxWeeks: fixed.data }
  } else {
    weeks = { minWeeks: number(body.minWeeks), maxWeeks: number(body.maxWeeks) }
  }
  if (mayContinueAfter === undefined)
    problems.push({
      field: 'mayContinueAfter',
      message: 'Select whether people may carry on with an activity after the prescription ends',
    })
  const result = validate(prescriptionRuleSchema, { ...weeks, mayContinueAfter: mayContinueAfter ?? false })
  if (length === 'range' && !result.ok) problems.unshift(...result.problems)
  return problems.length > 0 || !result.ok ? { ok: false, problems } : result
}

/** One need a line; each need's id comes from its label, so the same label keeps its id. */
export function parseNeeds(body: Body): FormResult<Need[]> {
  const labels = text(body.needs)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
  const needs = labels.map((label) => ({ id: needId(label), label }))
  const result = validate(z.object({ needs: needsSchema }), { needs }, () => 'needs')
  if (!result.ok) return result
  return { ok: true, value: result.value.needs }
}

export interface PracticesForm {
  practiceIds: string[]
  addOdsCode: string | null
  /** For a practice Kith does not know yet: its name and postcode. */
  addName: string | null
  addPostcode: string | null
  practiceRegistrationRequired: boolean
}

/** A GP practice's ODS code: a letter and five digits (A86021). */
export const PRACTICE_ODS_CODE = /^[A-Z]\d{5}$/

export function parsePractices(body: Body): FormResult<PracticesForm> {
  const required = yesNo(body.practiceRegistrationRequired)
  const code = text(body.addOdsCode).trim().toUpperCase()
  const name = text(body.addName).trim()
  const postcodeGiven = text(body.addPostcode).trim()
  const postcode = postcodeGiven === '' ? null : (normalisePostcode(postcodeGiven) ?? null)
  const problems: FieldProblem[] = []
  if (code !== '' && !PRACTICE_ODS_CODE.test(code))
    problems.push({
      field: 'addOdsCode',
      message: 'A GP practice’s ODS code is a letter followed by 5 numbers, like A86021',
    })
  if (code === '' && (name !== '' || postcodeGiven !== ''))
    problems.push({ field: 'addOdsCode', message: 'Enter the ODS code of the practice to add' })
  if (name.length > 200)
    problems.push({ field: 'addName', message: 'The practice’s name must be 200 characters or fewer' })
  if (postcodeGiven !== '' && postcode === null)
    problems.push({ field: 'addPostcode', message: 'Enter a real postcode, like NE4 8AA' })
  if (required === undefined)
    problems.push({
      field: 'practiceRegistrationRequired',
      message: 'Select whether people must be registered at one of these practices',
    })
  if (problems.length > 0) return { ok: false, problems }
  return {
    ok: true,
    value: {
      practiceIds: checked(body.practiceIds),
      addOdsCode: code === '' ? null : code,
      addName: name === '' ? null : name,
      addPostcode: postcode,
      practiceRegistrationRequired: required ?? false,
    },
  }
}

/** The kinds of criterion a manager can add, in the order the form offers them. */
export const CRITERION_KINDS = [
  'attestation',
  'age',
  'conditions',
  'practice',
  'referrer',
  'consent',
  'redirect',
] as const
export type CriterionKind = (typeof CRITERION_KINDS)[number]

export const CRITERION_KIND_LABELS: Record<CriterionKind, { text: string; hint: string }> = {
  attestation: {
    text: 'A yes or no question',
    hint: 'The referrer answers it, such as “Does the person have emergency, urgent or crisis needs?”',
  },
  age: { text: 'Age', hint: 'The person’s age on the day of the referral, in whole years' },
  conditions: { text: 'Long-term conditions', hint: 'The person has at least one of the conditions listed' },
  practice: { text: 'Registered practice', hint: 'The person is registered at one of the practices listed' },
  referrer: { text: 'Who refers', hint: 'The referral comes from one of the kinds of referrer listed' },
  consent: { text: 'Consent', hint: 'The person has given consent to the referral' },
  redirect: {
    text: 'Send some goals to another service',
    hint: 'When a goal mentions a keyword, such as “weight”, the referrer is sent to another service instead',
  },
}

export function isCriterionKind(value: unknown): value is CriterionKind {
  return typeof value === 'string' && (CRITERION_KINDS as readonly string[]).includes(value)
}

/** The step before a yes/no question's form: does the question exclude people, or include them? */
export const ATTESTATION_ROLES = [
  {
    value: 'exclusion',
    text: 'It excludes people',
    hint: {
      text: 'Someone who gives one answer cannot be referred, such as someone with emergency, urgent or crisis needs',
    },
  },
  {
    value: 'inclusion',
    text: 'It includes people',
    hint: {
      text: 'Only someone who gives one answer can be referred, such as someone recovering from drug or alcohol use',
    },
  },
] as const

export function isAttestationRole(value: unknown): value is 'exclusion' | 'inclusion' | 'rule' {
  return value === 'exclusion' || value === 'inclusion' || value === 'rule'
}

/**
 * A yes/no question is set by the answer that decides: for an exclusion, the answer that
 * excludes the person; for an inclusion or a rule, the answer that includes them. The evaluator
 * reads `expected`, the answer that passes (eligibility.ts), so for an exclusion the two are
 * opposite: "Does the person have crisis needs?" excludes on yes, and passes on no.
 */
function expectedFrom(role: unknown, answer: boolean | undefined): boolean | undefined {
  if (answer === undefined) return undefined
  return role === 'exclusion' ? !answer : answer
}

/** The answer that decides a yes/no question: the one that excludes, or the one that includes. */
export function deciding(criterion: Criterion & { kind: 'attestation' }): boolean {
  return criterion.role === 'exclusion' ? !criterion.expected : criterion.expected
}

/** "excludes" for an exclusion, "includes" otherwise, "excludes or includes" when not chosen. */
function answerVerb(role: unknown): string {
  if (role === 'exclusion') return 'excludes'
  if (role === 'inclusion' || role === 'rule') return 'includes'
  return 'excludes or includes'
}

/** What each answer to a yes/no question does, worked out by the evaluator itself. */
export interface WorkedExample {
  /** The rule in a sentence: which answer excludes (or includes) the person. */
  summary: string
  rows: { answer: string; outcome: string; reason: string }[]
  /** Set for an exclusion that excludes on "No", which usually means the question is the wrong way round. */
  warning?: string
}

const EXAMPLE_OUTCOMES: Record<EligibilityOutcome, string> = {
  eligible: 'The referral can be made: this criterion does not stop it',
  ineligible: 'The person cannot be referred',
  'needs-review': 'The referral can be made, flagged for review',
}

export function workedExample(criterion: Criterion & { kind: 'attestation' }, today: string): WorkedExample {
  const rows = (
    [
      ['Yes', { [criterion.id]: true }],
      ['No', { [criterion.id]: false }],
      ['Nothing (not answered)', {}],
    ] as const
  ).map(([answer, answers]) => {
    const result = evaluate([criterion], { today, answers })
    return { answer, outcome: EXAMPLE_OUTCOMES[result.outcome], reason: result.reasons[0]?.message ?? '' }
  })
  const decides = deciding(criterion) ? 'Yes' : 'No'
  const other = deciding(criterion) ? 'No' : 'Yes'
  const question = `“${criterion.question}”`
  const exclusion = criterion.role === 'exclusion'
  return {
    summary: exclusion
      ? `When the referrer answers ${decides} to ${question}, the person is excluded by “${criterion.text}” and cannot be referred. ${other} does not stop the referral.`
      : `Only when the referrer answers ${decides} to ${question} does the person meet “${criterion.text}”. ${other} means they cannot be referred.`,
    rows,
    ...(exclusion && !deciding(criterion)
      ? {
          warning:
            'People who answer No are excluded. An exclusion usually asks about what excludes people, such as “Does the person have emergency, urgent or crisis needs?”, so that Yes excludes. Check this is what you mean.',
        }
      : {}),
  }
}

/** A short fingerprint of a criterion: the form carries the one its worked example was shown for. */
export function checkKey(criterion: Criterion): string {
  return createHash('sha256').update(JSON.stringify(criterion)).digest('hex').slice(0, 24)
}

/**
 * Whether a criterion from the form may be saved: a yes/no question only once the form has shown
 * its worked example for exactly what is being saved (the "Check" step), and "Save" was pressed.
 */
export function readyToSave(criterion: Criterion, body: Body): boolean {
  return criterion.kind !== 'attestation' || (body.step === 'save' && body.checked === checkKey(criterion))
}

/** A criterion's id from how it reads: "Aged 18 or over" → `aged-18-or-over`, unique among `taken`. */
export function criterionIdFrom(listingText: string, taken: readonly string[]): string {
  const base = needId(listingText).slice(0, 70).replace(/-+$/, '') || 'criterion'
  let candidate = base
  for (let n = 2; taken.includes(candidate); n++) candidate = `${base}-${n}`
  return candidate
}

/**
 * A criterion of `kind` from the form. `existing` are the ids already used by the programme;
 * `editing` is the id of the criterion being changed (its id cannot change).
 */
export function parseCriterion(
  kind: CriterionKind,
  body: Body,
  options: { existing: readonly string[]; editing?: string },
): FormResult<Criterion> {
  const listing = text(body.text)
  const taken = [...options.existing, ...Object.values(GENERATED_CRITERIA)].filter(
    (id) => id !== options.editing,
  )
  let id = options.editing ?? text(body.id).trim()
  if (!options.editing) {
    if (id === '') id = criterionIdFrom(listing.trim() || kind, taken)
    else if (taken.includes(id))
      return {
        ok: false,
        problems: [
          { field: 'id', message: 'Another criterion of this programme already has this reference' },
        ],
      }
  }
  const common = { kind, id, role: kind === 'redirect' ? 'redirect' : body.role, text: listing }
  const specific: Record<CriterionKind, () => Record<string, unknown>> = {
    age: () => ({ min: number(body.min), max: number(body.max) }),
    conditions: () => ({
      anyOf: LONG_TERM_CONDITIONS.filter((condition) => checked(body.anyOf).includes(condition.code)),
    }),
    practice: () => ({ odsCodes: checked(body.odsCodes) }),
    referrer: () => ({ allowed: checked(body.allowed) }),
    consent: () => (checked(body.direct).includes('yes') ? { direct: true } : {}),
    attestation: () => ({
      question: text(body.question),
      expected: expectedFrom(body.role, yesNo(body.answer)),
      whenUnanswered: body.whenUnanswered,
    }),
    redirect: () => ({
      goalKeywords: text(body.goalKeywords)
        .split(/[\r\n,]+/)
        .map((keyword) => keyword.trim())
        .filter((keyword) => keyword !== ''),
      toServiceName: text(body.toServiceName),
    }),
  }
  const input: Record<string, unknown> = { ...common, ...specific[kind]() }
  // A condition Kith does not list is dropped above: say so rather than save less than was asked.
  if (kind === 'conditions' && checked(body.anyOf).length !== (input.anyOf as unknown[]).length)
    return { ok: false, problems: [{ field: 'anyOf', message: 'Select conditions from the list' }] }
  const result = validate(criterionSchema, input, (field) => field.split('.')[0] ?? field)
  if (result.ok || kind !== 'attestation') return result
  // The form asks for the answer that decides (excludes or includes), not the one that passes.
  const answerMessage = `Select the answer that ${answerVerb(body.role)} the person`
  return {
    ok: false,
    problems: result.problems.map((p) =>
      p.field === 'expected' ? { field: 'answer', message: answerMessage } : p,
    ),
  }
}

export function parseWorkingPattern(
  body: Body,
  practiceIds: readonly string[],
): FormResult<{ weekday: (typeof WEEKDAYS)[number]; practiceId: string | null }[]> {
  const days: { weekday: (typeof WEEKDAYS)[number]; practiceId: string | null }[] = []
  const problems: FieldProblem[] = []
  for (const weekday of WEEKDAYS) {
    const value = text(body[`days.${weekday}`])
    if (value === '') continue
    if (value === 'away') days.push({ weekday, practiceId: null })
    else if (practiceIds.includes(value)) days.push({ weekday, practiceId: value })
    else problems.push({ field: `days.${weekday}`, message: 'Select one of the programme’s practices' })
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: days }
}

export const emailSchema = z
  .string({ error: 'Enter the email address of their Kith account' })
  .trim()
  .min(1, 'Enter the email address of their Kith account')
  .email('Enter an email address in the correct format, like name@example.nhs.uk')
  .transform((value) => value.toLowerCase())

/** A criterion as the values of its form, to fill the form for a change. */
export function criterionFormValues(criterion: Criterion): Body {
  const values: Body = { id: criterion.id, role: criterion.role, text: criterion.text }
  switch (criterion.kind) {
    case 'age':
      return { ...values, min: criterion.min?.toString() ?? '', max: criterion.max?.toString() ?? '' }
    case 'conditions':
      return { ...values, anyOf: criterion.anyOf.map((c) => c.code) }
    case 'practice':
      return { ...values, odsCodes: criterion.odsCodes }
    case 'referrer':
      return { ...values, allowed: criterion.allowed }
    case 'attestation':
      return {
        ...values,
        question: criterion.question,
        answer: deciding(criterion) ? 'yes' : 'no',
        whenUnanswered: criterion.whenUnanswered,
      }
    case 'redirect':
      return {
        ...values,
        goalKeywords: criterion.goalKeywords.join('\n'),
        toServiceName: criterion.toServiceName,
      }
    case 'consent':
      return { ...values, direct: criterion.direct ? ['yes'] : [] }
  }
}

/**
 * What the criterion form shows: the roles with their hints, the conditions, the practices and
 * referrer kinds to choose from, and the attestation's answers, each checked from `values`. A
 * programme's criteria and a service's access criteria share the form; only the hints differ.
 */
export function criterionFormView(
  kind: CriterionKind,
  values: Body,
  practices: readonly { name: string; odsCode: string | null }[],
  roleHints: Record<'inclusion' | 'exclusion' | 'rule', string>,
  check?: { criterion: Criterion; today: string },
) {
  const chosen = (name: string) => checked(values[name])
  const checking = check?.criterion.kind === 'attestation' ? check.criterion : undefined
  return {
    kind,
    ...(checking && check
      ? { example: workedExample(checking, check.today), checkKey: checkKey(checking) }
      : {}),
    kindLabel: CRITERION_KIND_LABELS[kind].text,
    roles: (['inclusion', 'exclusion', 'rule'] as const).map((role) => ({
      value: role,
      text: ROLE_LABELS[role],
      checked: values.role === role,
      hint: { text: roleHints[role] },
    })),
    conditions: LONG_TERM_CONDITIONS.map((c) => ({
      value: c.code,
      text: c.display,
      hint: { text: `SNOMED CT ${c.code}` },
      checked: chosen('anyOf').includes(c.code),
    })),
    practices: practices
      .filter((p) => p.odsCode)
      .map((p) => ({
        value: p.odsCode,
        text: `${p.name} (${p.odsCode})`,
        checked: chosen('odsCodes').includes(p.odsCode ?? ''),
      })),
    referrers: REFERRER_KINDS.map((k) => ({
      value: k,
      text: REFERRER_KIND_LABELS[k],
      checked: chosen('allowed').includes(k),
    })),
    directItems: [
      {
        value: 'yes',
        text: 'Only the person’s own consent counts',
        hint: { text: 'Full and direct consent: consent given by someone on their behalf does not meet it' },
        checked: chosen('direct').includes('yes'),
      },
    ],
    answerLegend: `Which answer ${answerVerb(values.role)} the person?`,
    answerHint:
      values.role === 'exclusion'
        ? 'Someone who gives this answer cannot be referred'
        : values.role === 'inclusion' || values.role === 'rule'
          ? 'Only someone who gives this answer can be referred'
          : 'For an exclusion, the answer that means the person cannot be referred; for an inclusion, the answer they must give',
    answerItems: [
      { value: 'yes', text: 'Yes', checked: values.answer === 'yes' },
      { value: 'no', text: 'No', checked: values.answer === 'no' },
    ],
    unansweredItems: [
      {
        value: 'needs-review',
        text: 'The referral can be made, flagged for review',
        checked: values.whenUnanswered === 'needs-review',
      },
      {
        value: 'ineligible',
        text: 'The referral cannot be made until it is answered',
        checked: values.whenUnanswered === 'ineligible',
      },
    ],
  }
}
