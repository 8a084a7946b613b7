import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createOrganisation } from '../access/store.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { insertPeople } from '../people/bulk.ts'
import { defaultSettings } from '../programmes/config.ts'
import { createProgramme } from '../programmes/store.ts'
import { seededBelow as numbers } from '../seeded.ts'
import { ONS4, personChange, programmeChange, type Reading } from './instruments.ts'
import { outcomesPersonalData } from './personal-data.ts'
import { changeCounts } from './statistics.ts'
import { insertReading, movePersonReadings } from './store.ts'

describeEachDatabase('Outcome change counted in the database', (database) => {
  it('equals the change worked out person by person, for the people and period given', async () => {
    const { db } = database()
    const owner = await createOrganisation(db, {
      name: 'Owner',
      kind: 'vcs',
      parentId: null,
      odsCode: null,
      postcode: null,
    })
    const programmes = [
      await createProgramme(db, {
        name: 'One',
        ownerOrganisationId: owner,
        settings: defaultSettings('One'),
      }),
      await createProgramme(db, {
        name: 'Two',
        ownerOrganisationId: owner,
        settings: defaultSettings('Two'),
      }),
    ]
    const people = await insertPeople(
      db,
      Array.from({ length: 40 }, (_, i) => ({
        givenName: `P${i}`,
        familyName: 'Example',
        dateOfBirth: '1970-01-01',
        registeredPracticeId: null,
      })),
    )
    const pick = numbers(11)
    const before = '2026-07-01T00:00:00.000Z'
    // Each person has none to four readings in each programme, recorded in no order of time (some
    // taken earlier than those recorded before them, a few at the same moment as another, some
    // after the end); a few readings leave a score out, one in twenty has none, and values repeat
    // so that some scores do not move.
    let made = 0
    let takenAt = ''
    for (const personId of people)
      for (const programmeId of programmes)
        for (let r = pick(5); r > 0; r--) {
          if (!takenAt || pick(10) > 0)
            takenAt = new Date(
              Date.parse('2026-01-01T09:00:00.000Z') + pick(240) * 86_400_000 + ++made * 1000,
            ).toISOString()
          const scores: Record<string, number> = {}
          if (pick(20) > 0)
            for (const score of ONS4.scores) if (pick(12) > 0) scores[score.id] = pick(4) * 2.5
          await insertReading(db, {
            personId,
            programmeId,
            instrumentId: 'ons4',
            stage: 'review',
            takenAt,
            answers: {},
            scores,
            enteredBy: 'link_worker',
            recordedByUserId: null,
          })
        }
    // The people in scope: every other person, in either programme.
    const chosen = people.filter((_, i) => i % 2 === 0)
    const thresholds = { happiness: 2.5, anxiety: 5 }

    /** The counts equal those worked out person by person from the readings as they now stand. */
    const countsHold = async (when: string) => {
      const scope = db
        .selectFrom('outcome_readings')
        .select(['person_id', 'programme_id'])
        .where('person_id', 'in', chosen)
      const counts = await changeCounts(db, {
        instrument: ONS4,
        programmeIds: programmes,
        before,
        people: scope,
        thresholds,
      })
      const rows = await db
        .selectFrom('outcome_readings')
        .select(['person_id', 'programme_id', 'taken_at', 'scores'])
        .where('taken_at', '<', before)
        .orderBy('taken_at')
        .orderBy('id')
        .execute()
      const readings = new Map<string, Reading[]>()
      for (const row of rows) {
        const key = `${row.programme_id}/${row.person_id}`
        readings.set(key, [
          ...(readings.get(key) ?? []),
          { takenAt: row.taken_at, scores: JSON.parse(row.scores) as Record<string, number> },
        ])
      }
      assert.equal(counts.length, 2, when)
      for (const programmeId of programmes) {
        const byPerson = chosen
          .map((personId) => readings.get(`${programmeId}/${personId}`))
          .filter((r) => r !== undefined)
        assert.ok(byPerson.flat().length > 20)
        const expected = programmeChange(ONS4, byPerson)
        const changes = byPerson.map((r) => personChange(ONS4, r)).filter((c) => c !== undefined)
        const got = counts.find((c) => c.programmeId === programmeId)!
        assert.equal(got.people, expected.people, when)
        assert.equal(got.paired, expected.paired, when)
        assert.equal(got.improvedInAny, expected.improvedInAny, when)
        for (const score of expected.scores) {
          const mine = got.scores.find((s) => s.id === score.id)!
          assert.equal(mine.pairs, score.pairs, `${when}: ${score.id}`)
          assert.equal(mine.improved, score.improved, `${when}: ${score.id}`)
          assert.ok(Math.abs(mine.sumFirst / mine.pairs - score.meanBaseline!) < 1e-9)
          assert.ok(Math.abs(mine.sumLatest / mine.pairs - score.meanLatest!) < 1e-9)
          assert.ok(Math.abs(mine.sumChange / mine.pairs - score.meanChange!) < 1e-9)
          const threshold = thresholds[score.id as keyof typeof thresholds]
          const pairs = changes.flatMap((c) => c.scores.filter((s) => s.id === score.id))
          const sign = score.better === 'higher' ? 1 : -1
          assert.equal(
            mine.improvedByThreshold,
            threshold === undefined ? null : pairs.filter((p) => sign * p.change >= threshold - 1e-9).length,
            `${when}: ${score.id}`,
          )
        }
      }
    }
    await countsHold('as recorded')

    // Records merged: a person's readings join another's, earlier and later than theirs.
    for (let i = 0; i < 8; i += 2) await movePersonReadings(db, people[i + 1]!, people[i]!)
    await movePersonReadings(db, people[12]!, people[14]!)
    await countsHold('after merging records')
    // A person's record erased: their readings, and so their scores, go.
    await outcomesPersonalData.erase(db, people[16]!)
    await countsHold('after erasing a record')
  })
})
