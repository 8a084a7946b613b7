export interface ProgrammeTable {
  id: string
  name: string
  /** The organisation that runs the programme; its programme managers manage it. */
  owner_organisation_id: string
  created_at: string
  updated_at: string
}

declare module '../db/schema.ts' {
  interface Tables {
    programmes: ProgrammeTable
  }
}
