import assert from 'node:assert/strict'
import { it } from 'node:test'
import type { Actor } from '../access/audit.ts'
import { listAuditEvents } from '../access/audit.ts'
import { createOrganisation } from '../access/store.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { Problem } from '../web/problem.ts'
import { createAccount } from '../web/testing.ts'
import { consentInputSchema, personInputSchema } from './person.ts'
import {
  createPersonRecord,
  findPossibleDuplicates,
  readPerson,
  readPersonSummaries,
  recordConsent,
  updatePersonRecord,
  withdrawConsent,
} from './records.ts'

const person = (input: Record<string, unknown>) => personInputSchema('2026-11-22').parse(input)

const zoe = {
  nhsNumber: '943 476 5919',
  givenName: 'Zoë',
  familyName: 'Ó Súilleabháin',
  dateOfBirth: '1958-07-01',
  sexOrGender: 'Woman',
  addressLines: ['4 Benwell Lane', 'Newcastle upon Tyne'],
  postcode: 'ne4 8qb',
  phone: '07700 900982',
  email: 'zoe@example.com',
  contactMethods: ['sms', 'email'],
  mayLeaveMessages: true,
  conditions: ['35489007', '44054006'],
}

describeEachDatabase('people', (database) => {
  async function setUp() {
    const { db } = database()
    const practiceId = await createOrganisation(db, {
      name: 'Benwell Village Surgery',
      kind: 'practice',
      parentId: null,
      odsCode: 'Z20001',
      postcode: 'NE4 8QB',
    })
    const worker = await createAccount(db, 'link_worker')
    const actor: Actor = { userId: worker.userId, ip: '203.0.113.9' }
    return { db, practiceId, actor }
  }

  it('creates a person and reads them back whole, auditing the creation and the read', async () => {
    const { db, practiceId, actor } = await setUp()
    const id = await createPersonRecord(db, actor, person({ ...zoe, registeredPracticeId: practiceId }))
    const read = await readPerson(db, actor, id, { purpose: 'case' })
    assert.ok(read)
    assert.equal(read.nhsNumber, '9434765919')
    assert.equal(read.givenName, 'Zoë')
    assert.equal(read.postcode, 'NE4 8QB')
    assert.deepEqual(read.addressLines, ['4 Benwell Lane', 'Newcastle upon Tyne'])
    assert.deepEqual(read.contactPreferences, { methods: ['email', 'sms'], mayLeaveMessages: true })
    assert.deepEqual(read.registeredPractice, {
      id: practiceId,
      name: 'Benwell Village Surgery',
      odsCode: 'Z20001',
    })
    assert.deepEqual(read.conditions, [
      { code: '44054006', display: 'Diabetes mellitus type 2' },
      { code: '35489007', display: 'Depressive disorder' },
    ])
    const events = await listAuditEvents(db, { recordType: 'person', recordId: id })
    assert.deepEqual(events.map((e) => [e.action, e.actor_user_id, e.ip]).reverse(), [
      ['person.create', actor.userId, actor.ip],
      ['person.read', actor.userId, actor.ip],
    ])
    assert.equal(events[0]?.detail, JSON.stringify({ purpose: 'case' }))
    assert.doesNotMatch(JSON.stringify(events), /Zoë|9434765919|Benwell|example\.com/)
  })

  it('audits nothing when reading someone who is not there', async () => {
    const { db, actor } = await setUp()
    assert.equal(await readPerson(db, actor, '01234567-89ab-7def-8123-456789abcdef'), undefined)
    assert.equal((await listAuditEvents(db, { action: 'person.read' })).length, 0)
  })

  it('finds a duplicate by NHS number, and by names and date of birth whatever the accents and case', async () => {
    const { db, actor } = await setUp()
    const id = await createPersonRecord(db, actor, person(zoe))
    const other = await createPersonRecord(
      db,
      actor,
      person({ givenName: 'Zoe', familyName: 'O Suilleabhain', dateOfBirth: '1958-07-02' }),
    )

    const byNumber = await findPossibleDuplicates(db, actor, {
      nhsNumber: '9434765919',
      givenName: 'Someone',
      familyName: 'Else',
      dateOfBirth: '2000-01-01',
    })
    assert.deepEqual(
      byNumber.map((d) => [d.person.id, d.match]),
      [[id, 'nhs-number']],
    )

    const byName = await findPossibleDuplicates(db, actor, {
      givenName: ' ZOE ',
      familyName: 'o suilleabháin',
      dateOfBirth: '1958-07-01',
    })
    assert.deepEqual(
      byName.map((d) => [d.person.id, d.match]),
      [[id, 'name-and-date-of-birth']],
    )
    assert.equal(byName[0]?.person.familyName, 'Ó Súilleabháin')

    // The same names on another day of birth, or another given name, is someone else.
    assert.deepEqual(
      await findPossibleDuplicates(db, actor, {
        givenName: 'Zoe',
        familyName: 'Ó Súilleabháin',
        dateOfBirth: '1958-07-03',
      }),
      [],
    )
    assert.deepEqual(
      await findPossibleDuplicates(db, actor, {
        givenName: 'Zara',
        familyName: 'Ó Súilleabháin',
        dateOfBirth: '1958-07-01',
      }),
      [],
    )

    // Both kinds at once: the NHS number match comes first.
    const both = await findPossibleDuplicates(db, actor, {
      nhsNumber: '9434765919',
      givenName: 'Zoe',
      familyName: 'O Suilleabhain',
      dateOfBirth: '1958-07-02',
    })
    assert.deepEqual(
      both.map((d) => [d.person.id, d.match]),
      [
        [id, 'nhs-number'],
        [other, 'name-and-date-of-birth'],
      ],
    )
    assert.deepEqual(
      await findPossibleDuplicates(
        db,
        actor,
        {
          nhsNumber: '9434765919',
          givenName: 'Zoë',
          familyName: 'Ó Súilleabháin',
          dateOfBirth: '1958-07-01',
        },
        { excludingId: id },
      ),
      [],
    )

    // Every person shown as a possible duplicate is audited as read.
    const reads = await listAuditEvents(db, { action: 'person.read' })
    assert.equal(reads.length, 4)
    assert.ok(reads.every((e) => JSON.parse(e.detail ?? '{}').via === 'duplicate-check'))
  })

  it('refuses an NHS number someone else has, and an unknown practice, writing nothing', async () => {
    const { db, actor } = await setUp()
    await createPersonRecord(db, actor, person(zoe))
    const before = await db.selectFrom('people').select('id').execute()
    await assert.rejects(
      createPersonRecord(db, actor, person({ ...minimalOther, nhsNumber: '9434765919' })),
      (error: unknown) =>
        error instanceof Problem && error.status === 409 && error.errors[0]?.field === 'nhsNumber',
    )
    const someOrganisation = await createOrganisation(db, {
      name: 'A council',
      kind: 'council',
      parentId: null,
      odsCode: null,
      postcode: null,
    })
    await assert.rejects(
      createPersonRecord(db, actor, person({ ...minimalOther, registeredPracticeId: someOrganisation })),
      (error: unknown) =>
        error instanceof Problem && error.status === 400 && error.errors[0]?.field === 'registeredPracticeId',
    )
    assert.deepEqual(await db.selectFrom('people').select('id').execute(), before)
    assert.equal((await listAuditEvents(db, { action: 'person.create' })).length, 1)
  })

  it('updates a person, replacing their conditions, and audits which fields changed', async () => {
    const { db, practiceId, actor } = await setUp()
    const id = await createPersonRecord(db, actor, person(zoe))
    const changed = person({
      ...zoe,
      familyName: 'Smith',
      postcode: 'NE4 9XD',
      registeredPracticeId: practiceId,
      conditions: ['44054006', '13645005'],
    })
    assert.equal(await updatePersonRecord(db, actor, id, changed), true)
    const read = await readPerson(db, actor, id)
    assert.equal(read?.familyName, 'Smith')
    assert.equal(read?.registeredPractice?.id, practiceId)
    assert.deepEqual(
      read?.conditions.map((c) => c.code),
      ['13645005', '44054006'],
    )
    const [update] = await listAuditEvents(db, { action: 'person.update', recordId: id })
    assert.deepEqual(JSON.parse(update?.detail ?? '{}'), {
      fields: ['familyName', 'address', 'registeredPractice', 'conditions'],
    })
    // Now found by the new name only.
    assert.equal(
      (
        await findPossibleDuplicates(db, actor, {
          givenName: 'zoe',
          familyName: 'SMITH',
          dateOfBirth: '1958-07-01',
        })
      ).length,
      1,
    )
    assert.equal(await updatePersonRecord(db, actor, '01234567-89ab-7def-8123-456789abcdef', changed), false)
  })

  it('refuses to give one person another’s NHS number on update, changing nothing', async () => {
    const { db, actor } = await setUp()
    await createPersonRecord(db, actor, person(zoe))
    const id = await createPersonRecord(db, actor, person({ ...minimalOther, nhsNumber: '9434765870' }))
    await assert.rejects(
      updatePersonRecord(
        db,
        actor,
        id,
        person({ ...minimalOther, familyName: 'Changed', nhsNumber: '9434765919' }),
      ),
      (error: unknown) => error instanceof Problem && error.status === 409,
    )
    const read = await readPerson(db, actor, id)
    assert.equal(read?.familyName, minimalOther.familyName)
    assert.equal(read?.nhsNumber, '9434765870')
    assert.equal((await listAuditEvents(db, { action: 'person.update' })).length, 0)
  })

  it('records consents, who gave them, when and how, and their withdrawal', async () => {
    const { db, actor } = await setUp()
    const id = await createPersonRecord(db, actor, person(zoe))
    const consents = consentInputSchema(new Date('2026-11-22T12:00:00Z'))
    const first = await recordConsent(
      db,
      actor,
      id,
      consents.parse({
        about: 'Referral to Ways to Wellness',
        givenBy: 'person',
        method: 'verbal',
        givenAt: '2026-11-20T10:15:00Z',
      }),
    )
    const second = await recordConsent(
      db,
      actor,
      id,
      consents.parse({
        about: 'Sharing notes with the GP practice',
        givenBy: 'representative',
        representativeName: 'Mary Smith',
        representativeRelationship: 'Daughter',
        method: 'written',
        givenAt: '2026-11-21T10:15:00Z',
      }),
    )
    assert.equal(await withdrawConsent(db, actor, id, first, '2026-11-22T11:00:00.000Z'), true)
    assert.equal(await withdrawConsent(db, actor, id, first, '2026-11-22T11:30:00.000Z'), false)
    const read = await readPerson(db, actor, id)
    assert.deepEqual(
      read?.consents.map((c) => [
        c.id,
        c.about,
        c.givenBy,
        c.method,
        c.givenAt,
        c.withdrawnAt,
        c.recordedByUserId,
      ]),
      [
        [
          second,
          'Sharing notes with the GP practice',
          { kind: 'representative', name: 'Mary Smith', relationship: 'Daughter' },
          'written',
          '2026-11-21T10:15:00.000Z',
          null,
          actor.userId,
        ],
        [
          first,
          'Referral to Ways to Wellness',
          { kind: 'person' },
          'verbal',
          '2026-11-20T10:15:00.000Z',
          '2026-11-22T11:00:00.000Z',
          actor.userId,
        ],
      ],
    )
    assert.deepEqual((await listAuditEvents(db, { recordId: id })).map((e) => e.action).reverse(), [
      'person.create',
      'person.consent-record',
      'person.consent-record',
      'person.consent-withdraw',
      'person.read',
    ])
  })

  it('reads summaries of several people at once, auditing each', async () => {
    const { db, practiceId, actor } = await setUp()
    const first = await createPersonRecord(db, actor, person({ ...zoe, registeredPracticeId: practiceId }))
    const second = await createPersonRecord(db, actor, person(minimalOther))
    const summaries = await readPersonSummaries(
      db,
      actor,
      [second, first, second, '01234567-89ab-7def-8123-456789abcdef'],
      { page: 'caseload' },
    )
    assert.deepEqual(summaries, [
      {
        id: second,
        nhsNumber: null,
        givenName: 'Tom',
        familyName: 'Bell',
        dateOfBirth: '1970-02-02',
        postcode: null,
        registeredPracticeName: null,
      },
      {
        id: first,
        nhsNumber: '9434765919',
        givenName: 'Zoë',
        familyName: 'Ó Súilleabháin',
        dateOfBirth: '1958-07-01',
        postcode: 'NE4 8QB',
        registeredPracticeName: 'Benwell Village Surgery',
      },
    ])
    const reads = await listAuditEvents(db, { action: 'person.read' })
    assert.deepEqual(reads.map((e) => e.record_id).sort(), [first, second].sort())
    assert.deepEqual(JSON.parse(reads[0]?.detail ?? '{}'), { summary: true, page: 'caseload' })
    assert.deepEqual(await readPersonSummaries(db, actor, []), [])
  })

  it('joins the caller’s transaction, so a failure later in it leaves no person and no audit', async () => {
    const { db, actor } = await setUp()
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await createPersonRecord(trx, actor, person(zoe))
        throw new Error('the referral could not be saved')
      }),
      /could not be saved/,
    )
    assert.equal((await db.selectFrom('people').select('id').execute()).length, 0)
    assert.equal((await listAuditEvents(db, { action: 'person.create' })).length, 0)
  })
})

const minimalOther = { givenName: 'Tom', familyName: 'Bell', dateOfBirth: '1970-02-02' }
