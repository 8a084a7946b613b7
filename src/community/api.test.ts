import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createApiToken } from '../access/tokens.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { createTestService } from '../directory/testing.ts'
import { createTestOrganisation } from '../web/testing.ts'
import { FOOD_BANK_FORM, volunteeringFixture } from './testing.ts'

describeEachDatabase('community API and CSV exports', (database) => {
  it('publishes opportunities, proposes placements, logs hours and records group meetings, refusing bad input', async () => {
    const { db } = database()
    const t = await volunteeringFixture(db)
    const call = async (userId: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
      const { token } = await createApiToken(db, userId, 'test')
      return t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload: payload as object } : {}),
      })
    }
    const { active: _a, ...form } = FOOD_BANK_FORM
    const badOpportunity = await call(t.foodBank.userId, 'POST', '/api/v1/opportunities', {
      ...form,
      placesAvailable: -1,
    })
    assert.equal(badOpportunity.statusCode, 400)
    assert.equal(badOpportunity.json().errors[0].pointer, '#/placesAvailable')
    const created = await call(t.foodBank.userId, 'POST', '/api/v1/opportunities', {
      ...form,
      skillsGained: ['teamwork'],
      dbsLevel: 'basic',
    })
    assert.equal(created.statusCode, 201)
    const opportunity = created.json()
    assert.equal(opportunity.role, 'Warehouse and packing volunteer')
    assert.equal(opportunity.placesLeft, 2)
    const list = await call(t.officer.userId, 'GET', '/api/v1/opportunities')
    assert.deepEqual(
      list.json().opportunities.map((o: { name: string }) => o.name),
      ['Food bank volunteering'],
    )

    // No DBS check recorded: refused with the field, nothing saved.
    const refused = await call(t.officer.userId, 'POST', `/api/v1/cases/${t.caseId}/placements`, {
      opportunityId: opportunity.id,
    })
    assert.equal(refused.statusCode, 400)
    assert.equal(refused.json().errors[0].pointer, '#/opportunityId')
    assert.match(refused.json().errors[0].detail, /needs a basic DBS check/)
    await call(t.foodBank.userId, 'PUT', `/api/v1/opportunities/${opportunity.id}`, {
      ...form,
      dbsLevel: 'none',
    })
    const placed = await call(t.officer.userId, 'POST', `/api/v1/cases/${t.caseId}/placements`, {
      opportunityId: opportunity.id,
    })
    assert.equal(placed.statusCode, 201)
    assert.equal(placed.json().status, 'proposed')
    const early = await call(
      t.officer.userId,
      'POST',
      `/api/v1/cases/${t.caseId}/placements/${placed.json().id}/hours`,
      {
        workedOn: '2026-11-30',
        hours: 3,
      },
    )
    assert.equal(early.statusCode, 400)
    assert.match(early.json().errors[0].detail, /once the placement has started/)
    const stranger = await call(t.outsider.userId, 'GET', `/api/v1/cases/${t.caseId}/placements`)
    assert.equal(stranger.statusCode, 404)
    const mine = await call(t.officer.userId, 'GET', `/api/v1/cases/${t.caseId}/placements`)
    assert.equal(mine.json().placements.length, 1)

    // Groups: listed with their health; a meeting in the future is refused.
    const org = await createTestOrganisation(db, 'Knit and Natter')
    const groupId = await createTestService(db, org, { name: 'Knit and Natter', kind: 'patient_led_group' })
    const worker = await t.as(t.officer)
    await worker.post(`/community/groups/${groupId}/details`, {
      runBy: 'facilitator',
      facilitatorUserId: t.officer.userId,
      meetingPattern: 'Thursdays, 2pm to 4pm',
      members: '9',
      openToNew: 'yes',
      running: 'yes',
    })
    const future = await call(t.officer.userId, 'POST', `/api/v1/groups/${groupId}/meetings`, {
      metOn: '2027-01-01',
      attended: 4,
    })
    assert.equal(future.statusCode, 400)
    assert.equal(future.json().errors[0].pointer, '#/metOn')
    const met = await call(t.officer.userId, 'POST', `/api/v1/groups/${groupId}/meetings`, {
      metOn: '2026-11-26',
      attended: 7,
    })
    assert.equal(met.statusCode, 201)
    assert.equal(met.json().meetingsInYear, 1)
    const groups = await call(t.officer.userId, 'GET', '/api/v1/groups')
    assert.equal(groups.json().groups[0].name, 'Knit and Natter')

    // The OpenAPI document describes them.
    const openapi = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    for (const path of ['/opportunities', '/cases/{id}/placements', '/groups'])
      assert.ok(openapi.paths[path], path)

    // CSV exports.
    const placementsCsv = await worker.get('/community/placements.csv')
    assert.equal(placementsCsv.headers['content-type'], 'text/csv; charset=utf-8')
    assert.match(placementsCsv.body, /^person,opportunity,host,status,/)
    assert.match(
      placementsCsv.body,
      /Vic Testperson,Food bank volunteering,Test organisation \d+,proposed,2026-11-30/,
    )
    const groupsCsv = await worker.get('/community/groups.csv')
    assert.match(
      groupsCsv.body,
      /Knit and Natter,facilitator,Priya Officer,"Thursdays, 2pm to 4pm",,,9,yes,yes,1,2026-11-26,no/,
    )
  })
})
