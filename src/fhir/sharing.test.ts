// Sharing with GP practices: a programme's managers choose, on one page or through the API, the
// points besides a case's end at which the summary goes, and which practices take codes only.
// Only that programme's managers; bad input changes nothing; each change is audited.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { createApiToken } from '../access/tokens.ts'
import { caseworkFixture } from '../casework/testing.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { textOf } from '../web/testing.ts'
import { gpSharingOf } from './sharing.ts'

describeEachDatabase('sharing with GP practices', (database) => {
  it('lets the programme’s manager choose the points and each practice’s codes only on one page, refusing bad input and everyone else', async () => {
    const { db } = database()
    const f = await caseworkFixture(db)
    const path = `/programmes/${f.programmeId}/gp-sharing`
    const manager = await f.as(f.manager)
    const programme = await manager.get(`/programmes/${f.programmeId}`)
    assert.match(programme.body, new RegExp(`<a href="${path}">Sharing with GP practices</a>`))

    const page = await manager.get(path)
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /<title>Sharing with GP practices – Kith<\/title>/)
    const text = textOf(page.body)
    assert.match(
      text,
      /When else should the summary go to the practice\? .* When the initial assessment is done .* When a social prescription ends/,
    )
    assert.match(text, /Test Practice \(ODS code Z99001\) The whole summary Codes only/)
    assert.match(text, /Other Practice \(ODS code Z99002\) The whole summary Codes only/)
    assert.match(page.body, new RegExp(`name="practice-${f.practice}" type="radio" value="whole" checked`))

    const before = await gpSharingOf(db, { id: f.programmeId, practices: [] })
    const bad = await manager.post(path, {
      points: ['initial-assessment', 'every-tuesday'],
      [`practice-${f.practice}`]: 'codes-only',
      [`practice-${f.other}`]: 'some',
    })
    assert.equal(bad.statusCode, 400)
    assert.match(bad.body, /<title>Error: Sharing with GP practices – Kith<\/title>/)
    assert.match(bad.body, /href="#points">\s*Select the points from the list/)
    assert.match(
      bad.body,
      new RegExp(
        `href="#practice-${f.other}">\\s*Select what Other Practice takes: the whole summary or codes only`,
      ),
    )
    // What was sent is shown again.
    assert.match(
      bad.body,
      new RegExp(`name="practice-${f.practice}" type="radio" value="codes-only" checked`),
    )
    assert.deepEqual(await gpSharingOf(db, { id: f.programmeId, practices: [] }), before)

    const saved = await manager.post(path, {
      points: ['prescription-ended'],
      [`practice-${f.practice}`]: 'codes-only',
      [`practice-${f.other}`]: 'whole',
    })
    assert.equal(saved.statusCode, 303)
    assert.equal(saved.headers.location, `${path}?saved=1`)
    const sharing = await gpSharingOf(db, {
      id: f.programmeId,
      practices: [
        { organisationId: f.practice, name: 'Test Practice', odsCode: 'Z99001' },
        { organisationId: f.other, name: 'Other Practice', odsCode: 'Z99002' },
      ],
    })
    assert.deepEqual(sharing.points, ['prescription-ended'])
    assert.deepEqual(
      sharing.practices.map((p) => [p.odsCode, p.codesOnly]),
      [
        ['Z99001', true],
        ['Z99002', false],
      ],
    )
    const after = textOf((await manager.get(`${path}?saved=1`)).body)
    assert.match(after, /What the programme sends GP practices has been saved/)
    const audited = await listAuditEvents(db, {
      recordType: 'programme',
      recordId: f.programmeId,
      action: 'programme.update',
    })
    assert.deepEqual(
      audited.map((e) => JSON.parse(e.detail ?? '{}')),
      [{ section: 'gp-sharing', changed: ['points', 'codesOnly'], practices: [f.practice] }],
    )

    // No one else: the programme's link workers, another programme's manager.
    for (const account of [f.worker, f.otherManager]) {
      const other = await f.as(account)
      assert.equal((await other.get(path)).statusCode, 403)
      const refused = await other.post(path, { points: [], [`practice-${f.practice}`]: 'whole' })
      assert.equal(refused.statusCode, 403)
    }
    assert.equal((await gpSharingOf(db, { id: f.programmeId, practices: [] })).points.length, 1)
    await f.app.close()
  })

  it('gives the same choices through the JSON API, naming the field at fault', async () => {
    const { db } = database()
    const f = await caseworkFixture(db)
    const url = `/api/v1/programmes/${f.programmeId}/gp-sharing`
    const as = async (userId: string) => {
      const token = (await createApiToken(db, userId, 'Tests')).token
      return (method: 'GET' | 'PUT', payload?: unknown) =>
        f.app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
        })
    }
    const manager = await as(f.manager.userId)
    const read = await manager('GET')
    assert.equal(read.statusCode, 200)
    assert.deepEqual(read.json(), {
      points: [],
      practices: [
        { organisationId: f.other, name: 'Other Practice', odsCode: 'Z99002', codesOnly: false },
        { organisationId: f.practice, name: 'Test Practice', odsCode: 'Z99001', codesOnly: false },
      ],
    })

    const badPoint = await manager('PUT', { points: ['weekly'] })
    assert.equal(badPoint.statusCode, 400)
    assert.equal(badPoint.json().errors[0].pointer, '#/points/0')
    const unknown = await manager('PUT', {
      points: ['initial-assessment'],
      practices: [{ organisationId: f.owner, codesOnly: true }],
    })
    assert.equal(unknown.statusCode, 400)
    assert.equal(unknown.json().errors[0].pointer, '#/practices/0/organisationId')
    assert.deepEqual((await manager('GET')).json(), read.json(), 'nothing changed')

    const put = await manager('PUT', {
      points: ['initial-assessment', 'prescription-ended'],
      practices: [{ organisationId: f.other, codesOnly: true }],
    })
    assert.equal(put.statusCode, 200)
    assert.deepEqual(put.json().points, ['initial-assessment', 'prescription-ended'])
    assert.deepEqual(
      put.json().practices.map((p: { odsCode: string; codesOnly: boolean }) => [p.odsCode, p.codesOnly]),
      [
        ['Z99002', true],
        ['Z99001', false],
      ],
    )

    for (const userId of [f.worker.userId, f.otherManager.userId])
      assert.equal((await (await as(userId))('PUT', { points: [] })).statusCode, 403)
    assert.equal((await manager('GET')).json().points.length, 2)
    const openapi = (await f.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    assert.ok(openapi.paths['/programmes/{id}/gp-sharing']?.put)
    await f.app.close()
  })
})
