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
  .string()
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    'A criterion id is lower-case words joined by hyphens, like crisis-needs',
  )
  .max(80)
const text = z.string().trim().min(1).max(500)

const snomedCode = z.string().regex(/^\d{6,18}$/, 'A SNOMED CT concept id is 6 to 18 digits')

export const criterionSchema = z.discriminatedUnion('kind', [
  /** The person's age on the day of the check, in whole years, within [min, max]. */
  z.object({
    kind: z.literal('age'),
    id,
    role: z.enum(CRITERION_ROLES),
    text,
    min: z.number().int().min(0).max(130).optional(),
    max: z.number().int().min(0).max(130).optional(),
  }),
  /** At least one of these long-term conditions is recorded (SNOMED CT concept ids). */
  z.object({
    kind: z.literal('conditions'),
    id,
    role: z.enum(CRITERION_ROLES),
    text,
    anyOf: z.array(z.object({ code: snomedCode, display: text })).min(1),
  }),
  /** Registered at one of these practices (ODS codes). */
  z.object({
    kind: z.literal('practice'),
    id,
    role: z.enum(CRITERION_ROLES),
    text,
    odsCodes: z.array(z.string().regex(/^[A-Z0-9]{3,10}$/)).min(1),
  }),
  /** The referral comes from one of these kinds of referrer. */
  z.object({
    kind: z.literal('referrer'),
    id,
    role: z.enum(CRITERION_ROLES),
    text,
    allowed: z.array(z.enum(REFERRER_KINDS)).min(1),
  }),
  /** The person has given consent to the referral. */
  z.object({ kind: z.literal('consent'), id, role: z.enum(CRITERION_ROLES), text }),
  /**
   * A yes/no question the referrer answers. The criterion is met when the answer equals
   * `expected` (exclusions usually expect `false`: "Is the person in crisis?" – no).
   */
  z.object({
    kind: z.literal('attestation'),
    id,
    role: z.enum(CRITERION_ROLES),
    text,
    question: text,
    expected: z.boolean(),
    /** What an unanswered question means for the outcome. */
    whenUnanswered: z.enum(['needs-review', 'ineligible']),
  }),
  /**
   * When a goal mentions one of the keywords, the person belongs elsewhere: the referral is not
   * accepted here and the named service is suggested instead.
   */
  z.object({
    kind: z.literal('redirect'),
    id,
    role: z.enum(CRITERION_ROLES),
    text,
    goalKeywords: z.array(z.string().trim().min(2).max(60)).min(1),
    /** The service to go to instead, by its name in the directory. */
    toServiceName: text,
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
