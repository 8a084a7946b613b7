// Record-level access to a person in a programme (decision 0501): outcomes, attendance and cards
// are for the programme's link workers and the people in its caseload only, whatever practice the
// person is registered at; every refusal is a 404 that writes nothing but its audit event.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { createApiToken } from '../access/tokens.ts'
import { issueCard } from '../attendance/store.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { getReferral } from '../referrals/index.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'
import { recordReading } from './measures.ts'
import { readingsOfPerson } from './store.ts'
import { programmeFixture, SYSTEM } from './testing.ts'

const ons4 = {
  'answers.life-satisfaction': '4',
  'answers.worthwhile': '5',
  'answers.happiness': '5',
  'answers.anxiety': '7',
}

const ons4Answers = { 'life-satisfaction': 4, worthwhile: 5, happiness: 5, anxiety: 7 }

async function cardsOfPerson(db: Db, personId: string) {
  return db
    .selectFrom('attendance_cards')
    .select(['programme_id', 'status'])
    .where('person_id', '=', personId)
    .orderBy('issued_at')
    .execute()
}

async function refusalsBy(db: Db, userId: string) {
  return (await listAuditEvents(db, { refusals: true, limit: 500 })).filter((e) => e.actor_user_id === userId)
}

/** Every way into a person's record in a programme, as a link worker would try it. */
async function tryEverything(client: PageClient, app: PageClient['app'], token: string, base: string) {
  const [, , , programmeId, , personId] = base.split('/')
  const attendance = `/attendance/programmes/${programmeId}/people/${personId}`
  const statuses = [
    (await client.get(base)).statusCode,
    (await client.get(`${base}/record/ons4/baseline`)).statusCode,
    (await client.post(`${base}/record/ons4/baseline`, ons4)).statusCode,
    (await client.post(`${base}/record/ons4/baseline/shared`, ons4)).statusCode,
    (await client.get(`${base}/thank-you`)).statusCode,
    (await client.get(attendance)).statusCode,
    (await client.post(`${attendance}/card`, {})).statusCode,
    (await client.post(`${attendance}/card/revoke`, {})).statusCode,
    (
      await app.inject({
        method: 'POST',
        url: `/api/v1/programmes/${programmeId}/people/${personId}/outcome-readings`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ instrumentId: 'ons4', stage: 'baseline', answers: ons4Answers }),
      })
    ).statusCode,
  ]
  return statuses
}

describeEachDatabase('who may reach a person in a programme', (database) => {
  it('refuses a link worker of a neighbouring programme over the same practice, writes nothing, and audits each refusal', async () => {
    const { db } = database()
    const t = await programmeFixture(db)
    // A card and a reading made for the person in the neighbouring programme through the old
    // hole (registered at one of its practices): they grant nothing now.
    await issueCard(db, SYSTEM, t.personId, t.neighbourProgrammeId)
    await recordReading(db, SYSTEM, {
      personId: t.personId,
      programmeId: t.neighbourProgrammeId,
      instrumentId: 'ons4',
      stage: 'baseline',
      answers: ons4Answers,
      enteredBy: 'link_worker',
    })
    const neighbour = await t.as(t.neighbourWorker)
    const { token } = await createApiToken(db, t.neighbourWorker.userId, 'test')
    const cardsBefore = await cardsOfPerson(db, t.personId)

    for (const programmeId of [t.neighbourProgrammeId, t.programmeId]) {
      const base = `/outcomes/programmes/${programmeId}/people/${t.personId}`
      const statuses = await tryEverything(neighbour, t.app, token, base)
      assert.deepEqual(
        statuses,
        statuses.map(() => 404),
        base,
      )
    }
    assert.doesNotMatch(
      textOf(
        (await neighbour.get(`/outcomes/programmes/${t.neighbourProgrammeId}/people/${t.personId}`)).body,
      ),
      /Zoë|Testperson/,
    )
    // Nothing written: no reading, the card neither replaced nor revoked.
    assert.equal((await readingsOfPerson(db, t.personId, t.programmeId)).length, 0)
    assert.equal((await readingsOfPerson(db, t.personId, t.neighbourProgrammeId)).length, 1)
    assert.deepEqual(await cardsOfPerson(db, t.personId), cardsBefore)
    // Nor listed on the neighbouring programme's outcomes page, for all its reading there.
    const listed = await neighbour.get(`/programmes/${t.neighbourProgrammeId}/outcomes`)
    assert.equal(listed.statusCode, 200)
    assert.doesNotMatch(textOf(listed.body), /Zoë/)

    // Each attempt is audited as a refusal of the person's record, without personal data.
    const refusals = await refusalsBy(db, t.neighbourWorker.userId)
    assert.equal(refusals.length, 2 * 9 + 1)
    assert.ok(refusals.every((e) => e.action === 'person.access-refused' && e.record_id === t.personId))
    const attempted = new Set(refusals.map((e) => JSON.parse(e.detail ?? '{}').attempted))
    assert.deepEqual([...attempted].sort(), [
      'attendance-card.issue',
      'attendance-card.revoke',
      'attendance.read',
      'outcomes.read',
      'outcomes.record',
    ])
    assert.ok(refusals.every((e) => !/Zoë|Testperson|1958/.test(e.detail ?? '')))

    // Their own programme's person they reach as before; the programme's own worker reaches Zoë.
    const own = `/outcomes/programmes/${t.neighbourProgrammeId}/people/${t.neighbourPersonId}`
    assert.equal((await neighbour.get(own)).statusCode, 200)
    const worker = await t.as(t.worker)
    assert.equal(
      (await worker.get(`/outcomes/programmes/${t.programmeId}/people/${t.personId}`)).statusCode,
      200,
    )
    assert.equal(
      (await worker.get(`/attendance/programmes/${t.programmeId}/people/${t.personId}`)).statusCode,
      200,
    )
    assert.equal((await refusalsBy(db, t.worker.userId)).length, 0)
  })

  it('grants nothing for being registered at a practice, nor for a reading already held', async () => {
    const { db } = database()
    const t = await programmeFixture(db)
    await recordReading(db, SYSTEM, {
      personId: t.unreferredId,
      programmeId: t.programmeId,
      instrumentId: 'ons4',
      stage: 'baseline',
      answers: ons4Answers,
      enteredBy: 'link_worker',
    })
    const worker = await t.as(t.worker)
    const { token } = await createApiToken(db, t.worker.userId, 'test')
    const base = `/outcomes/programmes/${t.programmeId}/people/${t.unreferredId}`
    const statuses = await tryEverything(worker, t.app, token, base)
    assert.deepEqual(
      statuses,
      statuses.map(() => 404),
    )
    assert.equal((await cardsOfPerson(db, t.unreferredId)).length, 0)
    assert.equal((await readingsOfPerson(db, t.unreferredId, t.programmeId)).length, 1)
    assert.doesNotMatch(
      textOf((await worker.get(`/programmes/${t.programmeId}/outcomes`)).body),
      /Unreferred/,
    )
    assert.equal((await refusalsBy(db, t.worker.userId)).length, statuses.length)
  })
})

describeEachDatabase('who may reach a person in a programme: the Blackburn with Darwen demo', (database) => {
  it("refuses the recovery support officer a mental health programme person's outcomes, attendance and cards", async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const recovery = demo.programmes.programmes['bwd.recovery'] as string
    const mentalHealth = demo.programmes.programmes['bwd.mental-health'] as string
    const user = (email: string) => demo.access.users[email] as string
    // Janet: referred to the mental health programme (received, no case yet), registered at a
    // practice both programmes cover.
    let janet: string | undefined
    for (const id of demo.referrals.referrals) {
      const referral = await getReferral(db, id)
      if (referral?.target.programmeId === mentalHealth) janet = referral.personId
    }
    assert.ok(janet)
    const app = await testApp(db)
    const as = (userId: string) => new PageClient(app).signInAs(userId)

    const officer = user('recovery.blackburn@kith.example')
    const recoveryOfficer = await as(officer)
    const outcomes = `/outcomes/programmes/${recovery}/people/${janet}`
    const attendance = `/attendance/programmes/${recovery}/people/${janet}`
    assert.equal((await recoveryOfficer.get(outcomes)).statusCode, 404)
    assert.equal((await recoveryOfficer.get(attendance)).statusCode, 404)
    assert.equal((await recoveryOfficer.post(`${attendance}/card`, {})).statusCode, 404)
    assert.equal((await recoveryOfficer.post(`${attendance}/card/revoke`, {})).statusCode, 404)
    assert.equal(
      (await recoveryOfficer.get(`/outcomes/programmes/${mentalHealth}/people/${janet}`)).statusCode,
      404,
    )
    assert.equal((await cardsOfPerson(db, janet)).length, 0)
    const refusals = await refusalsBy(db, officer)
    assert.equal(refusals.length, 5)
    assert.ok(refusals.every((e) => e.action === 'person.access-refused' && e.record_id === janet))

    // The mental health programme's navigator reaches her through the referral it received; the
    // project officer of both programmes only through the programme she was referred to.
    const navigator = await as(user('navigator.blackburn@kith.example'))
    assert.equal(
      (await navigator.get(`/outcomes/programmes/${mentalHealth}/people/${janet}`)).statusCode,
      200,
    )
    assert.equal(
      (await navigator.get(`/attendance/programmes/${mentalHealth}/people/${janet}`)).statusCode,
      200,
    )
    const projectOfficer = await as(user('officer.blackburn@kith.example'))
    assert.equal(
      (await projectOfficer.get(`/outcomes/programmes/${mentalHealth}/people/${janet}`)).statusCode,
      200,
    )
    assert.equal((await projectOfficer.get(outcomes)).statusCode, 404)
  })
})
