import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { loadCurrentUser } from '../access/store.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { listNotifications } from '../interop/notifications.ts'
import type { PersonInput } from '../people/person.ts'
import type { Problem } from '../web/problem.ts'
import {
  type AcceptedReferral,
  applyReplyDeadlines,
  changeReferralStatus,
  createReferral,
  getReferral,
  PossibleDuplicates,
  readReferral,
  referralsOfPerson,
  referralsReceivedBy,
  referralsSentBy,
  replyStatistics,
} from './index.ts'
import { referralInput, referralSetUp } from './testing.ts'

const now = new Date('2026-11-22T10:00:00.000Z')
const actor = (userId: string) => ({ userId, ip: '127.0.0.1' })

describeEachDatabase('referrals', (database) => {
  it('sends an eligible referral, which the team accepts, opening a case and telling the referrer', async () => {
    const { db } = database()
    const t = await referralSetUp(db)
    const sent = await createReferral(db, actor(t.referrer.userId), referralInput(t), { now })
    assert.equal(sent.outcome, 'sent')
    if (sent.outcome !== 'sent') return
    assert.equal(sent.flaggedForReview, false)
    const referral = await getReferral(db, sent.referralId)
    assert.equal(referral?.status, 'requested')
    assert.deepEqual(referral?.needs, ['social-isolation'])
    assert.equal(referral?.history.length, 1)
    assert.ok(referral?.consentId)

    const worker = (await loadCurrentUser(db, t.worker.userId))!
    const inbox = await referralsReceivedBy(db, worker)
    assert.deepEqual(
      inbox.map((r) => r.id),
      [sent.referralId],
    )
    const seen: AcceptedReferral[] = []
    await changeReferralStatus(
      db,
      actor(t.worker.userId),
      sent.referralId,
      { to: 'accepted' },
      { user: worker },
      {
        now: new Date(now.getTime() + 60_000),
        onAccepted: [async (_trx, accepted) => void seen.push(accepted)],
      },
    )
    assert.equal(seen.length, 1)
    assert.equal(seen[0]?.personId, referral?.personId)
    assert.equal(seen[0]?.programmeId, t.programmeId)
    const after = await getReferral(db, sent.referralId)
    assert.equal(after?.status, 'accepted')
    assert.deepEqual(
      after?.history.map((e) => [e.from, e.to, e.actorName]),
      [
        [null, 'requested', 'Dr Peter Walsh'],
        ['requested', 'accepted', 'Chloe Mensah'],
      ],
    )
    assert.deepEqual(
      after?.codedEntries.map((e) => e.code),
      ['871731000000106'],
    )
    const notices = await listNotifications(db, t.referrer.userId)
    assert.equal(notices[0]?.kind, 'referral.accepted')
    assert.equal(notices[0]?.link, `/referrals/${sent.referralId}`)
    assert.equal((await referralsSentBy(db, t.referrer.userId)).length, 1)
    assert.equal((await referralsOfPerson(db, referral!.personId)).length, 1)
  })

  it('does not send an ineligible referral, and writes nothing', async () => {
    const { db } = database()
    const t = await referralSetUp(db)
    const result = await createReferral(
      db,
      actor(t.referrer.userId),
      referralInput(t, { answers: { 'crisis-needs': true } }),
      { now },
    )
    assert.equal(result.outcome, 'not-sent')
    if (result.outcome !== 'not-sent') return
    assert.ok(result.eligibility.reasons.some((r) => r.criterion === 'crisis-needs' && r.met === false))
    const people = await db.selectFrom('people').select('id').execute()
    assert.equal(people.length, 0)
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 0)
  })

  it('sends one that needs review flagged, and the same submission twice only once', async () => {
    const { db } = database()
    const t = await referralSetUp(db)
    const input = referralInput(t, { answers: {}, submissionKey: '0190a000-0000-7000-8000-000000000001' })
    const first = await createReferral(db, actor(t.referrer.userId), input, { now })
    const second = await createReferral(db, actor(t.referrer.userId), input, { now })
    assert.equal(first.outcome, 'sent')
    assert.equal(second.outcome, 'sent')
    if (first.outcome !== 'sent' || second.outcome !== 'sent') return
    assert.equal(first.flaggedForReview, true)
    assert.equal(second.repeated, true)
    assert.equal(second.referralId, first.referralId)
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 1)
  })

  it('links a known NHS number for the receiving team only, and shows duplicates only to the team that holds the record', async () => {
    const { db } = database()
    const t = await referralSetUp(db)
    const referrer = (await loadCurrentUser(db, t.referrer.userId))!
    const stranger = (await loadCurrentUser(db, t.stranger.userId))!
    const worker = (await loadCurrentUser(db, t.worker.userId))!
    const first = await createReferral(db, actor(t.referrer.userId), referralInput(t), {
      now,
      user: referrer,
    })
    assert.ok(first.outcome === 'sent')
    const recordBefore = await db.selectFrom('people').selectAll().execute()

    // Another organisation's referrer gives the same NHS number and date of birth, with other details.
    const base = referralInput(t)
    const details = (base.person as { details: PersonInput }).details
    const other = await createReferral(
      db,
      actor(t.stranger.userId),
      {
        ...base,
        person: { details: { ...details, givenName: 'Sam', phone: '07700900111', conditions: [] } },
        referrer: { ...base.referrer, userId: t.stranger.userId, organisationId: null },
      },
      { now, user: stranger },
    )
    assert.ok(other.outcome === 'sent' && !other.repeated)
    // One record, unchanged: the referral links to it for the receiving team.
    assert.deepEqual(await db.selectFrom('people').selectAll().execute(), recordBefore)
    const linked = (await getReferral(db, other.referralId))!
    assert.equal(linked.personId, (await getReferral(db, first.referralId))!.personId)
    // The stranger reads what they gave, never the record.
    const { person: seenByStranger, parties } = await readReferral(
      db,
      actor(t.stranger.userId),
      stranger,
      other.referralId,
    )
    assert.deepEqual(parties, ['referrer'])
    assert.equal(seenByStranger.isRecord, false)
    assert.equal(seenByStranger.givenName, 'Sam')
    assert.equal(seenByStranger.phone, '07700900111')
    const { person: seenByWorker } = await readReferral(db, actor(t.worker.userId), worker, other.referralId)
    assert.equal(seenByWorker.isRecord, true)
    assert.equal(seenByWorker.givenName, 'Alex')

    // The same NHS number with another date of birth: no oracle. The referral goes, to a new record
    // without the number, flagged for the receiving team to check.
    const mismatch = await createReferral(
      db,
      actor(t.stranger.userId),
      {
        ...base,
        person: { details: { ...details, dateOfBirth: '1981-01-01' } },
        referrer: { ...base.referrer, userId: t.stranger.userId, organisationId: null },
      },
      { now, user: stranger },
    )
    assert.ok(mismatch.outcome === 'sent')
    const people = await db.selectFrom('people').select(['id', 'nhs_number']).execute()
    assert.equal(people.length, 2)
    assert.equal(people.filter((p) => p.nhs_number === '9434765919').length, 1)
    const flagged = (await getReferral(db, mismatch.referralId))!
    assert.equal(flagged.personAsGiven?.nhsNumberOnAnotherRecord, true)
    assert.equal(flagged.personAsGiven?.nhsNumber, '9434765919')

    // The team that holds the record still hears of the conflict at once.
    await assert.rejects(
      createReferral(
        db,
        actor(t.worker.userId),
        { ...base, person: { details: { ...details, dateOfBirth: '1981-01-01' } } },
        { now, user: worker },
      ),
      (error: Problem) => error.status === 409 && error.errors[0]?.field === 'nhsNumber',
    )

    // Same name and date of birth, no NHS number: the holding team is asked; a stranger is not shown anyone.
    const noNumber = { ...base, person: { details: { ...details, nhsNumber: null } } }
    await assert.rejects(
      createReferral(db, actor(t.worker.userId), noNumber, { now, user: worker }),
      PossibleDuplicates,
    )
    const strangers = await createReferral(
      db,
      actor(t.stranger.userId),
      { ...noNumber, referrer: { ...base.referrer, userId: t.stranger.userId, organisationId: null } },
      { now, user: stranger },
    )
    assert.equal(strangers.outcome, 'sent')
    assert.equal((await db.selectFrom('people').select('id').execute()).length, 3)

    // Naming someone by id needs the team to hold them.
    await assert.rejects(
      createReferral(
        db,
        actor(t.stranger.userId),
        {
          ...base,
          person: { personId: linked.personId },
          referrer: { ...base.referrer, userId: t.stranger.userId },
        },
        { now, user: stranger },
      ),
      (error: Problem) => error.status === 400 && error.errors[0]?.field === 'personId',
    )
    const byId = await createReferral(
      db,
      actor(t.worker.userId),
      { ...base, person: { personId: linked.personId }, submissionKey: null },
      { now, user: worker },
    )
    assert.equal(byId.outcome, 'sent')
  })

  it('refuses changes the lifecycle forbids, and hides referrals from people outside them', async () => {
    const { db } = database()
    const t = await referralSetUp(db)
    const sent = await createReferral(db, actor(t.referrer.userId), referralInput(t), { now })
    assert.ok(sent.outcome === 'sent')
    const worker = (await loadCurrentUser(db, t.worker.userId))!
    const referrer = (await loadCurrentUser(db, t.referrer.userId))!
    const stranger = (await loadCurrentUser(db, t.otherWorker.userId))!
    await assert.rejects(
      changeReferralStatus(db, actor(stranger.id), sent.referralId, { to: 'accepted' }, { user: stranger }),
      (error: { status: number }) => error.status === 404,
    )
    await assert.rejects(
      changeReferralStatus(db, actor(referrer.id), sent.referralId, { to: 'accepted' }, { user: referrer }),
      (error: { status: number }) => error.status === 409,
    )
    await assert.rejects(
      changeReferralStatus(db, actor(worker.id), sent.referralId, { to: 'rejected' }, { user: worker }),
      (error: { status: number }) => error.status === 400,
    )
    await changeReferralStatus(db, actor(worker.id), sent.referralId, { to: 'accepted' }, { user: worker })
    await changeReferralStatus(db, actor(worker.id), sent.referralId, { to: 'completed' }, { user: worker })
    await assert.rejects(
      changeReferralStatus(db, actor(worker.id), sent.referralId, { to: 'requested' }, { user: worker }),
      (error: { status: number; message: string }) => error.status === 409 && /final/.test(error.message),
    )
    const events = await listAuditEvents(db, { recordType: 'referral', action: 'referral.status-change' })
    assert.equal(events.length, 2)
  })

  it('records that the person declined, and declines automatically when no one replies', async () => {
    const { db } = database()
    const t = await referralSetUp(db)
    const one = await createReferral(db, actor(t.referrer.userId), referralInput(t), { now })
    const two = await createReferral(
      db,
      actor(t.referrer.userId),
      referralInput(t, { goals: ['Something else'] }),
      { now },
    )
    assert.ok(one.outcome === 'sent' && two.outcome === 'sent')
    const worker = (await loadCurrentUser(db, t.worker.userId))!
    await changeReferralStatus(
      db,
      actor(worker.id),
      one.referralId,
      { to: 'rejected', reason: 'person-declined' },
      { user: worker },
    )
    assert.deepEqual(
      (await getReferral(db, one.referralId))?.codedEntries.map((e) => e.code),
      ['871711000000103'],
    )
    const day = 86_400_000
    assert.deepEqual(await applyReplyDeadlines(db, new Date(now.getTime() + 6 * day)), {
      declined: 0,
      nudged: 0,
    })
    assert.deepEqual(await applyReplyDeadlines(db, new Date(now.getTime() + 8 * day)), {
      declined: 0,
      nudged: 1,
    })
    assert.deepEqual(await applyReplyDeadlines(db, new Date(now.getTime() + 9 * day)), {
      declined: 0,
      nudged: 0,
    })
    const workerNotices = await listNotifications(db, t.worker.userId)
    assert.ok(workerNotices.some((n) => n.kind === 'referral.reminder'))
    assert.deepEqual(await applyReplyDeadlines(db, new Date(now.getTime() + 15 * day)), {
      declined: 1,
      nudged: 0,
    })
    const declined = await getReferral(db, two.referralId)
    assert.equal(declined?.status, 'rejected')
    assert.equal(declined?.decision?.reason, 'no-reply')
    assert.equal(declined?.history.at(-1)?.actorName, 'Kith (automatic)')
    const notices = await listNotifications(db, t.referrer.userId)
    assert.ok(notices.some((n) => n.kind === 'referral.rejected'))
  })
})

it('gives statistics only once there are enough replies', () => {
  const row = (days: number, firstReply: string) => ({
    createdAt: '2026-11-01T09:00:00.000Z',
    firstReplyAt: new Date(Date.parse('2026-11-01T09:00:00.000Z') + days * 86_400_000).toISOString(),
    firstReply,
  })
  assert.deepEqual(replyStatistics([row(1, 'accepted')]), {
    replies: 1,
    medianDaysToReply: null,
    acceptedPercent: null,
  })
  const stats = replyStatistics([
    row(1, 'accepted'),
    row(2, 'accepted'),
    row(3, 'accepted'),
    row(3, 'rejected'),
    row(5, 'accepted'),
  ])
  assert.deepEqual(stats, { replies: 5, medianDaysToReply: 3, acceptedPercent: 80 })
})
