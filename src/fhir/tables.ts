// The FHIR capability's own tables: what each practice takes of a programme's GP summaries, the
// points besides a case's end at which a programme sends them, and each summary queued at one.

export interface GpSharingTable {
  programme_id: string
  practice_organisation_id: string
  /** 1: the coded entries without the free text. */
  codes_only: number
  updated_at: string
}

export interface GpSummaryPointsTable {
  programme_id: string
  /** JSON: the points (GP_SUMMARY_POINTS) chosen. */
  points: string
  updated_at: string
}

export interface GpSummaryQueuedTable {
  /** The outbox message carrying it. */
  message_id: string
  case_id: string
  point: string
  /** What the point happens once for: the case (initial assessment) or the prescription. */
  point_key: string
  point_at: string
  created_at: string
}

declare module '../db/schema.ts' {
  interface Tables {
    gp_sharing: GpSharingTable
    gp_summary_points: GpSummaryPointsTable
    gp_summaries_queued: GpSummaryQueuedTable
  }
}
