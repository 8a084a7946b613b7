// Patient and Consent, from the people capability's audited reader.

import type { Consent as FhirConsent, Patient } from '@medplum/fhirtypes'
import { refused } from '../../access/audit.ts'
import type { Person } from '../../people/person.ts'
import { readPerson } from '../../people/records.ts'
import { maySeePerson } from '../access.ts'
import { type FhirContext, ref, SYSTEMS, UK_CORE, withMeta } from '../context.ts'
import { memo, type ResourceHandler } from '../handler.ts'
import { visiblePeople } from './referrals.ts'

export function patientOf(person: Person): Patient {
  const telecom: Patient['telecom'] = []
  if (person.phone) telecom.push({ system: 'phone', value: person.phone })
  if (person.email) telecom.push({ system: 'email', value: person.email })
  const patient: Patient = {
    resourceType: 'Patient',
    id: person.id,
    ...(person.nhsNumber ? { identifier: [{ system: SYSTEMS.nhsNumber, value: person.nhsNumber }] } : {}),
    name: [{ use: 'official', family: person.familyName, given: [person.givenName] }],
    ...(telecom.length > 0 ? { telecom } : {}),
    birthDate: person.dateOfBirth,
    ...(person.addressLines.length > 0 || person.postcode
      ? {
          address: [
            {
              use: 'home',
              ...(person.addressLines.length > 0 ? { line: person.addressLines } : {}),
              ...(person.postcode ? { postalCode: person.postcode } : {}),
            },
          ],
        }
      : {}),
    ...(person.registeredPractice
      ? {
          generalPractitioner: [
            {
              ...ref('Organization', person.registeredPractice.id, person.registeredPractice.name),
              ...(person.registeredPractice.odsCode
                ? { identifier: { system: SYSTEMS.ods, value: person.registeredPractice.odsCode } }
                : {}),
            },
          ],
        }
      : {}),
  }
  return withMeta(patient, person.updatedAt, UK_CORE.Patient)
}

export function consentsOf(person: Person): FhirConsent[] {
  return person.consents.map((consent) =>
    withMeta<FhirConsent>(
      {
        resourceType: 'Consent',
        id: consent.id,
        status: consent.withdrawnAt ? 'inactive' : 'active',
        scope: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
        },
        category: [{ text: consent.about }],
        patient: ref('Patient', person.id),
        dateTime: consent.givenAt,
        performer: [
          consent.givenBy.kind === 'person'
            ? ref('Patient', person.id)
            : { display: `${consent.givenBy.name} (${consent.givenBy.relationship})` },
        ],
        policyRule: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }],
          text: `Consent given ${consent.method}`,
        },
        provision: {
          type: 'permit',
          ...(consent.withdrawnAt ? { period: { start: consent.givenAt, end: consent.withdrawnAt } } : {}),
        },
      },
      consent.withdrawnAt ?? consent.recordedAt,
      UK_CORE.Consent,
    ),
  )
}

/** The person's record, when the user may see it; audited as read through FHIR. */
async function personFor(ctx: FhirContext, id: string): Promise<Person | undefined> {
  return memo(ctx, `person:${id}`, async () => {
    if (!(await maySeePerson(ctx.db, ctx.user, id))) return undefined
    return readPerson(ctx.db, ctx.actor, id, { via: 'fhir' })
  })
}

async function peopleFor(ctx: FhirContext, patient: string | undefined): Promise<Person[]> {
  const ids = patient ? [patient] : await visiblePeople(ctx)
  const people: Person[] = []
  for (const id of ids) {
    const person = await personFor(ctx, id)
    if (person) people.push(person)
  }
  return people
}

export const patientHandler: ResourceHandler<Patient> = {
  type: 'Patient',
  profile: UK_CORE.Patient,
  searchParams: ['identifier'],
  readAudits: true,
  async read(ctx, id) {
    const person = await personFor(ctx, id)
    if (!person) throw refused({ recordType: 'person', recordId: id, detail: { attempted: 'fhir.Patient' } })
    return patientOf(person)
  },
  async search(ctx) {
    return (await peopleFor(ctx, undefined)).map(patientOf)
  },
  personOf: () => undefined,
  identifiersOf: (patient) => patient.identifier ?? [],
}

export const consentHandler: ResourceHandler<FhirConsent> = {
  type: 'Consent',
  profile: UK_CORE.Consent,
  searchParams: ['patient', 'status'],
  readAudits: true,
  async read(ctx, id) {
    const found = (await this.search(ctx, {})).find((consent) => consent.id === id)
    if (!found) throw refused({ recordType: 'consent', recordId: id, detail: { attempted: 'fhir.Consent' } })
    return found
  },
  async search(ctx, params) {
    return (await peopleFor(ctx, params.patient)).flatMap(consentsOf)
  },
  personOf: () => undefined,
  statusOf: (consent) => consent.status,
}
