// A programme's outcome settings as pure data: which instruments it uses and at which stages,
// its own star, and the rules for outcome payments. Parsing from forms, what is due, and the
// social impact bond (SIB) summary. No I/O.

import { z } from 'zod'
import type { FieldProblem } from '../web/problem.ts'
import {
  defineStar,
  INSTRUMENTS,
  type Instrument,
  programmeChange,
  type Reading,
  type StarDefinition,
} from './instruments.ts'

export const STAGES = ['baseline', 'review', 'exit'] as const
export type Stage = (typeof STAGES)[number]

export const STAGE_LABELS: Record<Stage, string> = {
  baseline: 'Baseline, at the first appointment',
  review: 'Review',
  exit: 'Exit',
}

export const STAGE_NAMES: Record<Stage, string> = { baseline: 'Baseline', review: 'Review', exit: 'Exit' }

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value)
}

export interface ScheduledMeasure {
  instrumentId: string
  stages: Stage[]
}

export interface PaymentRules {
  /** The instrument whose readings count: usually the programme's star. */
  instrumentId: string
  /** Paid for each person with at least two readings who improved in at least one domain, in pence. */
  perPersonImprovedPence: number
  /** The most that is paid in all, in pence; null for no cap. */
  capPence: number | null
}

export interface OutcomeSettings {
  programmeId: string
  measures: ScheduledMeasure[]
  star: StarDefinition | null
  paymentRules: PaymentRules | null
  updatedAt: string | null
}

export function emptySettings(programmeId: string): OutcomeSettings {
  return { programmeId, measures: [], star: null, paymentRules: null, updatedAt: null }
}

/** The programme's star as an instrument, when it has one. */
export function starInstrument(settings: OutcomeSettings): Instrument | undefined {
  if (!settings.star) return undefined
  const result = defineStar(settings.star)
  return result.ok ? result.instrument : undefined
}

/** Every instrument the programme may record: the built-in ones and its star. */
export function instrumentsOf(settings: OutcomeSettings): Instrument[] {
  const star = starInstrument(settings)
  return [...INSTRUMENTS, ...(star ? [star] : [])]
}

/** The instruments the programme has scheduled, in the order they were set. */
export function scheduledInstruments(
  settings: OutcomeSettings,
): { instrument: Instrument; stages: Stage[] }[] {
  const all = instrumentsOf(settings)
  return settings.measures.flatMap((measure) => {
    const instrument = all.find((i) => i.id === measure.instrumentId)
    return instrument ? [{ instrument, stages: measure.stages }] : []
  })
}

// Forms -------------------------------------------------------------------------------------

const asList = (value: unknown): string[] =>
  value === undefined || value === null || value === ''
    ? []
    : (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string')

/**
 * The schedule form: for each instrument, a checkbox group `stages.<instrument id>` with the stages
 * it is taken at. Instruments with no stage ticked are not used.
 */
export function parseScheduleForm(
  body: Record<string, unknown>,
  instruments: readonly Instrument[],
): { ok: true; value: ScheduledMeasure[] } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  const measures: ScheduledMeasure[] = []
  for (const key of Object.keys(body)) {
    if (key.startsWith('stages.') && !instruments.some((i) => `stages.${i.id}` === key))
      problems.push({ field: key, message: 'Choose only instruments this programme can use' })
  }
  for (const instrument of instruments) {
    const given = asList(body[`stages.${instrument.id}`])
    const bad = given.filter((stage) => !isStage(stage))
    if (bad.length > 0) {
      problems.push({
        field: `stages.${instrument.id}`,
        message: `Choose baseline, review or exit for ${instrument.name}`,
      })
      continue
    }
    const stages = STAGES.filter((stage) => given.includes(stage))
    if (stages.length > 0) measures.push({ instrumentId: instrument.id, stages })
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: measures }
}

export function slugOf(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
}

const wholeText = (label: string) =>
  z.string().trim().regex(/^\d+$/, `Enter the ${label} as a whole number`).transform(Number)

const starFormSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name for the star')
    .max(100, 'The name must be 100 characters or fewer'),
  domains: z.string().trim().min(1, 'Enter at least one domain, one on each line'),
  scaleMin: wholeText('lowest score'),
  scaleMax: wholeText('highest score'),
  minLabel: z.string().trim().max(60, 'The words must be 60 characters or fewer').optional().default(''),
  maxLabel: z.string().trim().max(60, 'The words must be 60 characters or fewer').optional().default(''),
})

/**
 * The star form: a name, the domains one to a line (`Lower is better` may follow a domain after a
 * bar: `Pain | lower`), the scale's ends and their words.
 */
export function parseStarForm(
  body: Record<string, unknown>,
): { ok: true; value: StarDefinition } | { ok: false; problems: FieldProblem[] } {
  const parsed = starFormSchema.safeParse(body)
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        field: String(issue.path[0]),
        message: issue.message,
      })),
    }
  const form = parsed.data
  const domains = form.domains
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [label = '', direction] = line.split('|').map((part) => part.trim())
      return {
        id: slugOf(label),
        label,
        ...(direction?.toLowerCase() === 'lower' ? { better: 'lower' as const } : {}),
      }
    })
  const definition: StarDefinition = {
    id: slugOf(form.name) || 'star',
    name: form.name,
    domains,
    scale: {
      min: form.scaleMin,
      max: form.scaleMax,
      ...(form.minLabel && form.maxLabel ? { minLabel: form.minLabel, maxLabel: form.maxLabel } : {}),
    },
  }
  const checked = defineStar(definition)
  if (!checked.ok)
    return {
      ok: false,
      problems: checked.problems.map((p) => ({
        field: p.field.startsWith('domains') ? 'domains' : p.field === 'scale' ? 'scaleMin' : 'name',
        message: p.field.endsWith('.id') ? `${p.message}: give each domain a different name` : p.message,
      })),
    }
  return { ok: true, value: definition }
}

const poundsText = (label: string) =>
  z
    .string()
    .trim()
    .regex(/^£?\d{1,7}(\.\d{1,2})?$/, `Enter the ${label} in pounds, like 250 or 250.00`)
    .transform((text) => Math.round(Number(text.replace('£', '')) * 100))

const paymentFormSchema = z.object({
  instrumentId: z.string().min(1, 'Choose the measure that outcome payments are based on'),
  perPersonImproved: poundsText('payment for each person who improved'),
  cap: z
    .string()
    .trim()
    .optional()
    .default('')
    .transform((text, ctx) => {
      if (text === '') return null
      const parsed = poundsText('most paid in all').safeParse(text)
      if (!parsed.success) {
        ctx.addIssue({
          code: 'custom',
          message: 'Enter the most paid in all in pounds, like 50000, or leave it empty',
        })
        return z.NEVER
      }
      return parsed.data
    }),
})

export function parsePaymentForm(
  body: Record<string, unknown>,
  instruments: readonly Instrument[],
): { ok: true; value: PaymentRules } | { ok: false; problems: FieldProblem[] } {
  const parsed = paymentFormSchema.safeParse(body)
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        field: String(issue.path[0]),
        message: issue.message,
      })),
    }
  if (!instruments.some((i) => i.id === parsed.data.instrumentId))
    return {
      ok: false,
      problems: [{ field: 'instrumentId', message: 'Choose one of the measures this programme records' }],
    }
  return {
    ok: true,
    value: {
      instrumentId: parsed.data.instrumentId,
      perPersonImprovedPence: parsed.data.perPersonImproved,
      capPence: parsed.data.cap,
    },
  }
}

// What is due -------------------------------------------------------------------------------

export interface DueMeasure {
  instrumentId: string
  name: string
  stage: Stage
}

/**
 * The scheduled measures at `stage` that the person has no reading for yet at that stage.
 * `recorded` is the set of `<instrument id>/<stage>` the person already has.
 */
export function dueAt(settings: OutcomeSettings, stage: Stage, recorded: ReadonlySet<string>): DueMeasure[] {
  return scheduledInstruments(settings)
    .filter(({ instrument, stages }) => stages.includes(stage) && !recorded.has(`${instrument.id}/${stage}`))
    .map(({ instrument }) => ({ instrumentId: instrument.id, name: instrument.name, stage }))
}

// Outcome payments (social impact bond) -----------------------------------------------------

export interface PaymentSummary {
  instrumentId: string
  instrumentName: string
  /** People with any reading. */
  people: number
  /** People with at least two readings (a baseline and a later one). */
  withTwoReadings: number
  /** Of those, people better in at least one domain. */
  improvedInAny: number
  shareImproved: number | null
  perPersonImprovedPence: number
  capPence: number | null
  /** improvedInAny × the rate, at most the cap. */
  paymentPence: number
  capped: boolean
}

export function paymentSummary(
  instrument: Instrument,
  people: readonly (readonly Reading[])[],
  rules: PaymentRules,
): PaymentSummary {
  const change = programmeChange(instrument, people)
  const { paymentPence: payment, capped } = paymentDue(rules, change.improvedInAny)
  return {
    instrumentId: instrument.id,
    instrumentName: instrument.name,
    people: change.people,
    withTwoReadings: change.paired,
    improvedInAny: change.improvedInAny,
    shareImproved: change.shareImprovedInAny,
    perPersonImprovedPence: rules.perPersonImprovedPence,
    capPence: rules.capPence,
    paymentPence: payment,
    capped,
  }
}

/** The payment for a number of people improved in any score, and whether the cap cut it. */
export function paymentDue(
  rules: PaymentRules,
  improvedInAny: number,
): { paymentPence: number; capped: boolean } {
  const uncapped = improvedInAny * rules.perPersonImprovedPence
  const payment = rules.capPence === null ? uncapped : Math.min(uncapped, rules.capPence)
  return { paymentPence: payment, capped: payment < uncapped }
}

export function formatPounds(pence: number): string {
  return `£${(pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
}
