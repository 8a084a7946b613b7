// The FHIR capability's own table: what each practice takes of a programme's GP summaries.

export interface GpSharingTable {
  programme_id: string
  practice_organisation_id: string
  /** 1: the coded entries without the free text. */
  codes_only: number
  updated_at: string
}

declare module '../db/schema.ts' {
  interface Tables {
    gp_sharing: GpSharingTable
  }
}
