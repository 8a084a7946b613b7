// Groups and their health: what a link worker's support may be, the checklist from an idea to a
// first meeting, and when a group is flagged to its facilitator (not met in three months).

import { z } from 'zod'

export const SUPPORT_KINDS = ['accessibility', 'funding', 'venue', 'publicity', 'safeguarding'] as const
export type SupportKind = (typeof SUPPORT_KINDS)[number]
export const SUPPORT_LABELS: Record<SupportKind, string> = {
  accessibility: 'Accessibility',
  funding: 'Funding application',
  venue: 'Finding a venue',
  publicity: 'Publicity',
  safeguarding: 'Safeguarding advice',
}

/** Starting a group, from the idea to its first meeting, in order. */
export const NEW_GROUP_STEPS = [
  ['idea', 'The idea is written down: who it is for and what it will do'],
  ['people', 'People who are interested have been found'],
  ['leader', 'Someone will lead or facilitate it'],
  ['venue', 'A venue is found, accessible and affordable'],
  ['safeguarding', 'Safeguarding is agreed'],
  ['funding', 'Any costs are covered'],
  ['publicity', 'It is publicised'],
  ['first-meeting', 'The first meeting is held'],
] as const
export type NewGroupStep = (typeof NEW_GROUP_STEPS)[number][0]
export const NEW_GROUP_STEP_IDS = NEW_GROUP_STEPS.map(([id]) => id) as [NewGroupStep, ...NewGroupStep[]]

/** Months without a meeting after which a running group is flagged to its facilitator. */
export const QUIET_MONTHS = 3

/** The day `months` calendar months before `today` (`YYYY-MM-DD`). */
export function monthsBefore(today: string, months: number): string {
  const date = new Date(`${today}T00:00:00Z`)
  date.setUTCMonth(date.getUTCMonth() - months)
  return date.toISOString().slice(0, 10)
}

/** Whether a running group has not met in three months (counting from when it was recorded when never). */
export function isQuiet(
  group: { running: boolean; lastMetOn: string | null; recordedOn: string },
  today: string,
) {
  return group.running && (group.lastMetOn ?? group.recordedOn) < monthsBefore(today, QUIET_MONTHS)
}

const text = (max: number) => z.string().trim().max(max, `Enter no more than ${max} characters`)
const day = (message: string) => z.string({ error: message }).regex(/^\d{4}-\d{2}-\d{2}$/, message)

export const groupDetailsSchema = z.object({
  runBy: z.enum(['members', 'facilitator'], { error: 'Choose who runs the group' }),
  facilitatorUserId: z.string().trim().default(''),
  leaderEmail: z
    .union([z.literal(''), z.email('Enter the leader’s email address like name@example.org')])
    .default(''),
  meetingPattern: z.string().trim().min(1, 'Say when it meets, like Wednesdays, 10am to 11am').max(200),
  place: text(200).default(''),
  contact: text(200).default(''),
  forNeed: text(200).default(''),
  members: z.coerce
    .number({ error: 'Enter the number of members, from 0 to 1000' })
    .int('Enter the number of members, from 0 to 1000')
    .min(0, 'Enter the number of members, from 0 to 1000')
    .max(1000, 'Enter the number of members, from 0 to 1000'),
  openToNew: z.enum(['yes', 'no'], { error: 'Say whether it is open to new members' }),
  running: z.enum(['yes', 'no'], { error: 'Say whether it still runs' }),
})

export const supportSchema = z.object({
  kind: z.enum(SUPPORT_KINDS, { error: 'Choose the kind of support' }),
  note: z.string().trim().min(1, 'Say what support was given').max(1000),
  givenOn: day('Enter the day the support was given, like 27 11 2026'),
})

export const meetingSchema = z.object({
  metOn: day('Enter the day the group met, like 27 11 2026'),
  attended: z.coerce
    .number({ error: 'Enter how many came, from 0 to 1000' })
    .int('Enter how many came, from 0 to 1000')
    .min(0, 'Enter how many came, from 0 to 1000')
    .max(1000, 'Enter how many came, from 0 to 1000'),
})

export const newGroupSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name for the group').max(200),
  idea: z.string().trim().min(1, 'Say what the group is for').max(2000),
  forNeed: text(200).default(''),
  interested: z.coerce
    .number({ error: 'Enter how many people are interested, from 0 to 1000' })
    .int('Enter how many people are interested, from 0 to 1000')
    .min(0, 'Enter how many people are interested, from 0 to 1000')
    .max(1000, 'Enter how many people are interested, from 0 to 1000'),
  interestedNote: text(1000).default(''),
  facilitatorUserId: z.string().trim().default(''),
  stepsDone: z
    .union([z.enum(NEW_GROUP_STEP_IDS), z.array(z.enum(NEW_GROUP_STEP_IDS))])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? [...new Set(v)] : [v])),
  firstMeetingOn: z
    .string()
    .default('')
    .refine(
      (s) => s === '' || /^\d{4}-\d{2}-\d{2}$/.test(s),
      'Enter the day of the first meeting, like 27 11 2026',
    ),
})
