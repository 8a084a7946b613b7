// Eligibility rules as data: the small declarative language in which services and programmes
// state who they are for. The directory stores and edits a service's criteria; the programmes
// capability stores a programme's; one pure evaluator (programmes/eligibility.ts) reads both.
//
// Every criterion has a stable `id` (`age-18-plus`, `crisis-needs`) so that a decision can say
// exactly which criterion produced each reason, and `text`: how the criterion reads on a listing.

import { z } from 'zod'

/** Who may make a referral. */
export const REFERRER_KINDS = [
  'gp_practice',
  'pcn',
  'social_care',
  'council',
  'mdt',
  'other_professional',
  'self',
] as const
export type ReferrerKind = (typeof REFERRER_KINDS)[number]

export const REFERRER_KIND_LABELS: Record<ReferrerKind, string> = {
  gp_practice: 'GP or practice staff',
  pcn: 'Primary care network staff',
  social_care: 'Social care',
  council: 'Council team',
  mdt: 'Multidisciplinary team',
  other_professional: 'Other professional',
  self: 'The person themselves (self-referral)',
}

/** How a criterion is shown: inclusion and exclusion lists, a rule (who can refer), or a redirect. */
export const CRITERION_ROLES = ['inclusion', 'exclusion', 'rule', 'redirect'] as const
export type CriterionRole = (typeof CRITERION_ROLES)[number]

const id = z
  .string({ error: 'Enter a reference for the criterion, like crisis-needs' })
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    'A criterion id is lower-case words joined by hyphens, like crisis-needs',
  )
  .max(80, 'A criterion id must be 80 characters or fewer')
const role = z.enum(CRITERION_ROLES, { error: 'Select whether it is an inclusion, an exclusion or a rule' })
const text = (empty: string) =>
  z.string({ error: empty }).trim().min(1, empty).max(500, 'Must be 500 characters or fewer')
const listing = text('Enter how the criterion reads on a listing')

const snomedCode = z.string().regex(/^\d{6,18}$/, 'A SNOMED CT concept id is 6 to 18 digits')

const years = (which: string) =>
  z
    .number({ error: `Enter the ${which} age as a whole number of years` })
    .int(`Enter the ${which} age as a whole number of years`)
    .min(0, `The ${which} age cannot be less than 0`)
    .max(130, `The ${which} age must be 130 or less`)

export const criterionSchema = z.discriminatedUnion('kind', [
  /** The person's age on the day of the check, in whole years, within [min, max]. */
  z
    .object({
      kind: z.literal('age'),
      id,
      role,
      text: listing,
      min: years('youngest').optional(),
      max: years('oldest').optional(),
    })
    .refine((c) => c.min !== undefined || c.max !== undefined, {
      path: ['min'],
      message: 'Enter the youngest age, the oldest age, or both',
    })
    .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, {
      path: ['max'],
      message: 'The oldest age must be the same as or more than the youngest',
    }),
  /** At least one of these long-term conditions is recorded (SNOMED CT concept ids). */
  z.object({
    kind: z.literal('conditions'),
    id,
    role,
    text: listing,
    anyOf: z
      .array(z.object({ code: snomedCode, display: text('Enter the name of the condition') }), {
        error: 'Select at least one condition',
      })
      .min(1, 'Select at least one condition'),
  }),
  /** Registered at one of these practices (ODS codes). */
  z.object({
    kind: z.literal('practice'),
    id,
    role,
    text: listing,
    odsCodes: z
      .array(z.string().regex(/^[A-Z0-9]{3,10}$/, 'An ODS code is 3 to 10 capital letters and digits'), {
        error: 'Select at least one practice',
      })
      .min(1, 'Select at least one practice'),
  }),
  /** The referral comes from one of these kinds of referrer. */
  z.object({
    kind: z.literal('referrer'),
    id,
    role,
    text: listing,
    allowed: z
      .array(z.enum(REFERRER_KINDS), { error: 'Select at least one kind of referrer' })
      .min(1, 'Select at least one kind of referrer'),
  }),
  /**
   * The person has given consent to the referral. With `direct`, only the person's own consent
   * counts: consent given by someone on their behalf does not meet it (the seed listing's "full
   * and direct consent").
   */
  z.object({ kind: z.literal('consent'), id, role, text: listing, direct: z.boolean().optional() }),
  /**
   * A yes/no question the referrer answers. The criterion is met when the answer equals
   * `expected` (exclusions usually expect `false`: "Is the person in crisis?" – no).
   */
  z.object({
    kind: z.literal('attestation'),
    id,
    role,
    text: listing,
    question: text('Enter the question a referrer answers'),
    expected: z.boolean({ error: 'Select the answer that meets the criterion' }),
    /** What an unanswered question means for the outcome. */
    whenUnanswered: z.enum(['needs-review', 'ineligible'], {
      error: 'Select what happens when the question is not answered',
    }),
  }),
  /**
   * When a goal mentions one of the keywords, the person belongs elsewhere: the referral is not
   * accepted here and the named service is suggested instead.
   */
  z.object({
    kind: z.literal('redirect'),
    id,
    role,
    text: listing,
    goalKeywords: z
      .array(
        z
          .string()
          .trim()
          .min(2, 'Each keyword must be at least 2 characters')
          .max(60, 'Each keyword must be 60 characters or fewer'),
        { error: 'Enter at least one keyword' },
      )
      .min(1, 'Enter at least one keyword'),
    /** The service to go to instead, by its name in the directory. */
    toServiceName: text('Enter the name of the service to refer to instead'),
  }),
])

export type Criterion = z.infer<typeof criterionSchema>

export const criteriaSchema = z
  .array(criterionSchema)
  .max(60)
  .refine((list) => new Set(list.map((c) => c.id)).size === list.length, 'Each criterion needs its own id')

export type Criteria = z.infer<typeof criteriaSchema>

/** The facts a check is made on. */
export interface EligibilityFacts {
  /** `YYYY-MM-DD`; missing when not known. */
  dateOfBirth?: string
  practiceOdsCode?: string
  /** SNOMED CT concept ids of the person's recorded conditions. */
  conditions?: string[]
  referrerKind?: ReferrerKind
  consentGiven?: boolean
  /** Who gave the consent: the person, or someone on their behalf. */
  consentGivenBy?: 'person' | 'representative'
  /** Answers to attestation questions, by criterion id. */
  answers?: Record<string, boolean>
  /** The person's goals, in their words. */
  goals?: string[]
  /** The day of the check, `YYYY-MM-DD` (London). */
  today: string
}

export type EligibilityOutcome = 'eligible' | 'ineligible' | 'needs-review'

export interface EligibilityReason {
  criterion: string
  met: boolean | null
  message: string
}

/** A redirect that applied: the person belongs with another service, named in the directory. */
export interface EligibilityRedirect {
  criterion: string
  toServiceName: string
  message: string
}

export interface EligibilityResult {
  outcome: EligibilityOutcome
  /** One reason per criterion, in the order the criteria are listed. */
  reasons: EligibilityReason[]
  redirects: EligibilityRedirect[]
}

/** A criterion as a question on a referral form. */
export interface CriterionQuestion {
  /** The criterion's id: the key of its answer in `EligibilityFacts.answers`. */
  id: string
  question: string
  /** How the criterion reads on a listing, shown as the question's hint. */
  hint: string
  /** Rules count as inclusions: they must hold. */
  role: 'inclusion' | 'exclusion'
  /** The answer that meets the criterion. */
  expected: boolean
  whenUnanswered: 'needs-review' | 'ineligible'
}
