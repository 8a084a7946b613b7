import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeEachDatabase } from '../db/testing.ts'
import { createTestService } from '../directory/testing.ts'
import { createAccount, createTestOrganisation, PageClient, testApp, textOf } from '../web/testing.ts'
import { allGroupDetails } from './groups-store.ts'

const DETAILS = {
  runBy: 'members',
  facilitatorUserId: '',
  leaderEmail: '',
  meetingPattern: 'Wednesdays, 10am to 11am',
  place: 'Culm Valley Integrated Centre for Health',
  contact: 'amblers@kith.example',
  forNeed: 'People who are isolated or want gentle exercise',
  members: '14',
  openToNew: 'yes',
  running: 'yes',
}

async function groupsFixture(db: import('../db/schema.ts').Db) {
  let clock = new Date('2026-11-30T10:00:00Z')
  const centre = await createTestOrganisation(db, 'Culm Valley Integrated Centre for Health')
  const amblers = await createTestOrganisation(db, 'Amblers Walking Group')
  const facilitator = await createAccount(db, 'link_worker', {
    organisationId: centre,
    name: 'Hana Facilitator',
  })
  const leader = await createAccount(db, 'provider', { name: 'Bill Leader' })
  const organiser = await createAccount(db, 'provider', { organisationId: amblers, name: 'Olive Organiser' })
  const stranger = await createAccount(db, 'provider', { name: 'Stan Stranger' })
  const serviceId = await createTestService(db, amblers, {
    name: 'Amblers Walking Group',
    kind: 'patient_led_group',
  })
  const app = await testApp(db, {}, () => clock)
  return {
    app,
    facilitator,
    leader,
    organiser,
    stranger,
    serviceId,
    as: (account: { userId: string }) => new PageClient(app).signInAs(account.userId),
    setNow: (at: Date) => {
      clock = at
    },
  }
}

const day = (prefix: string, date: string) => ({
  [`${prefix}-day`]: date.slice(8),
  [`${prefix}-month`]: date.slice(5, 7),
  [`${prefix}-year`]: date.slice(0, 4),
})

describeEachDatabase('community groups', (database) => {
  it('records a group’s details and the support a link worker gives it; its leader records meetings', async () => {
    const { db } = database()
    const t = await groupsFixture(db)
    const worker = await t.as(t.facilitator)
    const base = `/community/groups/${t.serviceId}`
    const bad = await worker.post(`${base}/details`, {
      ...DETAILS,
      members: 'many',
      leaderEmail: 'nobody@kith.test',
    })
    assert.equal(bad.statusCode, 400)
    assert.match(textOf(bad.body), /Enter the number of members, from 0 to 1000/)
    assert.equal((await allGroupDetails(db, '2025-11-30')).length, 0)
    const unknown = await worker.post(`${base}/details`, { ...DETAILS, leaderEmail: 'nobody@kith.test' })
    assert.match(textOf(unknown.body), /No one with a Kith account has this email address/)

    const leaderEmail = (
      await db.selectFrom('users').select('email').where('id', '=', t.leader.userId).executeTakeFirstOrThrow()
    ).email
    const saved = await worker.post(`${base}/details`, {
      ...DETAILS,
      facilitatorUserId: t.facilitator.userId,
      leaderEmail,
    })
    assert.equal(saved.statusCode, 303)
    const page = textOf((await worker.get(base)).body)
    assert.match(page, /Run by Its members \(patient-led\), supported by Hana Facilitator/)
    // A group is a directory service: link workers refer and signpost to it like any other.
    assert.match(textOf((await worker.get(`/directory/services/${t.serviceId}`)).body), /Patient-led group/)
    assert.match(page, /Members 14, open to new members/)

    const support = await worker.post(`${base}/support`, {
      kind: 'funding',
      note: 'Helped write a bid to the parish council for walking poles.',
      ...day('givenOn', '2026-11-20'),
    })
    assert.equal(support.statusCode, 303)
    const futureSupport = await worker.post(`${base}/support`, {
      kind: 'venue',
      note: 'A room',
      ...day('givenOn', '2026-12-20'),
    })
    assert.equal(futureSupport.statusCode, 400)
    assert.match(
      textOf((await worker.get(base)).body),
      /Funding application , 20 November 2026 by Hana Facilitator: Helped write a bid/,
    )

    // The leader, with an account, records a meeting; another provider may not.
    const leader = await t.as(t.leader)
    const met = await leader.post(`${base}/meetings`, { ...day('metOn', '2026-11-25'), attended: '11' })
    assert.equal(met.statusCode, 303)
    const again = await leader.post(`${base}/meetings`, { ...day('metOn', '2026-11-25'), attended: '9' })
    assert.match(textOf(again.body), /A meeting on this day is already recorded/)
    const future = await leader.post(`${base}/meetings`, { ...day('metOn', '2026-12-25'), attended: '9' })
    assert.match(textOf(future.body), /The day the group met must be today or in the past/)
    const stranger = await t.as(t.stranger)
    assert.equal(
      (await stranger.post(`${base}/meetings`, { ...day('metOn', '2026-11-26'), attended: '3' })).statusCode,
      404,
    )
    const organiser = await t.as(t.organiser)
    assert.equal(
      (await organiser.post(`${base}/meetings`, { ...day('metOn', '2026-11-18'), attended: '8' })).statusCode,
      303,
    )
    const [health] = await allGroupDetails(db, '2025-11-30')
    assert.deepEqual([health?.meetingsInYear, health?.lastMetOn], [2, '2026-11-25'])
  })

  it('flags a running group that has not met in three months to its facilitator', async () => {
    const { db } = database()
    const t = await groupsFixture(db)
    const worker = await t.as(t.facilitator)
    const base = `/community/groups/${t.serviceId}`
    await worker.post(`${base}/details`, { ...DETAILS, facilitatorUserId: t.facilitator.userId })
    await worker.post(`${base}/meetings`, { ...day('metOn', '2026-11-25'), attended: '10' })
    assert.doesNotMatch(textOf((await worker.get('/community/groups')).body), /Your groups that have not met/)
    t.setNow(new Date('2027-02-26T10:00:00Z'))
    const list = textOf((await worker.get('/community/groups')).body)
    assert.match(
      list,
      /Your groups that have not met in three months Amblers Walking Group ?: last met 25 November 2026/,
    )
    assert.match(list, /Not met in three months/)
  })

  it('helps people start a new group, from the idea to the first meeting', async () => {
    const { db } = database()
    const t = await groupsFixture(db)
    const worker = await t.as(t.facilitator)
    const bad = await worker.post('/community/new-groups', { name: '', idea: '', interested: '4' })
    assert.equal(bad.statusCode, 400)
    assert.match(textOf(bad.body), /Enter a name for the group/)
    const created = await worker.post('/community/new-groups', {
      name: 'Fibromyalgia support group',
      idea: 'A monthly peer support group for people living with fibromyalgia.',
      forNeed: 'Fibromyalgia',
      interested: '6',
      interestedNote: 'Met at the practice’s pain clinic.',
      facilitatorUserId: t.facilitator.userId,
      stepsDone: ['idea', 'people'],
    })
    assert.equal(created.statusCode, 303)
    const page = textOf((await worker.get(created.headers.location as string)).body)
    assert.match(page, /Fibromyalgia support group 2 of 8 steps done/)
    const list = textOf((await worker.get('/community/new-groups')).body)
    assert.match(
      list,
      /Fibromyalgia support group ?: 2 of 8 steps done, 6 people interested, supported by Hana Facilitator/,
    )
  })
})
