// The community capability's tables: volunteering opportunities (beside their directory
// services), what a person on a case looks for, placements and their hours; groups and the
// support they get; link workers' training and supervision.

export interface VolunteeringOpportunityTable {
  /** The directory service this opportunity is: kind `volunteering`, with the volunteering term. */
  service_id: string
  host_organisation_id: string
  role: string
  involves: string
  /** JSON arrays of short labels. */
  skills_gained: string
  interests: string
  times: string
  /** JSON array of iCalendar day codes (`["MO","WE"]`); empty when the times are flexible. */
  days: string
  accessibility: string
  dbs_level: DbsLevel
  references_needed: number
  places_available: number
  /** JSON array of who it suits (`drug-alcohol`, `mental-health`); empty: anyone. */
  suits: string
  /** JSON array of the recovery stages it suits; empty: any. */
  stages: string
  /** JSON array of need codes (the service's terms in the need vocabulary). */
  needs: string
  latitude: number | null
  longitude: number | null
  /** 1 while the service is active. */
  active: number
  updated_at: string
}

export type DbsLevel = 'none' | 'basic' | 'standard' | 'enhanced'

export interface VolunteerProfileTable {
  case_id: string
  person_id: string
  interests: string
  skills: string
  days: string
  postcode: string | null
  travel_km: number
  /** What the person is recovering from: `drug-alcohol`, `mental-health` or `none`. */
  recovery: string
  stage: string
  /** The highest DBS check recorded for them, `none` when none is. */
  dbs_level: DbsLevel
  dbs_checked_on: string | null
  references_received: number
  updated_at: string
  updated_by_user_id: string | null
}

export type PlacementStatus = 'proposed' | 'introduced' | 'started' | 'ended'

export interface PlacementTable {
  id: string
  case_id: string
  person_id: string
  programme_id: string
  opportunity_id: string
  host_organisation_id: string
  status: PlacementStatus
  /** Why Kith proposed it, as the officer saw it when choosing. */
  reason: string
  supporting_user_id: string | null
  proposed_at: string
  introduced_at: string | null
  started_at: string | null
  ended_at: string | null
  end_reason: string | null
  created_by_user_id: string | null
}

export interface PlacementHoursTable {
  id: string
  placement_id: string
  person_id: string
  /** `YYYY-MM-DD`, London. */
  worked_on: string
  hours: number
  logged_at: string
  logged_by_user_id: string | null
  confirmed_at: string | null
  confirmed_by_user_id: string | null
}

declare module '../db/schema.ts' {
  interface Tables {
    volunteering_opportunities: VolunteeringOpportunityTable
    volunteer_profiles: VolunteerProfileTable
    placements: PlacementTable
    placement_hours: PlacementHoursTable
  }
}

export interface GroupDetailsTable {
  /** The directory service that is the group. */
  service_id: string
  /** `members` (patient-led) or `facilitator`. */
  run_by: 'members' | 'facilitator'
  /** The link worker or health facilitator who supports it, if any. */
  facilitator_user_id: string | null
  /** A member who leads it and has an account: records its meetings. */
  leader_user_id: string | null
  meeting_pattern: string
  place: string
  contact: string
  /** The condition or need it is for. */
  for_need: string
  members: number
  open_to_new: number
  /** 1 while it still runs. */
  running: number
  /** `YYYY-MM-DD` its details were first recorded: a group never met is judged from then. */
  recorded_on: string
  updated_at: string
}

export interface GroupSupportTable {
  id: string
  service_id: string
  kind: string
  note: string
  given_on: string
  by_user_id: string | null
  created_at: string
}

export interface GroupMeetingTable {
  id: string
  service_id: string
  met_on: string
  /** How many came: a count, never names. */
  attended: number
  recorded_by_user_id: string | null
  recorded_at: string
}

export interface NewGroupTable {
  id: string
  name: string
  idea: string
  for_need: string
  /** How many people are interested, and a note (where, how to reach them): no names. */
  interested: number
  interested_note: string
  facilitator_user_id: string | null
  /** JSON array of the checklist's steps done. */
  steps_done: string
  first_meeting_on: string | null
  created_by_user_id: string | null
  created_at: string
  updated_at: string
}

declare module '../db/schema.ts' {
  interface Tables {
    group_details: GroupDetailsTable
    group_support: GroupSupportTable
    group_meetings: GroupMeetingTable
    new_groups: NewGroupTable
  }
}

export interface TrainingRecordTable {
  id: string
  /** The link worker trained. */
  user_id: string
  /** As the programme names it: `Safeguarding adults level 2`, `Motivational interviewing`. */
  course: string
  provider: string
  completed_on: string
  /** Null when it does not expire. */
  expires_on: string | null
  recorded_by_user_id: string | null
  created_at: string
}

export interface SupervisionSessionTable {
  id: string
  user_id: string
  supervisor: string
  held_on: string
  recorded_by_user_id: string | null
  created_at: string
}

export interface RequiredTrainingTable {
  programme_id: string
  course: string
}

declare module '../db/schema.ts' {
  interface Tables {
    training_records: TrainingRecordTable
    supervision_sessions: SupervisionSessionTable
    required_training: RequiredTrainingTable
  }
}
