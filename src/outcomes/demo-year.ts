// Outcome readings behind the demo's year of cases: for most people, a first reading of each
// measure the programme records when their case opened, and a latest one when it closed (at the
// exit, or the review where the programme does not measure at exit), most a little better, some
// the same, a few worse. Scored as the instrument scores them; made deterministically and at once.

import type { YearCase } from '../casework/demo-year.ts'
import type { Db } from '../db/schema.ts'
import { seeded } from '../seeded.ts'
import { scoreAnswers } from './instruments.ts'
import { instrumentsOf, type Stage } from './schedule.ts'
import { getOutcomeSettings, insertReading } from './store.ts'

const DAY = 86_400_000

export async function seedOutcomesYear(db: Db, cases: readonly YearCase[]): Promise<{ readings: number }> {
  const random = seeded(20_261_201)
  let readings = 0
  await db.transaction().execute(async (trx) => {
    for (const programmeId of [...new Set(cases.map((c) => c.programmeId))]) {
      const settings = await getOutcomeSettings(trx, programmeId)
      const instruments = instrumentsOf(settings)
      const measures = settings.measures.flatMap((measure) => {
        const instrument = instruments.find((i) => i.id === measure.instrumentId)
        return instrument ? [{ instrument, stages: measure.stages }] : []
      })
      if (measures.length === 0) continue
      for (const kase of cases.filter((c) => c.programmeId === programmeId)) {
        if (random() < 0.2) continue
        // How the person fared, from a little worse to much better, as a share of each scale.
        const change = -0.1 + random() * 0.45
        const latestToo = random() < 0.85
        for (const { instrument, stages } of measures) {
          const first: Record<string, number> = {}
          const latest: Record<string, number> = {}
          for (const item of instrument.items) {
            const span = item.max - item.min
            const worse = Math.round(span * (0.15 + random() * 0.4))
            const better = Math.round(span * change + (random() - 0.5))
            const clamp = (v: number) => Math.min(item.max, Math.max(item.min, v))
            if (item.better === 'higher') {
              first[item.id] = clamp(item.min + worse)
              latest[item.id] = clamp(item.min + worse + better)
            } else {
              first[item.id] = clamp(item.max - worse)
              latest[item.id] = clamp(item.max - worse - better)
            }
          }
          const opened = Date.parse(kase.openedAt)
          const closed = Date.parse(kase.closedAt)
          const taken: { stage: Stage; at: number; answers: Record<string, number> }[] = [
            { stage: 'baseline', at: opened + 3 * DAY, answers: first },
          ]
          if (latestToo)
            taken.push(
              stages.includes('exit')
                ? { stage: 'exit', at: closed - DAY, answers: latest }
                : { stage: 'review', at: Math.round((opened + closed) / 2), answers: latest },
            )
          for (const reading of taken) {
            const scored = scoreAnswers(instrument, reading.answers)
            if (!scored.ok) continue
            await insertReading(trx, {
              personId: kase.personId,
              programmeId,
              instrumentId: instrument.id,
              stage: reading.stage,
              takenAt: new Date(reading.at - (reading.at % DAY) + 11 * 3_600_000).toISOString(),
              answers: scored.scored.answers,
              scores: scored.scored.values,
              enteredBy: 'link_worker',
              recordedByUserId: kase.linkWorkerUserId,
            })
            readings++
          }
        }
      }
    }
  })
  return { readings }
}
