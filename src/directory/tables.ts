export interface ServiceTable {
  id: string
  provider_organisation_id: string
  name: string
  description: string
  /** A `ServiceKind` (taxonomy.ts). */
  kind: string
  /** `active`, `inactive` or `temporarily_closed`. */
  status: string
  /** 1 when people may refer themselves; 0 for professional referrals only. */
  self_referral: number
  /** JSON: the service's `Criteria` (programmes/criteria.ts). */
  criteria: string
  /** Further access criteria as text, shown after the structured ones. */
  criteria_notes: string
  additional_needs: string
  disclaimer: string
  cost: string
  free: number
  age_min: number | null
  age_max: number | null
  /** When it runs, in words ("Tuesdays 10am to 12 noon"). */
  schedule: string
  contact_name: string
  email: string
  phone: string
  url: string
  /** `YYYY-MM-DD`: when the provider last confirmed the listing. */
  last_reviewed_on: string
  /**
   * The programme the service is run for, if any (decision 0106): referrals to it are checked
   * against the programme's rules as well as its own, and an accepted one follows the programme's
   * pathway (a case in a link-worker programme; none for direct to service). Not a foreign key.
   */
  programme_id: string | null
  /** The id a service had in the file it was imported from (Open Referral), for idempotent import. */
  external_id: string | null
  /** Name, description and category labels: what free-text search reads. */
  search_text: string
  created_at: string
  updated_at: string
}

export interface TaxonomyTermTable {
  id: string
  /** `area` (Luton's five areas), `need`, `category` (listing categories), or an imported taxonomy's name. */
  vocabulary: string
  code: string
  label: string
  description: string
  parent_id: string | null
}

export interface ServiceTermTable {
  service_id: string
  term_id: string
}

export interface ServiceLocationTable {
  id: string
  service_id: string
  name: string
  address: string
  town: string
  postcode: string | null
  latitude: number | null
  longitude: number | null
}

export interface AccreditationTable {
  id: string
  /** `organisation` (a provider) or `service`. */
  subject_type: string
  subject_id: string
  programme_id: string
  /** `YYYY-MM-DD`. */
  accredited_from: string
  accredited_to: string | null
  recorded_by: string | null
  created_at: string
}

export interface PostcodeTable {
  /** Upper case with one space before the inward code: `LU1 1HH`. */
  postcode: string
  latitude: number
  longitude: number
}

export interface ServiceScheduleTable {
  id: string
  service_id: string
  /** `WEEKLY` or `MONTHLY`. */
  freq: string
  /** iCalendar day codes, comma-separated: `MO,WE`. */
  byday: string
  /** `HH:MM:SS`. */
  opens_at: string | null
  closes_at: string | null
  description: string
}

export interface TaxonomyTable {
  id: string
  /** The `vocabulary` of its terms. */
  code: string
  name: string
  description: string
  uri: string | null
  version: string | null
}

declare module '../db/schema.ts' {
  interface Tables {
    services: ServiceTable
    taxonomy_terms: TaxonomyTermTable
    service_terms: ServiceTermTable
    service_locations: ServiceLocationTable
    accreditations: AccreditationTable
    postcodes: PostcodeTable
    service_schedules: ServiceScheduleTable
    taxonomies: TaxonomyTable
  }
}
