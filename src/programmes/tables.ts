import type { Pathway, Weekday } from './config.ts'

export interface ProgrammeTable {
  id: string
  name: string
  /** The organisation that runs the programme; its programme managers manage it. */
  owner_organisation_id: string
  description: string
  pathway: Pathway
  /** JSON array of referrer kinds; `self` means people may refer themselves. */
  referral_sources: string
  practice_registration_required: number
  /** JSON: the programme's own eligibility criteria (programmes/criteria.ts). */
  criteria: string
  /** JSON array of `{ id, label }`: the needs the programme records. */
  needs: string
  link_worker_title: string
  /** JSON: appointment cap, default lengths and modes. */
  appointment_rules: string
  /** JSON `{ minWeeks, maxWeeks, mayContinueAfter }`, or null for no set length. */
  prescription: string | null
  nudge_after_days: number
  decline_after_days: number
  created_at: string
  updated_at: string
  /** When the programme was retired: closed to new referrals, its records kept. Null while it runs. */
  retired_at: string | null
}

/** The practices a programme covers, each with its named link worker (Tower Hamlets). */
export interface ProgrammePracticeTable {
  programme_id: string
  organisation_id: string
  named_link_worker_user_id: string | null
}

export interface ProgrammeLinkWorkerTable {
  programme_id: string
  user_id: string
  added_at: string
}

/** A link worker's working pattern in a programme: where they are on each day they work. */
export interface ProgrammeLinkWorkerDayTable {
  programme_id: string
  user_id: string
  weekday: Weekday
  /** The practice they are at that day; null when they work away from practices (home visits). */
  practice_organisation_id: string | null
}

declare module '../db/schema.ts' {
  interface Tables {
    programmes: ProgrammeTable
    programme_practices: ProgrammePracticeTable
    programme_link_workers: ProgrammeLinkWorkerTable
    programme_link_worker_days: ProgrammeLinkWorkerDayTable
  }
}
