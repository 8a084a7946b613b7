// A person's outcome measures: recording answers (audited, one transaction), reading them back
// with their change (audited), and what is due. Other capabilities (casework's case page) use
// these functions, never the tables.

import { type Actor, audit } from '../access/audit.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import { badRequest } from '../web/problem.ts'
import {
  displayScore,
  type Instrument,
  type PersonChange,
  personChange,
  scoreAnswers,
} from './instruments.ts'
import { type DueMeasure, dueAt, instrumentsOf, type Stage, scheduledInstruments } from './schedule.ts'
import {
  getOutcomeSettings,
  insertReading,
  readingsOfPerson,
  recordedStages,
  type StoredReading,
} from './store.ts'

/**
 * The programme's scheduled measures at `stage` that the person has not yet given at that stage:
 * the prompt on the case page. Names instruments only, so it is not audited.
 */
export async function measuresDue(
  db: Queryable,
  personId: string,
  programmeId: string,
  stage: Stage,
): Promise<DueMeasure[]> {
  const settings = await getOutcomeSettings(db, programmeId)
  return dueAt(settings, stage, await recordedStages(db, personId, programmeId))
}

/** The instrument by id among those the programme can record (built-in ones and its star). */
export async function programmeInstrument(
  db: Queryable,
  programmeId: string,
  instrumentId: string,
): Promise<Instrument | undefined> {
  const settings = await getOutcomeSettings(db, programmeId)
  return instrumentsOf(settings).find((instrument) => instrument.id === instrumentId)
}

export interface RecordInput {
  personId: string
  programmeId: string
  instrumentId: string
  stage: Stage
  /** The answers as the form sent them: item id to text or number. */
  answers: Record<string, unknown>
  enteredBy: 'link_worker' | 'person'
  /** When they were given; now when absent. */
  takenAt?: string
}

/**
 * Checks and scores the answers and records the reading with its audit event. Throws a 400
 * problem naming every item at fault; nothing is recorded then.
 */
export async function recordReading(db: Queryable, actor: Actor, input: RecordInput): Promise<StoredReading> {
  const instrument = await programmeInstrument(db, input.programmeId, input.instrumentId)
  if (!instrument)
    throw badRequest('This programme does not record that measure.', [
      { field: 'instrumentId', message: 'Choose a measure the programme records' },
    ])
  const result = scoreAnswers(instrument, input.answers)
  if (!result.ok)
    throw badRequest(`The answers to ${instrument.name} are not complete or not valid.`, result.problems)
  const takenAt = input.takenAt ?? new Date().toISOString()
  return inTransaction(db, async (trx) => {
    const reading = {
      personId: input.personId,
      programmeId: input.programmeId,
      instrumentId: instrument.id,
      stage: input.stage,
      takenAt,
      answers: result.scored.answers,
      scores: result.scored.values,
      enteredBy: input.enteredBy,
      recordedByUserId: actor.userId,
    }
    const id = await insertReading(trx, reading)
    await audit(trx, actor, {
      action: 'outcome-reading.create',
      recordType: 'person',
      recordId: input.personId,
      detail: {
        readingId: id,
        programmeId: input.programmeId,
        instrumentId: instrument.id,
        stage: input.stage,
      },
    })
    return { ...reading, id, recordedAt: takenAt }
  })
}

export interface InstrumentOutcomes {
  instrument: Instrument
  stages: Stage[]
  readings: (StoredReading & { display: { label: string; value: string }[] })[]
  change: PersonChange | undefined
}

export interface PersonOutcomes {
  /** Each instrument the programme schedules or the person has readings of. */
  instruments: InstrumentOutcomes[]
  due: Record<Stage, DueMeasure[]>
}

/** A person's readings in a programme with their change, audited as a read of their record. */
export async function readPersonOutcomes(
  db: Queryable,
  actor: Actor,
  personId: string,
  programmeId: string,
): Promise<PersonOutcomes> {
  return inTransaction(db, async (trx) => {
    const settings = await getOutcomeSettings(trx, programmeId)
    const readings = await readingsOfPerson(trx, personId, programmeId)
    await audit(trx, actor, {
      action: 'outcome-reading.read',
      recordType: 'person',
      recordId: personId,
      detail: { programmeId, readings: readings.length },
    })
    const scheduled = scheduledInstruments(settings)
    const all = instrumentsOf(settings)
    const extra = all.filter(
      (instrument) =>
        !scheduled.some((s) => s.instrument.id === instrument.id) &&
        readings.some((r) => r.instrumentId === instrument.id),
    )
    const instruments = [
      ...scheduled,
      ...extra.map((instrument) => ({ instrument, stages: [] as Stage[] })),
    ].map(({ instrument, stages }) => {
      const own = readings.filter((r) => r.instrumentId === instrument.id)
      return {
        instrument,
        stages,
        readings: own.map((reading) => ({
          ...reading,
          display: instrument.scores
            .filter((definition) => reading.scores[definition.id] !== undefined)
            .map((definition) => ({
              label: definition.label,
              value: displayScore(definition, reading.scores[definition.id] as number),
            })),
        })),
        change: personChange(instrument, own),
      }
    })
    const recorded = new Set(readings.map((r) => `${r.instrumentId}/${r.stage}`))
    return {
      instruments,
      due: {
        baseline: dueAt(settings, 'baseline', recorded),
        review: dueAt(settings, 'review', recorded),
        exit: dueAt(settings, 'exit', recorded),
      },
    }
  })
}
