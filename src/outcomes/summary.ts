// The parts of a case's summary for the GP and the referrer that come from outcomes, attendance
// and the kiosk (casework's summary registry): each outcome measure with its first and latest
// scores, attendance at each activity, and the self-measurements taken at the kiosk. Each reads
// only what belongs to the case's programme, as the case page's panels do.

import { checkInsOf } from '../attendance/store.ts'
import { kioskReadingsOf } from '../kiosk/store.ts'
import type { CaseSummarySection } from '../web/context.ts'
import { displayScore } from './instruments.ts'
import { readPersonOutcomes } from './measures.ts'

const day = (iso: string) => iso.slice(0, 10)

export const outcomeMeasuresSection: CaseSummarySection = {
  order: 10,
  async load(db, view) {
    const outcomes = await readPersonOutcomes(db, view.actor, view.personId, view.programmeId)
    const measured = outcomes.instruments.filter((i) => i.readings.length > 0)
    const data = measured.map(({ instrument, readings }) => {
      const sorted = [...readings].sort((a, b) => (a.takenAt < b.takenAt ? -1 : 1))
      const first = sorted[0]!
      const latest = sorted[sorted.length - 1]!
      return {
        instrument: instrument.name,
        readings: sorted.length,
        ...(instrument.copyright ? { copyright: instrument.copyright } : {}),
        scores: instrument.scores
          .filter((s) => first.scores[s.id] !== undefined)
          .map((s) => ({
            score: s.label,
            first: { date: day(first.takenAt), value: first.scores[s.id] as number },
            latest: { date: day(latest.takenAt), value: (latest.scores[s.id] ?? null) as number | null },
            firstShown: displayScore(s, first.scores[s.id] as number),
            latestShown:
              latest.scores[s.id] === undefined ? null : displayScore(s, latest.scores[s.id] as number),
          })),
      }
    })
    return {
      key: 'outcomeMeasures',
      heading: 'Outcome measures (first and latest)',
      lines: data.flatMap((m) => [
        ...m.scores.map((s) =>
          m.readings > 1
            ? `${m.instrument}, ${s.score}: ${s.firstShown} on ${s.first.date}, then ${s.latestShown} on ${s.latest.date}`
            : `${m.instrument}, ${s.score}: ${s.firstShown} on ${s.first.date} (one reading)`,
        ),
        ...(m.copyright ? [m.copyright] : []),
      ]),
      data,
    }
  },
}

export const attendanceSection: CaseSummarySection = {
  order: 20,
  async load(db, view) {
    const checkIns = await checkInsOf(db, view.personId, view.programmeId)
    const byService = new Map<string, { service: string; sessions: number; first: string; last: string }>()
    for (const c of [...checkIns].reverse()) {
      const seen = byService.get(c.serviceId)
      if (seen) {
        seen.sessions += 1
        seen.last = c.sessionDate
      } else
        byService.set(c.serviceId, {
          service: c.serviceName,
          sessions: 1,
          first: c.sessionDate,
          last: c.sessionDate,
        })
    }
    const data = [...byService.values()]
    return {
      key: 'attendance',
      heading: 'Attendance at activities',
      lines: data.map(
        (a) =>
          `${a.service}: ${a.sessions} ${a.sessions === 1 ? 'session' : 'sessions'}${a.sessions > 1 ? `, ${a.first} to ${a.last}` : `, ${a.first}`}`,
      ),
      data,
    }
  },
}

export const selfMeasurementsSection: CaseSummarySection = {
  order: 30,
  async load(db, view) {
    const readings = await kioskReadingsOf(db, view.personId, view.programmeId, 50)
    if (readings.length === 0) return undefined
    const data = readings.map((r) => ({
      date: day(r.takenAt),
      bloodPressure: r.systolic !== null && r.diastolic !== null ? `${r.systolic}/${r.diastolic} mmHg` : null,
      weightKg: r.weightKg,
      bmi: r.bmi,
      // With their card, or found by their date of birth and postcode (kiosk decision 0602).
      linkedBy: r.linkedBy,
    }))
    return {
      key: 'selfMeasurements',
      heading: 'Self-measurements at the kiosk',
      lines: data.map((r) => {
        const line = [
          r.date,
          r.bloodPressure ? `blood pressure ${r.bloodPressure}` : null,
          r.weightKg !== null ? `weight ${r.weightKg} kg` : null,
          r.bmi !== null ? `BMI ${r.bmi}` : null,
        ]
          .filter(Boolean)
          .join(', ')
        return r.linkedBy === 'card' ? line : `${line} (linked by date of birth and postcode)`
      }),
      data,
    }
  },
}
