// The outcomes capability's tables: each programme's measure settings (its own table, apart from
// the programme's settings, which the programmes capability owns) and every reading taken.

import type { Stage } from './schedule.ts'

export interface OutcomeSettingsTable {
  programme_id: string
  /** JSON array of `{ instrumentId, stages }`: which instruments the programme uses and when. */
  measures: string
  /** JSON `StarDefinition`, or null when the programme has no star of its own. */
  star: string | null
  /** JSON `PaymentRules` for outcome payments (social impact bonds), or null. */
  payment_rules: string | null
  updated_at: string
  updated_by_user_id: string | null
}

export interface OutcomeReadingTable {
  id: string
  person_id: string
  programme_id: string
  /** `ons4`, `swemwbs`, `loneliness` or `star:<id>`. */
  instrument_id: string
  stage: Stage
  /** When the answers were given (ISO UTC). */
  taken_at: string
  /** JSON: item id to the whole-number answer. */
  answers: string
  /** JSON: score id to value, as scored when recorded. */
  scores: string
  /** Who typed the answers: the link worker, or the person on a shared screen. */
  entered_by: 'link_worker' | 'person'
  recorded_by_user_id: string | null
  recorded_at: string
}

/**
 * Each reading's scores as numbers, a row per reading and score (one with score_id '' for a
 * reading without scores), with what the Outcomes report asks of the person's other readings of
 * the instrument in the programme; derived from `outcome_readings` and kept in step with them
 * (store.ts, `keepScoresInStep`; migration 0520).
 */
export interface OutcomeScoreTable {
  reading_id: string
  score_id: string
  person_id: string
  programme_id: string
  instrument_id: string
  taken_at: string
  value: number | null
  /** The same score in the person's first reading of the instrument in the programme. */
  first_value: number | null
  /** The reading's place among the person's readings of the instrument, from 1. */
  ordinal: number
  /** When the person's next reading of the instrument was taken, or null for their latest. */
  next_taken_at: string | null
}

declare module '../db/schema.ts' {
  interface Tables {
    outcome_settings: OutcomeSettingsTable
    outcome_readings: OutcomeReadingTable
    outcome_scores: OutcomeScoreTable
  }
}
