// The outcomes, attendance and kiosk sections of a person's case page (casework's panel registry):
// measures due and recorded with their change, attendance against each prescription, and the
// person's kiosk readings. Casework has checked the user may see the case (`caseForUser`); each
// panel shows only what belongs to the case's programme (its readings, its card's check-ins and
// kiosk readings, never another programme's) and audits its own read of the person's record.

import { audit } from '../access/audit.ts'
import { attendancePath } from '../attendance/routes.ts'
import { attendanceOfPrescription, cardsOf } from '../attendance/store.ts'
import { appointmentSummariesOfCase, prescriptionsOfCase } from '../casework/index.ts'
// Casework's index has no appointments yet; its store's exported query is used meanwhile.
import { kioskReadingsOf } from '../kiosk/store.ts'
import { isLinkWorkerOf } from '../programmes/store.ts'
import type { CasePanel } from '../web/context.ts'
import { readPersonOutcomes } from './measures.ts'
import { personOutcomesPath, recordPath } from './routes.ts'
import { STAGE_NAMES, STAGES, type Stage } from './schedule.ts'

export const outcomesPanel: CasePanel = {
  order: 50,
  async load(db, view) {
    const outcomes = await readPersonOutcomes(db, view.actor, view.personId, view.programmeId)
    if (outcomes.instruments.length === 0) return undefined
    const mayRecord = await isLinkWorkerOf(db, view.programmeId, view.user.id)
    // Baseline measures are due from the first appointment; review and exit ones once a review
    // or exit appointment is booked or has happened (casework's appointments; not cancelled).
    const appointments = (await appointmentSummariesOfCase(db, view.caseId)).filter(
      (a) => a.status !== 'cancelled',
    )
    const dueNow = (stage: Stage) => stage === 'baseline' || appointments.some((a) => a.kind === stage)
    return {
      template: 'outcomes/views/panel.njk',
      data: {
        href: mayRecord ? personOutcomesPath(view.programmeId, view.personId) : undefined,
        due: STAGES.flatMap((stage) =>
          outcomes.due[stage].map((d) => ({
            ...d,
            stageName: STAGE_NAMES[stage],
            dueNow: dueNow(stage),
            href: mayRecord ? recordPath(view.programmeId, view.personId, d.instrumentId, stage) : undefined,
          })),
        ),
        changes: outcomes.instruments
          .filter((i) => i.readings.length > 0)
          .map((i) => ({
            name: i.instrument.name,
            readings: i.readings.length,
            copyright: i.instrument.copyright,
            scores: (i.change?.scores ?? []).map((s) => ({
              label: s.label,
              from: s.baseline,
              to: s.latest,
              direction:
                s.direction === 'improved' ? 'better' : s.direction === 'worse' ? 'worse' : 'no change',
            })),
          })),
      },
    }
  },
}

export const attendancePanel: CasePanel = {
  order: 60,
  async load(db, view) {
    const prescriptions = await prescriptionsOfCase(db, view.caseId)
    const cards = await cardsOf(db, view.personId, view.programmeId)
    if (prescriptions.length === 0 && cards.length === 0) return undefined
    await audit(db, view.actor, {
      action: 'attendance.read',
      recordType: 'person',
      recordId: view.personId,
      detail: { caseId: view.caseId },
    })
    const rows = []
    for (const p of prescriptions) {
      const attendance = await attendanceOfPrescription(db, {
        personId: view.personId,
        programmeId: view.programmeId,
        serviceId: p.serviceId,
        start: p.start,
        end: p.end,
        expectedSessions: p.expectedSessions,
      })
      rows.push({ serviceName: p.serviceName, start: p.start, end: p.end, ...attendance })
    }
    const current = cards.find((c) => c.status === 'active')
    const linkWorker = await isLinkWorkerOf(db, view.programmeId, view.user.id)
    return {
      template: 'attendance/views/panel.njk',
      data: {
        rows,
        card: current,
        href: linkWorker ? attendancePath(view.programmeId, view.personId) : undefined,
        // Everyone with a prescription gets a card: offer to issue one where there is none.
        issue:
          linkWorker && !current && prescriptions.length > 0
            ? `${attendancePath(view.programmeId, view.personId)}/card`
            : undefined,
        csrfToken: view.csrfToken,
      },
    }
  },
}

/**
 * The person's kiosk readings in the case's programme: taken with its card, or linked to them in
 * it by their date of birth and postcode (the kiosk links those only to a programme covering its
 * practice in whose caseload the person is). Anonymous readings belong to no one and never show.
 */
export const kioskPanel: CasePanel = {
  order: 70,
  async load(db, view) {
    const readings = await kioskReadingsOf(db, view.personId, view.programmeId, 5)
    if (readings.length === 0) return undefined
    await audit(db, view.actor, {
      action: 'kiosk-reading.read',
      recordType: 'person',
      recordId: view.personId,
      detail: { caseId: view.caseId, readings: readings.length },
    })
    return { template: 'kiosk/views/panel.njk', data: { readings } }
  },
}
