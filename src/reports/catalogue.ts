// Every report: how it is computed, shown and given over the API, by name.

import { z } from 'zod'
import type { Queryable } from '../db/schema.ts'
import { activityJson, activityReport, activityView } from './activity.ts'
import { caseloadJson, caseloadReport, caseloadView } from './caseload.ts'
import type { Chart } from './charts.ts'
import { outcomesJson, outcomesReport, outcomesView } from './outcomes.ts'
import { prescriptionsJson, prescriptionsReport, prescriptionsView } from './prescriptions.ts'
import type { Figure, ReportTable } from './present.ts'
import { referralsJson, referralsReport, referralsView } from './referrals.ts'
import type { ReportName, ResolvedScope } from './scope.ts'

export interface ReportView {
  figures: Figure[]
  tables: ReportTable[]
  /** Charts, each shown beside the table it draws. */
  charts: { tableId: string; chart: Chart }[]
  /** Further sentences for the page: definitions, where thresholds come from. */
  notes: string[]
  /** What the API returns. */
  json: unknown
}

export async function buildReport(
  db: Queryable,
  name: ReportName,
  scope: ResolvedScope,
): Promise<ReportView> {
  switch (name) {
    case 'activity': {
      const report = await activityReport(db, scope)
      return { ...activityView(report), json: activityJson(report) }
    }
    case 'referrals': {
      const report = await referralsReport(db, scope)
      return { ...referralsView(report), json: referralsJson(report) }
    }
    case 'outcomes': {
      const report = await outcomesReport(db, scope)
      return { ...outcomesView(report), json: outcomesJson(report) }
    }
    case 'prescriptions': {
      const report = await prescriptionsReport(db, scope)
      return { ...prescriptionsView(report), json: prescriptionsJson(report) }
    }
    case 'caseload': {
      const report = await caseloadReport(db, scope)
      return { ...caseloadView(report), json: caseloadJson(report) }
    }
  }
}

// The API's response schemas, for the OpenAPI document. A null count or share is suppressed.

const count = z.number().int().nullable()
const share = z.number().min(0).max(1).nullable()
const activityFigures = {
  clients: count,
  needs: z.array(z.object({ id: z.string(), label: z.string(), clients: count, share })),
  onwardReferrals: count,
  signposts: count,
  services: count,
  organisations: count,
  threeOrMoreShare: share,
}
const activityGroup = z.object({ id: z.string().nullable(), name: z.string(), ...activityFigures })

export const REPORT_JSON_SCHEMAS: Record<ReportName, z.ZodType> = {
  activity: z.object({
    ...activityFigures,
    byPractice: z.array(
      activityGroup.extend({
        socialPrescriber: z.object({ id: z.string(), name: z.string(), named: z.boolean() }).nullable(),
      }),
    ),
    byNetwork: z.array(activityGroup),
    bySocialPrescriber: z.array(activityGroup),
  }),
  referrals: z.object({
    received: count,
    accepted: count,
    declined: count,
    declinedByReason: z.array(z.object({ reason: z.string(), label: z.string(), count })),
    autoDeclined: count,
    withdrawn: count,
    awaitingReply: count,
    bySource: z.array(z.object({ source: z.string(), label: z.string(), count })),
    byMonth: z.array(z.object({ month: z.string(), count })),
    medianDaysToReply: z.number().nullable(),
    shareAccepted: share,
  }),
  outcomes: z.object({
    instruments: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        people: count,
        withFirstAndLatest: count,
        scores: z.array(
          z.object({
            id: z.string(),
            label: z.string(),
            pairs: count,
            meanFirst: z.number().nullable(),
            meanLatest: z.number().nullable(),
            meanChange: z.number().nullable(),
            meaningfulChange: z.number().nullable(),
            improvedMeaningfully: count,
            shareImprovedMeaningfully: share,
          }),
        ),
      }),
    ),
    payments: z.array(
      z.object({
        programmeId: z.string(),
        programmeName: z.string(),
        instrumentId: z.string().nullable(),
        improved: count,
        paymentPence: z.number().int().nullable(),
      }),
    ),
  }),
  prescriptions: z.object({
    started: count,
    completed: count,
    endedEarly: count,
    inProgress: count,
    attendedHalfShare: share,
    continuedShare: share,
    byWeek: z.array(
      z.object({ week: z.number().int(), attendances: count, perPrescription: z.number().nullable() }),
    ),
  }),
  caseload: z.object({
    openCases: count,
    byLinkWorker: z.array(
      z.object({
        id: z.string().nullable(),
        name: z.string(),
        openCases: count,
        expected: z.number().int().nullable(),
      }),
    ),
    medianDaysToFirstAppointment: z.number().nullable(),
    appointmentsByMode: z.array(z.object({ mode: z.string(), label: z.string(), count })),
    capUse: z.array(
      z.object({
        programmeId: z.string(),
        programmeName: z.string(),
        cap: z.number().int().nullable(),
        cases: count,
        atCap: count,
        overCap: count,
      }),
    ),
  }),
}
