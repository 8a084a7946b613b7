// Referrals in by the NHS Booking and Referral Standard (BaRS): `$process-message` takes a Bundle
// of type `message` whose MessageHeader carries the event `servicerequest-request`, with the
// ServiceRequest, the Patient, the referring Organization and Practitioner (or PractitionerRole)
// and the Consent. It becomes a referral through referrals' `createReferral`, the function the
// pages and /api/v1 use, so it is checked the same way (eligibility with every reason,
// duplicates, consent) and lands in the same inbox with the same nudges and auto-decline. The
// answer is a BaRS response message. The message id makes it idempotent: the same message twice
// makes one referral. Anything wrong answers an OperationOutcome naming the element, and nothing
// is written.

import type {
  Bundle,
  BundleEntry,
  Consent,
  MessageHeader,
  OperationOutcomeIssue,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  Reference,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes'
import { findOrganisationByOdsCode } from '../access/store.ts'
import { newId } from '../db/ids.ts'
import { channelAddress, setChannelAddress } from '../interop/notifications.ts'
import { personInputSchema } from '../people/person.ts'
import type { ReferrerKind } from '../programmes/criteria.ts'
import {
  createReferral,
  getReferral,
  PossibleDuplicates,
  type ReferralInput,
  type TargetRef,
} from '../referrals/index.ts'
import { londonDate } from '../web/format.ts'
import { type FhirContext, kithSystem, SYSTEMS, UK_CORE, withMeta } from './context.ts'
import { FhirError, fhirInvalid, operationOutcome } from './outcome.ts'
import { taskOf } from './resources/referrals.ts'
import type { FhirResponse } from './router.ts'

export const BARS_EVENTS = 'https://fhir.nhs.uk/CodeSystem/message-events-bars'
export const REFERRAL_REQUEST = 'servicerequest-request'
export const REFERRAL_RESPONSE = 'servicerequest-response'

/** Where each field of a referral comes from in the message, for errors that name the element. */
const ELEMENT_OF: Record<string, string> = {
  nhsNumber: "Patient.identifier.where(system='https://fhir.nhs.uk/Id/nhs-number')",
  givenName: 'Patient.name.given',
  familyName: 'Patient.name.family',
  dateOfBirth: 'Patient.birthDate',
  postcode: 'Patient.address.postalCode',
  addressLines: 'Patient.address.line',
  phone: 'Patient.telecom',
  email: 'Patient.telecom',
  contactMethods: 'Patient.telecom',
  registeredPracticeId: 'Patient.generalPractitioner',
  referrerContact: 'Practitioner.telecom',
  needs: 'ServiceRequest.reasonCode',
  reason: 'ServiceRequest.note',
  whatMatters: 'ServiceRequest.patientInstruction',
  goals: 'ServiceRequest.note',
  personChoice: 'Patient',
  'consent.givenAt': 'Consent.dateTime',
}

const invalid = (diagnostics: string, element: string) => fhirInvalid(diagnostics, [element])

// The person schema depends on the day (no date of birth in the future); made once a day.
let personSchemaOf: { today: string; schema: ReturnType<typeof personInputSchema> } | undefined
function personSchema(today: string) {
  if (personSchemaOf?.today !== today) personSchemaOf = { today, schema: personInputSchema(today) }
  return personSchemaOf.schema
}

/** The entries of the message, found by their full URL or by `Type/id`. */
function resolver(entries: BundleEntry[]) {
  return <T extends Resource>(reference: Reference | undefined, type: T['resourceType']): T | undefined => {
    const target = reference?.reference
    if (!target) return undefined
    for (const entry of entries) {
      const resource = entry.resource
      if (!resource || resource.resourceType !== type) continue
      if (entry.fullUrl === target || `${resource.resourceType}/${resource.id}` === target)
        return resource as T
    }
    return undefined
  }
}

const ofType = <T extends Resource>(entries: BundleEntry[], type: T['resourceType']): T[] =>
  entries.map((entry) => entry.resource).filter((r): r is T => r?.resourceType === type)

/** The referral the message asks for, or an error naming the element at fault. */
async function readMessage(
  ctx: FhirContext,
  body: unknown,
): Promise<{ bundle: Bundle; header: MessageHeader; input: ReferralInput }> {
  const bundle = body as Bundle
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle')
    throw invalid('Send a FHIR Bundle.', 'Bundle')
  if (bundle.type !== 'message') throw invalid('The Bundle must be of type message.', 'Bundle.type')
  if (!bundle.id || !/^[A-Za-z0-9.-]{1,64}$/.test(bundle.id))
    throw invalid('The Bundle needs an id: the message id.', 'Bundle.id')
  const entries = Array.isArray(bundle.entry) ? bundle.entry : []
  const header = entries[0]?.resource
  if (header?.resourceType !== 'MessageHeader')
    throw invalid('The first entry must be the MessageHeader.', 'Bundle.entry[0].resource')
  const event = header.eventCoding
  if (event?.system !== BARS_EVENTS || event.code !== REFERRAL_REQUEST)
    throw new FhirError(400, 'not-supported', `Kith takes the BaRS event ${REFERRAL_REQUEST} only.`, [
      'MessageHeader.eventCoding',
    ])
  const find = resolver(entries)
  const request = find<ServiceRequest>(header.focus?.[0], 'ServiceRequest')
  if (!request)
    throw invalid(
      'MessageHeader.focus must point to the ServiceRequest in the message.',
      'MessageHeader.focus',
    )
  const patient = find<Patient>(request.subject, 'Patient')
  if (!patient)
    throw invalid(
      'ServiceRequest.subject must point to the Patient in the message.',
      'ServiceRequest.subject',
    )

  // Where it goes: a directory service, or a programme, named by Kith's id.
  const performer = request.performer?.[0]
  let target: TargetRef | undefined
  const serviceId = performer?.reference?.match(/^HealthcareService\/([A-Za-z0-9-]{1,64})$/)?.[1]
  if (serviceId) target = { serviceId }
  else if (performer?.identifier?.system === kithSystem(ctx, 'programme') && performer.identifier.value)
    target = { programmeId: performer.identifier.value }
  if (!target)
    throw invalid(
      'ServiceRequest.performer must name the service (HealthcareService/<id>) or the programme (identifier in Kith’s programme system).',
      'ServiceRequest.performer',
    )

  const nhsNumber = patient.identifier?.find((i) => i.system === SYSTEMS.nhsNumber)?.value
  if (!nhsNumber) throw invalid('The Patient needs an NHS number.', ELEMENT_OF.nhsNumber as string)
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0]
  const practiceCode = patient.generalPractitioner?.find((g) => g.identifier?.system === SYSTEMS.ods)
    ?.identifier?.value
  const practice = practiceCode ? await findOrganisationByOdsCode(ctx.db, practiceCode) : undefined
  if (practiceCode && practice?.kind !== 'practice')
    throw invalid(
      `Kith knows no GP practice with the ODS code ${practiceCode}.`,
      'Patient.generalPractitioner',
    )
  const address = patient.address?.[0]
  const phone = patient.telecom?.find((t) => t.system === 'phone')?.value
  const email = patient.telecom?.find((t) => t.system === 'email')?.value
  const details = personSchema(londonDate(ctx.now())).safeParse({
    nhsNumber,
    givenName: name?.given?.join(' ') ?? '',
    familyName: name?.family ?? '',
    dateOfBirth: patient.birthDate ?? '',
    addressLines: address?.line ?? [],
    postcode: address?.postalCode ?? '',
    phone: phone ?? '',
    email: email ?? '',
    contactMethods: phone ? ['phone'] : [],
    registeredPracticeId: practice?.id ?? '',
    conditions: [],
  })
  if (!details.success) {
    const issue = details.error.issues[0]
    const field = String(issue?.path[0] ?? 'Patient')
    throw invalid(
      `The Patient is not valid: ${issue?.message ?? 'check it'}.`,
      ELEMENT_OF[field] ?? 'Patient',
    )
  }

  // Who refers: the Practitioner (or PractitionerRole) and their Organization.
  const requester = request.requester
  const role = find<PractitionerRole>(requester, 'PractitionerRole')
  const practitioner =
    find<Practitioner>(requester, 'Practitioner') ?? find<Practitioner>(role?.practitioner, 'Practitioner')
  if (!practitioner)
    throw invalid(
      'ServiceRequest.requester must point to the referring Practitioner in the message.',
      'ServiceRequest.requester',
    )
  const organisation =
    find<Organization>(role?.organization, 'Organization') ??
    find<Organization>(header.sender, 'Organization') ??
    ofType<Organization>(entries, 'Organization')[0]
  if (!organisation) throw invalid('The message needs the referring Organization.', 'MessageHeader.sender')
  const contact =
    [...(practitioner.telecom ?? []), ...(role?.telecom ?? []), ...(organisation.telecom ?? [])].find(
      (t) => t.value && (t.system === 'phone' || t.system === 'email'),
    )?.value ?? ''
  if (!contact)
    throw invalid('Give a phone number or email address for the referrer.', 'Practitioner.telecom')
  const referrerName =
    practitioner.name?.[0]?.text ??
    [
      ...(practitioner.name?.[0]?.prefix ?? []),
      ...(practitioner.name?.[0]?.given ?? []),
      practitioner.name?.[0]?.family,
    ]
      .filter(Boolean)
      .join(' ')
  const membership = ctx.user.memberships[0]
  const kind: ReferrerKind =
    membership?.organisationKind === 'practice' ? 'gp_practice' : 'other_professional'

  // The consent to refer.
  const consent =
    ofType<Consent>(entries, 'Consent').find((c) =>
      request.supportingInfo?.some((s) => s.reference && find<Consent>(s, 'Consent') === c),
    ) ?? ofType<Consent>(entries, 'Consent')[0]
  if (!consent) throw invalid('The message needs the person’s Consent to the referral.', 'Consent')
  if (consent.status !== 'active') throw invalid('The Consent must be active.', 'Consent.status')
  if (!consent.dateTime || Number.isNaN(Date.parse(consent.dateTime)))
    throw invalid('The Consent needs the date and time it was given.', 'Consent.dateTime')
  if (Date.parse(consent.dateTime) > ctx.now().getTime() + 60_000)
    throw invalid('Consent cannot be given in the future.', 'Consent.dateTime')
  const byPatient = consent.performer?.some((p) => find<Patient>(p, 'Patient') === patient) ?? true
  const representative = consent.performer?.find((p) => !find<Patient>(p, 'Patient'))?.display ?? null

  const notes = (request.note ?? []).map((n) => n.text).filter((t): t is string => !!t)
  return {
    bundle,
    header,
    input: {
      target,
      person: { details: details.data },
      referrer: {
        kind,
        userId: ctx.user.id,
        organisationId: membership?.organisationId ?? null,
        name: referrerName || ctx.user.name,
        contact,
      },
      consent: byPatient
        ? {
            givenBy: 'person',
            representativeName: null,
            representativeRelationship: null,
            method: consent.sourceAttachment ? 'written' : 'verbal',
            givenAt: new Date(consent.dateTime).toISOString(),
          }
        : {
            givenBy: 'representative',
            representativeName: representative ?? 'Representative',
            representativeRelationship: 'Named in the referral message',
            method: consent.sourceAttachment ? 'written' : 'verbal',
            givenAt: new Date(consent.dateTime).toISOString(),
          },
      needs: (request.reasonCode ?? []).map((c) => c.text ?? c.coding?.[0]?.display ?? '').filter(Boolean),
      whatMatters: request.patientInstruction ?? '',
      goals: [],
      reason: notes.join('\n') || 'Referred by BaRS message',
      answers: {},
      submissionKey: `bars:${ctx.user.id}:${bundle.id}`,
    },
  }
}

/** The BaRS response message: the MessageHeader answering the request, with the Task and ServiceRequest. */
function responseMessage(
  ctx: FhirContext,
  request: { bundleId: string; header: MessageHeader },
  resources: Resource[],
  code: 'ok' | 'fatal-error',
  outcome?: OperationOutcomeIssue[],
): Bundle {
  const headerId = newId()
  const details = outcome
    ? { resourceType: 'OperationOutcome' as const, id: newId(), issue: outcome }
    : undefined
  const header: MessageHeader = withMeta(
    {
      resourceType: 'MessageHeader',
      id: headerId,
      eventCoding: { system: BARS_EVENTS, code: REFERRAL_RESPONSE },
      ...(request.header.source?.endpoint
        ? { destination: [{ endpoint: request.header.source.endpoint }] }
        : {}),
      source: { endpoint: ctx.base, software: 'Kith' },
      response: {
        identifier: request.bundleId,
        code,
        ...(details ? { details: { reference: `urn:uuid:${details.id}` } } : {}),
      },
      ...(resources.length > 0
        ? { focus: resources.map((r) => ({ reference: `${ctx.base}/${r.resourceType}/${r.id}` })) }
        : {}),
    },
    null,
    UK_CORE.MessageHeader,
  )
  return {
    resourceType: 'Bundle',
    id: newId(),
    meta: { profile: [UK_CORE.Bundle] },
    type: 'message',
    timestamp: ctx.now().toISOString(),
    entry: [
      { fullUrl: `urn:uuid:${headerId}`, resource: header },
      ...resources.map((r) => ({ fullUrl: `${ctx.base}/${r.resourceType}/${r.id}`, resource: r })),
      ...(details ? [{ fullUrl: `urn:uuid:${details.id}`, resource: details }] : []),
    ],
  }
}

/** Maps a problem from the referral's own checks to the element of the message it came from. */
function issuesOf(error: unknown): FhirError | undefined {
  const problem = error as {
    status?: number
    detail?: string
    title?: string
    errors?: { field: string; message: string }[]
  }
  if (typeof problem?.status !== 'number' || problem.status >= 500 || !Array.isArray(problem.errors))
    return undefined
  const first = problem.errors[0]
  const field = first?.field.replace(/^person\./, '') ?? ''
  const element =
    ELEMENT_OF[field] ??
    (field.startsWith('consent')
      ? 'Consent'
      : field === 'programmeId' || field === 'serviceId'
        ? 'ServiceRequest.performer'
        : 'Bundle')
  return new FhirError(
    problem.status === 409 ? 409 : 400,
    problem.status === 409 ? 'duplicate' : 'invalid',
    `${problem.detail ?? problem.title ?? 'The referral is not valid.'}${first ? ` ${first.message}.` : ''}`,
    [element],
  )
}

/** `POST /fhir/$process-message`. */
export async function processMessage(ctx: FhirContext, body: unknown): Promise<FhirResponse> {
  const { bundle, header, input } = await readMessage(ctx, body)
  let outcome: Awaited<ReturnType<typeof createReferral>>
  try {
    const write = ctx.writeReferral ?? ((work) => work(ctx.db))
    // Status changes go back as BaRS messages to where this one came from (decision 0900): the
    // endpoint is recorded when it is new, so messages from one system do not all write one row.
    const source = header.source?.endpoint
    const endpoint =
      source && URL.canParse(source) && (await channelAddress(ctx.db, ctx.user.id, 'fhir-message')) !== source
        ? source
        : undefined
    outcome = await write(async (trx) => {
      const made = await createReferral(trx, ctx.actor, input, { now: ctx.now(), user: ctx.user })
      if (made.outcome === 'sent' && endpoint)
        await setChannelAddress(trx, ctx.user.id, 'fhir-message', endpoint, ctx.now())
      return made
    })
  } catch (error) {
    if (error instanceof PossibleDuplicates)
      throw new FhirError(
        409,
        'duplicate',
        'Someone with the same name and date of birth but no matching NHS number is already in Kith: the receiving team must check who this is. Nothing was written.',
        ['Patient'],
      )
    if (
      (error as { status?: number }).status === 404 ||
      (error as { errors?: { field: string }[] }).errors?.some(
        (e) => e.field === 'programmeId' || e.field === 'serviceId',
      )
    )
      throw new FhirError(400, 'not-found', 'Kith knows no such service or programme.', [
        'ServiceRequest.performer',
      ])
    throw issuesOf(error) ?? error
  }
  if (outcome.outcome === 'not-sent') {
    const issues: OperationOutcomeIssue[] = outcome.eligibility.reasons
      .filter((reason) => reason.met === false)
      .map((reason) => ({
        severity: 'error',
        code: 'business-rule',
        diagnostics: reason.message,
        expression: ['ServiceRequest'],
      }))
    return {
      status: 422,
      body: operationOutcome(
        issues.length > 0
          ? issues
          : [
              {
                severity: 'error',
                code: 'business-rule',
                diagnostics: 'The person does not meet the service’s rules.',
              },
            ],
      ),
    }
  }
  const referral = outcome.referral ?? (await getReferral(ctx.db, outcome.referralId))
  if (!referral) throw new Error('The referral just made cannot be read')
  // The Task is the referral's lifecycle; its focus is the ServiceRequest, to be read at its URL.
  const response = responseMessage(
    ctx,
    { bundleId: bundle.id ?? '', header },
    [taskOf(ctx, { referral, parties: ['referrer'] })],
    'ok',
  )
  return { status: 200, body: response }
}
