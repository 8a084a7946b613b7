import type { Generated } from 'kysely'
import type { AppointmentKind, AppointmentMode } from '../programmes/config.ts'
import type { AppointmentStatus, CaseStatus, GoalProgress, NextStep, SelfCare } from './rules.ts'

export interface CaseTable {
  id: string
  person_id: string
  programme_id: string
  /** The referral that opened the case, when one did. */
  referral_id: string | null
  practice_organisation_id: string | null
  /** Whose link workers may see the case: the assigned worker's organisation, else the programme owner's. */
  organisation_id: string
  link_worker_user_id: string | null
  /**
   * A worker named to support the case alongside its link worker (a community navigator or a
   * recovery support officer in a volunteering programme): they see the case, and it is in their caseload.
   */
  supporting_user_id: string | null
  status: CaseStatus
  /** JSON array of need ids from the programme's taxonomy. */
  needs: string
  opened_at: string
  first_contact_at: string | null
  closed_at: string | null
  closure_reason: string | null
  exit_plan: string | null
  updated_at: string
  /**
   * How many cases the person has, this one included (1 by default; kept in step by
   * `countCasesOfPeople` when a case is opened or two people's records are merged).
   */
  person_case_count: Generated<number>
}

export interface CaseAppointmentTable {
  id: string
  case_id: string
  /** Whose diary it is in. */
  link_worker_user_id: string
  kind: AppointmentKind
  mode: AppointmentMode
  place: string
  starts_at: string
  ends_at: string
  status: AppointmentStatus
  /** Set when a manager allowed a booking past the programme's cap. */
  cap_exception_reason: string | null
  cap_exception_by_user_id: string | null
  /** JSON array of goal ids worked on in the session. */
  goal_ids: string
  /** Lone working (home visits): when the worker marked arrival and departure. */
  arrived_at: string | null
  departed_at: string | null
  created_at: string
  updated_at: string
}

export interface CasePlanTable {
  case_id: string
  what_matters: string
  agreed_focus: string
  actions: string
  follow_up_mode: AppointmentMode | null
  follow_up_location: string
  follow_up_frequency: string
  updated_at: string
}

export interface CaseGoalTable {
  id: string
  case_id: string
  /** In the person's own words. */
  text: string
  target_date: string | null
  progress: GoalProgress
  created_at: string
  updated_at: string
}

export interface CaseNoteTable {
  id: string
  case_id: string
  type: string
  text: string
  author_user_id: string | null
  created_at: string
  /** 1 when the link worker marked the note for the GP record: the summary carries its text. */
  for_gp_record: number
}

export interface CaseEventTable {
  id: string
  case_id: string
  at: string
  kind: string
  summary: string
  user_id: string | null
}

export interface CasePrescriptionTable {
  id: string
  case_id: string
  person_id: string
  service_id: string
  service_name: string
  need: string | null
  weeks: number
  expected_sessions: number
  starts_on: string
  ends_on: string
  /** When the end-of-prescription review was recorded; null while it is due. */
  reviewed_at: string | null
  continued: number
  created_at: string
  /** The referral to the provider that the prescription made (null for prescriptions made before). */
  referral_id: string | null
}

export interface CaseSignpostTable {
  id: string
  case_id: string
  /**
   * The case's programme (a case never changes programme), so a programme's are read together;
   * copied with the columns below.
   */
  programme_id: string | null
  /** Signposts are information given; onward referrals carry the referral's id. */
  kind: 'signpost' | 'referral'
  referral_id: string | null
  service_id: string | null
  service_name: string
  need: string | null
  note: string
  user_id: string | null
  created_at: string
  /** Whether the person took the signpost up: `yes`, `no`, or null when not known. */
  taken_up: string | null
  // What the Activity report asks of the case, copied from it (kept in step by
  // `keepSignpostsInStep` whenever a case's signposts or these of its columns change).
  case_link_worker_user_id: string | null
  case_practice_organisation_id: string | null
  case_organisation_id: string | null
  case_opened_at: string | null
  case_closed_at: string | null
  /** When the case's previous onward referral or signpost was made (in time, then id, order). */
  previous_at: string | null
  /** When the case's second onward referral or signpost after this one was made. */
  second_next_at: string | null
}

/** An appointment moved to another time: both times kept (decision 0403). */
export interface CaseAppointmentMoveTable {
  id: string
  appointment_id: string
  case_id: string
  from_starts_at: string
  from_ends_at: string
  from_mode: AppointmentMode
  from_place: string
  to_starts_at: string
  to_ends_at: string
  to_mode: AppointmentMode
  to_place: string
  reason: string
  /** JSON array of the warnings the mover confirmed (outside the working pattern, a clash). */
  warnings: string
  moved_at: string
  moved_by_user_id: string | null
}

/** A prescription's review (decision 0403); one extended is reviewed again at its new end. */
export interface CasePrescriptionReviewTable {
  id: string
  prescription_id: string
  case_id: string
  reviewed_at: string
  user_id: string | null
  /** Why the review came before the prescription's last day; null when it did not. */
  early_reason: string | null
  sessions_attended: number
  sessions_expected: number
  /** JSON array of `{ goalId, text, from, to }`. */
  goals: string
  self_care: SelfCare
  assessment: string
  next_step: NextStep
  previous_end: string | null
  new_end: string | null
}

declare module '../db/schema.ts' {
  interface Tables {
    cases: CaseTable
    case_appointments: CaseAppointmentTable
    case_plans: CasePlanTable
    case_goals: CaseGoalTable
    case_notes: CaseNoteTable
    case_events: CaseEventTable
    case_prescriptions: CasePrescriptionTable
    case_signposts: CaseSignpostTable
    case_appointment_moves: CaseAppointmentMoveTable
    case_prescription_reviews: CasePrescriptionReviewTable
  }
}
