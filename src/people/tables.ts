import type { ConsentMethod } from './person.ts'

export interface PersonTable {
  id: string
  /** Ten digits, or null when not known. */
  nhs_number: string | null
  given_name: string
  family_name: string
  /** The names as duplicate checks compare them (person.ts `nameKey`). */
  given_name_key: string
  family_name_key: string
  date_of_birth: string
  sex_or_gender: string | null
  /** JSON array of address lines. */
  address_lines: string
  postcode: string | null
  phone: string | null
  email: string | null
  /** JSON array of contact methods, in order of the list. */
  contact_methods: string
  may_leave_messages: number
  registered_practice_id: string | null
  created_at: string
  updated_at: string
}

export interface PersonConditionTable {
  person_id: string
  /** SNOMED CT concept id. */
  code: string
  display: string
  recorded_at: string
}

export interface PersonConsentTable {
  id: string
  person_id: string
  about: string
  given_by: 'person' | 'representative'
  representative_name: string | null
  representative_relationship: string | null
  method: ConsentMethod
  given_at: string
  related_record_type: string | null
  related_record_id: string | null
  recorded_by_user_id: string | null
  recorded_at: string
  withdrawn_at: string | null
}

declare module '../db/schema.ts' {
  interface Tables {
    people: PersonTable
    person_conditions: PersonConditionTable
    person_consents: PersonConsentTable
  }
}
