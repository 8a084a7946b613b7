// The Outcomes report: for each instrument the programmes in scope use, the people with a first and
// a latest reading, the mean change, and the share who improved by at least the instrument's
// meaningful change (where a published threshold exists); and each programme's outcome payment
// due, by the payment rules the programme's managers set (Kith invents no tariff).

import { casesOpenIn } from '../casework/index.ts'
import type { Queryable } from '../db/schema.ts'
import { type Instrument, personChange, type Reading } from '../outcomes/instruments.ts'
import { formatPounds, instrumentsOf, paymentSummary } from '../outcomes/schedule.ts'
import { getOutcomeSettings, readingsBefore } from '../outcomes/store.ts'
import { getProgramme, listProgrammes } from '../programmes/store.ts'
import { barChart } from './charts.ts'
import {
  type Figure,
  publishCount,
  publishShare,
  showCount,
  showNumber,
  showShare,
  showSigned,
  table,
} from './present.ts'
import type { ResolvedScope } from './scope.ts'

/** Meaningful change for one person, only where Kith's reference states one, with its source. */
export const MEANINGFUL_CHANGE: Readonly<Record<string, { scoreId: string; value: number; source: string }>> =
  {
    swemwbs: {
      scoreId: 'metric',
      value: 2.87,
      source:
        'SWEMWBS: an improvement of at least 2.87 points on the metric score (2.77 standard errors of measurement, the stricter of the two individual-level thresholds; the lower is 1.03), from Shah et al. 2018, “Responsiveness of the Short Warwick Edinburgh Mental Well-Being Scale (SWEMWBS): evaluation a clinical sample”, Health and Quality of Life Outcomes 16:239 (doi 10.1186/s12955-018-1060-2). The authors note that anchor-based studies are still needed to confirm it is minimally important to participants.',
    },
  }

export const NO_THRESHOLD =
  'ONS4, the UCLA loneliness scale and a programme’s own star have no published meaningful-change threshold in Kith’s reference, so for them the report counts anyone whose score moved in the better direction as improved.'

export interface ScoreOutcome {
  id: string
  label: string
  decimals: number
  pairs: number
  meanFirst: number | null
  meanLatest: number | null
  meanChange: number | null
  meaningfulChange: number | null
  improvedMeaningfully: number
  shareImprovedMeaningfully: number | null
}

export interface InstrumentOutcome {
  id: string
  name: string
  copyright: string | undefined
  people: number
  withFirstAndLatest: number
  scores: ScoreOutcome[]
}

export interface PaymentDue {
  programmeId: string
  programmeName: string
  instrumentId: string | null
  instrumentName: string | null
  improved: number
  withFirstAndLatest: number
  paymentPence: number | null
  rate: string | null
  cap: string | null
  capped: boolean
}

export interface OutcomesReport {
  instruments: InstrumentOutcome[]
  payments: PaymentDue[]
}

const mean = (values: number[]) =>
  values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length

/** The outcome of one instrument over people's readings. Pure. */
export function instrumentOutcome(
  instrument: Instrument,
  people: readonly (readonly Reading[])[],
): InstrumentOutcome {
  const changes = people.map((readings) => personChange(instrument, readings)).filter((c) => c !== undefined)
  const threshold = MEANINGFUL_CHANGE[instrument.id]
  const scores = instrument.scores.map((definition): ScoreOutcome => {
    const pairs = changes.flatMap((change) => change.scores.filter((score) => score.id === definition.id))
    const interval = definition.kind === 'interval'
    const meaningful = threshold?.scoreId === definition.id ? threshold.value : null
    const sign = definition.better === 'higher' ? 1 : -1
    const improved = pairs.filter((pair) =>
      meaningful === null ? pair.direction === 'improved' : sign * pair.change >= meaningful - 1e-9,
    ).length
    return {
      id: definition.id,
      label: definition.label,
      decimals: definition.decimals,
      pairs: pairs.length,
      meanFirst: interval ? mean(pairs.map((p) => p.baseline)) : null,
      meanLatest: interval ? mean(pairs.map((p) => p.latest)) : null,
      meanChange: interval ? mean(pairs.map((p) => p.change)) : null,
      meaningfulChange: meaningful,
      improvedMeaningfully: improved,
      shareImprovedMeaningfully: pairs.length === 0 ? null : improved / pairs.length,
    }
  })
  return {
    id: instrument.id,
    name: instrument.name,
    copyright: instrument.copyright,
    people: people.length,
    withFirstAndLatest: changes.length,
    scores,
  }
}

export async function outcomesReport(db: Queryable, scope: ResolvedScope): Promise<OutcomesReport> {
  const cases = await casesOpenIn(db, scope.cases, scope.period)
  const peopleByProgramme = new Map<string, Set<string>>()
  for (const kase of cases) {
    const set = peopleByProgramme.get(kase.programmeId) ?? new Set<string>()
    set.add(kase.personId)
    peopleByProgramme.set(kase.programmeId, set)
  }
  const programmeIds = scope.programmeIds ?? (await listProgrammes(db)).map((p) => p.id)
  const readings = new Map<string, { instrument: Instrument; people: Reading[][] }>()
  const payments: PaymentDue[] = []
  for (const programmeId of programmeIds) {
    const people = peopleByProgramme.get(programmeId)
    const settings = await getOutcomeSettings(db, programmeId)
    const programme = await getProgramme(db, programmeId)
    const used = instrumentsOf(settings).filter(
      (i) =>
        settings.measures.some((m) => m.instrumentId === i.id) ||
        settings.paymentRules?.instrumentId === i.id,
    )
    for (const instrument of used) {
      const byPerson = people
        ? await readingsBefore(db, programmeId, instrument.id, scope.period.to)
        : new Map()
      const inScope = [...byPerson]
        .filter(([personId]) => people?.has(personId))
        .map(([, r]) => r as Reading[])
      // A programme's own star is its own instrument; the shared ones add up across programmes.
      const key = instrument.id.startsWith('star') ? `${programmeId}:${instrument.id}` : instrument.id
      const entry = readings.get(key) ?? { instrument, people: [] }
      entry.people.push(...inScope)
      readings.set(key, entry)
      if (settings.paymentRules?.instrumentId === instrument.id) {
        const summary = paymentSummary(instrument, inScope, settings.paymentRules)
        payments.push({
          programmeId,
          programmeName: programme?.name ?? '',
          instrumentId: instrument.id,
          instrumentName: instrument.name,
          improved: summary.improvedInAny,
          withFirstAndLatest: summary.withTwoReadings,
          paymentPence: summary.paymentPence,
          rate: formatPounds(settings.paymentRules.perPersonImprovedPence),
          cap: settings.paymentRules.capPence === null ? null : formatPounds(settings.paymentRules.capPence),
          capped: summary.capped,
        })
      }
    }
  }
  return {
    instruments: [...readings.values()].map(({ instrument, people }) =>
      instrumentOutcome(instrument, people),
    ),
    payments,
  }
}

export function outcomesJson(report: OutcomesReport) {
  return {
    instruments: report.instruments.map((i) => ({
      id: i.id,
      name: i.name,
      people: publishCount(i.people),
      withFirstAndLatest: publishCount(i.withFirstAndLatest),
      scores: i.scores.map((s) => ({
        id: s.id,
        label: s.label,
        pairs: publishCount(s.pairs),
        meanFirst: isSmallGroup(s.pairs) ? null : s.meanFirst,
        meanLatest: isSmallGroup(s.pairs) ? null : s.meanLatest,
        meanChange: isSmallGroup(s.pairs) ? null : s.meanChange,
        meaningfulChange: s.meaningfulChange,
        improvedMeaningfully: publishCount(s.improvedMeaningfully),
        shareImprovedMeaningfully: publishShare(s.shareImprovedMeaningfully, s.improvedMeaningfully, s.pairs),
      })),
    })),
    payments: report.payments.map((p) => ({
      programmeId: p.programmeId,
      programmeName: p.programmeName,
      instrumentId: p.instrumentId,
      improved: publishCount(p.improved),
      paymentPence: p.paymentPence,
    })),
  }
}

const isSmallGroup = (n: number) => n >= 1 && n <= 4

export function outcomesView(report: OutcomesReport) {
  const figures: Figure[] = report.payments.map((p) => ({
    label: `Outcome payment due: ${p.programmeName}`,
    value: p.paymentPence === null ? '–' : `${formatPounds(p.paymentPence)}${p.capped ? ' (capped)' : ''}`,
    definition: `${p.rate} for each person whose ${p.instrumentName} latest reading is better than their first in at least one domain (${showCount(p.improved)} of ${showCount(p.withFirstAndLatest)})${p.cap ? `, at most ${p.cap} in all` : ''}: the rule this programme’s managers set.`,
  }))
  const tables = report.instruments.map((i) =>
    table(
      `instrument-${i.id}`,
      `${i.name}: ${showCount(i.withFirstAndLatest)} people with a first and a latest reading`,
      [
        ['Score', 'text'],
        ['People', 'number'],
        ['Mean first', 'number'],
        ['Mean latest', 'number'],
        ['Mean change', 'number'],
        ['Meaningful change', 'number'],
        ['Improved', 'number'],
        ['Share improved', 'number'],
      ],
      i.scores.map((s) => {
        const hide = isSmallGroup(s.pairs)
        const decimals = s.decimals === 0 ? 1 : s.decimals
        return [
          s.label,
          showCount(s.pairs),
          hide ? '–' : showNumber(s.meanFirst, decimals),
          hide ? '–' : showNumber(s.meanLatest, decimals),
          hide ? '–' : showSigned(s.meanChange, decimals),
          s.meaningfulChange === null ? 'Any improvement' : `${s.meaningfulChange} points`,
          showCount(s.improvedMeaningfully),
          showShare(s.shareImprovedMeaningfully, s.improvedMeaningfully, s.pairs),
        ]
      }),
    ),
  )
  const charts = report.instruments.map((i) => ({
    tableId: `instrument-${i.id}`,
    chart: barChart(
      `${i.name}: share improved on each score`,
      i.scores.map((s) => {
        const share = publishShare(s.shareImprovedMeaningfully, s.improvedMeaningfully, s.pairs)
        return { label: s.label, value: share, text: showShare(share) }
      }),
      { max: 1 },
    ),
  }))
  const payments =
    report.payments.length === 0
      ? [
          'No programme in scope has outcome payment rules. A programme’s managers set them (a payment for each person who improved, and a cap) under the programme’s Outcomes, Payments: Kith invents no tariff.',
        ]
      : []
  return {
    figures,
    tables,
    charts,
    notes: [
      'People count when they have a case in scope open in the period; their first reading and their latest reading before the period ends are compared.',
      ...Object.values(MEANINGFUL_CHANGE).map((m) => m.source),
      NO_THRESHOLD,
      ...report.instruments.flatMap((i) => (i.copyright ? [i.copyright] : [])),
      ...payments,
    ],
  }
}
