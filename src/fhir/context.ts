// What every FHIR handler is given: the database, who is asking, and where Kith answers.

import { createHash } from 'node:crypto'
import type { Meta, Reference, Resource } from '@medplum/fhirtypes'
import type { Actor } from '../access/audit.ts'
import type { CurrentUser } from '../access/users.ts'
import type { Queryable } from '../db/schema.ts'

export interface FhirContext {
  db: Queryable
  user: CurrentUser
  actor: Actor
  /** The FHIR base URL, `https://kith.example/fhir`. */
  base: string
  now: () => Date
  /** Writes a referral as the referral routes do, sharing their commits; the database itself when absent. */
  writeReferral?: <T>(work: (trx: Queryable) => Promise<T>) => Promise<T>
  /** What this request has already looked up (handler.ts `memo`). */
  memo: Map<string, Promise<unknown>>
}

/** UK Core profiles, declared in `meta.profile` where one exists for the resource. */
export const UK_CORE = {
  Patient: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient',
  Organization: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Organization',
  Practitioner: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Practitioner',
  PractitionerRole: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-PractitionerRole',
  HealthcareService: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-HealthcareService',
  ServiceRequest: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest',
  Task: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Task',
  CarePlan: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-CarePlan',
  Appointment: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Appointment',
  Consent: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Consent',
  QuestionnaireResponse: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-QuestionnaireResponse',
  Observation: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation',
  Composition: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Composition',
  Bundle: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Bundle',
  MessageHeader: 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-MessageHeader',
} as const

export const SYSTEMS = {
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  ods: 'https://fhir.nhs.uk/Id/ods-organization-code',
  snomed: 'http://snomed.info/sct',
} as const

/** Kith's own identifier systems, under its FHIR base (`…/fhir/Id/referral`). */
export const kithSystem = (ctx: Pick<FhirContext, 'base'>, name: string) => `${ctx.base}/Id/${name}`

/** A reference to `type/id`, assignable wherever FHIR allows a reference to that type. */
export const ref = (type: string, id: string, display?: string): Reference<never> => ({
  reference: `${type}/${id}`,
  ...(display ? { display } : {}),
})

/**
 * Sets `meta`: the version is a digest of the resource's content, so it changes exactly when
 * what Kith says about the record changes (Kith keeps no history of FHIR versions).
 */
export function withMeta<R extends Resource>(resource: R, lastUpdated: string | null, profile?: string): R {
  const { meta: _ignored, ...content } = resource
  const versionId = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16)
  const meta: Meta = {
    versionId,
    ...(lastUpdated ? { lastUpdated: new Date(lastUpdated).toISOString() } : {}),
    ...(profile ? { profile: [profile] } : {}),
  }
  return { ...resource, meta }
}
