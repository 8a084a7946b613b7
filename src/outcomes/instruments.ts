// Outcome instruments as data, each with its scoring, and the change between readings.
//
// Wording, answer scales, scoring and thresholds are those of the sources named on each
// instrument (see shared reference section 2); nothing here is invented. ONS4 has no composite
// score, so none is computed. Licensed instruments (the Outcomes Star, PAM) are not copied: a
// programme defines its own "star" of domains on a numeric scale, and may use one to record
// such an instrument's scores as plain numbers.
//
// Pure functions, no I/O: the outcomes capability stores answers and scores and calls these.

import { badRequest, type FieldProblem } from '../web/problem.ts'

/** Which way a score counts as better. */
export type Better = 'higher' | 'lower'

export interface AnswerOption {
  value: number
  label: string
}

export interface Item {
  id: string
  /** The question or statement exactly as it is asked. */
  text: string
  /** A short name for tables and messages. */
  label: string
  min: number
  max: number
  /** Every answer with its words, in the order they are offered; absent for a plain numeric scale. */
  options?: readonly AnswerOption[]
  /** The words at each end of a numeric scale. */
  ends?: { min: string; max: string }
  better: Better
}

export interface Band {
  id: string
  label: string
  min: number
  max: number
}

export interface ScoreDefinition {
  id: string
  label: string
  min: number
  max: number
  better: Better
  /** interval: means and differences mean something; ordinal: only the order does, so no means. */
  kind: 'interval' | 'ordinal'
  /** Decimal places to show. */
  decimals: number
  bands?: readonly Band[]
  /** Words for each value, when the score is an answer with words. */
  options?: readonly AnswerOption[]
}

export interface Instrument {
  id: string
  name: string
  /** Said or shown before the items. */
  introduction: string
  items: readonly Item[]
  scores: readonly ScoreDefinition[]
  /** Must appear on every copy of the instrument and in every report of its results. */
  copyright?: string
  sources: readonly string[]
  /** What must be checked against the primary source before release. */
  caveats: readonly string[]
  /** The scores from answers already checked complete and in range. */
  compute(answers: Readonly<Record<string, number>>): Record<string, number>
}

// ONS4 personal well-being -------------------------------------------------------------------

/** ONS thresholds for life satisfaction, worthwhile and happiness. */
export const ONS4_BANDS: readonly Band[] = [
  { id: 'low', label: 'Low', min: 0, max: 4 },
  { id: 'medium', label: 'Medium', min: 5, max: 6 },
  { id: 'high', label: 'High', min: 7, max: 8 },
  { id: 'very-high', label: 'Very high', min: 9, max: 10 },
]

/** ONS thresholds for anxiety, where lower is better. */
export const ONS4_ANXIETY_BANDS: readonly Band[] = [
  { id: 'very-low', label: 'Very low', min: 0, max: 1 },
  { id: 'low', label: 'Low', min: 2, max: 3 },
  { id: 'medium', label: 'Medium', min: 4, max: 5 },
  { id: 'high', label: 'High', min: 6, max: 10 },
]

const NOT_AT_ALL = { min: 'Not at all', max: 'Completely' }

const ons4Items: readonly Item[] = [
  {
    id: 'life-satisfaction',
    label: 'Life satisfaction',
    text: 'Overall, how satisfied are you with your life nowadays?',
    min: 0,
    max: 10,
    ends: NOT_AT_ALL,
    better: 'higher',
  },
  {
    id: 'worthwhile',
    label: 'Worthwhile',
    text: 'Overall, to what extent do you feel that the things you do in your life are worthwhile?',
    min: 0,
    max: 10,
    ends: NOT_AT_ALL,
    better: 'higher',
  },
  {
    id: 'happiness',
    label: 'Happiness',
    text: 'Overall, how happy did you feel yesterday?',
    min: 0,
    max: 10,
    ends: NOT_AT_ALL,
    better: 'higher',
  },
  {
    id: 'anxiety',
    label: 'Anxiety',
    text: "On a scale where nought is 'not at all anxious' and 10 is 'completely anxious', overall, how anxious did you feel yesterday?",
    min: 0,
    max: 10,
    ends: { min: 'Not at all anxious', max: 'Completely anxious' },
    better: 'lower',
  },
]

export const ONS4: Instrument = {
  id: 'ons4',
  name: 'ONS4 personal well-being',
  introduction: "Answer each question on a scale where nought is 'not at all' and 10 is 'completely'.",
  items: ons4Items,
  // Each item is reported on its own: ONS publishes no composite score.
  scores: ons4Items.map((item) => ({
    id: item.id,
    label: item.label,
    min: 0,
    max: 10,
    better: item.better,
    kind: 'interval' as const,
    decimals: 0,
    bands: item.id === 'anxiety' ? ONS4_ANXIETY_BANDS : ONS4_BANDS,
  })),
  sources: [
    'GSS harmonised standard for personal well-being: https://gss.civilservice.gov.uk/policy-store/personal-well-being/',
    'ONS thresholds (FOI response, a set of annual UK subjective well-being score distributions)',
  ],
  caveats: [],
  compute: (answers) => Object.fromEntries(ons4Items.map((item) => [item.id, answers[item.id] as number])),
}

// SWEMWBS ------------------------------------------------------------------------------------

/** Warwick's conversion from the SWEMWBS raw score (7–35) to the metric score. */
export const SWEMWBS_METRIC: Readonly<Record<number, number>> = {
  7: 7.0,
  8: 9.51,
  9: 11.25,
  10: 12.4,
  11: 13.33,
  12: 14.08,
  13: 14.75,
  14: 15.32,
  15: 15.84,
  16: 16.36,
  17: 16.88,
  18: 17.43,
  19: 17.98,
  20: 18.59,
  21: 19.25,
  22: 19.98,
  23: 20.73,
  24: 21.54,
  25: 22.35,
  26: 23.21,
  27: 24.11,
  28: 25.03,
  29: 26.02,
  30: 27.03,
  31: 28.13,
  32: 29.31,
  33: 30.7,
  34: 32.55,
  35: 35.0,
}

export const SWEMWBS_COPYRIGHT =
  'Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health Scotland, University of Warwick and University of Edinburgh, 2008, all rights reserved.'

const SWEMWBS_OPTIONS: readonly AnswerOption[] = [
  { value: 1, label: 'None of the time' },
  { value: 2, label: 'Rarely' },
  { value: 3, label: 'Some of the time' },
  { value: 4, label: 'Often' },
  { value: 5, label: 'All of the time' },
]

const swemwbsItems: readonly Item[] = (
  [
    ['optimistic', 'Optimistic', "I've been feeling optimistic about the future"],
    ['useful', 'Useful', "I've been feeling useful"],
    ['relaxed', 'Relaxed', "I've been feeling relaxed"],
    ['dealing-with-problems', 'Dealing with problems', "I've been dealing with problems well"],
    ['thinking-clearly', 'Thinking clearly', "I've been thinking clearly"],
    ['close-to-others', 'Close to other people', "I've been feeling close to other people"],
    ['own-mind', 'Making up my own mind', "I've been able to make up my own mind about things"],
  ] as const
).map(([id, label, text]) => ({
  id,
  label,
  text,
  min: 1,
  max: 5,
  options: SWEMWBS_OPTIONS,
  better: 'higher',
}))

/** The metric score for a raw score of 7 to 35. */
export function swemwbsMetric(raw: number): number {
  const metric = SWEMWBS_METRIC[raw]
  if (metric === undefined)
    throw new RangeError(`A SWEMWBS raw score is a whole number from 7 to 35, not ${raw}`)
  return metric
}

export const SWEMWBS: Instrument = {
  id: 'swemwbs',
  name: 'Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)',
  introduction: 'Over the last 2 weeks:',
  items: swemwbsItems,
  scores: [
    { id: 'metric', label: 'Metric score', min: 7, max: 35, better: 'higher', kind: 'interval', decimals: 2 },
    { id: 'raw', label: 'Raw score', min: 7, max: 35, better: 'higher', kind: 'interval', decimals: 0 },
  ],
  copyright: SWEMWBS_COPYRIGHT,
  sources: [
    'Items and scale: https://measure.whatworkswellbeing.org/measures-bank/swemwbs/',
    'Scoring: https://warwick.ac.uk/fac/med/research/platform/wemwbs/researchers/guidance/',
    'Copyright line: https://corc.uk.net/outcome-experience-measures/short-warwick-edinburgh-mental-wellbeing-scale-swemwbs',
  ],
  caveats: [
    "The raw-to-metric table is the one four independent implementations agree on; check it against Warwick's published PDF before release (one implementation gives 25.99 for a raw score of 29).",
    'Users of SWEMWBS must register with the University of Warwick (free for not-for-profit use).',
  ],
  compute(answers) {
    const raw = swemwbsItems.reduce((sum, item) => sum + (answers[item.id] as number), 0)
    return { raw, metric: swemwbsMetric(raw) }
  },
}

// Loneliness: the UCLA three-item scale and the ONS direct question --------------------------

const UCLA_OPTIONS: readonly AnswerOption[] = [
  { value: 1, label: 'Hardly ever or never' },
  { value: 2, label: 'Some of the time' },
  { value: 3, label: 'Often' },
]

// The direct question's answers in the order ONS offers them. Their values rank how often, so
// that, as with the UCLA items, lower is better; they are for ordering change, not a score.
const LONELY_OPTIONS: readonly AnswerOption[] = [
  { value: 5, label: 'Often/always' },
  { value: 4, label: 'Some of the time' },
  { value: 3, label: 'Occasionally' },
  { value: 2, label: 'Hardly ever' },
  { value: 1, label: 'Never' },
]

const uclaItems: readonly Item[] = (
  [
    ['lack-companionship', 'Lack companionship', 'How often do you feel that you lack companionship?'],
    ['left-out', 'Left out', 'How often do you feel left out?'],
    ['isolated', 'Isolated', 'How often do you feel isolated from others?'],
  ] as const
).map(([id, label, text]) => ({ id, label, text, min: 1, max: 3, options: UCLA_OPTIONS, better: 'lower' }))

const lonelyItem: Item = {
  id: 'lonely',
  label: 'Feels lonely',
  text: 'How often do you feel lonely?',
  min: 1,
  max: 5,
  options: LONELY_OPTIONS,
  better: 'lower',
}

export const LONELINESS: Instrument = {
  id: 'loneliness',
  name: 'Loneliness (ONS national indicators)',
  introduction:
    'The next four questions are about relationships with others. For each one, please say how often (if at all) you feel that way.',
  items: [...uclaItems, lonelyItem],
  scores: [
    {
      id: 'ucla',
      label: 'UCLA three-item score',
      min: 3,
      max: 9,
      better: 'lower',
      kind: 'interval',
      decimals: 0,
    },
    {
      id: 'lonely',
      label: 'How often they feel lonely',
      min: 1,
      max: 5,
      better: 'lower',
      kind: 'ordinal',
      decimals: 0,
      options: LONELY_OPTIONS,
    },
  ],
  sources: [
    'GSS loneliness harmonised principle: https://gss.civilservice.gov.uk/policy-store/loneliness-indicators/',
    'Answer codes as Understanding Society scaloneliness_w14',
  ],
  caveats: [
    "The direct question's five answer labels come from secondary sources; confirm them against the ONS guidance on measuring loneliness before release.",
  ],
  compute(answers) {
    return {
      ucla: uclaItems.reduce((sum, item) => sum + (answers[item.id] as number), 0),
      lonely: answers.lonely as number,
    }
  },
}

// A programme's own star ---------------------------------------------------------------------

export interface StarDefinition {
  /** Lower-case words joined by hyphens: `luton-wellbeing-star`. */
  id: string
  name: string
  domains: readonly { id: string; label: string; better?: Better }[]
  /** The answer scale: whole numbers, 1 to 10 unless the programme says otherwise. */
  scale?: { min: number; max: number; minLabel?: string; maxLabel?: string }
  introduction?: string
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
export const STAR_MAX_DOMAINS = 20

/** Checks a programme's star and makes it an instrument (`star:<id>`), or says what is wrong. */
export function defineStar(
  definition: StarDefinition,
): { ok: true; instrument: Instrument } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  const scale = { min: 1, max: 10, ...definition.scale }
  if (!SLUG.test(definition.id))
    problems.push({ field: 'id', message: 'The star’s id must be lower-case words joined by hyphens' })
  if (definition.name.trim() === '') problems.push({ field: 'name', message: 'Enter a name for the star' })
  if (definition.domains.length === 0 || definition.domains.length > STAR_MAX_DOMAINS)
    problems.push({ field: 'domains', message: `A star needs 1 to ${STAR_MAX_DOMAINS} domains` })
  const seen = new Set<string>()
  definition.domains.forEach((domain, index) => {
    if (!SLUG.test(domain.id))
      problems.push({
        field: `domains.${index}.id`,
        message: `Domain ${index + 1}’s id must be lower-case words joined by hyphens`,
      })
    else if (seen.has(domain.id))
      problems.push({ field: `domains.${index}.id`, message: `Two domains are called "${domain.id}"` })
    seen.add(domain.id)
    if (domain.label.trim() === '')
      problems.push({ field: `domains.${index}.label`, message: `Enter a name for domain ${index + 1}` })
  })
  if (!Number.isInteger(scale.min) || !Number.isInteger(scale.max) || scale.min < 0 || scale.max > 100)
    problems.push({ field: 'scale', message: 'The scale’s ends must be whole numbers from 0 to 100' })
  else if (scale.min >= scale.max)
    problems.push({ field: 'scale', message: 'The scale’s lowest value must be below its highest' })
  if (problems.length > 0) return { ok: false, problems }

  const ends = scale.minLabel && scale.maxLabel ? { ends: { min: scale.minLabel, max: scale.maxLabel } } : {}
  const items: Item[] = definition.domains.map((domain) => ({
    id: domain.id,
    label: domain.label.trim(),
    text: domain.label.trim(),
    min: scale.min,
    max: scale.max,
    better: domain.better ?? 'higher',
    ...ends,
  }))
  return {
    ok: true,
    instrument: {
      id: `star:${definition.id}`,
      name: definition.name.trim(),
      introduction:
        definition.introduction ?? `Score each area from ${scale.min} to ${scale.max}, as you see it today.`,
      items,
      scores: items.map((item) => ({
        id: item.id,
        label: item.label,
        min: item.min,
        max: item.max,
        better: item.better,
        kind: 'interval' as const,
        decimals: 0,
      })),
      sources: ['Defined by the programme'],
      caveats: [],
      compute: (answers) => Object.fromEntries(items.map((item) => [item.id, answers[item.id] as number])),
    },
  }
}

// Scoring ------------------------------------------------------------------------------------

export const INSTRUMENTS: readonly Instrument[] = [ONS4, SWEMWBS, LONELINESS]

/** A built-in instrument by id, or one of the programme's stars. */
export function findInstrument(id: string, stars: readonly Instrument[] = []): Instrument | undefined {
  return [...INSTRUMENTS, ...stars].find((instrument) => instrument.id === id)
}

export interface ScoreResult {
  id: string
  label: string
  value: number
  better: Better
  band: Band | undefined
  /** As people read it: `19.98`, `Medium`, `Often/always`. */
  display: string
}

export interface Scored {
  instrumentId: string
  /** The checked answers, as whole numbers. */
  answers: Record<string, number>
  scores: ScoreResult[]
  /** Score id to value, as a reading stores it. */
  values: Record<string, number>
}

export function bandOf(definition: ScoreDefinition, value: number): Band | undefined {
  return definition.bands?.find((band) => value >= band.min && value <= band.max)
}

export function displayScore(definition: ScoreDefinition, value: number): string {
  const option = definition.options?.find((o) => o.value === value)
  return option ? option.label : value.toFixed(definition.decimals)
}

function rangeText(item: Item): string {
  if (item.options) {
    const [first, last] = [
      item.options.find((o) => o.value === item.min),
      item.options.find((o) => o.value === item.max),
    ]
    return `one of the answers offered, from ${item.min} (${first?.label}) to ${item.max} (${last?.label})`
  }
  return `a whole number from ${item.min} to ${item.max}`
}

/**
 * Checks the answers (every item answered with a whole number in its range, nothing else) and
 * scores them. Answers may be numbers or the strings a form sends. Each problem names its item.
 */
export function scoreAnswers(
  instrument: Instrument,
  answers: Readonly<Record<string, unknown>>,
): { ok: true; scored: Scored } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  const checked: Record<string, number> = {}
  for (const item of instrument.items) {
    const given = answers[item.id]
    const text = typeof given === 'string' ? given.trim() : given
    if (text === undefined || text === null || text === '') {
      problems.push({ field: item.id, message: `Answer "${item.text}"` })
      continue
    }
    const value =
      typeof text === 'number' ? text : typeof text === 'string' && /^-?\d+$/.test(text) ? Number(text) : NaN
    const allowed = item.options
      ? item.options.some((o) => o.value === value)
      : value >= item.min && value <= item.max
    if (!Number.isInteger(value) || !allowed) {
      problems.push({ field: item.id, message: `The answer to "${item.text}" must be ${rangeText(item)}` })
      continue
    }
    checked[item.id] = value
  }
  for (const key of Object.keys(answers)) {
    if (!instrument.items.some((item) => item.id === key))
      problems.push({ field: key, message: `"${key}" is not a question in ${instrument.name}` })
  }
  if (problems.length > 0) return { ok: false, problems }

  const values = instrument.compute(checked)
  const scores = instrument.scores.map((definition) => {
    const value = values[definition.id] as number
    const band = bandOf(definition, value)
    return {
      id: definition.id,
      label: definition.label,
      value,
      better: definition.better,
      band,
      display: displayScore(definition, value),
    }
  })
  return { ok: true, scored: { instrumentId: instrument.id, answers: checked, scores, values } }
}

// Change -------------------------------------------------------------------------------------

export interface Reading {
  /** When it was taken (ISO time); readings are ordered by it. */
  takenAt: string
  /** Score id to value: `Scored.values`. */
  scores: Readonly<Record<string, number>>
}

export type Direction = 'improved' | 'worse' | 'unchanged'

export function directionOf(better: Better, from: number, to: number): Direction {
  if (to === from) return 'unchanged'
  return to > from === (better === 'higher') ? 'improved' : 'worse'
}

export interface ScoreChange {
  id: string
  label: string
  better: Better
  baseline: number
  latest: number
  /** latest − baseline, in the score's own units (negative is better when lower is better). */
  change: number
  direction: Direction
  baselineBand: Band | undefined
  latestBand: Band | undefined
}

export interface PersonChange {
  baselineAt: string
  latestAt: string
  scores: ScoreChange[]
}

function baselineAndLatest(readings: readonly Reading[]): [Reading, Reading] | undefined {
  if (readings.length < 2) return undefined
  const sorted = [...readings].sort((a, b) => (a.takenAt < b.takenAt ? -1 : a.takenAt > b.takenAt ? 1 : 0))
  return [sorted[0]!, sorted[sorted.length - 1]!]
}

/**
 * One person's change: the first reading (baseline) against the latest, score by score, with
 * the direction that counts as better. Undefined with fewer than two readings.
 */
export function personChange(instrument: Instrument, readings: readonly Reading[]): PersonChange | undefined {
  const pair = baselineAndLatest(readings)
  if (!pair) return undefined
  const [first, last] = pair
  const scores: ScoreChange[] = []
  for (const definition of instrument.scores) {
    const baseline = first.scores[definition.id]
    const latest = last.scores[definition.id]
    if (baseline === undefined || latest === undefined) continue
    scores.push({
      id: definition.id,
      label: definition.label,
      better: definition.better,
      baseline,
      latest,
      change: Math.round((latest - baseline) * 1e9) / 1e9,
      direction: directionOf(definition.better, baseline, latest),
      baselineBand: bandOf(definition, baseline),
      latestBand: bandOf(definition, latest),
    })
  }
  return { baselineAt: first.takenAt, latestAt: last.takenAt, scores }
}

export interface ScoreSummary {
  id: string
  label: string
  better: Better
  kind: 'interval' | 'ordinal'
  /** People with this score at baseline and latest. */
  pairs: number
  /** Means are null for ordinal scores and when there are no pairs. */
  meanBaseline: number | null
  meanLatest: number | null
  meanChange: number | null
  improved: number
  unchanged: number
  worse: number
  /** improved ÷ pairs; null when there are no pairs. */
  shareImproved: number | null
}

export interface ProgrammeChange {
  /** People given. */
  people: number
  /** People with at least two readings. */
  paired: number
  /** People who improved on at least one score. */
  improvedInAny: number
  shareImprovedInAny: number | null
  scores: ScoreSummary[]
}

const mean = (values: number[]) =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length

/**
 * Paired change across a set of people (each person's readings): only people with a baseline
 * and a later reading count; for each score the mean baseline, mean latest, mean change, and
 * how many improved; and how many improved on at least one score.
 */
export function programmeChange(
  instrument: Instrument,
  people: readonly (readonly Reading[])[],
): ProgrammeChange {
  const changes = people.map((readings) => personChange(instrument, readings)).filter((c) => c !== undefined)
  const scores = instrument.scores.map((definition): ScoreSummary => {
    const pairs = changes.flatMap((change) => change.scores.filter((score) => score.id === definition.id))
    const count = (direction: Direction) => pairs.filter((pair) => pair.direction === direction).length
    const interval = definition.kind === 'interval'
    return {
      id: definition.id,
      label: definition.label,
      better: definition.better,
      kind: definition.kind,
      pairs: pairs.length,
      meanBaseline: interval ? mean(pairs.map((p) => p.baseline)) : null,
      meanLatest: interval ? mean(pairs.map((p) => p.latest)) : null,
      meanChange: interval ? mean(pairs.map((p) => p.change)) : null,
      improved: count('improved'),
      unchanged: count('unchanged'),
      worse: count('worse'),
      shareImproved: pairs.length === 0 ? null : count('improved') / pairs.length,
    }
  })
  const improvedInAny = changes.filter((change) =>
    change.scores.some((s) => s.direction === 'improved'),
  ).length
  return {
    people: people.length,
    paired: changes.length,
    improvedInAny,
    shareImprovedInAny: changes.length === 0 ? null : improvedInAny / changes.length,
    scores,
  }
}

/** Scores the answers or throws a 400 problem naming each item at fault: for JSON endpoints. */
export function scoreOrThrow(instrument: Instrument, answers: Readonly<Record<string, unknown>>): Scored {
  const result = scoreAnswers(instrument, answers)
  if (!result.ok)
    throw badRequest(`The answers to ${instrument.name} are not complete or not valid.`, result.problems)
  return result.scored
}
