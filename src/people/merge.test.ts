import assert from 'node:assert/strict'
import { it } from 'node:test'
import { issueCard } from '../attendance/store.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'
import { mergePersonRecords } from './merge.ts'
import { personInputSchema } from './person.ts'
import { createPersonRecord } from './records.ts'
import { getPerson } from './store.ts'
import { rowsOf, tablesAboutPeople } from './testing.ts'

const actor = { userId: null, ip: 'test' }

/** A second record with the same names and date of birth, as a self-referral makes. */
function secondRecordOf(db: Db, person: { givenName: string; familyName: string; dateOfBirth: string }) {
  return createPersonRecord(
    db,
    actor,
    personInputSchema('2026-11-30').parse({
      givenName: person.givenName,
      familyName: person.familyName,
      dateOfBirth: person.dateOfBirth,
    }),
  )
}

/** A second record for the demo person who has the most rows about them, as a self-referral makes. */
async function duplicateOfBusiestPerson(db: Db, tables: string[]) {
  const people = await db.selectFrom('people').select('id').execute()
  let busiest = { id: '', total: -1, counts: {} as Record<string, number> }
  for (const { id } of people) {
    const counts = await rowsOf(db, tables, id)
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    if (total > busiest.total) busiest = { id, total, counts }
  }
  const person = (await getPerson(db, busiest.id))!
  const duplicateId = await secondRecordOf(db, person)
  return { person, counts: busiest.counts, duplicateId }
}

describeEachDatabase('merging person records', (database) => {
  it('moves every row about the merged person, in every table, to the record kept, and deletes it', async () => {
    const { db } = database()
    await seedDemo(db)
    const app = await testApp(db)
    const tables = await tablesAboutPeople(db)
    assert.ok(tables.length >= 10, tables.join(', '))
    // For each table, a demo person with rows in it, until every table is covered: each of them is
    // folded into a new record of their own, and nothing may be left behind or lost.
    const people = (await db.selectFrom('people').select('id').orderBy('id').execute()).map((row) => row.id)
    const uncovered = new Set(tables)
    for (const id of people) {
      if (uncovered.size === 0) break
      const counts = await rowsOf(db, tables, id)
      if (!tables.some((table) => uncovered.has(table) && counts[table]! > 0)) continue
      for (const table of tables) if (counts[table]! > 0) uncovered.delete(table)
      const person = (await getPerson(db, id))!
      const duplicateId = await secondRecordOf(db, person)
      await mergePersonRecords(db, actor, { keepId: duplicateId, mergeId: id }, app.kith.personMerged)
      assert.deepEqual(await rowsOf(db, tables, id), Object.fromEntries(tables.map((t) => [t, 0])))
      // The new record started with no rows of its own: everything it has now came across.
      assert.deepEqual(await rowsOf(db, tables, duplicateId), counts, 'nothing was lost on the way')
      assert.equal(await getPerson(db, id), undefined)
      assert.equal(
        (await getPerson(db, duplicateId))?.nhsNumber,
        person.nhsNumber,
        'the NHS number came with it',
      )
      const events = await db
        .selectFrom('audit_events')
        .select(['action', 'record_id'])
        .where('record_id', 'in', [id, duplicateId])
        .where('action', 'in', ['person.merge', 'person.merged-into'])
        .orderBy('action')
        .execute()
      assert.deepEqual(
        events.map((e) => [e.action, e.record_id]),
        [
          ['person.merge', duplicateId],
          ['person.merged-into', id],
        ],
      )
    }
    assert.deepEqual([...uncovered], [], 'the demo has rows in every table about people')
    await app.close()
  })

  it('keeps one working card and one check-in per session, and refuses two different NHS numbers', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const programmeId = demo.programmes.programmes.luton!
    const make = (givenName: string, nhsNumber?: string) =>
      createPersonRecord(
        db,
        actor,
        personInputSchema('2026-11-30').parse({
          givenName,
          familyName: 'Twice',
          dateOfBirth: '1970-01-01',
          nhsNumber,
        }),
      )
    const keep = await make('Pat')
    const merge = await make('Pat')
    const keptCard = await issueCard(db, actor, keep, programmeId)
    const mergedCard = await issueCard(db, actor, merge, programmeId)
    const checkIn = (personId: string, cardId: string, id: string) =>
      db
        .insertInto('check_ins')
        .values({
          id,
          card_id: cardId,
          person_id: personId,
          programme_id: programmeId,
          service_id: 'walking-group',
          service_name: 'Walking group',
          session_date: '2026-11-02',
          checked_in_at: '2026-11-02T10:00:00.000Z',
          recorded_by_user_id: null,
          method: 'code',
        })
        .execute()
    await checkIn(keep, keptCard.card.id, '01a00000-0000-7000-8000-000000000001')
    await checkIn(merge, mergedCard.card.id, '01a00000-0000-7000-8000-000000000002')

    await mergePersonRecords(db, actor, { keepId: keep, mergeId: merge }, app.kith.personMerged)
    const cards = await db
      .selectFrom('attendance_cards')
      .select(['id', 'status'])
      .where('person_id', '=', keep)
      .orderBy('id')
      .execute()
    assert.deepEqual(
      cards.map((c) => [c.id, c.status]),
      [
        [keptCard.card.id, 'active'],
        [mergedCard.card.id, 'replaced'],
      ],
    )
    const checkIns = await db.selectFrom('check_ins').select('id').where('person_id', '=', keep).execute()
    assert.equal(checkIns.length, 1)

    // Two of the demo's people with different NHS numbers are two people.
    const numbered = await db
      .selectFrom('people')
      .select('id')
      .where('nhs_number', 'is not', null)
      .orderBy('id')
      .limit(2)
      .execute()
    const [one, two] = numbered.map((row) => row.id)
    const before = await getPerson(db, two!)
    await assert.rejects(
      mergePersonRecords(db, actor, { keepId: one!, mergeId: two! }, app.kith.personMerged),
      /different NHS numbers/,
    )
    assert.deepEqual(await getPerson(db, two!), before)
    await assert.rejects(
      mergePersonRecords(db, actor, { keepId: keep, mergeId: keep }, app.kith.personMerged),
      /two different records/,
    )
    await app.close()
  })

  it('lets an administrator compare a pair side by side and merge it, and no one else', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const tables = await tablesAboutPeople(db)
    const { person, duplicateId } = await duplicateOfBusiestPerson(db, tables)
    const admin = await new PageClient(app).signInAs(demo.access.users['admin@kith.example']!)
    const list = await admin.get('/admin/people/duplicates')
    assert.equal(list.statusCode, 200)
    const href = `/admin/people/merge?keep=${person.id}&amp;merge=${duplicateId}`
    assert.ok(list.body.includes(href), textOf(list.body))

    const page = await admin.get(href.replace('&amp;', '&'))
    assert.equal(page.statusCode, 200)
    assert.match(textOf(page.body), new RegExp(`Record 1 Name ${person.givenName} ${person.familyName}`))
    const form = { first: person.id, second: duplicateId, keepId: person.id }
    const unconfirmed = await admin.post('/admin/people/merge', form)
    assert.equal(unconfirmed.statusCode, 400)
    assert.match(unconfirmed.body, /href="#confirmed">\s*Confirm that the two records are the same person/)
    assert.ok(await getPerson(db, duplicateId), 'nothing was merged')

    const navigator = await new PageClient(app).signInAs(demo.access.users['navigator.luton@kith.example']!)
    assert.equal((await navigator.get('/admin/people/duplicates')).statusCode, 403)
    assert.equal((await navigator.post('/admin/people/merge', { ...form, confirmed: 'yes' })).statusCode, 403)

    const merged = await admin.post('/admin/people/merge', { ...form, confirmed: 'yes' })
    assert.equal(merged.statusCode, 303)
    assert.equal(await getPerson(db, duplicateId), undefined)
    const after = await admin.get('/admin/people/duplicates?merged=1')
    assert.match(textOf(after.body), /The two records were merged into one/)
    assert.ok(!after.body.includes(duplicateId))
    await app.close()
  })
})
