// What is valid in the community capability's forms and API bodies: one zod schema each, shared
// by the pages and /api/v1.

import { z } from 'zod'
import { DAYS, RECOVERY_KINDS, STAGES } from './matching.ts'

export const DBS_LEVELS = ['none', 'basic', 'standard', 'enhanced'] as const
export const DBS_LABELS: Record<(typeof DBS_LEVELS)[number], string> = {
  none: 'No DBS check needed',
  basic: 'Basic DBS check',
  standard: 'Standard DBS check',
  enhanced: 'Enhanced DBS check',
}
/** Higher needs more: a recorded check meets a role's when its rank is at least the role's. */
export const DBS_RANK: Record<(typeof DBS_LEVELS)[number], number> = {
  none: 0,
  basic: 1,
  standard: 2,
  enhanced: 3,
}

export const SUITS = ['drug-alcohol', 'mental-health'] as const
export const SUITS_LABELS: Record<(typeof SUITS)[number], string> = {
  'drug-alcohol': 'People in recovery from drugs or alcohol',
  'mental-health': 'People in mental health recovery',
}

/** The needs an opportunity may meet: terms of the directory's need vocabulary, by code. */
export const OPPORTUNITY_NEEDS = [
  'confidence-and-skills',
  'routine',
  'social-isolation',
  'social-connectedness',
  'drug-and-alcohol-recovery',
  'low-level-mental-health',
  'mental-health-and-resilience',
  'physical-activity',
] as const

const text = (max: number) => z.string().trim().max(max, `Enter no more than ${max} characters`)
const required = (message: string, max = 200) => z.string({ error: message }).trim().min(1, message).max(max)

/** `gardening, cooking` (a form's one box) or `["gardening","cooking"]` (the API): a list of labels. */
const labels = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) =>
    [
      ...new Set(
        (Array.isArray(value) ? value : (value ?? '').split(','))
          .map((s) => s.trim().toLowerCase())
          .filter((s) => s.length > 0)
          .map((s) => s.slice(0, 60)),
      ),
    ].slice(0, 20),
  )

const choices = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z
    .union([z.enum(values, { error: message }), z.array(z.enum(values, { error: message }))])
    .optional()
    .transform((value) => (value === undefined ? [] : Array.isArray(value) ? [...new Set(value)] : [value]))

const whole = (message: string, min: number, max: number) =>
  z.coerce.number({ error: message }).int(message).min(min, message).max(max, message)

export const opportunitySchema = z.object({
  name: required('Enter the name people will see in the directory'),
  role: required('Enter the role, like Café assistant'),
  involves: required('Say what the role involves', 2000),
  skillsGained: labels,
  interests: labels,
  times: text(200).default(''),
  days: choices(DAYS, 'Choose days from the list'),
  accessibility: text(1000).default(''),
  dbsLevel: z.enum(DBS_LEVELS, { error: 'Choose the DBS check the role needs' }),
  referencesNeeded: whole('Enter the number of references needed, from 0 to 5', 0, 5),
  placesAvailable: whole('Enter the number of places, from 0 to 500', 0, 500),
  suits: choices(SUITS, 'Choose who it suits from the list'),
  stages: choices(STAGES, 'Choose stages of recovery from the list'),
  needs: choices(OPPORTUNITY_NEEDS, 'Choose needs from the list'),
  postcode: text(10).default(''),
  address: text(200).default(''),
  town: text(100).default(''),
  contactName: text(100).default(''),
  email: z.union([z.literal(''), z.email('Enter an email address like name@example.org')]).default(''),
  phone: text(30).default(''),
  active: z
    .union([z.enum(['yes', 'no']), z.boolean()])
    .default('yes')
    .transform((v) => v === true || v === 'yes'),
})
export type OpportunityForm = z.output<typeof opportunitySchema>

export const profileSchema = z.object({
  interests: labels,
  skills: labels,
  days: choices(DAYS, 'Choose days from the list'),
  postcode: text(10).default(''),
  travelKm: z.coerce
    .number({ error: 'Enter how far they can travel, in kilometres, from 1 to 100' })
    .min(1, 'Enter how far they can travel, in kilometres, from 1 to 100')
    .max(100, 'Enter how far they can travel, in kilometres, from 1 to 100'),
  recovery: z.enum(RECOVERY_KINDS, { error: 'Choose what they are recovering from' }),
  stage: z.enum(STAGES, { error: 'Choose their stage of recovery' }),
  dbsLevel: z.enum(DBS_LEVELS, { error: 'Choose the DBS check recorded for them' }),
  dbsCheckedOn: z
    .string()
    .trim()
    .default('')
    .refine((s) => s === '' || /^\d{4}-\d{2}-\d{2}$/.test(s), 'Enter the date of the check, like 27 11 2026'),
  referencesReceived: whole('Enter the number of references received, from 0 to 5', 0, 5),
})
export type ProfileForm = z.output<typeof profileSchema>

export const proposeSchema = z.object({
  opportunityId: required('Choose an opportunity'),
  supportingUserId: z.string().trim().default(''),
})

export const PLACEMENT_MOVES = ['introduced', 'started', 'ended'] as const
export const statusSchema = z
  .object({
    status: z.enum(PLACEMENT_MOVES, { error: 'Choose what has happened' }),
    endReason: text(500).default(''),
  })
  .refine((v) => v.status !== 'ended' || v.endReason.length > 0, {
    path: ['endReason'],
    message: 'Say why the placement ended',
  })

export const hoursSchema = z.object({
  workedOn: z
    .string({ error: 'Enter the day they volunteered, like 27 11 2026' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the day they volunteered, like 27 11 2026'),
  hours: z.coerce
    .number({ error: 'Enter the hours, like 3 or 2.5' })
    .gt(0, 'Enter the hours, more than 0')
    .max(24, 'There are no more than 24 hours in a day'),
})
