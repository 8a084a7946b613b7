// The attendance capability's tables: cards, check-ins at activities, and self-measurements
// taken at a practice's kiosk.

export type CardStatus = 'active' | 'replaced' | 'revoked'

export interface AttendanceCardTable {
  id: string
  /** SHA-256 of the token in the QR code (decision 0010): a copy of the database cannot make cards. */
  token_digest: string
  /** SHA-256 of the short code printed under it. */
  code_digest: string
  /** The code's last three characters, to tell cards apart on screen (`9PC`). */
  code_hint: string
  person_id: string
  programme_id: string
  status: CardStatus
  issued_at: string
  issued_by_user_id: string | null
  ended_at: string | null
  ended_by_user_id: string | null
}

export interface CheckInTable {
  id: string
  card_id: string
  person_id: string
  programme_id: string
  /** The activity: a directory service's id (or, until the directory lists them, the provider organisation's). */
  service_id: string
  service_name: string
  /** The London date of the session: one check-in per person, activity and day (decision 0600). */
  session_date: string
  checked_in_at: string
  recorded_by_user_id: string | null
  /**
   * How the card was read: `scan` (camera) or `code` (typed); `recorded` when the link worker
   * recorded a session at an activity whose provider has no Kith account.
   */
  method: 'scan' | 'code' | 'recorded'
}

export interface KioskReadingTable {
  id: string
  card_id: string
  person_id: string
  programme_id: string
  /** The practice whose kiosk took it. */
  organisation_id: string
  taken_at: string
  recorded_by_user_id: string | null
  systolic: number | null
  diastolic: number | null
  weight_kg: number | null
  height_cm: number | null
  bmi: number | null
}

declare module '../db/schema.ts' {
  interface Tables {
    attendance_cards: AttendanceCardTable
    check_ins: CheckInTable
    kiosk_readings: KioskReadingTable
  }
}
