// A programme's configuration: what it is, who may refer to it, who it is for, the needs it
// records, how its link workers work and its appointment and prescription rules. The zod schemas
// here are the one definition of what is valid: the programme manager's forms, the JSON API and
// the demo data all go through them. Pure functions only: the store reads and writes these.

import { z } from 'zod'
import {
  type Criteria,
  type Criterion,
  criteriaSchema,
  REFERRER_KIND_LABELS,
  REFERRER_KINDS,
  type ReferrerKind,
} from './criteria.ts'

/** How people reach help in the programme. */
export const PATHWAYS = ['link_worker', 'direct_to_service', 'volunteering'] as const
export type Pathway = (typeof PATHWAYS)[number]

export const PATHWAY_LABELS: Record<Pathway, string> = {
  link_worker: 'Link-worker-led',
  direct_to_service: 'Direct to service',
  volunteering: 'Volunteering matching',
}

export const PATHWAY_HINTS: Record<Pathway, string> = {
  link_worker: 'A link worker meets the person, agrees a plan with them and connects them onward',
  direct_to_service: 'The referrer refers straight to a service, with no link worker in between',
  volunteering: 'A project officer matches the person to a volunteering opportunity',
}

export const APPOINTMENT_KINDS = ['initial', 'follow_up', 'review', 'exit'] as const
export type AppointmentKind = (typeof APPOINTMENT_KINDS)[number]

export const APPOINTMENT_KIND_LABELS: Record<AppointmentKind, string> = {
  initial: 'Initial',
  follow_up: 'Follow-up',
  review: 'Review',
  exit: 'Exit',
}

export const APPOINTMENT_MODES = [
  'practice',
  'home_visit',
  'community_venue',
  'walk_and_talk',
  'phone',
  'video',
] as const
export type AppointmentMode = (typeof APPOINTMENT_MODES)[number]

export const APPOINTMENT_MODE_LABELS: Record<AppointmentMode, string> = {
  practice: 'At the practice',
  home_visit: 'Home visit',
  community_venue: 'Community venue',
  walk_and_talk: 'Walk and talk',
  phone: 'Phone',
  video: 'Video',
}

export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const
export type Weekday = (typeof WEEKDAYS)[number]

export const WEEKDAY_LABELS: Record<Weekday, string> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
}

const whole = (message: string) => z.number({ error: message }).int(message)

const minutes = (kind: string) =>
  whole(`Enter the length of ${kind} appointments in minutes, as a whole number`)
    .min(5, `${kind[0]?.toUpperCase()}${kind.slice(1)} appointments must be at least 5 minutes`)
    .max(480, `${kind[0]?.toUpperCase()}${kind.slice(1)} appointments must be 480 minutes (8 hours) or less`)

export const appointmentRulesSchema = z.object({
  /**
   * How many appointments may follow the initial one, the exit included; null for no cap. The
   * seed listing: an initial appointment, then at most 5 further appointments including the exit.
   */
  furtherAppointmentsCap: whole('Enter the most further appointments as a whole number')
    .min(0, 'The most further appointments cannot be less than 0')
    .max(100, 'The most further appointments must be 100 or fewer')
    .nullable(),
  /** The default length of each kind of appointment, in minutes. */
  lengths: z.object({
    initial: minutes('initial'),
    follow_up: minutes('follow-up'),
    review: minutes('review'),
    exit: minutes('exit'),
  }),
  modes: z
    .array(z.enum(APPOINTMENT_MODES, { error: 'Select where appointments can happen from the list' }))
    .min(1, 'Select at least one way appointments can happen'),
  /**
   * The caseload (open cases) one full-time link worker should carry, set by the programme's
   * managers and shown against each worker's open cases in the Caseload and capacity report; null
   * or absent when the programme has not set one.
   */
  fullTimeCaseload: whole('Enter the caseload as a whole number of open cases')
    .min(1, 'The caseload must be at least 1 open case')
    .max(1000, 'The caseload must be 1,000 open cases or fewer')
    .nullable()
    .optional(),
})
export type AppointmentRules = z.infer<typeof appointmentRulesSchema>

const weeks = (which: string) =>
  whole(`Enter the ${which} length of a prescription in weeks, as a whole number`)
    .min(1, `The ${which} length of a prescription must be at least 1 week`)
    .max(104, `The ${which} length of a prescription must be 104 weeks or fewer`)

/** A prescription's length in weeks: fixed (Luton: 12) when the two are equal, or a range (Rotherham: 8 to 16). */
export const prescriptionRuleSchema = z
  .object({
    minWeeks: weeks('shortest'),
    maxWeeks: weeks('longest'),
    /** Whether a person may carry on with an activity after the prescription ends (Rotherham). */
    mayContinueAfter: z.boolean(),
  })
  .refine((rule) => rule.minWeeks <= rule.maxWeeks, {
    path: ['maxWeeks'],
    message: 'The longest prescription must be at least as long as the shortest',
  })
export type PrescriptionRule = z.infer<typeof prescriptionRuleSchema>

export const replyDeadlinesSchema = z
  .object({
    nudgeAfterDays: whole('Enter the days before a reminder as a whole number')
      .min(1, 'A reminder must wait at least 1 day')
      .max(90, 'A reminder must come within 90 days'),
    declineAfterDays: whole('Enter the days before an automatic decline as a whole number')
      .min(2, 'An automatic decline must wait at least 2 days')
      .max(180, 'An automatic decline must come within 180 days'),
  })
  .refine((deadlines) => deadlines.declineAfterDays > deadlines.nudgeAfterDays, {
    path: ['declineAfterDays'],
    message: 'The automatic decline must come after the reminder',
  })
export type ReplyDeadlines = z.infer<typeof replyDeadlinesSchema>

export const NEED_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/

export const needSchema = z.object({
  /** Stable: what records and reports refer to. */
  id: z.string().regex(NEED_ID).max(80),
  label: z.string().trim().min(1).max(100, 'Each need must be 100 characters or fewer'),
})
export type Need = z.infer<typeof needSchema>

export const needsSchema = z
  .array(needSchema)
  .max(50, 'A programme can record at most 50 needs')
  .refine(
    (needs) => new Set(needs.map((need) => need.id)).size === needs.length,
    'Each need must be different',
  )

export const nameSchema = z
  .string({ error: 'Enter the name of the programme' })
  .trim()
  .min(1, 'Enter the name of the programme')
  .max(200, 'The name must be 200 characters or fewer')

export const descriptionSchema = z
  .string()
  .trim()
  .max(5000, 'The description must be 5,000 characters or fewer')

export const linkWorkerTitleSchema = z
  .string({ error: 'Enter the title its link workers go by' })
  .trim()
  .min(1, 'Enter the title its link workers go by, such as navigator or health facilitator')
  .max(100, 'The title must be 100 characters or fewer')

export const referralSourcesSchema = z
  .array(z.enum(REFERRER_KINDS, { error: 'Select who can refer from the list' }))
  .min(1, 'Select at least one kind of referrer')
  .transform((sources) => REFERRER_KINDS.filter((kind) => sources.includes(kind)))

/** Everything about a programme that is not a relation to organisations or people. */
export const programmeSettingsSchema = z.object({
  name: nameSchema,
  description: descriptionSchema,
  pathway: z.enum(PATHWAYS, { error: 'Select how people reach help in the programme' }),
  /** Who may refer; `self` in the list means people may refer themselves. */
  referralSources: referralSourcesSchema,
  /** Only people registered at one of the programme's practices are eligible. */
  practiceRegistrationRequired: z.boolean(),
  criteria: criteriaSchema,
  needs: needsSchema,
  linkWorkerTitle: linkWorkerTitleSchema,
  appointments: appointmentRulesSchema,
  /** Null when the programme sets no length for prescriptions. */
  prescription: prescriptionRuleSchema.nullable(),
  replyDeadlines: replyDeadlinesSchema,
})
export type ProgrammeSettings = z.infer<typeof programmeSettingsSchema>

export const DEFAULT_APPOINTMENT_RULES: AppointmentRules = {
  furtherAppointmentsCap: null,
  lengths: { initial: 60, follow_up: 45, review: 30, exit: 30 },
  modes: ['practice', 'phone'],
}

export const DEFAULT_REPLY_DEADLINES: ReplyDeadlines = { nudgeAfterDays: 7, declineAfterDays: 14 }

export function defaultSettings(name: string): ProgrammeSettings {
  return {
    name,
    description: '',
    pathway: 'link_worker',
    referralSources: ['gp_practice'],
    practiceRegistrationRequired: false,
    criteria: [],
    needs: [],
    linkWorkerTitle: 'Link worker',
    appointments: DEFAULT_APPOINTMENT_RULES,
    prescription: null,
    replyDeadlines: DEFAULT_REPLY_DEADLINES,
  }
}

/** A need's id from its label: "Low-level mental health" → `low-level-mental-health`. */
export function needId(label: string): string {
  return (
    label
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '') || 'need'
  )
}

/** Ids of the criteria that `programmeCriteria` adds from the programme's settings. */
export const GENERATED_CRITERIA = {
  referralSources: 'referral-sources',
  registeredPractice: 'registered-at-programme-practice',
} as const

/** The parts of a programme its eligibility depends on. */
export interface EligibilityInputs {
  criteria: Criteria
  referralSources: readonly ReferrerKind[]
  practiceRegistrationRequired: boolean
  practices: readonly { odsCode: string | null }[]
}

function listed(kinds: readonly ReferrerKind[]): string {
  const labels = kinds.filter((kind) => kind !== 'self').map((kind) => REFERRER_KIND_LABELS[kind])
  if (kinds.includes('self')) labels.push('self-referral')
  return labels.length > 1 ? `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}` : (labels[0] ?? '')
}

/**
 * Everything a referral to the programme is checked against: its own criteria, then a rule for
 * who may refer (from the referral sources) and, when registration is required, a practice
 * criterion listing the practices it covers. Generated from the settings so that they never
 * drift from what the manager set on the referrals and practices pages.
 */
export function programmeCriteria(programme: EligibilityInputs): Criteria {
  const generated: Criterion[] = [
    {
      kind: 'referrer',
      id: GENERATED_CRITERIA.referralSources,
      role: 'rule',
      text: `Referrals from ${listed(programme.referralSources)}`,
      allowed: [...programme.referralSources],
    },
  ]
  const odsCodes = programme.practices.flatMap((practice) => (practice.odsCode ? [practice.odsCode] : []))
  if (programme.practiceRegistrationRequired && odsCodes.length > 0) {
    generated.push({
      kind: 'practice',
      id: GENERATED_CRITERIA.registeredPractice,
      role: 'inclusion',
      text: "Registered at one of the programme's practices",
      odsCodes,
    })
  }
  const own = new Set(programme.criteria.map((criterion) => criterion.id))
  return [...programme.criteria, ...generated.filter((criterion) => !own.has(criterion.id))]
}

export function selfReferralAllowed(programme: { referralSources: readonly ReferrerKind[] }): boolean {
  return programme.referralSources.includes('self')
}

/** `12 weeks`, `8 to 16 weeks`. */
export function describePrescription(rule: PrescriptionRule | null): string {
  if (!rule) return 'No set length'
  const length =
    rule.minWeeks === rule.maxWeeks
      ? `${rule.minWeeks} ${rule.minWeeks === 1 ? 'week' : 'weeks'}`
      : `${rule.minWeeks} to ${rule.maxWeeks} weeks`
  return rule.mayContinueAfter ? `${length}; people may continue after it ends` : length
}

/** Why a prescription of `weeks` is outside the programme's rule, or undefined when it fits. */
export function prescriptionWeeksProblem(rule: PrescriptionRule | null, weeks: number): string | undefined {
  if (!Number.isInteger(weeks) || weeks < 1)
    return 'A prescription must be a whole number of weeks, at least 1'
  if (!rule) return weeks > 104 ? 'A prescription must be 104 weeks or fewer' : undefined
  if (weeks >= rule.minWeeks && weeks <= rule.maxWeeks) return undefined
  return rule.minWeeks === rule.maxWeeks
    ? `Prescriptions in this programme are ${rule.minWeeks} weeks`
    : `Prescriptions in this programme are ${rule.minWeeks} to ${rule.maxWeeks} weeks`
}

/**
 * Why one more appointment after the initial may not be booked, or undefined when it may.
 * `furtherSoFar` counts the further appointments already booked or held (not cancelled).
 */
export function furtherAppointmentProblem(rules: AppointmentRules, furtherSoFar: number): string | undefined {
  const cap = rules.furtherAppointmentsCap
  if (cap === null || furtherSoFar < cap) return undefined
  return cap === 0
    ? 'This programme offers an initial appointment only'
    : `This programme offers an initial appointment and at most ${cap} further ${cap === 1 ? 'appointment' : 'appointments'}, the exit included`
}

/** `Initial appointment, then at most 5 further appointments (the exit included)`. */
export function describeAppointmentCap(rules: AppointmentRules): string {
  const cap = rules.furtherAppointmentsCap
  if (cap === null) return 'No limit on further appointments'
  if (cap === 0) return 'An initial appointment only'
  return `An initial appointment, then at most ${cap} further ${cap === 1 ? 'appointment' : 'appointments'}, the exit included`
}
