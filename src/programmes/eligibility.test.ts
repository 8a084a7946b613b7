import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEMO_ORGANISATIONS } from '../access/demo.ts'
import { programmeCriteria } from './config.ts'
import { type Criteria, criteriaSchema, type EligibilityFacts } from './criteria.ts'
import { DEMO_PROGRAMMES } from './demo.ts'
import { ageOn, criteriaQuestions, evaluate } from './eligibility.ts'

/**
 * The seed listing "Social Prescribing Service (18+)" (seeds/004_90d78dc44691c0b1.txt), encoded
 * completely: every inclusion and exclusion, who can refer, and the weight-management redirect.
 */
const SEED_LISTING: Criteria = criteriaSchema.parse([
  { kind: 'age', id: 'age-18-plus', role: 'inclusion', text: 'Aged 18+', min: 18 },
  {
    kind: 'attestation',
    id: 'capacity-to-engage',
    role: 'inclusion',
    text: 'Has capacity to engage with the service',
    question: 'Does the person have capacity to engage with the service?',
    expected: true,
    whenUnanswered: 'needs-review',
  },
  {
    kind: 'consent',
    id: 'consent-given',
    role: 'inclusion',
    text: 'Has given full and direct consent to referral',
  },
  {
    kind: 'attestation',
    id: 'needs-identified-by-practice',
    role: 'inclusion',
    text: 'Has had social prescribing needs identified by GP/PCN staff, where suitable support is not already in place',
    question:
      'Have GP or PCN staff identified social prescribing needs that suitable support already in place does not meet?',
    expected: true,
    whenUnanswered: 'needs-review',
  },
  {
    kind: 'attestation',
    id: 'wants-to-make-change',
    role: 'inclusion',
    text: 'Wishing to make change and collaborate with the service to create goals and a support plan',
    question:
      'Does the person wish to make a change and work with the service to create goals and a support plan?',
    expected: true,
    whenUnanswered: 'needs-review',
  },
  {
    kind: 'attestation',
    id: 'third-party-without-patient',
    role: 'exclusion',
    text: 'Referral requested by a third party or external professional without the patient present',
    question:
      'Is a third party or external professional requesting this referral without the patient present?',
    expected: false,
    whenUnanswered: 'needs-review',
  },
  {
    kind: 'attestation',
    id: 'crisis-needs',
    role: 'exclusion',
    text: 'Emergency, urgent or crisis needs (including mental health, emergency food, safety, acute care crisis)',
    question: 'Does the person have emergency, urgent or crisis needs?',
    expected: false,
    whenUnanswered: 'ineligible',
  },
  {
    kind: 'attestation',
    id: 'intoxication',
    role: 'exclusion',
    text: 'Intoxication or unable to engage with Social Prescribers',
    question: 'Is the person intoxicated, or unable to engage with social prescribers?',
    expected: false,
    whenUnanswered: 'needs-review',
  },
  {
    kind: 'attestation',
    id: 'risk-to-staff',
    role: 'exclusion',
    text: 'Poses risk to Social Prescribers or unable to keep themselves safe',
    question:
      'Does the person pose a risk to social prescribers, or are they unable to keep themselves safe?',
    expected: false,
    whenUnanswered: 'needs-review',
  },
  {
    kind: 'attestation',
    id: 'acute-safeguarding',
    role: 'exclusion',
    text: 'Acute or active safeguarding concern about the patient or a dependant',
    question: 'Is there an acute or active safeguarding concern about the person or a dependant?',
    expected: false,
    whenUnanswered: 'needs-review',
  },
  {
    kind: 'attestation',
    id: 'acute-smi',
    role: 'exclusion',
    text: 'Acute or uncontrolled SMI presentation (e.g. psychosis)',
    question: 'Does the person have an acute or uncontrolled serious mental illness, such as psychosis?',
    expected: false,
    whenUnanswered: 'needs-review',
  },
  {
    kind: 'attestation',
    id: 'open-to-iapt-or-secondary-care-same-need',
    role: 'exclusion',
    text: 'Mental health referral if open to IAPT or secondary care for the same need',
    question:
      'Is this a mental health referral for someone open to IAPT or secondary care for the same need?',
    expected: false,
    whenUnanswered: 'needs-review',
  },
  {
    kind: 'referrer',
    id: 'professional-referrals-only',
    role: 'rule',
    text: 'Professional referrals only',
    allowed: ['gp_practice', 'pcn', 'social_care', 'council', 'mdt', 'other_professional'],
  },
  {
    kind: 'redirect',
    id: 'weight-related-goal',
    role: 'redirect',
    text: "If the patient's goal is weight related, refer to Social Prescribing for Weight Management instead",
    goalKeywords: ['weight', 'overweight', 'obesity', 'obese', 'slimming', 'BMI'],
    toServiceName: 'Social Prescribing for Weight Management',
  },
])

const TODAY = '2026-11-22'

const ALL_CLEAR: Record<string, boolean> = {
  'capacity-to-engage': true,
  'needs-identified-by-practice': true,
  'wants-to-make-change': true,
  'third-party-without-patient': false,
  'crisis-needs': false,
  intoxication: false,
  'risk-to-staff': false,
  'acute-safeguarding': false,
  'acute-smi': false,
  'open-to-iapt-or-secondary-care-same-need': false,
}

const suitable: EligibilityFacts = {
  today: TODAY,
  dateOfBirth: '1980-05-14',
  referrerKind: 'gp_practice',
  consentGiven: true,
  answers: ALL_CLEAR,
  goals: ['Meet people nearby', 'Get out of the house more'],
}

const reasonFor = (result: ReturnType<typeof evaluate>, criterion: string) =>
  result.reasons.find((reason) => reason.criterion === criterion)

describe('age on a day', () => {
  it('counts whole years, turning a year older on the birthday itself', () => {
    assert.equal(ageOn('1986-11-22', '2026-11-21'), 39)
    assert.equal(ageOn('1986-11-22', '2026-11-22'), 40)
    assert.equal(ageOn('1986-12-31', '2027-01-01'), 40)
  })

  it('makes someone born on 29 February a year older on 1 March in a common year', () => {
    assert.equal(ageOn('2008-02-29', '2026-02-28'), 17)
    assert.equal(ageOn('2008-02-29', '2026-03-01'), 18)
    assert.equal(ageOn('2008-02-29', '2028-02-29'), 20)
  })

  it('gives nothing for a date that is not real or is after the day', () => {
    assert.equal(ageOn('2026-02-30', TODAY), undefined)
    assert.equal(ageOn('22/11/1980', TODAY), undefined)
    assert.equal(ageOn('2026-11-23', TODAY), undefined)
  })
})

describe('the seed listing: Social Prescribing Service (18+)', () => {
  it('finds a suitable adult eligible, with one met reason per criterion, each tied to it', () => {
    const result = evaluate(SEED_LISTING, suitable)
    assert.equal(result.outcome, 'eligible')
    assert.deepEqual(
      result.reasons.map((reason) => reason.criterion),
      SEED_LISTING.map((criterion) => criterion.id),
    )
    assert.ok(result.reasons.every((reason) => reason.met === true))
    assert.deepEqual(result.redirects, [])
    assert.equal(
      reasonFor(result, 'age-18-plus')?.message,
      'Aged 46 (within aged 18 or over), so meets “Aged 18+”.',
    )
    assert.equal(
      reasonFor(result, 'crisis-needs')?.message,
      'Answered no to “Does the person have emergency, urgent or crisis needs?”, so not excluded by “Emergency, urgent or crisis needs (including mental health, emergency food, safety, acute care crisis)”.',
    )
  })

  it('declines someone under 18, on their 18th birthday eve, and accepts them the next day', () => {
    const eve = evaluate(SEED_LISTING, { ...suitable, dateOfBirth: '2008-11-23' })
    assert.equal(eve.outcome, 'ineligible')
    assert.deepEqual(reasonFor(eve, 'age-18-plus'), {
      criterion: 'age-18-plus',
      met: false,
      message: 'Aged 17 (outside aged 18 or over), so does not meet “Aged 18+”.',
    })
    assert.deepEqual(
      eve.reasons.filter((reason) => reason.met !== true).map((reason) => reason.criterion),
      ['age-18-plus'],
    )
    assert.equal(evaluate(SEED_LISTING, { ...suitable, dateOfBirth: '2008-11-22' }).outcome, 'eligible')
  })

  it('declines for each exclusion answered yes, naming that exclusion alone', () => {
    for (const id of [
      'third-party-without-patient',
      'crisis-needs',
      'intoxication',
      'risk-to-staff',
      'acute-safeguarding',
      'acute-smi',
      'open-to-iapt-or-secondary-care-same-need',
    ]) {
      const result = evaluate(SEED_LISTING, { ...suitable, answers: { ...ALL_CLEAR, [id]: true } })
      assert.equal(result.outcome, 'ineligible', id)
      const failed = result.reasons.filter((reason) => reason.met === false)
      assert.deepEqual(
        failed.map((reason) => reason.criterion),
        [id],
      )
      assert.match(failed[0]?.message ?? '', /^Answered yes to “.+”, so excluded by “.+”\.$/)
    }
  })

  it('declines for each inclusion answered no', () => {
    for (const id of ['capacity-to-engage', 'needs-identified-by-practice', 'wants-to-make-change']) {
      const result = evaluate(SEED_LISTING, { ...suitable, answers: { ...ALL_CLEAR, [id]: false } })
      assert.equal(result.outcome, 'ineligible', id)
      assert.deepEqual(
        result.reasons.filter((reason) => reason.met === false).map((reason) => reason.criterion),
        [id],
      )
    }
  })

  it('declines without consent, and refuses a self-referral as professional referrals only', () => {
    const noConsent = evaluate(SEED_LISTING, { ...suitable, consentGiven: false })
    assert.equal(noConsent.outcome, 'ineligible')
    assert.deepEqual(reasonFor(noConsent, 'consent-given'), {
      criterion: 'consent-given',
      met: false,
      message:
        'Consent has not been given, so does not meet “Has given full and direct consent to referral”.',
    })
    const self = evaluate(SEED_LISTING, { ...suitable, referrerKind: 'self' })
    assert.equal(self.outcome, 'ineligible')
    assert.deepEqual(reasonFor(self, 'professional-referrals-only'), {
      criterion: 'professional-referrals-only',
      met: false,
      message: 'Referred by the person themselves, so does not meet “Professional referrals only”.',
    })
    for (const kind of ['pcn', 'social_care', 'council', 'mdt', 'other_professional'] as const) {
      assert.equal(evaluate(SEED_LISTING, { ...suitable, referrerKind: kind }).outcome, 'eligible', kind)
    }
  })

  it('reads consent from the answers when the facts do not carry it', () => {
    const { consentGiven: _, ...withoutConsent } = suitable
    const answered = { ...withoutConsent, answers: { ...ALL_CLEAR, 'consent-given': true } }
    assert.equal(evaluate(SEED_LISTING, answered).outcome, 'eligible')
    const unknown = evaluate(SEED_LISTING, withoutConsent)
    assert.equal(unknown.outcome, 'needs-review')
    assert.equal(reasonFor(unknown, 'consent-given')?.met, null)
  })

  it('takes only the person’s own consent where a consent criterion asks for full and direct consent', () => {
    const direct = SEED_LISTING.map((c) => (c.kind === 'consent' ? { ...c, direct: true } : c))
    const own = evaluate(direct, { ...suitable, consentGivenBy: 'person' })
    assert.equal(own.outcome, 'eligible')
    assert.equal(
      reasonFor(own, 'consent-given')?.message,
      'The person gave consent themselves, so meets “Has given full and direct consent to referral”.',
    )
    const onTheirBehalf = evaluate(direct, { ...suitable, consentGivenBy: 'representative' })
    assert.equal(onTheirBehalf.outcome, 'ineligible')
    assert.deepEqual(reasonFor(onTheirBehalf, 'consent-given'), {
      criterion: 'consent-given',
      met: false,
      message:
        'Consent was given by someone on the person’s behalf, so does not meet “Has given full and direct consent to referral”.',
    })
    // Who gave it is not known: a person decides.
    assert.equal(reasonFor(evaluate(direct, suitable), 'consent-given')?.met, null)
    // Without the flag, anyone's consent on the person's behalf counts.
    assert.equal(
      evaluate(SEED_LISTING, { ...suitable, consentGivenBy: 'representative' }).outcome,
      'eligible',
    )
  })

  it('sends a weight-related goal to the weight management service instead', () => {
    const result = evaluate(SEED_LISTING, {
      ...suitable,
      goals: ['Feel less lonely', 'I want to lose Weight'],
    })
    assert.equal(result.outcome, 'ineligible')
    const message = 'A goal mentions “weight”: refer to Social Prescribing for Weight Management instead.'
    assert.deepEqual(result.redirects, [
      {
        criterion: 'weight-related-goal',
        toServiceName: 'Social Prescribing for Weight Management',
        message,
      },
    ])
    assert.deepEqual(reasonFor(result, 'weight-related-goal'), {
      criterion: 'weight-related-goal',
      met: false,
      message,
    })
    assert.deepEqual(
      result.reasons.filter((reason) => reason.met !== true).map((reason) => reason.criterion),
      ['weight-related-goal'],
    )
  })

  it('matches goal keywords as whole words, in any case, across line breaks and hyphens', () => {
    const redirected = (goal: string) =>
      evaluate(SEED_LISTING, { ...suitable, goals: [goal] }).redirects.length === 1
    assert.equal(redirected('I want to lose weight'), true)
    assert.equal(redirected('WEIGHT'), true)
    assert.equal(redirected('a weight-related goal'), true)
    assert.equal(redirected('Get my BMI down.'), true)
    assert.equal(redirected('(overweight)'), true)
    assert.equal(redirected('Start weightlifting with friends'), false)
    assert.equal(redirected('Be less of a paperweight at work'), false)
    assert.equal(redirected('weights at the gym'), false)
    assert.equal(redirected('Lose 2 kilos'), false)
  })

  it('matches a keyword of several words across any spaces', () => {
    const criteria = criteriaSchema.parse([
      {
        kind: 'redirect',
        id: 'debt',
        role: 'redirect',
        text: 'Debt advice goes elsewhere',
        goalKeywords: ['debt advice', 'C++ (help)'],
        toServiceName: 'Citizens Advice',
      },
    ])
    const redirects = (goal: string) => evaluate(criteria, { today: TODAY, goals: [goal] }).redirects.length
    assert.equal(redirects('I need Debt\n  advice soon'), 1)
    assert.equal(redirects('debt-advice'), 0)
    assert.equal(redirects('Learn C++ (help) please'), 1, 'special characters are taken literally')
    assert.equal(redirects('Learn C (help)'), 0)
  })

  it('needs review when questions are unanswered or the date of birth is unknown, naming each', () => {
    const { dateOfBirth: _, ...noBirthDate } = suitable
    const result = evaluate(SEED_LISTING, {
      ...noBirthDate,
      answers: { ...ALL_CLEAR, 'acute-smi': undefined as unknown as boolean, 'wants-to-make-change': true },
    })
    assert.equal(result.outcome, 'needs-review')
    assert.deepEqual(
      result.reasons.filter((reason) => reason.met === null).map((reason) => reason.criterion),
      ['age-18-plus', 'acute-smi'],
    )
    assert.equal(
      reasonFor(result, 'age-18-plus')?.message,
      'The date of birth is not known, so “Aged 18+” needs review.',
    )
  })

  it('declines when a question that must be answered is not', () => {
    const { 'crisis-needs': _, ...rest } = ALL_CLEAR
    const result = evaluate(SEED_LISTING, { ...suitable, answers: rest })
    assert.equal(result.outcome, 'ineligible')
    assert.deepEqual(reasonFor(result, 'crisis-needs'), {
      criterion: 'crisis-needs',
      met: false,
      message:
        '“Does the person have emergency, urgent or crisis needs?” was not answered, and it must be, so not cleared of “Emergency, urgent or crisis needs (including mental health, emergency food, safety, acute care crisis)”.',
    })
  })

  it('puts an unmet criterion ahead of one that needs review', () => {
    const result = evaluate(SEED_LISTING, {
      ...suitable,
      answers: { ...ALL_CLEAR, intoxication: true, 'acute-smi': undefined as unknown as boolean },
    })
    assert.equal(result.outcome, 'ineligible')
  })

  it('lists the questions a referrer answers, in order, with inclusion or exclusion', () => {
    const questions = criteriaQuestions(SEED_LISTING)
    assert.deepEqual(
      questions.map((q) => [q.id, q.role, q.expected]),
      [
        ['capacity-to-engage', 'inclusion', true],
        ['consent-given', 'inclusion', true],
        ['needs-identified-by-practice', 'inclusion', true],
        ['wants-to-make-change', 'inclusion', true],
        ['third-party-without-patient', 'exclusion', false],
        ['crisis-needs', 'exclusion', false],
        ['intoxication', 'exclusion', false],
        ['risk-to-staff', 'exclusion', false],
        ['acute-safeguarding', 'exclusion', false],
        ['acute-smi', 'exclusion', false],
        ['open-to-iapt-or-secondary-care-same-need', 'exclusion', false],
      ],
    )
    assert.deepEqual(questions[5], {
      id: 'crisis-needs',
      question: 'Does the person have emergency, urgent or crisis needs?',
      hint: 'Emergency, urgent or crisis needs (including mental health, emergency food, safety, acute care crisis)',
      role: 'exclusion',
      expected: false,
      whenUnanswered: 'ineligible',
    })
    // Answering every question with its expected answer is what makes a suitable person eligible.
    const answers = Object.fromEntries(questions.map((q) => [q.id, q.expected]))
    const { consentGiven: _, ...facts } = suitable
    assert.equal(evaluate(SEED_LISTING, { ...facts, answers }).outcome, 'eligible')
  })
})

describe('Ways to Wellness', () => {
  const demo = DEMO_PROGRAMMES.find((programme) => programme.key === 'wtw')!
  const odsOf = (key: string) => DEMO_ORGANISATIONS.find((o) => o.key === key)?.odsCode ?? null
  const criteria = programmeCriteria({
    ...demo.settings,
    practices: demo.practices.map((key) => ({ odsCode: odsOf(key) })),
  })
  const COPD = '13645005'
  const ASTHMA = '195967001'
  const DIABETES_1 = '46635009'
  const DIABETES_2 = '44054006'
  const HEART_DISEASE = '56265001'
  const EPILEPSY = '84757009'
  const OSTEOPOROSIS = '64859006'
  const DEPRESSION = '35489007'
  const ANXIETY = '197480006'
  const FIBROMYALGIA = '203082005'

  const person: EligibilityFacts = {
    today: TODAY,
    dateOfBirth: '1966-03-02',
    practiceOdsCode: 'Z20001',
    conditions: [DIABETES_2],
    referrerKind: 'gp_practice',
    consentGiven: true,
  }

  it('checks age, conditions, consent, who refers and the practice', () => {
    assert.deepEqual(
      criteria.map((c) => c.id),
      [
        'age-40-to-74',
        'eligible-long-term-condition',
        'consent-given',
        'referral-sources',
        'registered-at-programme-practice',
      ],
    )
    const result = evaluate(criteria, person)
    assert.equal(result.outcome, 'eligible')
    assert.equal(
      reasonFor(result, 'eligible-long-term-condition')?.message.split(',')[0],
      'Has Diabetes mellitus type 2',
    )
  })

  it('takes people from 40 to 74, on the days they turn 40 and until the day they turn 75', () => {
    const on = (dateOfBirth: string) => evaluate(criteria, { ...person, dateOfBirth }).outcome
    assert.equal(on('1986-11-23'), 'ineligible', 'the day before turning 40')
    assert.equal(on('1986-11-22'), 'eligible', 'turning 40 today')
    assert.equal(on('1951-11-23'), 'eligible', '74, the day before turning 75')
    assert.equal(on('1951-11-22'), 'ineligible', 'turning 75 today')
  })

  it('takes each listed condition, with or without depression or anxiety', () => {
    for (const condition of [COPD, ASTHMA, DIABETES_1, DIABETES_2, HEART_DISEASE, EPILEPSY, OSTEOPOROSIS]) {
      for (const extra of [[], [DEPRESSION], [ANXIETY], [DEPRESSION, ANXIETY]]) {
        const result = evaluate(criteria, { ...person, conditions: [condition, ...extra] })
        assert.equal(result.outcome, 'eligible', `${condition} with ${extra.join('+') || 'nothing'}`)
      }
    }
  })

  it('does not take depression or anxiety alone, another condition, or no condition', () => {
    for (const conditions of [[DEPRESSION], [ANXIETY], [DEPRESSION, ANXIETY], [FIBROMYALGIA], []]) {
      const result = evaluate(criteria, { ...person, conditions })
      assert.equal(result.outcome, 'ineligible', conditions.join('+') || 'none')
      assert.deepEqual(
        result.reasons.filter((reason) => reason.met === false).map((reason) => reason.criterion),
        ['eligible-long-term-condition'],
      )
    }
  })

  it('takes only people registered at a practice in its area, and only GP referrals', () => {
    const elsewhere = evaluate(criteria, { ...person, practiceOdsCode: 'Z80001' })
    assert.equal(elsewhere.outcome, 'ineligible')
    assert.deepEqual(reasonFor(elsewhere, 'registered-at-programme-practice'), {
      criterion: 'registered-at-programme-practice',
      met: false,
      message:
        "Registered at practice Z80001 (not one of the practices listed), so does not meet “Registered at one of the programme's practices”.",
    })
    assert.equal(evaluate(criteria, { ...person, practiceOdsCode: 'z20005' }).outcome, 'eligible')
    const self = evaluate(criteria, { ...person, referrerKind: 'self' })
    assert.equal(self.outcome, 'ineligible')
    assert.equal(reasonFor(self, 'referral-sources')?.met, false)
  })

  it('needs review when the conditions or practice are not known', () => {
    const { conditions: _, practiceOdsCode: __, ...unknown } = person
    const result = evaluate(criteria, unknown)
    assert.equal(result.outcome, 'needs-review')
    assert.deepEqual(
      result.reasons.filter((reason) => reason.met === null).map((reason) => reason.criterion),
      ['eligible-long-term-condition', 'registered-at-programme-practice'],
    )
  })
})

describe('exclusions stated as facts', () => {
  it('excludes a person in the set an exclusion describes', () => {
    const criteria = criteriaSchema.parse([
      { kind: 'age', id: 'under-18', role: 'exclusion', text: 'Under 18', max: 17 },
      {
        kind: 'conditions',
        id: 'no-obesity',
        role: 'exclusion',
        text: 'Obesity is supported elsewhere',
        anyOf: [{ code: '414916001', display: 'Obesity' }],
      },
    ])
    const adult = { today: TODAY, dateOfBirth: '1990-01-01', conditions: ['195967001'] }
    assert.equal(evaluate(criteria, adult).outcome, 'eligible')
    const child = evaluate(criteria, { ...adult, dateOfBirth: '2012-01-01' })
    assert.equal(child.outcome, 'ineligible')
    assert.equal(child.reasons[0]?.message, 'Aged 14 (within aged 17 or under), so excluded by “Under 18”.')
    assert.equal(evaluate(criteria, { ...adult, conditions: ['414916001'] }).outcome, 'ineligible')
  })

  it('is eligible when there are no criteria at all', () => {
    assert.deepEqual(evaluate([], { today: TODAY }), { outcome: 'eligible', reasons: [], redirects: [] })
  })
})
