import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { defineStar, INSTRUMENTS } from './instruments.ts'
import {
  dueAt,
  emptySettings,
  parsePaymentForm,
  parseScheduleForm,
  parseStarForm,
  paymentSummary,
} from './schedule.ts'

describe('outcome settings forms', () => {
  it('reads the schedule, keeping only instruments with a stage ticked, and refuses unknown ones', () => {
    const parsed = parseScheduleForm(
      { 'stages.ons4': ['exit', 'baseline'], 'stages.swemwbs': [] },
      INSTRUMENTS,
    )
    assert.deepEqual(parsed, { ok: true, value: [{ instrumentId: 'ons4', stages: ['baseline', 'exit'] }] })
    const unknown = parseScheduleForm({ 'stages.pam': 'baseline' }, INSTRUMENTS)
    assert.ok(!unknown.ok)
    const badStage = parseScheduleForm({ 'stages.ons4': 'weekly' }, INSTRUMENTS)
    assert.ok(!badStage.ok && badStage.problems[0]?.field === 'stages.ons4')
  })

  it('reads a star with domains one to a line, "| lower" marking lower as better', () => {
    const parsed = parseStarForm({
      name: 'Luton Wellbeing Star',
      domains: 'Money\r\n\r\nPain | lower\nFriends',
      scaleMin: '1',
      scaleMax: '10',
    })
    assert.ok(parsed.ok)
    assert.equal(parsed.value.id, 'luton-wellbeing-star')
    assert.deepEqual(
      parsed.value.domains.map((d) => [d.id, d.better ?? 'higher']),
      [
        ['money', 'higher'],
        ['pain', 'lower'],
        ['friends', 'higher'],
      ],
    )
    const bad = parseStarForm({ name: '', domains: '', scaleMin: 'ten', scaleMax: '10' })
    assert.ok(!bad.ok)
    assert.deepEqual(bad.problems.map((p) => p.field).sort(), ['domains', 'name', 'scaleMin'])
    const backwards = parseStarForm({ name: 'Star', domains: 'A', scaleMin: '10', scaleMax: '1' })
    assert.ok(!backwards.ok && /lowest value must be below/.test(backwards.problems[0]?.message ?? ''))
  })

  it('reads payment rules in pounds and refuses other measures', () => {
    assert.deepEqual(
      parsePaymentForm({ instrumentId: 'ons4', perPersonImproved: '£250.50', cap: '1000' }, INSTRUMENTS),
      {
        ok: true,
        value: { instrumentId: 'ons4', perPersonImprovedPence: 25_050, capPence: 100_000 },
      },
    )
    assert.ok(!parsePaymentForm({ instrumentId: 'pam', perPersonImproved: '1' }, INSTRUMENTS).ok)
    assert.ok(
      !parsePaymentForm({ instrumentId: 'ons4', perPersonImproved: '1', cap: 'lots' }, INSTRUMENTS).ok,
    )
  })
})

describe('what is due and what is paid', () => {
  it('lists scheduled measures at a stage not yet recorded there', () => {
    const settings = {
      ...emptySettings('p'),
      measures: [
        { instrumentId: 'ons4', stages: ['baseline' as const, 'exit' as const] },
        { instrumentId: 'swemwbs', stages: ['baseline' as const] },
      ],
    }
    assert.deepEqual(
      dueAt(settings, 'baseline', new Set(['ons4/baseline'])).map((d) => d.instrumentId),
      ['swemwbs'],
    )
    assert.deepEqual(dueAt(settings, 'review', new Set()), [])
  })

  it('pays for each person with two readings better in at least one domain, up to the cap', () => {
    const star = defineStar({
      id: 's',
      name: 'S',
      domains: [
        { id: 'a', label: 'A' },
        { id: 'b', label: 'B' },
      ],
    })
    assert.ok(star.ok)
    const r = (takenAt: string, a: number, b: number) => ({ takenAt, scores: { a, b } })
    const people = [
      [r('2026-01-01', 3, 3), r('2026-03-01', 4, 2)], // better in a
      [r('2026-01-01', 5, 5), r('2026-03-01', 5, 5)], // the same
      [r('2026-01-01', 2, 2)], // one reading: not counted
      [r('2026-01-01', 2, 6), r('2026-02-01', 1, 1), r('2026-03-01', 3, 6)], // baseline against latest: better in a
    ]
    const uncapped = paymentSummary(star.instrument, people, {
      instrumentId: 's',
      perPersonImprovedPence: 10_000,
      capPence: null,
    })
    assert.deepEqual(
      [
        uncapped.people,
        uncapped.withTwoReadings,
        uncapped.improvedInAny,
        uncapped.paymentPence,
        uncapped.capped,
      ],
      [4, 3, 2, 20_000, false],
    )
    const capped = paymentSummary(star.instrument, people, {
      instrumentId: 's',
      perPersonImprovedPence: 10_000,
      capPence: 15_000,
    })
    assert.deepEqual([capped.paymentPence, capped.capped], [15_000, true])
  })
})
