import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { createOrganisation, findOrganisationByOdsCode } from '../access/store.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'
import { evaluate } from './eligibility.ts'
import { addLinkWorker, createProgramme, getProgramme, setProgrammePractices } from './store.ts'

async function setUp(db: Db) {
  const organisation = (
    name: string,
    kind: 'area' | 'vcs' | 'practice',
    parentId: string | null,
    odsCode?: string,
  ) => createOrganisation(db, { name, kind, parentId, odsCode: odsCode ?? null, postcode: null })
  const area = await organisation('Merton', 'area', null)
  const owner = await organisation('Merton Voluntary Service Council', 'vcs', area)
  const wimbledon = await organisation('High Street Wimbledon Surgery', 'practice', area, 'Z90001')
  const mitcham = await organisation('Mitcham Green Surgery', 'practice', area, 'Z90002')
  const elsewhere = await organisation('Bromley by Bow Centre', 'practice', null, 'Z80001')
  await createOrganisation(db, {
    name: 'Merton Borough Council',
    kind: 'council',
    parentId: area,
    odsCode: 'Z00009',
    postcode: null,
  })
  const manager = await createAccount(db, 'programme_manager', { organisationId: owner, name: 'Simon Green' })
  const worker = await createAccount(db, 'link_worker', { organisationId: owner, name: 'Chloe Mensah' })
  const otherWorker = await createAccount(db, 'link_worker', { name: 'Yusuf Begum' })
  const otherManager = await createAccount(db, 'programme_manager')
  const referrer = await createAccount(db, 'referrer')
  const programmeId = await createProgramme(db, { name: 'Merton navigators', ownerOrganisationId: owner })
  await addLinkWorker(db, programmeId, worker.userId)
  const app = await testApp(db)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  return {
    app,
    as,
    area,
    owner,
    practices: { wimbledon, mitcham, elsewhere },
    manager,
    worker,
    otherWorker,
    otherManager,
    referrer,
    programmeId,
  }
}

const errorsOn = (html: string) =>
  [...html.matchAll(/<a href="#([^"]+)"[^>]*>([^<]+)<\/a>/g)]
    .filter((m) => html.indexOf('nhsuk-error-summary') < (m.index ?? 0))
    .map((m) => [
      m[1],
      m[2]
        ?.trim()
        .replace(/&#39;|&#x27;/g, "'")
        .replace(/&amp;/g, '&'),
    ])

/** The key of the worked example a criterion form shows, which saving it must send back. */
const checkedKey = (html: string) => /name="checked" value="([^"]+)"/.exec(html)?.[1] ?? ''

/** Posts a yes/no criterion as a manager would: "Check the criterion", then "Save criterion". */
async function checkThenSave(client: PageClient, url: string, form: Record<string, string>) {
  const checked = await client.post(url, { ...form, step: 'check' })
  assert.equal(checked.statusCode, 200, checked.body)
  return client.post(url, { ...form, step: 'save', checked: checkedKey(checked.body) })
}

describeEachDatabase('programme pages', (database) => {
  it('runs services for the programme, added by their name in the directory, and takes them off', async () => {
    const { db } = database()
    const t = await setUp(db)
    const { createService, getServiceRecord } = await import('../directory/store.ts')
    const input = (name: string) => ({
      name,
      description: '',
      kind: 'activity_group' as const,
      status: 'active' as const,
      selfReferral: false,
      criteria: [],
      criteriaNotes: '',
      additionalNeeds: '',
      disclaimer: '',
      cost: '',
      free: true,
      ageMin: null,
      ageMax: null,
      schedule: '',
      contactName: '',
      email: '',
      phone: '',
      url: '',
      lastReviewedOn: '2026-11-01',
      termIds: [],
      locations: [],
    })
    const advice = await createService(db, t.owner, input('Benefits and forms help'))
    const other = await createProgramme(db, { name: 'Another programme', ownerOrganisationId: t.owner })
    await createService(db, t.owner, { ...input('Taken elsewhere'), programmeId: other })
    const manager = await t.as(t.manager)
    const base = `/programmes/${t.programmeId}/services`
    assert.equal((await manager.get(base)).statusCode, 200)
    assert.deepEqual(errorsOn((await manager.post(base, { serviceName: 'Nothing like it' })).body), [
      ['serviceName', 'No service in the directory is called Nothing like it'],
    ])
    assert.deepEqual(errorsOn((await manager.post(base, { serviceName: 'Taken elsewhere' })).body), [
      ['serviceName', 'Taken elsewhere is already run for another programme'],
    ])
    assert.equal((await manager.post(base, { serviceName: 'benefits and forms help' })).statusCode, 303)
    assert.equal((await getServiceRecord(db, advice))?.programmeId, t.programmeId)
    const page = textOf((await manager.get(`/programmes/${t.programmeId}`)).body)
    assert.match(
      page,
      /Services run for the programme Change \(Services run for the programme\) Services Benefits and forms help/,
    )
    assert.match(page, /Every referral to Merton navigators/)
    const worker = await t.as(t.worker)
    assert.equal((await worker.post(`${base}/${advice}/remove`, {})).statusCode, 403)
    const outsider = await t.as(t.otherManager)
    assert.equal((await outsider.post(`${base}/${advice}/remove`, {})).statusCode, 404)
    assert.equal((await manager.post(`${base}/${advice}/remove`, {})).statusCode, 303)
    assert.equal((await getServiceRecord(db, advice))?.programmeId, null)
    const events = await listAuditEvents(db, {
      recordType: 'programme',
      recordId: t.programmeId,
      action: 'programme.services',
    })
    assert.equal(events.length, 2)
  })

  it('sets whether a consent criterion takes only the person’s own consent, in the criterion builder', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const base = `/programmes/${t.programmeId}/criteria`
    const form = textOf((await manager.get(`${base}/new?kind=consent`)).body)
    assert.match(form, /Only the person’s own consent counts/)
    const added = await manager.post(base, {
      kind: 'consent',
      role: 'inclusion',
      text: 'Has given full and direct consent to referral',
      direct: 'yes',
      id: 'consent-given',
    })
    assert.equal(added.statusCode, 303)
    const consent = () =>
      getProgramme(db, t.programmeId).then((p) => p?.criteria.find((c) => c.id === 'consent-given'))
    assert.deepEqual(await consent(), {
      kind: 'consent',
      id: 'consent-given',
      role: 'inclusion',
      text: 'Has given full and direct consent to referral',
      direct: true,
    })
    const edit = await manager.get(`${base}/consent-given`)
    assert.match(edit.body, /<input[^>]*name="direct"[^>]*value="yes"[^>]*checked/)
    const changed = await manager.post(`${base}/consent-given`, {
      role: 'inclusion',
      text: 'Has given consent to the referral',
    })
    assert.equal(changed.statusCode, 303)
    const after = await consent()
    assert.equal(after?.kind === 'consent' ? after.direct : 'not consent', undefined)
  })

  it('shows managers and link workers their programmes, and no one else', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const list = await manager.get('/programmes')
    assert.equal(list.statusCode, 200)
    assert.match(
      textOf(list.body),
      /Merton navigators Merton Voluntary Service Council Link-worker-led Manager/,
    )
    const page = await manager.get(`/programmes/${t.programmeId}`)
    assert.equal(page.statusCode, 200)
    for (const heading of [
      'Details',
      'Referrals',
      'Practices covered',
      'Eligibility',
      'Needs recorded',
      'Appointments',
      'Prescriptions',
      'Link workers',
    ])
      assert.match(page.body, new RegExp(`class="nhsuk-card__heading">\\s*${heading}\\s*<`))
    assert.match(page.body, new RegExp(`href="/programmes/${t.programmeId}/appointments"`))

    const worker = await t.as(t.worker)
    assert.match(textOf((await worker.get('/programmes')).body), /Merton navigators .* Link worker/)
    const readOnly = await worker.get(`/programmes/${t.programmeId}`)
    assert.equal(readOnly.statusCode, 200)
    assert.match(textOf(readOnly.body), /You are one of this programme’s link workers/)
    assert.doesNotMatch(readOnly.body, new RegExp(`href="/programmes/${t.programmeId}/`))
    assert.equal((await worker.get(`/programmes/${t.programmeId}/details`)).statusCode, 403)
    assert.equal(
      (await worker.post(`/programmes/${t.programmeId}/details`, { name: 'Mine now' })).statusCode,
      403,
    )

    for (const outsider of [t.otherWorker, t.otherManager]) {
      const client = await t.as(outsider)
      assert.equal((await client.get(`/programmes/${t.programmeId}`)).statusCode, 404)
      assert.equal((await client.get('/programmes')).body.includes('Merton navigators'), false)
    }
    assert.equal(
      (await (await t.as(t.otherManager)).get(`/programmes/${t.programmeId}/details`)).statusCode,
      404,
    )
    assert.equal((await (await t.as(t.referrer)).get(`/programmes/${t.programmeId}`)).statusCode, 403)
    assert.equal((await manager.get('/programmes/not-an-id')).statusCode, 404)
    await t.app.close()
  })

  it('lets a manager add a programme for their organisation only', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const refused = await manager.post('/programmes', {
      name: '',
      ownerOrganisationId: t.practices.elsewhere,
    })
    assert.equal(refused.statusCode, 400)
    assert.deepEqual(errorsOn(refused.body), [
      ['name', 'Enter the name of the programme'],
      ['ownerOrganisationId', 'Select the organisation that runs the programme'],
    ])
    const created = await manager.post('/programmes', {
      name: 'Merton befriending',
      ownerOrganisationId: t.owner,
    })
    assert.equal(created.statusCode, 303)
    const id = String(created.headers.location).split('/')[2]?.split('?')[0] ?? ''
    const programme = await getProgramme(db, id)
    assert.equal(programme?.name, 'Merton befriending')
    assert.deepEqual(programme?.replyDeadlines, { nudgeAfterDays: 7, declineAfterDays: 14 })
    assert.equal((await listAuditEvents(db, { action: 'programme.create', recordId: id })).length, 1)
    await t.app.close()
  })

  it('saves the details, auditing what changed, and refuses a bad form without changing anything', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const url = `/programmes/${t.programmeId}/details`
    const bad = await manager.post(url, { name: ' ', description: 'x'.repeat(5001), linkWorkerTitle: '' })
    assert.equal(bad.statusCode, 400)
    assert.match(bad.body, /<title>Error: Change the details – Kith<\/title>/)
    assert.deepEqual(errorsOn(bad.body), [
      ['name', 'Enter the name of the programme'],
      ['description', 'The description must be 5,000 characters or fewer'],
      ['pathway', 'Select how people reach help in the programme'],
      ['linkWorkerTitle', 'Enter the title its link workers go by, such as navigator or health facilitator'],
    ])
    assert.equal((await getProgramme(db, t.programmeId))?.name, 'Merton navigators')
    assert.equal((await listAuditEvents(db, { action: 'programme.update' })).length, 0)

    const good = await manager.post(url, {
      name: 'Merton social prescribing navigators',
      description: 'A navigator two days a week in each practice.',
      pathway: 'link_worker',
      linkWorkerTitle: 'Social Prescribing Navigator',
    })
    assert.equal(good.statusCode, 303)
    assert.equal(good.headers.location, `/programmes/${t.programmeId}?saved=details`)
    const programme = await getProgramme(db, t.programmeId)
    assert.equal(programme?.name, 'Merton social prescribing navigators')
    assert.equal(programme?.linkWorkerTitle, 'Social Prescribing Navigator')
    const [event] = await listAuditEvents(db, { action: 'programme.update', recordId: t.programmeId })
    assert.equal(event?.actor_user_id, t.manager.userId)
    assert.deepEqual(JSON.parse(event?.detail ?? '{}'), {
      section: 'details',
      changed: ['name', 'description', 'linkWorkerTitle'],
    })
    assert.match(textOf((await manager.get(good.headers.location)).body), /The details have been saved/)
    await t.app.close()
  })

  it('sets who can refer, self-referral and the reply deadlines', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const url = `/programmes/${t.programmeId}/referrals`
    const bad = await manager.post(url, { nudgeAfterDays: 'seven', declineAfterDays: '5' })
    assert.deepEqual(errorsOn(bad.body), [
      ['referralSources', 'Select at least one kind of referrer'],
      ['nudgeAfterDays', 'Enter the days before a reminder as a whole number'],
    ])
    const order = await manager.post(url, {
      referralSources: 'gp_practice',
      nudgeAfterDays: '10',
      declineAfterDays: '10',
    })
    assert.deepEqual(errorsOn(order.body), [
      ['declineAfterDays', 'The automatic decline must come after the reminder'],
    ])
    const good = await manager.post(url, {
      referralSources: ['self', 'gp_practice', 'social_care'],
      nudgeAfterDays: '5',
      declineAfterDays: '10',
    })
    assert.equal(good.statusCode, 303)
    const programme = await getProgramme(db, t.programmeId)
    assert.deepEqual(programme?.referralSources, ['gp_practice', 'social_care', 'self'])
    assert.equal(programme?.selfReferralAllowed, true)
    assert.deepEqual(programme?.replyDeadlines, { nudgeAfterDays: 5, declineAfterDays: 10 })
    await t.app.close()
  })

  it('sets the appointment rules: a cap, lengths, modes and the caseload a worker should carry', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const url = `/programmes/${t.programmeId}/appointments`
    const bad = await manager.post(url, {
      capped: 'yes',
      furtherAppointmentsCap: '',
      'lengths.initial': '60',
      'lengths.follow_up': '2',
      'lengths.review': '',
      'lengths.exit': '30',
      modes: 'teleport',
      fullTimeCaseload: 'lots',
    })
    assert.deepEqual(errorsOn(bad.body), [
      ['furtherAppointmentsCap', 'Enter the most further appointments as a whole number'],
      ['lengths-follow_up', 'Follow-up appointments must be at least 5 minutes'],
      ['lengths-review', 'Enter the length of review appointments in minutes, as a whole number'],
      ['modes-0', 'Select where appointments can happen from the list'],
      ['fullTimeCaseload', 'Enter the caseload as a whole number of open cases'],
    ])
    assert.deepEqual(
      errorsOn(
        (
          await manager.post(url, {
            capped: 'no',
            'lengths.initial': '60',
            'lengths.follow_up': '45',
            'lengths.review': '30',
            'lengths.exit': '30',
            modes: 'phone',
            fullTimeCaseload: '0',
          })
        ).body,
      ),
      [['fullTimeCaseload', 'The caseload must be at least 1 open case']],
    )
    assert.match(bad.body, /id="lengths-follow_up" name="lengths.follow_up" type="text" value="2"/)
    const good = await manager.post(url, {
      capped: 'yes',
      furtherAppointmentsCap: '5',
      'lengths.initial': '60',
      'lengths.follow_up': '45',
      'lengths.review': '30',
      'lengths.exit': '30',
      modes: ['walk_and_talk', 'practice', 'community_venue'],
      fullTimeCaseload: ' 25 ',
    })
    assert.equal(good.statusCode, 303)
    assert.deepEqual((await getProgramme(db, t.programmeId))?.appointments, {
      furtherAppointmentsCap: 5,
      lengths: { initial: 60, follow_up: 45, review: 30, exit: 30 },
      modes: ['walk_and_talk', 'practice', 'community_venue'],
      fullTimeCaseload: 25,
    })
    const page = textOf((await manager.get(`/programmes/${t.programmeId}`)).body)
    assert.match(page, /An initial appointment, then at most 5 further appointments, the exit included/)
    assert.match(page, /Caseload of one full-time link worker 25 open cases/)
    // The form shows it again.
    const form = await manager.get(url)
    assert.match(form.body, /id="fullTimeCaseload" name="fullTimeCaseload" type="text" value="25"/)
    await t.app.close()
  })

  it('sets a fixed or ranged prescription length, or none', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const url = `/programmes/${t.programmeId}/prescription`
    const bad = await manager.post(url, { length: 'range', minWeeks: '16', maxWeeks: '8' })
    assert.deepEqual(errorsOn(bad.body), [
      ['maxWeeks', 'The longest prescription must be at least as long as the shortest'],
      ['mayContinueAfter', 'Select whether people may carry on with an activity after the prescription ends'],
    ])
    assert.deepEqual(errorsOn((await manager.post(url, {})).body), [
      ['length', 'Select whether prescriptions have a set length'],
    ])
    assert.deepEqual(
      errorsOn((await manager.post(url, { length: 'fixed', fixedWeeks: '0', mayContinueAfter: 'no' })).body),
      [['fixedWeeks', 'A prescription must be at least 1 week']],
    )
    await manager.post(url, { length: 'range', minWeeks: '8', maxWeeks: '16', mayContinueAfter: 'yes' })
    assert.deepEqual((await getProgramme(db, t.programmeId))?.prescription, {
      minWeeks: 8,
      maxWeeks: 16,
      mayContinueAfter: true,
    })
    await manager.post(url, { length: 'fixed', fixedWeeks: '12', mayContinueAfter: 'no' })
    assert.deepEqual((await getProgramme(db, t.programmeId))?.prescription, {
      minWeeks: 12,
      maxWeeks: 12,
      mayContinueAfter: false,
    })
    await manager.post(url, { length: 'none' })
    assert.equal((await getProgramme(db, t.programmeId))?.prescription, null)
    await t.app.close()
  })

  it('keeps the needs taxonomy, one need a line, refusing the same need twice', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const url = `/programmes/${t.programmeId}/needs`
    const bad = await manager.post(url, { needs: 'Housing\nhousing' })
    assert.deepEqual(errorsOn(bad.body), [['needs', 'Each need must be different']])
    await manager.post(url, {
      needs: 'Weight management\r\n\r\nLow-level mental health\nSocial isolation\nHousing\nFinancial\n',
    })
    assert.deepEqual((await getProgramme(db, t.programmeId))?.needs, [
      { id: 'weight-management', label: 'Weight management' },
      { id: 'low-level-mental-health', label: 'Low-level mental health' },
      { id: 'social-isolation', label: 'Social isolation' },
      { id: 'housing', label: 'Housing' },
      { id: 'financial', label: 'Financial' },
    ])
    await t.app.close()
  })

  it('sets the practices covered, from the area or by ODS code, and whether registration is required', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const url = `/programmes/${t.programmeId}/practices`
    const form = await manager.get(url)
    assert.match(
      textOf(form.body),
      /High Street Wimbledon Surgery \(Z90001\).*Mitcham Green Surgery \(Z90002\)/,
    )
    assert.doesNotMatch(textOf(form.body), /Bromley by Bow Centre/)

    const unknown = await manager.post(url, {
      practiceIds: t.practices.wimbledon,
      addOdsCode: 'y12345',
      practiceRegistrationRequired: 'yes',
    })
    assert.deepEqual(errorsOn(unknown.body), [
      ['addName', 'Kith does not know the practice Y12345 yet: enter its name'],
      ['addPostcode', 'Kith does not know the practice Y12345 yet: enter its postcode'],
    ])
    const invalid = await manager.post(url, {
      addOdsCode: 'ABC',
      addName: 'Somewhere',
      addPostcode: 'not a postcode',
      practiceRegistrationRequired: 'no',
    })
    assert.deepEqual(errorsOn(invalid.body), [
      ['addOdsCode', 'A GP practice’s ODS code is a letter followed by 5 numbers, like A86021'],
      ['addPostcode', 'Enter a real postcode, like NE4 8AA'],
    ])
    const notPractice = await manager.post(url, { addOdsCode: 'Z00009', practiceRegistrationRequired: 'no' })
    assert.deepEqual(errorsOn(notPractice.body), [
      ['addOdsCode', 'The ODS code Z00009 belongs to Merton Borough Council, which is not a GP practice'],
    ])
    const tampered = await manager.post(url, {
      practiceIds: t.practices.elsewhere,
      practiceRegistrationRequired: 'no',
    })
    assert.deepEqual(errorsOn(tampered.body), [['practiceIds', 'Select practices from the list']])
    const none = await manager.post(url, { practiceRegistrationRequired: 'yes' })
    assert.deepEqual(errorsOn(none.body), [
      [
        'practiceRegistrationRequired',
        'Select at least one practice with an ODS code, or let people registered anywhere be referred',
      ],
    ])
    assert.deepEqual((await getProgramme(db, t.programmeId))?.practices, [])

    const good = await manager.post(url, {
      practiceIds: [t.practices.wimbledon, t.practices.mitcham],
      addOdsCode: 'z80001',
      practiceRegistrationRequired: 'yes',
    })
    assert.equal(good.statusCode, 303)
    const programme = await getProgramme(db, t.programmeId)
    assert.deepEqual(
      programme?.practices.map((p) => p.odsCode),
      ['Z80001', 'Z90001', 'Z90002'],
    )
    assert.equal(programme?.practiceRegistrationRequired, true)
    const [event] = await listAuditEvents(db, { action: 'programme.practices' })
    assert.deepEqual(JSON.parse(event?.detail ?? '{}').added.length, 3)
    // A practice outside the area, once covered, is offered from then on.
    assert.match(textOf((await manager.get(url)).body), /Bromley by Bow Centre \(Z80001\)/)

    // A practice Kith does not know is made, in the programme's area, from its ODS code, name and postcode.
    const added = await manager.post(url, {
      practiceIds: [t.practices.wimbledon, t.practices.mitcham, t.practices.elsewhere],
      addOdsCode: 'h85026',
      addName: 'Morden Hall Medical Centre',
      addPostcode: 'sm4 5hq',
      practiceRegistrationRequired: 'yes',
    })
    assert.equal(added.statusCode, 303, added.body)
    const made = await findOrganisationByOdsCode(db, 'H85026')
    assert.deepEqual(
      { name: made?.name, kind: made?.kind, parentId: made?.parentId, postcode: made?.postcode },
      { name: 'Morden Hall Medical Centre', kind: 'practice', parentId: t.area, postcode: 'SM4 5HQ' },
    )
    assert.deepEqual(
      (await getProgramme(db, t.programmeId))?.practices.map((p) => p.odsCode),
      ['Z80001', 'Z90001', 'Z90002', 'H85026'],
    )
    const [created] = await listAuditEvents(db, { action: 'organisation.create' })
    assert.equal(created?.record_id, made?.id)
    await t.app.close()
  })

  it('adds, changes and removes eligibility criteria', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const base = `/programmes/${t.programmeId}/criteria`
    assert.equal((await manager.get(`${base}/new`)).statusCode, 200)
    const noKind = await manager.get(`${base}/new?kind=`)
    assert.equal(noKind.statusCode, 400)
    assert.deepEqual(errorsOn(noKind.body), [['kind', 'Select what the criterion checks']])
    assert.equal((await manager.get(`${base}/new?kind=attestation`)).statusCode, 200)

    const bad = await manager.post(base, { kind: 'attestation', text: '', question: '' })
    assert.deepEqual(errorsOn(bad.body), [
      ['role', 'Select whether it is an inclusion, an exclusion or a rule'],
      ['text', 'Enter how the criterion reads on a listing'],
      ['question', 'Enter the question a referrer answers'],
      ['answer', 'Select the answer that excludes or includes the person'],
      ['whenUnanswered', 'Select what happens when the question is not answered'],
    ])
    const crisis = {
      kind: 'attestation',
      role: 'exclusion',
      text: 'Emergency, urgent or crisis needs',
      question: 'Does the person have emergency, urgent or crisis needs?',
      answer: 'yes',
      whenUnanswered: 'ineligible',
      id: 'crisis-needs',
    }
    assert.equal((await checkThenSave(manager, base, crisis)).statusCode, 303)
    const again = await manager.post(base, crisis)
    assert.deepEqual(errorsOn(again.body), [
      ['id', 'Another criterion of this programme already has this reference'],
    ])
    const age = await manager.post(base, {
      kind: 'age',
      role: 'inclusion',
      text: 'Aged 18 or over',
      min: '',
      max: '',
    })
    assert.deepEqual(errorsOn(age.body), [['min', 'Enter the youngest age, the oldest age, or both']])
    assert.equal(
      (await manager.post(base, { kind: 'age', role: 'inclusion', text: 'Aged 18 or over', min: '18' }))
        .statusCode,
      303,
    )
    assert.equal(
      (
        await manager.post(base, {
          kind: 'redirect',
          text: 'Weight goals go to the weight service',
          goalKeywords: 'weight\nobesity',
          toServiceName: 'Social Prescribing for Weight Management',
        })
      ).statusCode,
      303,
    )
    assert.equal(
      (
        await manager.post(base, {
          kind: 'conditions',
          role: 'inclusion',
          text: 'Has diabetes',
          anyOf: ['46635009', '44054006'],
        })
      ).statusCode,
      303,
    )
    const invented = await manager.post(base, {
      kind: 'conditions',
      role: 'inclusion',
      text: 'Has a made-up condition',
      anyOf: '12345678',
    })
    assert.deepEqual(errorsOn(invented.body), [['anyOf', 'Select conditions from the list']])

    let programme = await getProgramme(db, t.programmeId)
    assert.deepEqual(programme?.criteria, [
      {
        kind: 'attestation',
        id: 'crisis-needs',
        role: 'exclusion',
        text: 'Emergency, urgent or crisis needs',
        question: 'Does the person have emergency, urgent or crisis needs?',
        expected: false,
        whenUnanswered: 'ineligible',
      },
      { kind: 'age', id: 'aged-18-or-over', role: 'inclusion', text: 'Aged 18 or over', min: 18 },
      {
        kind: 'redirect',
        id: 'weight-goals-go-to-the-weight-service',
        role: 'redirect',
        text: 'Weight goals go to the weight service',
        goalKeywords: ['weight', 'obesity'],
        toServiceName: 'Social Prescribing for Weight Management',
      },
      {
        kind: 'conditions',
        id: 'has-diabetes',
        role: 'inclusion',
        text: 'Has diabetes',
        anyOf: [
          { code: '46635009', display: 'Diabetes mellitus type 1' },
          { code: '44054006', display: 'Diabetes mellitus type 2' },
        ],
      },
    ])

    const list = await manager.get(base)
    assert.match(textOf(list.body), /Emergency, urgent or crisis needs Exclusion crisis-needs/)
    assert.match(
      textOf(list.body),
      /Referrals from GP or practice staff Rule referral-sources Set by who can refer/,
    )
    const edit = await manager.get(`${base}/aged-18-or-over`)
    assert.match(edit.body, /id="min" name="min" type="text" value="18"/)
    assert.equal(
      (
        await manager.post(`${base}/aged-18-or-over`, {
          role: 'inclusion',
          text: 'Aged 18 to 64',
          min: '18',
          max: '64',
          id: 'sneaky',
        })
      ).statusCode,
      303,
    )
    const badEdit = await manager.post(`${base}/aged-18-or-over`, {
      role: 'inclusion',
      text: 'Aged',
      min: '70',
      max: '64',
    })
    assert.deepEqual(errorsOn(badEdit.body), [
      ['max', 'The oldest age must be the same as or more than the youngest'],
    ])
    assert.equal((await manager.post(`${base}/crisis-needs/remove`, {})).statusCode, 303)
    assert.equal((await manager.get(`${base}/crisis-needs`)).statusCode, 404)
    programme = await getProgramme(db, t.programmeId)
    assert.deepEqual(
      programme?.criteria.map((c) => c.id),
      ['aged-18-or-over', 'weight-goals-go-to-the-weight-service', 'has-diabetes'],
    )
    assert.deepEqual(programme?.criteria[0], {
      kind: 'age',
      id: 'aged-18-or-over',
      role: 'inclusion',
      text: 'Aged 18 to 64',
      min: 18,
      max: 64,
    })
    const changes = (await listAuditEvents(db, { action: 'programme.update' })).map((e) =>
      JSON.parse(e.detail ?? '{}'),
    )
    assert.deepEqual(changes.map((c) => [c.change, c.criterion]).reverse(), [
      ['add', 'crisis-needs'],
      ['add', 'aged-18-or-over'],
      ['add', 'weight-goals-go-to-the-weight-service'],
      ['add', 'has-diabetes'],
      ['update', 'aged-18-or-over'],
      ['remove', 'crisis-needs'],
    ])
    await t.app.close()
  })

  it('asks for the answer that excludes, and shows what each answer does before a yes/no question is saved', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const base = `/programmes/${t.programmeId}/criteria`
    // A yes/no question is an exclusion or an inclusion: asked first, so the form can say which answer does what.
    const role = await manager.get(`${base}/new?kind=attestation`)
    assert.match(
      textOf(role.body),
      /Does the question exclude people, or include them\? .* It excludes people .* It includes people/,
    )
    const noRole = await manager.get(`${base}/new?kind=attestation&role=sometimes`)
    assert.equal(noRole.statusCode, 400)
    assert.deepEqual(errorsOn(noRole.body), [
      ['role', 'Select whether the question excludes or includes people'],
    ])
    const exclusionForm = textOf((await manager.get(`${base}/new?kind=attestation&role=exclusion`)).body)
    assert.match(
      exclusionForm,
      /Which answer excludes the person\? Someone who gives this answer cannot be referred/,
    )
    assert.match(exclusionForm, /Before saving, you will see what each answer does\. Check the criterion/)
    assert.doesNotMatch(exclusionForm, /Save criterion/)
    assert.match(
      textOf((await manager.get(`${base}/new?kind=attestation&role=inclusion`)).body),
      /Which answer includes the person\? Only someone who gives this answer can be referred/,
    )

    const crisis = {
      kind: 'attestation',
      role: 'exclusion',
      text: 'Has emergency, urgent or crisis needs',
      question: 'Does the person have emergency, urgent or crisis needs?',
      answer: 'yes',
      whenUnanswered: 'needs-review',
    }
    // Check: the worked example, from the evaluator itself; nothing saved yet.
    const checked = await manager.post(base, { ...crisis, step: 'check' })
    assert.equal(checked.statusCode, 200)
    const example = textOf(checked.body)
    assert.match(
      example,
      /When the referrer answers Yes to “Does the person have emergency, urgent or crisis needs\?”, the person is excluded by “Has emergency, urgent or crisis needs” and cannot be referred\. No does not stop the referral\./,
    )
    assert.match(
      example,
      /Yes The person cannot be referred Answered yes to “Does the person have emergency, urgent or crisis needs\?”, so excluded by “Has emergency, urgent or crisis needs”\./,
    )
    assert.match(
      example,
      /No The referral can be made: this criterion does not stop it Answered no to “Does the person have emergency, urgent or crisis needs\?”, so not excluded by “Has emergency, urgent or crisis needs”\./,
    )
    assert.match(example, /Nothing \(not answered\) The referral can be made, flagged for review/)
    assert.doesNotMatch(example, /People who answer No are excluded/)
    assert.deepEqual((await getProgramme(db, t.programmeId))?.criteria, [])

    // Saving what was not checked (the answer changed since) shows the example again and saves nothing,
    // with a warning: excluding on "No" inverts the rule.
    const changed = await manager.post(base, {
      ...crisis,
      answer: 'no',
      step: 'save',
      checked: checkedKey(checked.body),
    })
    assert.equal(changed.statusCode, 200)
    assert.match(textOf(changed.body), /Check which answer excludes .*People who answer No are excluded/)
    assert.deepEqual((await getProgramme(db, t.programmeId))?.criteria, [])

    const saved = await manager.post(base, { ...crisis, step: 'save', checked: checkedKey(checked.body) })
    assert.equal(saved.statusCode, 303)
    const programme = await getProgramme(db, t.programmeId)
    assert.deepEqual(programme?.criteria, [
      {
        kind: 'attestation',
        id: 'has-emergency-urgent-or-crisis-needs',
        role: 'exclusion',
        text: 'Has emergency, urgent or crisis needs',
        question: 'Does the person have emergency, urgent or crisis needs?',
        expected: false,
        whenUnanswered: 'needs-review',
      },
    ])
    // The evaluator agrees: a yes excludes, a no does not.
    const outcome = (answer: boolean) =>
      evaluate(programme!.criteria, {
        today: '2026-01-01',
        answers: { 'has-emergency-urgent-or-crisis-needs': answer },
      }).outcome
    assert.deepEqual([outcome(true), outcome(false)], ['ineligible', 'eligible'])

    // The form to change it asks the same way round, and the programme page says it plainly.
    const edit = await manager.get(`${base}/has-emergency-urgent-or-crisis-needs`)
    assert.match(textOf(edit.body), /Which answer excludes the person\?/)
    assert.match(edit.body, /name="answer" type="radio" value="yes" checked/)
    assert.match(
      textOf((await manager.get(`/programmes/${t.programmeId}`)).body),
      /Asks “Does the person have emergency, urgent or crisis needs\?”: a yes excludes the person; if unanswered, the referral needs review/,
    )
    await t.app.close()
  })

  it('tests the rules against a sample person, with every reason, and saves nothing', async () => {
    const { db } = database()
    const t = await setUp(db)
    const manager = await t.as(t.manager)
    const base = `/programmes/${t.programmeId}/criteria`
    const test = `/programmes/${t.programmeId}/rules/test`
    await manager.post(base, { kind: 'age', role: 'inclusion', text: 'Aged 18 to 64', min: '18', max: '64' })
    await checkThenSave(manager, base, {
      kind: 'attestation',
      role: 'exclusion',
      text: 'Has emergency, urgent or crisis needs',
      question: 'Does the person have emergency, urgent or crisis needs?',
      answer: 'yes',
      whenUnanswered: 'needs-review',
      id: 'crisis-needs',
    })
    assert.match(textOf((await manager.get(base)).body), /Test the rules/)
    assert.equal((await (await t.as(t.worker)).get(test)).statusCode, 403)
    assert.equal((await (await t.as(t.otherManager)).get(test)).statusCode, 404)

    const page = await manager.get(test)
    assert.equal(page.statusCode, 200)
    assert.match(textOf(page.body), /Does the person have emergency, urgent or crisis needs\?/)
    assert.match(textOf(page.body), /Who refers them\?/)
    const before = (await listAuditEvents(db, {})).length

    const excluded = textOf(
      (await manager.post(test, { age: '30', 'answer-crisis-needs': 'yes', referrerKind: 'gp_practice' }))
        .body,
    )
    assert.match(excluded, /Outcome: Not eligible/)
    assert.match(
      excluded,
      /Aged 18 to 64 Inclusion Met Aged 30 \(within aged 18 to 64\), so meets “Aged 18 to 64”\./,
    )
    assert.match(
      excluded,
      /Has emergency, urgent or crisis needs Exclusion Not met Answered yes to “Does the person have emergency, urgent or crisis needs\?”, so excluded by “Has emergency, urgent or crisis needs”\./,
    )
    assert.match(excluded, /Referrals from GP or practice staff Rule Met Referred by GP or practice staff/)

    const eligible = textOf(
      (await manager.post(test, { age: '30', 'answer-crisis-needs': 'no', referrerKind: 'gp_practice' }))
        .body,
    )
    assert.match(eligible, /Outcome: Eligible/)

    const unknown = textOf(
      (
        await manager.post(test, {
          'dateOfBirth-day': '1',
          'dateOfBirth-month': '3',
          'dateOfBirth-year': '2015',
        })
      ).body,
    )
    assert.match(unknown, /Outcome: Not eligible/)
    assert.match(unknown, /Aged 18 to 64 Inclusion Not met Aged \d+ \(outside aged 18 to 64\)/)
    assert.match(
      unknown,
      /“Does the person have emergency, urgent or crisis needs\?” was not answered, so “Has emergency, urgent or crisis needs” needs review\./,
    )
    assert.match(unknown, /Who is referring is not known/)

    const both = await manager.post(test, {
      age: '30',
      'dateOfBirth-day': '1',
      'dateOfBirth-month': '3',
      'dateOfBirth-year': '1990',
    })
    assert.equal(both.statusCode, 400)
    assert.deepEqual(errorsOn(both.body), [['age', 'Enter an age or a date of birth, not both']])
    assert.equal((await manager.post(test, { conditions: ['12345678'] })).statusCode, 400)

    // Nothing saved: no audit event, no person, no referral, the rules as they were.
    assert.equal((await listAuditEvents(db, {})).length, before)
    assert.equal((await db.selectFrom('people').select('id').execute()).length, 0)
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 0)
    await t.app.close()
  })

  it('adds link workers by email, names one per practice and records working patterns', async () => {
    const { db } = database()
    const t = await setUp(db)
    await setProgrammePractices(db, t.programmeId, [t.practices.wimbledon, t.practices.mitcham])
    const manager = await t.as(t.manager)
    const url = `/programmes/${t.programmeId}/link-workers`
    const refuse = async (email: string) => errorsOn((await manager.post(url, { email })).body)
    assert.deepEqual(await refuse(''), [['email', 'Enter the email address of their Kith account']])
    assert.deepEqual(await refuse('nobody@kith.test'), [
      ['email', 'There is no active Kith account with this email address: invite them from Your team first'],
    ])
    assert.deepEqual(await refuse(t.referrer.email), [
      [
        'email',
        `Test Person ${Number(t.referrer.email.match(/person(\d+)/)?.[1])} does not have the link worker role: give it to them on Your team`,
      ],
    ])
    assert.deepEqual(await refuse(t.worker.email.toUpperCase()), [
      ['email', 'Chloe Mensah is already a link worker of this programme'],
    ])
    assert.equal((await manager.post(url, { email: t.otherWorker.email })).statusCode, 303)

    const named = await manager.post(`${url}/named`, {
      [`named.${t.practices.wimbledon}`]: t.worker.userId,
      [`named.${t.practices.mitcham}`]: t.referrer.userId,
    })
    assert.deepEqual(errorsOn(named.body), [
      [`named-${t.practices.mitcham}`, 'Select a link worker of this programme for Mitcham Green Surgery'],
    ])
    await manager.post(`${url}/named`, {
      [`named.${t.practices.wimbledon}`]: t.worker.userId,
      [`named.${t.practices.mitcham}`]: t.worker.userId,
    })

    const pattern = `${url}/${t.worker.userId}`
    const badPattern = await manager.post(pattern, { 'days.monday': t.practices.elsewhere })
    assert.deepEqual(errorsOn(badPattern.body), [['days-monday', 'Select one of the programme’s practices']])
    await manager.post(pattern, {
      'days.monday': t.practices.wimbledon,
      'days.tuesday': t.practices.wimbledon,
      'days.wednesday': t.practices.mitcham,
      'days.thursday': t.practices.mitcham,
      'days.friday': 'away',
    })
    let programme = await getProgramme(db, t.programmeId)
    assert.deepEqual(
      programme?.linkWorkers.map((w) => [w.name, w.days.length]),
      [
        ['Chloe Mensah', 5],
        ['Yusuf Begum', 0],
      ],
    )
    assert.deepEqual(programme?.linkWorkers[0]?.days.slice(2), [
      { weekday: 'wednesday', practiceId: t.practices.mitcham },
      { weekday: 'thursday', practiceId: t.practices.mitcham },
      { weekday: 'friday', practiceId: null },
    ])
    assert.deepEqual(
      programme?.practices.map((p) => p.namedLinkWorker?.name),
      ['Chloe Mensah', 'Chloe Mensah'],
    )

    // The link worker reads their part on the programme page.
    const mine = textOf((await (await t.as(t.worker)).get(`/programmes/${t.programmeId}`)).body)
    assert.match(
      mine,
      /Your working pattern: Monday: High Street Wimbledon Surgery; Tuesday: High Street Wimbledon Surgery; Wednesday: Mitcham Green Surgery; Thursday: Mitcham Green Surgery; Friday: away from practices\./,
    )
    assert.match(
      mine,
      /You are the named link worker for High Street Wimbledon Surgery, Mitcham Green Surgery\./,
    )

    // Taking Mitcham off the programme takes its named worker and working days with it.
    await manager.post(`/programmes/${t.programmeId}/practices`, {
      practiceIds: t.practices.wimbledon,
      practiceRegistrationRequired: 'no',
    })
    programme = await getProgramme(db, t.programmeId)
    assert.deepEqual(
      programme?.linkWorkers[0]?.days.map((d) => d.weekday),
      ['monday', 'tuesday', 'friday'],
    )
    // Removing a link worker takes them off the practices they were named for.
    assert.equal((await manager.post(`${url}/${t.worker.userId}/remove`, {})).statusCode, 303)
    programme = await getProgramme(db, t.programmeId)
    assert.deepEqual(
      programme?.linkWorkers.map((w) => w.name),
      ['Yusuf Begum'],
    )
    assert.equal(programme?.practices[0]?.namedLinkWorker, null)
    assert.equal((await (await t.as(t.worker)).get(`/programmes/${t.programmeId}`)).statusCode, 404)
    assert.deepEqual(
      (await listAuditEvents(db, { recordId: t.programmeId }))
        .map((e) => e.action)
        .filter((a) => a !== 'programme.update')
        .reverse(),
      [
        'programme.link-worker-add',
        'programme.named-link-workers',
        'programme.working-pattern',
        'programme.practices',
        'programme.link-worker-remove',
      ],
    )
    await t.app.close()
  })
})
