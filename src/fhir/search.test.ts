// FHIR searches run in the database: they reach every record (not only the most recent few
// hundred), page through each match exactly once, and open exactly the people a user's pages
// open, however the user reaches them: a referral, a case, or a programme's caseload.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { Bundle } from '@medplum/fhirtypes'
import type { Actor } from '../access/audit.ts'
import { createApiToken } from '../access/tokens.ts'
import { openCase } from '../casework/cases.ts'
import { newId } from '../db/ids.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { recordReading } from '../outcomes/measures.ts'
import { createPersonRecord } from '../people/records.ts'
import { addLinkWorker } from '../programmes/store.ts'
import { createReferral } from '../referrals/index.ts'
import { getReferralRow } from '../referrals/store.ts'
import { referralInput, referralSetUp } from '../referrals/testing.ts'
import { createAccount, testApp } from '../web/testing.ts'

const SYSTEM: Actor = { userId: null, ip: null }
const LATER = 520

const SWEMWBS_ANSWERS = {
  optimistic: 3,
  useful: 3,
  relaxed: 3,
  'dealing-with-problems': 3,
  'thinking-clearly': 3,
  'close-to-others': 3,
  'own-mind': 3,
}

async function searcher(db: Db, userId: string) {
  const app = await testApp(db)
  const { token } = await createApiToken(db, userId, 'fhir')
  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
    return { status: response.statusCode, body: response.json() }
  }
  const search = async (url: string): Promise<Bundle> => {
    const { status, body } = await get(url)
    assert.equal(status, 200, `${url}: ${JSON.stringify(body)}`)
    return body as Bundle
  }
  const ids = async (url: string) =>
    ((await search(url)).entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id)
  return { app, get, search, ids }
}

describeEachDatabase('FHIR searches in the database', (database) => {
  it('finds a referral beyond the 500 most recent, pages through every one exactly once, newest first, each audited', async () => {
    const { db } = database()
    const t = await referralSetUp(db)
    const made = await createReferral(db, { userId: t.referrer.userId, ip: null }, referralInput(t))
    assert.equal(made.outcome, 'sent')
    const oldestId = made.outcome === 'sent' ? made.referralId : ''
    const oldest = await getReferralRow(db, oldestId)
    assert.ok(oldest)
    // Many later referrals of the same person, each changed a minute after the one before.
    const start = Date.parse(oldest.updated_at) + 60_000
    const later = Array.from({ length: LATER }, (_, i) => {
      const at = new Date(start + i * 60_000).toISOString()
      return {
        ...oldest,
        id: newId(start + i * 60_000),
        submission_key: null,
        created_at: at,
        updated_at: at,
      }
    })
    for (let i = 0; i < later.length; i += 100)
      await db
        .insertInto('referrals')
        .values(later.slice(i, i + 100))
        .execute()
    const { app, search, ids } = await searcher(db, t.worker.userId)

    const system = 'http://kith.test/fhir/Id/referral'
    assert.deepEqual(await ids(`/fhir/Task?identifier=${system}|${oldestId}`), [oldestId])
    assert.deepEqual(await ids(`/fhir/ServiceRequest?identifier=${oldestId}`), [oldestId])
    assert.deepEqual(await ids(`/fhir/Task?identifier=https://elsewhere.example/id|${oldestId}`), [])
    const before = new Date(start - 30_000).toISOString()
    const olderOnes = await search(`/fhir/Task?_lastUpdated=lt${before}`)
    assert.equal(olderOnes.total, 1)
    assert.equal(olderOnes.entry?.[0]?.resource?.id, oldestId)
    assert.equal((await search(`/fhir/Task?_lastUpdated=ge${before}&_count=1`)).total, LATER)
    assert.equal((await search('/fhir/ServiceRequest?status=active&_count=1')).total, LATER + 1)
    assert.equal((await search('/fhir/ServiceRequest?status=revoked&_count=1')).total, 0)

    // Paging by the Bundle's next links visits each referral once, in order, and the total holds.
    const seen: string[] = []
    const times: string[] = []
    let url: string | undefined = '/fhir/Task?_count=100'
    let pages = 0
    while (url) {
      const page = await search(url)
      assert.equal(page.total, LATER + 1)
      for (const entry of page.entry ?? []) {
        seen.push(entry.resource?.id ?? '')
        times.push(entry.resource?.meta?.lastUpdated ?? '')
      }
      url = page.link?.find((l) => l.relation === 'next')?.url?.replace('http://kith.test', '')
      pages++
    }
    assert.equal(pages, Math.ceil((LATER + 1) / 100))
    assert.equal(seen.length, LATER + 1)
    assert.equal(new Set(seen).size, LATER + 1)
    assert.equal(seen.at(-1), oldestId)
    assert.deepEqual(times, [...times].sort().reverse())

    // Every Task that left was audited as a read of the person's record.
    const audited = await db
      .selectFrom('audit_events')
      .select(['detail'])
      .where('actor_user_id', '=', t.worker.userId)
      .where('action', '=', 'person.read')
      .where('record_id', '=', oldest.person_id)
      .execute()
    assert.equal(audited.filter((e) => String(e.detail).includes('"Task"')).length, LATER + 1 + 3)
    await app.close()
  })

  it('opens a person reached only through a case, or only through a caseload, to the team holding them and to no other organisation', async () => {
    const { db } = database()
    const t = await referralSetUp(db)
    const details = referralInput(t).person as { details: Parameters<typeof createPersonRecord>[2] }
    // Neither person was ever referred: one has a case, the other's case is held by another team.
    const withCase = await createPersonRecord(db, SYSTEM, {
      ...details.details,
      nhsNumber: null,
      givenName: 'Casey',
    })
    const caseId = await openCase(db, SYSTEM, { personId: withCase, programmeId: t.programmeId })
    // A second link worker of the programme, in another organisation, joins after that case was opened:
    // they see no case of the owner's team, but the programme's caseload is theirs to measure.
    const partner = await createAccount(db, 'link_worker', { name: 'Partner Worker' })
    await addLinkWorker(db, t.programmeId, partner.userId)
    const measured = await createPersonRecord(db, SYSTEM, {
      ...details.details,
      nhsNumber: null,
      givenName: 'Morgan',
    })
    const measuredCase = await openCase(db, SYSTEM, { personId: measured, programmeId: t.programmeId })
    const reading = await recordReading(
      db,
      { userId: partner.userId, ip: null },
      {
        personId: measured,
        programmeId: t.programmeId,
        instrumentId: 'swemwbs',
        stage: 'baseline',
        answers: SWEMWBS_ANSWERS,
        enteredBy: 'link_worker',
      },
    )

    // The programme manager sees the case (casework's rule) and so the person; no referral, no caseload.
    const manager = await searcher(db, t.manager.userId)
    assert.deepEqual((await manager.ids('/fhir/Patient?_count=100')).sort(), [withCase, measured].sort())
    assert.deepEqual(await manager.ids(`/fhir/CarePlan?patient=${withCase}`), [caseId])
    assert.equal((await manager.get(`/fhir/Patient/${withCase}`)).status, 200)
    assert.equal((await manager.search(`/fhir/Consent?patient=${withCase}`)).total, 0)
    await manager.app.close()

    // The partner reaches the measured person through the caseload alone: their readings, not the case.
    const partnerSearch = await searcher(db, partner.userId)
    assert.ok((await partnerSearch.ids('/fhir/Patient?_count=100')).includes(measured))
    assert.deepEqual(await partnerSearch.ids(`/fhir/QuestionnaireResponse?patient=${measured}`), [reading.id])
    const observations = await partnerSearch.search(`/fhir/Observation?patient=${measured}&_count=1`)
    assert.equal(observations.total, 2, 'the raw and the metric score')
    assert.equal(observations.entry?.length, 1)
    const second = observations.link?.find((l) => l.relation === 'next')?.url?.replace('http://kith.test', '')
    assert.ok(second)
    const rest = await partnerSearch.search(second)
    assert.notEqual(rest.entry?.[0]?.resource?.id, observations.entry?.[0]?.resource?.id)
    assert.deepEqual(await partnerSearch.ids(`/fhir/CarePlan?patient=${measured}`), [])
    assert.equal((await partnerSearch.get(`/fhir/CarePlan/${measuredCase}`)).status, 404)
    assert.equal((await partnerSearch.get(`/fhir/Patient/${measured}`)).status, 200)
    assert.equal((await partnerSearch.get(`/fhir/QuestionnaireResponse/${reading.id}`)).status, 200)
    await partnerSearch.app.close()

    // Another organisation's link worker, and a referrer elsewhere, reach neither.
    for (const userId of [t.otherWorker.userId, t.stranger.userId, t.referrer.userId]) {
      const other = await searcher(db, userId)
      assert.deepEqual(await other.ids('/fhir/Patient?_count=100'), [], userId)
      for (const type of [
        'CarePlan',
        'QuestionnaireResponse',
        'Observation',
        'Goal',
        'Appointment',
        'Consent',
      ])
        assert.equal((await other.search(`/fhir/${type}`)).total, 0, `${type} for ${userId}`)
      for (const url of [
        `/fhir/Patient/${withCase}`,
        `/fhir/Patient/${measured}`,
        `/fhir/CarePlan/${caseId}`,
      ])
        assert.equal((await other.get(url)).status, 404, url)
      assert.equal((await other.get(`/fhir/QuestionnaireResponse/${reading.id}`)).status, 404)
      await other.app.close()
    }

    // What the manager and the partner were shown was audited as reads of those records.
    const reads = await db
      .selectFrom('audit_events')
      .select(['actor_user_id', 'record_id'])
      .where('action', 'in', ['person.read', 'outcome-reading.read'])
      .where('record_id', 'in', [withCase, measured])
      .execute()
    assert.ok(reads.some((r) => r.actor_user_id === t.manager.userId && r.record_id === withCase))
    assert.ok(reads.some((r) => r.actor_user_id === partner.userId && r.record_id === measured))
    assert.ok(
      !reads.some((r) => r.actor_user_id === t.otherWorker.userId || r.actor_user_id === t.stranger.userId),
    )
  })
})
