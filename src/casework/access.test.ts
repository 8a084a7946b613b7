// Who may open a case (record-level access, `caseForUser`): within one organisation, a link
// worker of one programme does not see another programme's cases, and the refusal is audited.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { createApiToken } from '../access/tokens.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { personInputSchema } from '../people/person.ts'
import { createPersonRecord } from '../people/records.ts'
import { defaultSettings } from '../programmes/config.ts'
import { addLinkWorker, createProgramme, setProgrammePractices } from '../programmes/store.ts'
import { createAccount, createTestOrganisation, PageClient, testApp, textOf } from '../web/testing.ts'
import { openCase } from './index.ts'

const NOW = new Date('2026-11-30T10:00:00Z')
const actor = { userId: null, ip: null }

/** Blackburn's shape: one CVS runs two programmes over the same practice. */
async function setUp(db: Db) {
  const cvs = await createTestOrganisation(db, 'Test CVS')
  const practice = await createTestOrganisation(db, 'Test Practice', 'practice', 'Z99001')
  const recoveryWorker = await createAccount(db, 'link_worker', {
    organisationId: cvs,
    title: 'Recovery support officer',
  })
  const mentalHealthWorker = await createAccount(db, 'link_worker', { organisationId: cvs })
  const recovery = await createProgramme(db, {
    name: 'Recovery',
    ownerOrganisationId: cvs,
    settings: defaultSettings('Recovery'),
  })
  const mentalHealth = await createProgramme(db, {
    name: 'Mental health',
    ownerOrganisationId: cvs,
    settings: defaultSettings('Mental health'),
  })
  for (const programme of [recovery, mentalHealth]) await setProgrammePractices(db, programme, [practice])
  await addLinkWorker(db, recovery, recoveryWorker.userId)
  await addLinkWorker(db, mentalHealth, mentalHealthWorker.userId)
  const personId = await createPersonRecord(
    db,
    actor,
    personInputSchema('2026-11-30').parse({
      givenName: 'Ada',
      familyName: 'Testperson',
      dateOfBirth: '1960-02-01',
      registeredPracticeId: practice,
    }),
  )
  const caseId = await openCase(db, actor, { personId, programmeId: mentalHealth, practiceOdsCode: 'Z99001' })
  const app = await testApp(db, {}, () => NOW)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  return { app, as, recoveryWorker, mentalHealthWorker, caseId }
}

describeEachDatabase('casework: who may open a case', (database) => {
  it('refuses a case of another programme of the same organisation, changes nothing, and audits the refusal', async () => {
    const { db } = database()
    const t = await setUp(db)
    const outsider = await t.as(t.recoveryWorker)
    const reads = [
      `/casework/cases/${t.caseId}`,
      `/casework/cases/${t.caseId}/plan`,
      `/casework/cases/${t.caseId}/gp-summary`,
    ]
    for (const url of reads) {
      const response = await outsider.get(url)
      assert.equal(response.statusCode, 404, url)
      assert.doesNotMatch(textOf(response.body), /Testperson/, url)
    }
    const { token } = await createApiToken(db, t.recoveryWorker.userId, 'test')
    const api = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cases/${t.caseId}`,
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(api.statusCode, 404)
    assert.doesNotMatch(api.body, /Testperson/)
    reads.push('api')
    // A change goes through the same check, inside its transaction: refused, nothing written.
    const note = await outsider.post(`/casework/cases/${t.caseId}/notes`, { type: 'general', text: 'Hello' })
    assert.equal(note.statusCode, 404)
    const events = await listAuditEvents(db, { recordType: 'case', recordId: t.caseId, limit: 50 })
    const theirs = events.filter((e) => e.actor_user_id === t.recoveryWorker.userId)
    assert.equal(theirs.length, reads.length + 1, 'every refusal is audited, even inside a transaction')
    assert.ok(theirs.every((e) => e.action === 'case.access-refused'))
    assert.ok(theirs.every((e) => !/Ada|Testperson/.test(e.detail ?? '')))
    assert.equal((await listAuditEvents(db, { refusals: true })).length, reads.length + 1)

    // The programme's own link worker opens it.
    const own = await t.as(t.mentalHealthWorker)
    assert.equal((await own.get(`/casework/cases/${t.caseId}`)).statusCode, 200)
    assert.equal((await listAuditEvents(db, { refusals: true })).length, reads.length + 1)
  })
})
