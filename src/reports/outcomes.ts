// The Outcomes report: for each instrument the programmes in scope use, the people with a first and
// a latest reading, the mean change, and the share who improved by at least the instrument's
// meaningful change (where a published threshold exists); and each programme's outcome payment
// due, by the payment rules the programme's managers set (Kith invents no tariff).

import { peopleWithCasesOpenIn } from '../casework/index.ts'
import type { Queryable } from '../db/schema.ts'
import type { Instrument } from '../outcomes/instruments.ts'
import { formatPounds, instrumentsOf, paymentDue } from '../outcomes/schedule.ts'
import { type ChangeCounts, changeCounts } from '../outcomes/statistics.ts'
import { getOutcomeSettings } from '../outcomes/store.ts'
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

/** The outcome of one instrument from the database's counts, over one or more programmes. */
export function instrumentOutcomeFromCounts(
  instrument: Instrument,
  counts: readonly ChangeCounts[],
): InstrumentOutcome {
  const threshold = MEANINGFUL_CHANGE[instrument.id]
  const scores = instrument.scores.map((definition): ScoreOutcome => {
    const of = counts.flatMap((c) => c.scores.filter((s) => s.id === definition.id))
    const total = (pick: (s: (typeof of)[number]) => number) => of.reduce((sum, s) => sum + pick(s), 0)
    const pairs = total((s) => s.pairs)
    const interval = definition.kind === 'interval' && pairs > 0
    const meaningful = threshold?.scoreId === definition.id ? threshold.value : null
    const improved = total((s) => (meaningful === null ? s.improved : (s.improvedByThreshold ?? 0)))
    return {
      id: definition.id,
      label: definition.label,
      decimals: definition.decimals,
      pairs,
      meanFirst: interval ? total((s) => s.sumFirst) / pairs : null,
      meanLatest: interval ? total((s) => s.sumLatest) / pairs : null,
      meanChange: interval ? total((s) => s.sumChange) / pairs : null,
      meaningfulChange: meaningful,
      improvedMeaningfully: improved,
      shareImprovedMeaningfully: pairs === 0 ? null : improved / pairs,
    }
  })
  return {
    id: instrument.id,
    name: instrument.name,
    copyright: instrument.copyright,
    people: counts.reduce((sum, c) => sum + c.people, 0),
    withFirstAndLatest: counts.reduce((sum, c) => sum + c.paired, 0),
    scores,
  }
}

export async function outcomesReport(db: Queryable, scope: ResolvedScope): Promise<OutcomesReport> {
  // The people counted: those with a case in scope open in the period, in that case's programme.
  const people = peopleWithCasesOpenIn(db, scope.cases, scope.period)
  const programmeIds = scope.programmeIds ?? (await listProgrammes(db)).map((p) => p.id)
  // A programme's own star is its own instrument; the shared ones add up across programmes.
  const groups = new Map<string, { instrument: Instrument; programmeIds: string[] }>()
  const payers: { programmeId: string; programmeName: string; instrument: Instrument; key: string }[] = []
  const rulesOf = new Map<
    string,
    NonNullable<Awaited<ReturnType<typeof getOutcomeSettings>>['paymentRules']>
  >()
  for (const programmeId of programmeIds) {
    const settings = await getOutcomeSettings(db, programmeId)
    const used = instrumentsOf(settings).filter(
      (i) =>
        settings.measures.some((m) => m.instrumentId === i.id) ||
        settings.paymentRules?.instrumentId === i.id,
    )
    for (const instrument of used) {
      const key = instrument.id.startsWith('star') ? `${programmeId}:${instrument.id}` : instrument.id
      const group = groups.get(key) ?? { instrument, programmeIds: [] }
      group.programmeIds.push(programmeId)
      groups.set(key, group)
      if (settings.paymentRules?.instrumentId === instrument.id) {
        const programme = await getProgramme(db, programmeId)
        payers.push({ programmeId, programmeName: programme?.name ?? '', instrument, key })
        rulesOf.set(programmeId, settings.paymentRules)
      }
    }
  }
  const thresholds = (instrument: Instrument) => {
    const threshold = MEANINGFUL_CHANGE[instrument.id]
    return threshold ? { [threshold.scoreId]: threshold.value } : {}
  }
  const counted = new Map<string, ChangeCounts[]>()
  for (const [key, { instrument, programmeIds: ids }] of groups)
    counted.set(
      key,
      await changeCounts(db, {
        instrument,
        programmeIds: ids,
        before: scope.period.to,
        people,
        thresholds: thresholds(instrument),
      }),
    )
  const payments = payers.map(({ programmeId, programmeName, instrument, key }): PaymentDue => {
    const rules = rulesOf.get(programmeId)!
    const counts = counted.get(key)?.find((c) => c.programmeId === programmeId)
    const improved = counts?.improvedInAny ?? 0
    const due = paymentDue(rules, improved)
    return {
      programmeId,
      programmeName,
      instrumentId: instrument.id,
      instrumentName: instrument.name,
      improved,
      withFirstAndLatest: counts?.paired ?? 0,
      paymentPence: due.paymentPence,
      rate: formatPounds(rules.perPersonImprovedPence),
      cap: rules.capPence === null ? null : formatPounds(rules.capPence),
      capped: due.capped,
    }
  })
  return {
    instruments: [...groups].map(([key, { instrument }]) =>
      instrumentOutcomeFromCounts(instrument, counted.get(key) ?? []),
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
