import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { textOf } from '../web/testing.ts'
import { allOpportunities, placementsWhere } from './store.ts'
import { FOOD_BANK_FORM, volunteeringFixture } from './testing.ts'

const PROFILE = {
  interests: 'Cooking, music',
  skills: 'teamwork',
  days: ['TU', 'FR'],
  postcode: 'bb1 6ph',
  travelKm: '5',
  recovery: 'drug-alcohol',
  stage: 'early',
  dbsLevel: 'none',
  referencesReceived: '0',
}

const countRows = async (db: import('../db/schema.ts').Db, table: 'placements' | 'placement_hours') =>
  (await db.selectFrom(table).select('id').execute()).length

describeEachDatabase('volunteering on prescription', (database) => {
  it('a host publishes an opportunity: a volunteering service in the directory and the Open Referral feed', async () => {
    const { db } = database()
    const t = await volunteeringFixture(db)
    const host = await t.as(t.foodBank)
    const bad = await host.post('/community/opportunities', {
      ...FOOD_BANK_FORM,
      role: '',
      placesAvailable: 'lots',
    })
    assert.equal(bad.statusCode, 400)
    assert.match(textOf(bad.body), /Error: Publish a volunteering opportunity – Kith/)
    assert.match(textOf(bad.body), /Enter the role, like Café assistant/)
    assert.match(textOf(bad.body), /Enter the number of places, from 0 to 500/)
    assert.equal((await allOpportunities(db, { activeOnly: false })).length, 0)

    const published = await host.post('/community/opportunities', FOOD_BANK_FORM)
    assert.equal(published.statusCode, 303)
    const [opportunity] = await allOpportunities(db, { activeOnly: true })
    assert.ok(opportunity)
    assert.equal(opportunity.role, 'Warehouse and packing volunteer')
    assert.deepEqual(opportunity.skillsGained, ['teamwork', 'food hygiene'])
    assert.equal(opportunity.placesLeft, 2)
    assert.ok(opportunity.point, 'placed by its postcode')

    const page = textOf((await host.get(`/directory/services/${opportunity.serviceId}`)).body)
    assert.match(page, /Food bank volunteering/)
    assert.match(page, /Volunteering opportunity/)
    const feed = await host.get(`/openreferral/services/${opportunity.serviceId}`)
    const service = JSON.parse(feed.body) as {
      name: string
      attributes: { taxonomy_term: { name: string } }[]
    }
    assert.equal(service.name, 'Food bank volunteering')
    assert.ok(service.attributes.some((a) => a.taxonomy_term.name === 'Volunteering'))

    // The host updates it; another provider cannot.
    const edit = await host.post(`/community/opportunities/${opportunity.serviceId}`, {
      ...FOOD_BANK_FORM,
      placesAvailable: '3',
    })
    assert.equal(edit.statusCode, 303)
    assert.equal((await allOpportunities(db, { activeOnly: true }))[0]?.placesAvailable, 3)
    const other = await t.as(t.charityShop)
    assert.equal((await other.get(`/community/opportunities/${opportunity.serviceId}/edit`)).statusCode, 404)
  })

  it('the officer matches a person, the placement moves on, hours are logged and the host confirms them', async () => {
    const { db } = database()
    const t = await volunteeringFixture(db)
    const host = await t.as(t.foodBank)
    await host.post('/community/opportunities', FOOD_BANK_FORM)
    const shop = await t.as(t.charityShop)
    await shop.post('/community/opportunities', {
      ...FOOD_BANK_FORM,
      name: 'Charity shop volunteering',
      role: 'Shop floor volunteer',
      interests: 'retail, fashion',
      skillsGained: 'customer service',
      days: ['SA'],
      suits: ['mental-health'],
      stages: [],
      postcode: 'BB2 3UY',
    })
    const [foodBank] = (await allOpportunities(db, { activeOnly: true })).filter(
      (o) => o.role === 'Warehouse and packing volunteer',
    )
    assert.ok(foodBank)
    const officer = await t.as(t.officer)
    const base = `/community/cases/${t.caseId}/volunteering`
    assert.match(textOf((await officer.get(`/casework/cases/${t.caseId}`)).body), /Find volunteering/)
    assert.match(textOf((await officer.get(base)).body), /Record what they are looking for/)

    const badProfile = await officer.post(`${base}/profile`, { ...PROFILE, travelKm: '0' })
    assert.equal(badProfile.statusCode, 400)
    assert.match(textOf(badProfile.body), /Enter how far they can travel/)
    assert.equal((await officer.post(`${base}/profile`, PROFILE)).statusCode, 303)
    const page = textOf((await officer.get(base)).body)
    // The food bank comes first, with its reasons; the charity shop is on no day they are free.
    assert.match(
      page,
      /Food bank volunteering, Test organisation \d+ Matches their interest in cooking, builds the teamwork skills they want, runs on Tuesdays, when they are free, suits people in recovery from drugs or alcohol, helps with routine and under 1 km away\. 2 places left\./,
    )
    assert.ok(page.indexOf('Food bank volunteering') < page.indexOf('Charity shop volunteering'))

    const proposed = await officer.post(`/community/cases/${t.caseId}/placements`, {
      opportunityId: foodBank.serviceId,
      supportingUserId: '',
    })
    assert.equal(proposed.statusCode, 303)
    const [placement] = await placementsWhere(db, 'case_id', [t.caseId])
    assert.ok(placement)
    assert.equal(placement.status, 'proposed')
    assert.equal(placement.supportingUserId, t.recovery.userId, 'the case’s recovery support officer')
    assert.match(placement.reason, /Matches their interest in cooking/)

    const at = `/community/cases/${t.caseId}/placements/${placement.id}`
    const noReason = await officer.post(`${at}/status`, { status: 'ended', endReason: '' })
    assert.equal(noReason.statusCode, 400)
    assert.match(textOf(noReason.body), /Say why the placement ended/)
    assert.equal((await officer.post(`${at}/status`, { status: 'introduced' })).statusCode, 303)
    assert.equal((await officer.post(`${at}/status`, { status: 'started' })).statusCode, 303)

    const hours = (day: string, value: string) =>
      officer.post(`${at}/hours`, {
        [`workedOn-${placement.id}-day`]: day.slice(8),
        [`workedOn-${placement.id}-month`]: day.slice(5, 7),
        [`workedOn-${placement.id}-year`]: day.slice(0, 4),
        hours: value,
      })
    const future = await hours('2026-12-01', '3')
    assert.equal(future.statusCode, 400)
    assert.match(textOf(future.body), /The day they volunteered must be today or in the past/)
    const tooMany = await hours('2026-11-30', '25')
    assert.equal(tooMany.statusCode, 400)
    assert.match(textOf(tooMany.body), /There are no more than 24 hours in a day/)
    assert.equal(await countRows(db, 'placement_hours'), 0)
    assert.equal((await hours('2026-11-30', '20')).statusCode, 303)
    const over = await hours('2026-11-30', '5')
    assert.equal(over.statusCode, 400)
    assert.match(textOf(over.body), /20 hours are already logged that day: no more than 24 hours in a day/)
    assert.equal(await countRows(db, 'placement_hours'), 1)

    // The host sees the placement and confirms the hours; another host cannot.
    const hostPage = await host.get('/community/host/placements')
    assert.match(
      textOf(hostPage.body),
      /Vic Testperson, Food bank volunteering Started 20 hours logged, 0 confirmed\. Supported by Rob Recovery/,
    )
    const hoursId = /name="hoursId" value="([^"]+)"/.exec(hostPage.body)?.[1] ?? ''
    const stranger = await shop.post('/community/host/hours/confirm', { hoursId })
    assert.equal(stranger.statusCode, 404)
    assert.equal((await host.post('/community/host/hours/confirm', { hoursId })).statusCode, 303)
    const [confirmed] = await placementsWhere(db, 'case_id', [t.caseId])
    assert.equal(confirmed?.confirmedHours, 20)
    const refusals = await listAuditEvents(db, { recordId: t.personId })
    assert.ok(refusals.some((e) => e.action === 'person.access-refused'))
    assert.ok(refusals.some((e) => e.action === 'placement-hours.confirm'))

    // Four weeks on with no more hours, the officer sees the placement has stalled.
    const overview = textOf((await officer.get('/community/placements')).body)
    assert.match(overview, /No one has stalled/)
    t.setNow(new Date('2026-12-28T10:00:00Z'))
    const later = textOf((await officer.get('/community/placements?weeks=3')).body)
    assert.match(
      later,
      /Stalled: no hours in 3 weeks Weeks without hours .* Vic Testperson at Food bank volunteering ?: last hours 30 November 2026/,
    )
  })

  it('refuses a placement with no places left or a check not recorded, and saves nothing', async () => {
    const { db } = database()
    const t = await volunteeringFixture(db)
    const host = await t.as(t.foodBank)
    await host.post('/community/opportunities', { ...FOOD_BANK_FORM, placesAvailable: '0' })
    await host.post('/community/opportunities', {
      ...FOOD_BANK_FORM,
      name: 'Community garden volunteering',
      role: 'Garden volunteer working with children',
      dbsLevel: 'enhanced',
    })
    const opportunities = await allOpportunities(db, { activeOnly: true })
    const full = opportunities.find((o) => o.placesAvailable === 0)!
    const checked = opportunities.find((o) => o.dbsLevel === 'enhanced')!
    const officer = await t.as(t.officer)
    await officer.post(`/community/cases/${t.caseId}/volunteering/profile`, PROFILE)
    const page = textOf((await officer.get(`/community/cases/${t.caseId}/volunteering`)).body)
    assert.doesNotMatch(page, /Food bank volunteering, /, 'a full opportunity is not proposed')

    const noPlaces = await officer.post(`/community/cases/${t.caseId}/placements`, {
      opportunityId: full.serviceId,
    })
    assert.equal(noPlaces.statusCode, 400)
    assert.match(
      textOf(noPlaces.body),
      /Food bank volunteering has no places left: choose another opportunity/,
    )
    const noCheck = await officer.post(`/community/cases/${t.caseId}/placements`, {
      opportunityId: checked.serviceId,
    })
    assert.equal(noCheck.statusCode, 400)
    assert.match(
      textOf(noCheck.body),
      /Community garden volunteering needs an enhanced DBS check: record the person’s check, with its date, before placing them/,
    )
    assert.equal(await countRows(db, 'placements'), 0)

    // With the check recorded, the placement is made.
    await officer.post(`/community/cases/${t.caseId}/volunteering/profile`, {
      ...PROFILE,
      dbsLevel: 'enhanced',
      'dbsCheckedOn-day': '2',
      'dbsCheckedOn-month': '11',
      'dbsCheckedOn-year': '2026',
    })
    const placed = await officer.post(`/community/cases/${t.caseId}/placements`, {
      opportunityId: checked.serviceId,
    })
    assert.equal(placed.statusCode, 303)
    assert.equal(await countRows(db, 'placements'), 1)
  })

  it('keeps a person’s volunteering to those who may see their case', async () => {
    const { db } = database()
    const t = await volunteeringFixture(db)
    const outsider = await t.as(t.outsider)
    const page = await outsider.get(`/community/cases/${t.caseId}/volunteering`)
    assert.equal(page.statusCode, 404)
    const events = await listAuditEvents(db, { recordId: t.caseId })
    assert.ok(events.some((e) => e.action === 'case.access-refused'))
    const host = await t.as(t.foodBank)
    assert.equal((await host.get(`/community/cases/${t.caseId}/volunteering`)).statusCode, 403)
  })
})
