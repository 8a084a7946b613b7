import assert from 'node:assert/strict'
import { it } from 'node:test'
import { newId } from '../db/ids.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { insertPeople } from '../people/bulk.ts'
import { seededBelow as numbers } from '../seeded.ts'
import type { ReferralStatus } from './lifecycle.ts'
import { referralStatistics, summariseReferrals } from './statistics.ts'
import { type ReferralScope, referralFacts } from './store.ts'
import { referralSetUp } from './testing.ts'

const DAY = 86_400_000
const REPLIES = ['accepted', 'rejected', 'no-reply', null] as const
const REASONS = ['no-capacity', 'not-eligible', 'other', null] as const
const SOURCES = ['gp_practice', 'social_care', 'mdt', 'self'] as const
const STATUSES: ReferralStatus[] = ['accepted', 'rejected', 'cancelled', 'requested']

async function insertReferrals(db: Db, count: number, seed: number) {
  const t = await referralSetUp(db)
  const [personId] = await insertPeople(db, [
    { givenName: 'Sam', familyName: 'Example', dateOfBirth: '1980-01-01', registeredPracticeId: null },
  ])
  const pick = numbers(seed)
  const start = Date.parse('2026-01-01T00:00:00.000Z')
  const serviceIds = ['service-a', 'service-b']
  const rows = Array.from({ length: count }, () => {
    const created = start + pick(300) * DAY + pick(DAY)
    const reply = REPLIES[pick(REPLIES.length)]!
    // Reply times in whole days, half days and odd milliseconds, so medians fall between values.
    const wait = [0, DAY, DAY / 2, 3 * DAY + 1, 2 * DAY - 1, 7 * DAY][pick(6)]!
    const at = new Date(created).toISOString()
    return {
      id: newId(),
      programme_id: pick(4) === 0 ? null : t.programmeId,
      service_id: serviceIds[pick(2)]!,
      target_name: 'Target',
      receiving_organisation_id: t.owner,
      person_id: personId!,
      practice_ods_code: null,
      referrer_kind: SOURCES[pick(SOURCES.length)]!,
      referrer_user_id: null,
      referrer_organisation_id: null,
      referrer_name: 'Referrer',
      referrer_contact: '01632 960 000',
      source_case_id: null,
      status: STATUSES[pick(STATUSES.length)]!,
      flagged_for_review: 0,
      eligibility: '{}',
      answers: '{}',
      needs: '[]',
      goals: '[]',
      what_matters: '',
      reason: '',
      consent_id: null,
      person_as_given: null,
      submission_key: null,
      decision_reason: reply === 'rejected' ? REASONS[pick(REASONS.length)]! : null,
      decision_note: null,
      first_reply_at: reply === null || pick(10) === 0 ? null : new Date(created + wait).toISOString(),
      first_reply: reply,
      nudge_due_at: at,
      decline_due_at: at,
      nudged_at: null,
      created_at: at,
      updated_at: at,
    }
  })
  for (let i = 0; i < rows.length; i += 100)
    await db
      .insertInto('referrals')
      .values(rows.slice(i, i + 100))
      .execute()
  return t
}

describeEachDatabase('Referral statistics counted in the database', (database) => {
  it('equal the same figures counted referral by referral, for every scope and period', async () => {
    const { db } = database()
    const t = await insertReferrals(db, 400, 21)
    const scopes: ReferralScope[] = [
      {},
      { programmeIds: [t.programmeId] },
      { serviceIds: ['service-a'] },
      {
        receivingOrganisationIds: [t.owner],
        period: { from: '2026-03-01T00:00:00.000Z', to: '2026-06-01T00:00:00.000Z' },
      },
      {
        serviceIds: ['service-b'],
        period: { from: '2026-05-01T00:00:00.000Z', to: '2026-05-04T00:00:00.000Z' },
      },
      {
        serviceIds: ['service-a'],
        period: { from: '2026-05-01T00:00:00.000Z', to: '2026-05-20T00:00:00.000Z' },
      },
      {
        serviceIds: ['service-a'],
        period: { from: '2026-05-01T00:00:00.000Z', to: '2026-05-21T00:00:00.000Z' },
      },
      { serviceIds: [] },
      { serviceIds: ['no-such-service'] },
    ]
    let compared = 0
    for (const scope of scopes) {
      const expected = summariseReferrals(await referralFacts(db, scope))
      assert.deepEqual(await referralStatistics(db, scope), expected, JSON.stringify(scope))
      if (expected.medianDaysToReply !== null) compared++
    }
    // Most scopes have enough replies for a median and a share accepted.
    assert.ok(compared >= 5, `medians compared in ${compared} scopes`)
  })

  it('find the median of an odd and of an even number of replies, and say nothing with too few', async () => {
    const { db } = database()
    assert.equal((await referralStatistics(db, {})).received, 0)
    await insertReferrals(db, 3, 1)
    assert.deepEqual(await referralStatistics(db, {}), summariseReferrals(await referralFacts(db, {})))
    for (const seed of [3, 5, 9, 11]) {
      await insertReferrals(db, 5, seed)
      const expected = summariseReferrals(await referralFacts(db, {}))
      assert.deepEqual(await referralStatistics(db, {}), expected)
    }
  })
})
