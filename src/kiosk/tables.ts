// The kiosk's own table: readings taken without a card. Readings taken with a card are in
// attendance's `kiosk_readings` (src/attendance/tables.ts), beside the card they were taken with.

export interface KioskCardlessReadingTable {
  id: string
  /** The person found by date of birth and postcode; null for an anonymous reading. */
  person_id: string | null
  /** The programme covering the kiosk's practice in whose caseload the person is; null when anonymous. */
  programme_id: string | null
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
    kiosk_cardless_readings: KioskCardlessReadingTable
  }
}
