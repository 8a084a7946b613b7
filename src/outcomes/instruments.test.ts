import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Problem } from '../web/problem.ts'
import {
  defineStar,
  findInstrument,
  type Instrument,
  LONELINESS,
  ONS4,
  personChange,
  programmeChange,
  type Reading,
  SWEMWBS,
  scoreAnswers,
  scoreOrThrow,
  swemwbsMetric,
} from './instruments.ts'

function scored(instrument: Instrument, answers: Record<string, unknown>) {
  const result = scoreAnswers(instrument, answers)
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems))
  return result.scored
}

function problems(instrument: Instrument, answers: Record<string, unknown>) {
  const result = scoreAnswers(instrument, answers)
  assert.ok(!result.ok, 'expected the answers to be refused')
  return result.problems
}

const ons4 = (life: number, worthwhile: number, happy: number, anxious: number) => ({
  'life-satisfaction': life,
  worthwhile,
  happiness: happy,
  anxiety: anxious,
})

describe('ONS4 personal well-being', () => {
  it('asks the four ONS questions on 0–10 scales', () => {
    assert.deepEqual(
      ONS4.items.map((item) => [item.text, item.min, item.max, item.better]),
      [
        ['Overall, how satisfied are you with your life nowadays?', 0, 10, 'higher'],
        [
          'Overall, to what extent do you feel that the things you do in your life are worthwhile?',
          0,
          10,
          'higher',
        ],
        ['Overall, how happy did you feel yesterday?', 0, 10, 'higher'],
        [
          "On a scale where nought is 'not at all anxious' and 10 is 'completely anxious', overall, how anxious did you feel yesterday?",
          0,
          10,
          'lower',
        ],
      ],
    )
  })

  it('reports each item separately with its ONS band, and no composite score', () => {
    const result = scored(ONS4, ons4(4, 5, 9, 1))
    assert.deepEqual(
      result.scores.map((s) => [s.id, s.value, s.band?.label, s.better]),
      [
        ['life-satisfaction', 4, 'Low', 'higher'],
        ['worthwhile', 5, 'Medium', 'higher'],
        ['happiness', 9, 'Very high', 'higher'],
        ['anxiety', 1, 'Very low', 'lower'],
      ],
    )
    assert.deepEqual(result.values, ons4(4, 5, 9, 1))
  })

  it('puts every value 0–10 in the right band, anxiety with its own bands', () => {
    const bands = (id: string) =>
      Array.from({ length: 11 }, (_, value) => {
        const result = scored(ONS4, { ...ons4(5, 5, 5, 5), [id]: value })
        return result.scores.find((s) => s.id === id)?.band?.id
      })
    const usual = [
      'low',
      'low',
      'low',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'very-high',
      'very-high',
    ]
    assert.deepEqual(bands('life-satisfaction'), usual)
    assert.deepEqual(bands('worthwhile'), usual)
    assert.deepEqual(bands('happiness'), usual)
    assert.deepEqual(bands('anxiety'), [
      'very-low',
      'very-low',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'high',
      'high',
      'high',
    ])
  })
})

// Warwick's table as the reference gives it, raw 7 to 35.
const METRIC = [
  7.0, 9.51, 11.25, 12.4, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, 16.88, 17.43, 17.98, 18.59, 19.25, 19.98,
  20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.7, 32.55, 35.0,
]

/** Seven answers (1–5) that add up to `raw`. */
function swemwbsAnswersFor(raw: number) {
  const values = Array(7).fill(1)
  let rest = raw - 7
  for (let i = 0; rest > 0; i++) {
    const add = Math.min(4, rest)
    values[i] += add
    rest -= add
  }
  return Object.fromEntries(SWEMWBS.items.map((item, i) => [item.id, values[i]]))
}

describe('SWEMWBS', () => {
  it('has the seven statements, the five answers and the copyright line', () => {
    assert.equal(SWEMWBS.items.length, 7)
    assert.equal(SWEMWBS.items[0]?.text, "I've been feeling optimistic about the future")
    assert.equal(SWEMWBS.items[6]?.text, "I've been able to make up my own mind about things")
    assert.deepEqual(
      SWEMWBS.items[0]?.options?.map((o) => `${o.value} ${o.label}`),
      ['1 None of the time', '2 Rarely', '3 Some of the time', '4 Often', '5 All of the time'],
    )
    assert.equal(
      SWEMWBS.copyright,
      'Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health Scotland, University of Warwick and University of Edinburgh, 2008, all rights reserved.',
    )
  })

  it('adds the seven answers and converts the raw score with the table', () => {
    const answers = {
      optimistic: 3,
      useful: 4,
      relaxed: 2,
      'dealing-with-problems': 3,
      'thinking-clearly': 4,
      'close-to-others': 5,
      'own-mind': 1,
    }
    const result = scored(SWEMWBS, answers)
    assert.deepEqual(result.values, { metric: 19.98, raw: 22 })
    assert.equal(result.scores[0]?.display, '19.98')
  })

  it('maps every raw score from 7 to 35 to its table value', () => {
    for (let raw = 7; raw <= 35; raw++) {
      const result = scored(SWEMWBS, swemwbsAnswersFor(raw))
      assert.equal(result.values.raw, raw)
      assert.equal(result.values.metric, METRIC[raw - 7], `raw ${raw}`)
      assert.equal(swemwbsMetric(raw), METRIC[raw - 7])
    }
    assert.throws(() => swemwbsMetric(6), RangeError)
    assert.throws(() => swemwbsMetric(36), RangeError)
  })
})

describe('loneliness', () => {
  it('adds the three UCLA answers (3–9) and reports the direct question as the answer given', () => {
    const result = scored(LONELINESS, { 'lack-companionship': 1, 'left-out': 2, isolated: 3, lonely: 4 })
    assert.deepEqual(result.values, { ucla: 6, lonely: 4 })
    assert.deepEqual(
      result.scores.map((s) => [s.id, s.display, s.better]),
      [
        ['ucla', '6', 'lower'],
        ['lonely', 'Some of the time', 'lower'],
      ],
    )
    assert.equal(
      scored(LONELINESS, { 'lack-companionship': 1, 'left-out': 1, isolated: 1, lonely: 1 }).values.ucla,
      3,
    )
    assert.equal(
      scored(LONELINESS, { 'lack-companionship': 3, 'left-out': 3, isolated: 3, lonely: 5 }).values.ucla,
      9,
    )
  })

  it('offers the direct question’s answers in the ONS order', () => {
    const lonely = LONELINESS.items.find((item) => item.id === 'lonely')
    assert.equal(lonely?.text, 'How often do you feel lonely?')
    assert.deepEqual(
      lonely?.options?.map((o) => o.label),
      ['Often/always', 'Some of the time', 'Occasionally', 'Hardly ever', 'Never'],
    )
    assert.deepEqual(
      LONELINESS.items[0]?.options?.map((o) => `${o.value} ${o.label}`),
      ['1 Hardly ever or never', '2 Some of the time', '3 Often'],
    )
  })
})

describe('refusing answers', () => {
  it('names the item that is missing, out of range or not a whole number', () => {
    assert.deepEqual(
      problems(ONS4, { 'life-satisfaction': 7, worthwhile: 11, happiness: '', anxiety: 2.5 }),
      [
        {
          field: 'worthwhile',
          message:
            'The answer to "Overall, to what extent do you feel that the things you do in your life are worthwhile?" must be a whole number from 0 to 10',
        },
        { field: 'happiness', message: 'Answer "Overall, how happy did you feel yesterday?"' },
        {
          field: 'anxiety',
          message:
            "The answer to \"On a scale where nought is 'not at all anxious' and 10 is 'completely anxious', overall, how anxious did you feel yesterday?\" must be a whole number from 0 to 10",
        },
      ],
    )
    assert.deepEqual(
      problems(ONS4, { ...ons4(1, 2, 3, 4), anxiety: -1 }).map((p) => p.field),
      ['anxiety'],
    )
    assert.deepEqual(
      problems(ONS4, { ...ons4(1, 2, 3, 4), anxiety: 'seven' }).map((p) => p.field),
      ['anxiety'],
    )
  })

  it('refuses an answer a scale does not offer, saying what it does offer', () => {
    const answers = { ...swemwbsAnswersFor(20), relaxed: 0 }
    assert.deepEqual(problems(SWEMWBS, answers), [
      {
        field: 'relaxed',
        message:
          'The answer to "I\'ve been feeling relaxed" must be one of the answers offered, from 1 (None of the time) to 5 (All of the time)',
      },
    ])
    assert.deepEqual(
      problems(SWEMWBS, { ...swemwbsAnswersFor(20), useful: 6 }).map((p) => p.field),
      ['useful'],
    )
    assert.deepEqual(
      problems(LONELINESS, { 'lack-companionship': 4, 'left-out': 1, isolated: 1, lonely: 6 }).map(
        (p) => p.field,
      ),
      ['lack-companionship', 'lonely'],
    )
  })

  it('refuses answers to questions the instrument does not ask', () => {
    assert.deepEqual(problems(ONS4, { ...ons4(1, 2, 3, 4), mood: 5 }), [
      { field: 'mood', message: '"mood" is not a question in ONS4 personal well-being' },
    ])
  })

  it('takes the strings a form sends', () => {
    assert.deepEqual(
      scored(ONS4, { 'life-satisfaction': '7', worthwhile: ' 8 ', happiness: '0', anxiety: '10' }).values,
      ons4(7, 8, 0, 10),
    )
  })

  it('throws a problem for the API, with every item at fault', () => {
    assert.throws(
      () => scoreOrThrow(ONS4, { 'life-satisfaction': 12 }),
      (error: unknown) =>
        error instanceof Problem &&
        error.status === 400 &&
        error.errors.map((e) => e.field).join() === 'life-satisfaction,worthwhile,happiness,anxiety',
    )
  })
})

describe('a programme’s star', () => {
  const luton = {
    id: 'luton-wellbeing',
    name: 'Luton wellbeing star',
    domains: [
      { id: 'physical-health', label: 'Physical health' },
      { id: 'social-contact', label: 'Social contact' },
      { id: 'money', label: 'Managing money' },
    ],
  }

  it('scores each of the programme’s domains on a 1–10 scale, higher better', () => {
    const defined = defineStar(luton)
    assert.ok(defined.ok)
    const star = defined.instrument
    assert.equal(star.id, 'star:luton-wellbeing')
    assert.deepEqual(
      star.items.map((item) => [item.id, item.min, item.max, item.better]),
      [
        ['physical-health', 1, 10, 'higher'],
        ['social-contact', 1, 10, 'higher'],
        ['money', 1, 10, 'higher'],
      ],
    )
    assert.deepEqual(scored(star, { 'physical-health': 1, 'social-contact': 10, money: 6 }).values, {
      'physical-health': 1,
      'social-contact': 10,
      money: 6,
    })
    assert.deepEqual(
      problems(star, { 'physical-health': 0, 'social-contact': 11 }).map((p) => p.message),
      [
        'The answer to "Physical health" must be a whole number from 1 to 10',
        'The answer to "Social contact" must be a whole number from 1 to 10',
        'Answer "Managing money"',
      ],
    )
    assert.equal(findInstrument('star:luton-wellbeing', [star]), star)
    assert.equal(findInstrument('swemwbs'), SWEMWBS)
  })

  it('can hold a licensed instrument’s scores as plain numbers on its own scale', () => {
    const defined = defineStar({
      id: 'pam',
      name: 'PAM score',
      domains: [{ id: 'score', label: 'PAM score' }],
      scale: { min: 0, max: 100 },
    })
    assert.ok(defined.ok)
    assert.equal(scored(defined.instrument, { score: 67 }).values.score, 67)
    assert.equal(problems(defined.instrument, { score: 101 })[0]?.field, 'score')
  })

  it('refuses a star that is not well made', () => {
    const result = defineStar({
      id: 'Bad Star',
      name: ' ',
      domains: [
        { id: 'money', label: 'Money' },
        { id: 'money', label: '' },
      ],
      scale: { min: 10, max: 1 },
    })
    assert.ok(!result.ok)
    assert.deepEqual(
      result.problems.map((p) => p.field),
      ['id', 'name', 'domains.1.id', 'domains.1.label', 'scale'],
    )
    const empty = defineStar({ id: 'empty', name: 'Empty', domains: [] })
    assert.ok(!empty.ok)
    assert.equal(empty.problems[0]?.message, 'A star needs 1 to 20 domains')
  })
})

const reading = (takenAt: string, instrument: Instrument, answers: Record<string, unknown>): Reading => ({
  takenAt,
  scores: scored(instrument, answers).values,
})

describe('change for one person', () => {
  it('compares the first reading with the latest, in the direction that counts as better', () => {
    const change = personChange(ONS4, [
      reading('2026-06-01T10:00:00Z', ONS4, ons4(5, 5, 5, 5)),
      reading('2026-03-01T10:00:00Z', ONS4, ons4(3, 6, 5, 7)),
      reading('2026-09-01T10:00:00Z', ONS4, ons4(6, 4, 5, 4)),
    ])
    assert.ok(change)
    assert.equal(change.baselineAt, '2026-03-01T10:00:00Z')
    assert.equal(change.latestAt, '2026-09-01T10:00:00Z')
    assert.deepEqual(
      change.scores.map((s) => [
        s.id,
        s.baseline,
        s.latest,
        s.change,
        s.direction,
        s.baselineBand?.id,
        s.latestBand?.id,
      ]),
      [
        ['life-satisfaction', 3, 6, 3, 'improved', 'low', 'medium'],
        ['worthwhile', 6, 4, -2, 'worse', 'medium', 'low'],
        ['happiness', 5, 5, 0, 'unchanged', 'medium', 'medium'],
        // Less anxious is better.
        ['anxiety', 7, 4, -3, 'improved', 'high', 'medium'],
      ],
    )
  })

  it('counts less loneliness as improvement', () => {
    const change = personChange(LONELINESS, [
      reading('2026-01-01T00:00:00Z', LONELINESS, {
        'lack-companionship': 3,
        'left-out': 3,
        isolated: 2,
        lonely: 5,
      }),
      reading('2026-04-01T00:00:00Z', LONELINESS, {
        'lack-companionship': 2,
        'left-out': 1,
        isolated: 2,
        lonely: 3,
      }),
    ])
    assert.deepEqual(
      change?.scores.map((s) => [s.id, s.baseline, s.latest, s.change, s.direction]),
      [
        ['ucla', 8, 5, -3, 'improved'],
        ['lonely', 5, 3, -2, 'improved'],
      ],
    )
  })

  it('needs two readings', () => {
    assert.equal(personChange(ONS4, []), undefined)
    assert.equal(personChange(ONS4, [reading('2026-01-01T00:00:00Z', ONS4, ons4(1, 1, 1, 1))]), undefined)
  })
})

describe('change across a programme', () => {
  it('pairs each person’s baseline with their latest, and counts who improved', () => {
    const people = [
      [
        reading('2026-01-01T00:00:00Z', SWEMWBS, swemwbsAnswersFor(14)),
        reading('2026-04-01T00:00:00Z', SWEMWBS, swemwbsAnswersFor(21)),
      ],
      [
        reading('2026-01-05T00:00:00Z', SWEMWBS, swemwbsAnswersFor(22)),
        reading('2026-02-05T00:00:00Z', SWEMWBS, swemwbsAnswersFor(30)),
        reading('2026-04-05T00:00:00Z', SWEMWBS, swemwbsAnswersFor(20)),
      ],
      // One reading only: not paired.
      [reading('2026-01-09T00:00:00Z', SWEMWBS, swemwbsAnswersFor(35))],
    ]
    const summary = programmeChange(SWEMWBS, people)
    assert.equal(summary.people, 3)
    assert.equal(summary.paired, 2)
    assert.equal(summary.improvedInAny, 1)
    assert.equal(summary.shareImprovedInAny, 0.5)
    const raw = summary.scores.find((s) => s.id === 'raw')
    // Raw 14 → 21 (+7) and 22 → 20 (−2).
    assert.deepEqual(
      [
        raw?.pairs,
        raw?.meanBaseline,
        raw?.meanLatest,
        raw?.meanChange,
        raw?.improved,
        raw?.worse,
        raw?.shareImproved,
      ],
      [2, 18, 20.5, 2.5, 1, 1, 0.5],
    )
    const metric = summary.scores.find((s) => s.id === 'metric')
    // Metric 15.32 → 19.25 (+3.93) and 19.98 → 18.59 (−1.39): mean change 1.27.
    assert.ok(Math.abs((metric?.meanChange ?? 0) - 1.27) < 1e-9, String(metric?.meanChange))
    assert.ok(Math.abs((metric?.meanBaseline ?? 0) - 17.65) < 1e-9)
  })

  it('counts improvement on any one score, and gives no means for an ordinal answer', () => {
    const people = [
      [
        reading('2026-01-01T00:00:00Z', LONELINESS, {
          'lack-companionship': 2,
          'left-out': 2,
          isolated: 2,
          lonely: 3,
        }),
        reading('2026-03-01T00:00:00Z', LONELINESS, {
          'lack-companionship': 2,
          'left-out': 2,
          isolated: 2,
          lonely: 2,
        }),
      ],
      [
        reading('2026-01-01T00:00:00Z', LONELINESS, {
          'lack-companionship': 1,
          'left-out': 1,
          isolated: 1,
          lonely: 1,
        }),
        reading('2026-03-01T00:00:00Z', LONELINESS, {
          'lack-companionship': 1,
          'left-out': 2,
          isolated: 1,
          lonely: 1,
        }),
      ],
    ]
    const summary = programmeChange(LONELINESS, people)
    assert.equal(summary.improvedInAny, 1)
    assert.equal(summary.shareImprovedInAny, 0.5)
    const lonely = summary.scores.find((s) => s.id === 'lonely')
    assert.deepEqual(
      [lonely?.kind, lonely?.meanChange, lonely?.improved, lonely?.unchanged, lonely?.shareImproved],
      ['ordinal', null, 1, 1, 0.5],
    )
    const ucla = summary.scores.find((s) => s.id === 'ucla')
    assert.deepEqual([ucla?.meanChange, ucla?.unchanged, ucla?.worse], [0.5, 1, 1])
  })

  it('says nothing improved, rather than dividing by zero, when nobody has two readings', () => {
    const summary = programmeChange(ONS4, [[reading('2026-01-01T00:00:00Z', ONS4, ons4(1, 1, 1, 1))]])
    assert.equal(summary.paired, 0)
    assert.equal(summary.shareImprovedInAny, null)
    assert.deepEqual(
      summary.scores.map((s) => [s.pairs, s.meanChange, s.shareImproved]),
      [
        [0, null, null],
        [0, null, null],
        [0, null, null],
        [0, null, null],
      ],
    )
  })
})
