import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createApiToken } from '../access/tokens.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { rowsOf, tablesAboutPeople } from '../people/testing.ts'
import { referralSetUp } from '../referrals/testing.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'
import { applyRetention, dueForErasure, retentionOf } from './retention.ts'

const auditOf = (db: Db, action: string) =>
  db.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('at').execute()

describeEachDatabase('records kept and released by policy', (database) => {
  it('exports everything held on a person in one action, as a page and as JSON, audited; erases on request where allowed, keeping that it happened', async (t) => {
    const { db } = database()
    await seedDemo(db)
    const app = await testApp(db)
    const admin = await db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'admin@kith.example')
      .executeTakeFirstOrThrow()
    const client = await new PageClient(app).signInAs(admin.id)
    const tables = await tablesAboutPeople(db)
    const people = await db.selectFrom('people').select(['id', 'family_name', 'nhs_number']).execute()
    // The demo person with the most rows about them.
    let busiest = { id: '', familyName: '', nhsNumber: null as string | null, total: -1 }
    for (const person of people) {
      const total = Object.values(await rowsOf(db, tables, person.id)).reduce((a, b) => a + b, 0)
      if (total > busiest.total)
        busiest = { id: person.id, familyName: person.family_name, nhsNumber: person.nhs_number, total }
    }

    await t.test('a subject access export holds every part, and who read the record', async () => {
      // Someone reads the person's referral, so the export must say so.
      const referral = await db
        .selectFrom('referrals')
        .select('id')
        .where('person_id', '=', busiest.id)
        .executeTakeFirstOrThrow()
      await db
        .insertInto('audit_events')
        .values({
          id: '0190a000-0000-7000-8000-0000000000aa',
          at: new Date().toISOString(),
          actor_user_id: admin.id,
          action: 'referral.read',
          record_type: 'referral',
          record_id: referral.id,
          ip: null,
          detail: null,
        })
        .execute()
      const page = await client.get(`/admin/records/people/${busiest.id}/export`)
      assert.equal(page.statusCode, 200)
      const text = textOf(page.body)
      for (const heading of [
        'Person record',
        'Consents',
        'Referrals',
        'Cases',
        'Plans',
        'Notes',
        'Goals',
        'Outcome measures',
        'Attendance',
        'Who read or changed these records',
      ])
        assert.match(text, new RegExp(heading), heading)
      assert.match(text, /referral\.read/)
      assert.match(text, new RegExp(busiest.familyName))

      const json = await client.get(`/admin/records/people/${busiest.id}/export.json`)
      assert.equal(json.statusCode, 200)
      assert.match(String(json.headers['content-disposition']), /attachment/)
      const document = json.json()
      assert.equal(document.person.id, busiest.id)
      const counts = await rowsOf(db, tables, busiest.id)
      const exported = new Map<string, number>()
      for (const part of document.parts)
        for (const section of part.sections) exported.set(section.title, section.rows.length)
      assert.equal(exported.get('Referrals'), counts.referrals)
      assert.equal(exported.get('Cases'), counts.cases)
      assert.equal(exported.get('Consents'), counts.person_consents)
      assert.equal(exported.get('Outcome measures'), counts.outcome_readings)
      assert.equal(exported.get('Attendance'), counts.check_ins)
      assert.ok(
        document.audit.some(
          (e: { action: string; actorName: string }) =>
            e.action === 'referral.read' && e.actorName === 'Sam Okafor',
        ),
      )
      const exports = await auditOf(db, 'person.subject-access')
      assert.deepEqual(
        exports.map((e) => [e.record_id, JSON.parse(e.detail ?? '{}').format]),
        [
          [busiest.id, 'html'],
          [busiest.id, 'json'],
        ],
      )
    })

    await t.test('a person is found by NHS number, which stays out of the URL', async () => {
      const withNumber = people.find((p) => p.nhs_number)!
      const found = await client.post('/admin/records/find', { nhsNumber: withNumber.nhs_number! })
      assert.equal(found.statusCode, 303)
      assert.equal(found.headers.location, `/admin/records/people/${withNumber.id}`)
      const unknown = await client.post('/admin/records/find', { nhsNumber: '123' })
      assert.equal(unknown.statusCode, 400)
      assert.match(textOf(unknown.body), /Enter a valid 10-digit NHS number/)
    })

    await t.test(
      'erasure on request: refused while in use or unconfirmed; then everything goes, the audit keeps that it did',
      async () => {
        const { activityOf } = await import('./retention.ts')
        const parts = app.kith.personRecordParts
        let inUse: string | undefined
        let notInUse: { id: string; familyName: string } | undefined
        for (const person of people) {
          const activity = await activityOf(db, parts, person.id)
          if (activity.open) inUse ??= person.id
          else if (Object.values(await rowsOf(db, tables, person.id)).some((n) => n > 0) && !notInUse)
            notInUse = { id: person.id, familyName: person.family_name }
        }
        assert.ok(inUse && notInUse)
        const inUseName = people.find((p) => p.id === inUse)!.family_name
        const refused = await client.post(`/admin/records/people/${inUse}/erase`, {
          ground: 'consent-withdrawn',
          reason: 'Request 42',
          confirmName: inUseName,
          lawAllows: 'yes',
        })
        assert.equal(refused.statusCode, 400)
        assert.match(textOf(refused.body), /The record is in use/)
        const wrongName = await client.post(`/admin/records/people/${notInUse.id}/erase`, {
          ground: 'consent-withdrawn',
          reason: 'Request 43',
          confirmName: 'Someone Else',
          lawAllows: 'yes',
        })
        assert.equal(wrongName.statusCode, 400)
        assert.match(textOf(wrongName.body), /Type the person's family name/)
        const noReason = await client.post(`/admin/records/people/${notInUse.id}/erase`, {
          ground: 'consent-withdrawn',
          confirmName: notInUse.familyName,
        })
        assert.equal(noReason.statusCode, 400)
        assert.match(textOf(noReason.body), /Enter the reason/)
        assert.match(textOf(noReason.body), /Confirm that the law allows/)
        assert.ok(
          Object.values(await rowsOf(db, tables, notInUse.id)).some((n) => n > 0),
          'nothing was erased',
        )
        assert.deepEqual(await auditOf(db, 'person.erase'), [])

        const erased = await client.post(`/admin/records/people/${notInUse.id}/erase`, {
          ground: 'consent-withdrawn',
          reason: 'Request 44',
          confirmName: notInUse.familyName.toUpperCase(),
          lawAllows: 'yes',
        })
        assert.equal(erased.statusCode, 303, erased.body)
        assert.deepEqual(
          await rowsOf(db, tables, notInUse.id),
          Object.fromEntries(tables.map((table) => [table, 0])),
        )
        assert.equal(
          (await db.selectFrom('people').select('id').where('id', '=', notInUse.id).execute()).length,
          0,
        )
        const [event] = await auditOf(db, 'person.erase')
        assert.equal(event?.record_id, notInUse.id)
        assert.equal(event?.actor_user_id, admin.id)
        assert.deepEqual(JSON.parse(event?.detail ?? '{}'), {
          ground: 'consent-withdrawn',
          reason: 'Request 44',
        })
        assert.equal((await client.get(`/admin/records/people/${notInUse.id}`)).statusCode, 404)
      },
    )

    await t.test(
      'every part together erases every row about the busiest person, in every table',
      async () => {
        const { eraseParts } = await import('./retention.ts')
        await db.transaction().execute((trx) => eraseParts(trx, app.kith.personRecordParts, busiest.id))
        assert.deepEqual(
          await rowsOf(db, tables, busiest.id),
          Object.fromEntries(tables.map((table) => [table, 0])),
        )
      },
    )

    await t.test('only administrators reach the records pages', async () => {
      const worker = await createAccount(db, 'link_worker')
      const other = await new PageClient(app).signInAs(worker.userId)
      assert.equal((await other.get('/admin/records')).statusCode, 403)
      assert.equal(
        (await other.get(`/admin/records/people/${notInUseId(people)}/export.json`)).statusCode,
        403,
      )
    })
    await app.close()
  })

  it('keeps records for their retention period, then the daily job erases them, audited; the report lists what is due', async () => {
    const { db } = database()
    // A programme open to any age, children included.
    const t = await referralSetUp(db, { criteria: [] })
    const { token } = await createApiToken(db, t.referrer.userId, 'retention')
    const app = await testApp(db)
    const refer = async (givenName: string, dateOfBirth: string) => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/referrals',
        headers: { authorization: `Bearer ${token}` },
        payload: {
          programmeId: t.programmeId,
          person: { givenName, familyName: 'Retained', dateOfBirth, registeredPracticeId: t.practice },
          referrerKind: 'gp_practice',
          referrerContact: '01632 960 100',
          consent: { givenBy: 'person', method: 'verbal', givenAt: '2026-01-01T10:00:00Z' },
          answers: {},
          needs: ['social-isolation'],
        },
      })
      assert.equal(response.statusCode, 201, response.body)
      const referral = response.json()
      // Rejected, so no longer in use: retention counts from here.
      await db.updateTable('referrals').set({ status: 'rejected' }).where('id', '=', referral.id).execute()
      return referral.personId as string | null
    }
    await refer('Adult', '1970-03-01')
    await refer('Child', '2015-06-01')
    const parts = app.kith.personRecordParts
    const policy = { adultYears: 8, childUntilAge: 25 }
    const ids = await db.selectFrom('people').select(['id', 'given_name']).execute()
    const adult = ids.find((p) => p.given_name === 'Adult')!.id
    const child = ids.find((p) => p.given_name === 'Child')!.id
    const years = (n: number) => new Date(Date.now() + n * 365.25 * 24 * 3_600_000)

    // Seven years on, nothing is due; the job erases nothing.
    assert.deepEqual(await dueForErasure(db, parts, policy, years(7)), [])
    assert.equal(await applyRetention(db, parts, policy, years(7)), 0)
    // Eight years and a day on, the adult's records are due; the child's are kept until their 25th birthday.
    const due = await dueForErasure(db, parts, policy, years(8.01))
    assert.deepEqual(
      due.map((d) => [d.personId, d.rule]),
      [[adult, 'adult']],
    )
    const childRetention = retentionOf(
      { id: child, dateOfBirth: '2015-06-01' },
      { lastAt: new Date().toISOString(), open: false },
      policy,
    )
    assert.equal(childRetention.rule, 'child')
    assert.equal(childRetention.dueAt, '2040-06-01T00:00:00.000Z')

    // The report, eight years on, lists the adult's records as due, by rule.
    const later = await testApp(db, {}, () => years(8.01))
    const admin = await createAccount(db, 'administrator')
    const client = await new PageClient(later).signInAs(admin.userId)
    const report = textOf((await client.get('/admin/records')).body)
    assert.match(report, new RegExp(`Person ${adult}`))
    assert.match(report, /Adult: kept for a number of years after the last activity/)
    assert.doesNotMatch(report, new RegExp(`Person ${child}`))
    assert.equal((await auditOf(db, 'records.retention-report')).length, 1)

    assert.equal(await applyRetention(db, parts, policy, years(8.01)), 1)
    const [event] = await auditOf(db, 'person.erase')
    assert.equal(event?.record_id, adult)
    assert.equal(event?.actor_user_id, null)
    const detail = JSON.parse(event?.detail ?? '{}')
    assert.equal(detail.ground, 'retention')
    assert.equal(detail.rule, 'adult')
    assert.equal((await db.selectFrom('people').select('id').where('id', '=', adult).execute()).length, 0)
    assert.equal(
      (await db.selectFrom('referrals').select('id').where('person_id', '=', adult).execute()).length,
      0,
    )
    assert.equal((await db.selectFrom('people').select('id').where('id', '=', child).execute()).length, 1)
    await later.close()
    await app.close()
  })
})

function notInUseId(people: { id: string }[]): string {
  return people[0]!.id
}
