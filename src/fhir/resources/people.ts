// Patient and Consent: searched among the people whose records the user sees (access.ts), each
// page read through the people capability's audited reader.

import type { Consent as FhirConsent, Patient } from '@medplum/fhirtypes'
import { refused } from '../../access/audit.ts'
import { isId } from '../../db/ids.ts'
import type { Person } from '../../people/person.ts'
import { readPeople } from '../../people/records.ts'
import { searchConsents, searchPeopleIds } from '../../people/store.ts'
import { maySeePerson, peopleSeen } from '../access.ts'
import { type FhirContext, ref, SYSTEMS, UK_CORE, withMeta } from '../context.ts'
import type { ResourceHandler } from '../handler.ts'
import { type ParsedSearch, pagingOf } from '../search.ts'

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
  if (!(await maySeePerson(ctx.db, ctx.user, id))) return undefined
  return (await peopleIn(ctx, [id]))[0]
}

/**
 * The people whose records are asked for, in the order given, read through the audited reader
 * (one transaction for those not yet read in this request).
 */
async function peopleIn(ctx: FhirContext, ids: readonly string[]): Promise<Person[]> {
  const unread = [...new Set(ids)].filter((id) => !ctx.memo.has(`person:${id}`))
  const reading = readPeople(ctx.db, ctx.actor, unread, { via: 'fhir' })
  for (const id of unread)
    ctx.memo.set(
      `person:${id}`,
      reading.then((people) => people.find((person) => person.id === id)),
    )
  const people: Person[] = []
  for (const id of ids) {
    const person = (await ctx.memo.get(`person:${id}`)) as Person | undefined
    if (person) people.push(person)
  }
  return people
}

/** The NHS number an `identifier` search names: undefined when not searched, null when no NHS number can match. */
function nhsNumberNamed(search: ParsedSearch): string | null | undefined {
  if (!search.identifier) return undefined
  const { system, value } = search.identifier
  return system === undefined || system === SYSTEMS.nhsNumber ? value : null
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
  async search(ctx, search) {
    const nhsNumber = nhsNumberNamed(search)
    if (nhsNumber === null) return { resources: [], total: 0 }
    const { rows, total } = await searchPeopleIds(ctx.db, {
      among: await peopleSeen(ctx),
      ...(nhsNumber !== undefined ? { nhsNumber } : {}),
      updated: search.updated,
      ...pagingOf(search),
    })
    return { resources: (await peopleIn(ctx, rows)).map(patientOf), total }
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
    const { rows } = isId(id)
      ? await searchConsents(ctx.db, { among: await peopleSeen(ctx), ids: [id], limit: 1, offset: 0 })
      : { rows: [] }
    const [person] = await peopleIn(
      ctx,
      rows.map((row) => row.personId),
    )
    const found = person && consentsOf(person).find((consent) => consent.id === id)
    if (!found) throw refused({ recordType: 'consent', recordId: id, detail: { attempted: 'fhir.Consent' } })
    return found
  },
  async search(ctx, search) {
    const active = search.statuses
      ? [search.statuses.includes('active'), search.statuses.includes('inactive')]
      : [true, true]
    if (!active[0] && !active[1]) return { resources: [], total: 0 }
    const { rows, total } = await searchConsents(ctx.db, {
      among: await peopleSeen(ctx),
      ...(search.patient !== undefined ? { personId: search.patient } : {}),
      ...(active[0] !== active[1] ? { active: active[0] === true } : {}),
      updated: search.updated,
      ...pagingOf(search),
    })
    const people = new Map(
      (await peopleIn(ctx, [...new Set(rows.map((row) => row.personId))])).map((p) => [p.id, p]),
    )
    const resources: FhirConsent[] = []
    for (const { id, personId } of rows) {
      const person = people.get(personId)
      const consent = person && consentsOf(person).find((c) => c.id === id)
      if (consent) resources.push(consent)
    }
    return { resources, total }
  },
  personOf: () => undefined,
  statusOf: (consent) => consent.status,
}
