// The eligibility evaluator: one pure function from criteria and facts to an outcome, with the
// criterion behind every reason. No I/O, no clock: the day of the check is one of the facts.
//
// What `met` means: the person passes the criterion. For an inclusion or a rule, the person is
// in the set the criterion describes (aged 40 to 74); for an exclusion, the person is NOT in it
// (an exclusion "aged 17 or under" is met by a 30-year-old). An attestation is met when the
// answer equals its `expected` answer, whatever its role, because the question already says
// which answer passes; consent is met when it was given (by the person themselves, when the
// criterion asks for direct consent). A redirect is met while no goal mentions one of its keywords.
//
// The outcome: ineligible when any criterion is not met; otherwise needs-review when any could
// not be checked (a fact or an answer is missing); otherwise eligible.

import type {
  Criteria,
  Criterion,
  CriterionQuestion,
  EligibilityFacts,
  EligibilityReason,
  EligibilityRedirect,
  EligibilityResult,
  ReferrerKind,
} from './criteria.ts'

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

function calendarDate(value: string | undefined): { y: number; m: number; d: number } | undefined {
  const match = value ? DATE.exec(value) : null
  if (!match) return undefined
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(y, m - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined
  return { y, m, d }
}

/**
 * Age in whole years on `today` (both `YYYY-MM-DD`). Someone born on 29 February turns a year
 * older on 1 March in a common year. Undefined for a date that is not real or is after `today`.
 */
export function ageOn(dateOfBirth: string, today: string): number | undefined {
  const born = calendarDate(dateOfBirth)
  const on = calendarDate(today)
  if (!born || !on) return undefined
  const beforeBirthday = on.m < born.m || (on.m === born.m && on.d < born.d)
  const age = on.y - born.y - (beforeBirthday ? 1 : 0)
  return age < 0 ? undefined : age
}

const quote = (text: string) => `“${text}”`

const REFERRED_BY: Record<ReferrerKind, string> = {
  gp_practice: 'Referred by GP or practice staff',
  pcn: 'Referred by primary care network staff',
  social_care: 'Referred by social care',
  council: 'Referred by a council team',
  mdt: 'Referred by a multidisciplinary team',
  other_professional: 'Referred by another professional',
  self: 'Referred by the person themselves',
}

/** What an unmet or met criterion means, as the end of a sentence that starts with the fact. */
function verdict(criterion: Criterion, met: boolean): string {
  const text = quote(criterion.text)
  if (criterion.role === 'exclusion') return met ? `so not excluded by ${text}` : `so excluded by ${text}`
  return met ? `so meets ${text}` : `so does not meet ${text}`
}

function decided(criterion: Criterion, fact: string, met: boolean): EligibilityReason {
  return { criterion: criterion.id, met, message: `${fact}, ${verdict(criterion, met)}.` }
}

/** The person is in the set that the criterion describes: `met` depends on the role. */
function inSet(criterion: Criterion, fact: string, matches: boolean): EligibilityReason {
  return decided(criterion, fact, criterion.role === 'exclusion' ? !matches : matches)
}

function unknown(criterion: Criterion, missing: string): EligibilityReason {
  return {
    criterion: criterion.id,
    met: null,
    message: `${missing}, so ${quote(criterion.text)} needs review.`,
  }
}

function ageRange(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `aged ${min} to ${max}`
  if (min !== undefined) return `aged ${min} or over`
  if (max !== undefined) return `aged ${max} or under`
  return 'of any age'
}

const keywordPatterns = new WeakMap<Criterion, { keyword: string; pattern: RegExp }[]>()

/**
 * Whole-word, case-insensitive patterns: "weight" is found in "I want to lose weight" and in
 * "weight-related", not in "weightlifting". A keyword of several words matches across any spaces.
 */
function patternsOf(criterion: Criterion & { kind: 'redirect' }) {
  let patterns = keywordPatterns.get(criterion)
  if (!patterns) {
    patterns = criterion.goalKeywords.map((keyword) => {
      const words = keyword.trim().split(/\s+/).map(RegExp.escape).join('\\s+')
      return { keyword, pattern: new RegExp(`(?<![\\p{L}\\p{N}])${words}(?![\\p{L}\\p{N}])`, 'iu') }
    })
    keywordPatterns.set(criterion, patterns)
  }
  return patterns
}

/** The first keyword that one of the goals mentions, if any. */
export function mentionedKeyword(
  criterion: Criterion & { kind: 'redirect' },
  goals: readonly string[],
): string | undefined {
  for (const { keyword, pattern } of patternsOf(criterion)) {
    if (goals.some((goal) => pattern.test(goal))) return keyword
  }
  return undefined
}

interface Checked {
  reason: EligibilityReason
  redirect?: EligibilityRedirect
}

function check(criterion: Criterion, facts: EligibilityFacts): Checked {
  switch (criterion.kind) {
    case 'age': {
      if (!facts.dateOfBirth) return { reason: unknown(criterion, 'The date of birth is not known') }
      const age = ageOn(facts.dateOfBirth, facts.today)
      if (age === undefined) return { reason: unknown(criterion, 'The date of birth is not a past date') }
      const matches =
        (criterion.min === undefined || age >= criterion.min) &&
        (criterion.max === undefined || age <= criterion.max)
      return {
        reason: inSet(
          criterion,
          `Aged ${age} (${matches ? 'within' : 'outside'} ${ageRange(criterion.min, criterion.max)})`,
          matches,
        ),
      }
    }
    case 'conditions': {
      if (!facts.conditions) return { reason: unknown(criterion, "The person's conditions are not known") }
      const recorded = new Set(facts.conditions)
      const found = criterion.anyOf.filter((condition) => recorded.has(condition.code))
      const fact =
        found.length > 0
          ? `Has ${found.map((condition) => condition.display).join(', ')}`
          : `Has none of ${criterion.anyOf.map((condition) => condition.display).join(', ')}`
      return { reason: inSet(criterion, fact, found.length > 0) }
    }
    case 'practice': {
      if (!facts.practiceOdsCode)
        return { reason: unknown(criterion, 'The practice the person is registered at is not known') }
      const code = facts.practiceOdsCode.toUpperCase()
      const matches = criterion.odsCodes.includes(code)
      return {
        reason: inSet(
          criterion,
          `Registered at practice ${code} (${matches ? 'one' : 'not one'} of the practices listed)`,
          matches,
        ),
      }
    }
    case 'referrer': {
      if (!facts.referrerKind) return { reason: unknown(criterion, 'Who is referring is not known') }
      const matches = criterion.allowed.includes(facts.referrerKind)
      return { reason: inSet(criterion, REFERRED_BY[facts.referrerKind], matches) }
    }
    case 'consent': {
      const given = facts.consentGiven ?? facts.answers?.[criterion.id]
      if (given === undefined) return { reason: unknown(criterion, 'Whether consent was given is not known') }
      // Consent must be given whatever the role: an exclusion reads "has not consented".
      if (!given || !criterion.direct)
        return {
          reason: decided(criterion, given ? 'Consent has been given' : 'Consent has not been given', given),
        }
      // Full and direct consent: the person's own, not someone's on their behalf.
      if (facts.consentGivenBy === undefined)
        return { reason: unknown(criterion, 'Who gave consent is not known') }
      return {
        reason:
          facts.consentGivenBy === 'person'
            ? decided(criterion, 'The person gave consent themselves', true)
            : decided(criterion, 'Consent was given by someone on the person’s behalf', false),
      }
    }
    case 'attestation': {
      const answer = facts.answers?.[criterion.id]
      if (answer === undefined) {
        if (criterion.whenUnanswered === 'ineligible') {
          return {
            reason: {
              criterion: criterion.id,
              met: false,
              message: `${quote(criterion.question)} was not answered, and it must be, so ${criterion.role === 'exclusion' ? 'not cleared of' : 'does not meet'} ${quote(criterion.text)}.`,
            },
          }
        }
        return { reason: unknown(criterion, `${quote(criterion.question)} was not answered`) }
      }
      return {
        reason: decided(
          criterion,
          `Answered ${answer ? 'yes' : 'no'} to ${quote(criterion.question)}`,
          answer === criterion.expected,
        ),
      }
    }
    case 'redirect': {
      const keyword = mentionedKeyword(criterion, facts.goals ?? [])
      if (keyword === undefined) {
        return {
          reason: {
            criterion: criterion.id,
            met: true,
            message: `No goal mentions ${criterion.goalKeywords.map(quote).join(', ')}.`,
          },
        }
      }
      const message = `A goal mentions ${quote(keyword)}: refer to ${criterion.toServiceName} instead.`
      return {
        reason: { criterion: criterion.id, met: false, message },
        redirect: { criterion: criterion.id, toServiceName: criterion.toServiceName, message },
      }
    }
  }
}

/** Checks the facts against every criterion. */
export function evaluate(criteria: Criteria, facts: EligibilityFacts): EligibilityResult {
  const reasons: EligibilityReason[] = []
  const redirects: EligibilityRedirect[] = []
  for (const criterion of criteria) {
    const checked = check(criterion, facts)
    reasons.push(checked.reason)
    if (checked.redirect) redirects.push(checked.redirect)
  }
  const outcome = reasons.some((reason) => reason.met === false)
    ? 'ineligible'
    : reasons.some((reason) => reason.met === null)
      ? 'needs-review'
      : 'eligible'
  return { outcome, reasons, redirects }
}

/**
 * The questions a referrer answers for these criteria, in order: each attestation, and consent.
 * Age, conditions, practice and referrer are facts about the person and the referral, and a
 * redirect reads the person's goals, so none of those is asked as a question.
 */
export function criteriaQuestions(criteria: Criteria): CriterionQuestion[] {
  const questions: CriterionQuestion[] = []
  for (const criterion of criteria) {
    const role = criterion.role === 'exclusion' ? 'exclusion' : 'inclusion'
    if (criterion.kind === 'attestation') {
      questions.push({
        id: criterion.id,
        question: criterion.question,
        hint: criterion.text,
        role,
        expected: criterion.expected,
        whenUnanswered: criterion.whenUnanswered,
      })
    } else if (criterion.kind === 'consent') {
      questions.push({
        id: criterion.id,
        question: 'Has the person given consent to this referral?',
        hint: criterion.text,
        role,
        expected: true,
        whenUnanswered: 'needs-review',
      })
    }
  }
  return questions
}
