import assert from 'node:assert/strict'
import { it } from 'node:test'
import { caseworkFixture } from '../casework/testing.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { createAccount, textOf } from '../web/testing.ts'

// Cases opened in the fixture carry the real time, so reports run to today.
const TODAY = new Date().toISOString().slice(0, 10)
const PERIOD = `from=2000-01-01&to=${TODAY}`

async function events(db: Db, userId: string) {
  return db
    .selectFrom('audit_events')
    .select(['action', 'record_id', 'detail'])
    .where('actor_user_id', '=', userId)
    .orderBy('at')
    .execute()
}

describeEachDatabase('the cases behind a report figure', (database) => {
  it('lists the cases behind a figure for the programme’s managers, audited as a read of each person; the report itself audits nothing', async () => {
    const { db } = database()
    const t = await caseworkFixture(db)
    const caseId = await t.openCase()
    const manager = await t.as(t.manager)

    // The report names no one and writes no audit event; its rows link to the cases behind them.
    const before = (await events(db, t.manager.userId)).length
    const report = await manager.get(`/reports/caseload?${PERIOD}&programme=${t.programmeId}`)
    assert.equal(report.statusCode, 200)
    assert.equal((await events(db, t.manager.userId)).length, before, 'reading a report audits nothing')
    assert.doesNotMatch(report.body, /Testperson/)
    const href = `/reports/caseload/programmes/${t.programmeId}/cases?from=2000-01-01&amp;to=${TODAY}&amp;worker=${t.worker.userId}`
    assert.ok(report.body.includes(`href="${href}"`), 'Wendy’s row links to her open cases')
    assert.ok(
      report.body.includes(
        `href="/reports/caseload/programmes/${t.programmeId}/cases?from=2000-01-01&amp;to=${TODAY}"`,
      ),
    )

    // Opening the list: the person is read, via the report, and the list itself is recorded.
    const list = await manager.get(href.replaceAll('&amp;', '&'))
    assert.equal(list.statusCode, 200)
    assert.match(
      list.body,
      /<title>Cases open at the end of the period, Wendy Worker: Caseload and capacity – Kith<\/title>/,
    )
    const text = textOf(list.body)
    assert.match(text, /Ada Testperson/)
    assert.match(text, /943 476 5919/)
    assert.ok(list.body.includes(`href="/casework/cases/${caseId}"`), 'each row opens the case')
    const after = (await events(db, t.manager.userId)).slice(before)
    assert.deepEqual(
      after.map((e) => [e.action, e.record_id]),
      [
        ['person.read', t.personId],
        ['case.list', null],
      ],
    )
    assert.deepEqual(JSON.parse(after[0]!.detail!), { summary: true, via: 'report', report: 'caseload' })
    assert.deepEqual(JSON.parse(after[1]!.detail!), { via: 'report', report: 'caseload', count: 1 })

    // Another worker's cases: none of Ada's.
    const walter = textOf(
      (
        await manager.get(
          `/reports/caseload/programmes/${t.programmeId}/cases?${PERIOD}&worker=${t.worker2.userId}`,
        )
      ).body,
    )
    assert.match(walter, /0 cases/)
    assert.doesNotMatch(walter, /Testperson/)

    // Activity: a practice's clients, and the same from the report's row.
    const activity = await manager.get(`/reports/activity?${PERIOD}&programme=${t.programmeId}`)
    assert.ok(activity.body.includes(`practice=${t.practice}`), 'the practice’s row links to its clients')
    const clients = await manager.get(
      `/reports/activity/programmes/${t.programmeId}/cases?${PERIOD}&practice=${t.practice}`,
    )
    assert.equal(clients.statusCode, 200)
    assert.match(
      textOf(clients.body),
      /Clients with a case open in the period.*Ada Testperson.*Test Practice/s,
    )
    const elsewhere = await manager.get(
      `/reports/activity/programmes/${t.programmeId}/cases?${PERIOD}&practice=${t.other}`,
    )
    assert.doesNotMatch(textOf(elsewhere.body), /Testperson/)

    // Prescriptions, by what became of them.
    await t.prescribe(caseId!, { start: TODAY, weeks: 8 })
    const prescriptions = await manager.get(`/reports/prescriptions?${PERIOD}&programme=${t.programmeId}`)
    assert.ok(prescriptions.body.includes('group=in-progress'))
    const inProgress = textOf(
      (
        await manager.get(
          `/reports/prescriptions/programmes/${t.programmeId}/cases?${PERIOD}&group=in-progress`,
        )
      ).body,
    )
    assert.match(inProgress, /Prescriptions not yet reviewed.*Ada Testperson/s)
    const completed = textOf(
      (
        await manager.get(
          `/reports/prescriptions/programmes/${t.programmeId}/cases?${PERIOD}&group=completed`,
        )
      ).body,
    )
    assert.doesNotMatch(completed, /Testperson/)

    // Bad filters: a clear message, no one listed.
    const bad = await manager.get(`/reports/caseload/programmes/${t.programmeId}/cases?from=2026-02-30`)
    assert.equal(bad.statusCode, 400)
    assert.match(bad.body, /<title>Error: /)
    assert.match(textOf(bad.body), /The start date must be a real date/)
    assert.doesNotMatch(textOf(bad.body), /Testperson/)
  })

  it('refuses anyone but the programme’s managers: 403 by role, 404 audited as a refusal otherwise', async () => {
    const { db } = database()
    const t = await caseworkFixture(db)
    await t.openCase()
    const url = `/reports/caseload/programmes/${t.programmeId}/cases?${PERIOD}`

    // A manager of another programme: a 404 that says nothing, audited against the programme.
    const other = await t.as(t.otherManager)
    const refused = await other.get(url)
    assert.equal(refused.statusCode, 404)
    assert.doesNotMatch(refused.body, /Testperson/)
    assert.deepEqual(
      (await events(db, t.otherManager.userId)).map((e) => [e.action, e.record_id]),
      [['programme.access-refused', t.programmeId]],
    )
    // Nor may they see the report's links to it.
    const theirs = await other.get(`/reports/caseload?${PERIOD}`)
    assert.doesNotMatch(theirs.body, /\/cases\?/)

    // A programme that does not exist is refused the same way.
    const missing = '0190a000-0000-7000-8000-000000000000'
    assert.equal((await other.get(`/reports/caseload/programmes/${missing}/cases`)).statusCode, 404)

    // Link workers read no reports; administrators see reports but are not the team holding the records.
    assert.equal((await (await t.as(t.worker)).get(url)).statusCode, 403)
    const admin = await createAccount(db, 'administrator')
    const asAdmin = await t.as(admin)
    assert.equal((await asAdmin.get(url)).statusCode, 403)
    const adminReport = await asAdmin.get(`/reports/caseload?${PERIOD}&programme=${t.programmeId}`)
    assert.equal(adminReport.statusCode, 200)
    assert.doesNotMatch(adminReport.body, /\/cases\?/)

    // A report without a list behind its figures.
    const manager = await t.as(t.manager)
    assert.equal((await manager.get(`/reports/outcomes/programmes/${t.programmeId}/cases`)).statusCode, 404)
    for (const e of await events(db, t.worker.userId)) assert.notEqual(e.action, 'person.read')
  })
})
