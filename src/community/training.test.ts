import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeEachDatabase } from '../db/testing.ts'
import { textOf } from '../web/testing.ts'
import { volunteeringFixture } from './testing.ts'
import { trainingOf } from './training-store.ts'

const day = (prefix: string, date: string) => ({
  [`${prefix}-day`]: date.slice(8),
  [`${prefix}-month`]: date.slice(5, 7),
  [`${prefix}-year`]: date.slice(0, 4),
})

describeEachDatabase('link workers’ training', (database) => {
  it('records training and supervision, shows what needs renewing next, and warns a worker whose training lapsed', async () => {
    const { db } = database()
    const t = await volunteeringFixture(db)
    const manager = await t.as(t.manager)
    const base = `/community/training/programmes/${t.programmeId}`
    await manager.post(`${base}/required`, {
      courses: 'Safeguarding adults level 2\nMotivational interviewing\nNHS England link worker induction',
    })
    const bad = await manager.post(`${base}/records`, {
      userId: t.officer.userId,
      course: 'Safeguarding adults level 2',
      provider: '',
      ...day('completedOn', '2024-11-01'),
      ...day('expiresOn', '2024-10-01'),
    })
    assert.equal(bad.statusCode, 400)
    assert.match(textOf(bad.body), /Enter who provided it/)
    const outsider = await manager.post(`${base}/records`, {
      userId: t.outsider.userId,
      course: 'Safeguarding adults level 2',
      provider: 'Blackburn with Darwen Council',
      ...day('completedOn', '2024-11-01'),
    })
    assert.match(textOf(outsider.body), /Choose a link worker of the programme/)
    assert.equal((await trainingOf(db, [t.officer.userId, t.outsider.userId])).length, 0)

    const record = (userId: string, course: string, completed: string, expires: string) =>
      manager.post(`${base}/records`, {
        userId,
        course,
        provider: 'Blackburn with Darwen Council',
        ...day('completedOn', completed),
        ...(expires ? day('expiresOn', expires) : {}),
      })
    assert.equal(
      (await record(t.officer.userId, 'Safeguarding adults level 2', '2023-11-01', '2026-11-01')).statusCode,
      303,
    )
    await record(t.officer.userId, 'Motivational interviewing', '2025-06-01', '')
    await record(t.recovery.userId, 'Safeguarding adults level 2', '2025-01-10', '2027-01-10')
    await record(t.recovery.userId, 'Motivational interviewing', '2025-06-01', '')
    await record(t.recovery.userId, 'NHS England link worker induction', '2025-02-01', '')
    await manager.post(`${base}/supervision`, {
      userId: t.officer.userId,
      supervisor: 'Mo Manager',
      ...day('heldOn', '2026-11-20'),
    })

    const page = textOf((await manager.get(base)).body)
    assert.match(
      page,
      /Priya Officer NHS England link worker induction Not done – Priya Officer Safeguarding adults level 2 Lapsed 1 November 2026 Rob Recovery Safeguarding adults level 2 Expires soon 10 January 2027/,
    )
    assert.match(page, /Priya Officer: last supervised 20 November 2026 by Mo Manager/)

    const officer = await t.as(t.officer)
    const caseload = textOf((await officer.get('/casework')).body)
    assert.match(
      caseload,
      /Your required training has lapsed Safeguarding adults level 2: renew it with your programme manager\. Your training/,
    )
    const recovery = await t.as(t.recovery)
    assert.doesNotMatch(textOf((await recovery.get('/casework')).body), /training has lapsed/)

    // Only the programme's managers see or change it.
    assert.equal((await officer.get(base)).statusCode, 403)
  })
})
