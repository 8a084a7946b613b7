import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'
import { accreditationsOf, getServiceRecord, listTerms, updateService } from './store.ts'

describeEachDatabase('providers and programme managers in the directory', (database) => {
  it('lets a provider edit only their own services, with validation that changes nothing', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const keith = await new PageClient(app).signInAs(demo.access.users['provider.rotherham@kith.example']!)
    const rosa = await new PageClient(app).signInAs(demo.access.users['provider.merton@kith.example']!)
    const metalwork = demo.directory.services['roth.metalwork']!

    const list = await keith.get('/directory/your-services')
    assert.equal(list.statusCode, 200)
    assert.match(textOf(list.body), /Men's Metalwork Club/)
    assert.doesNotMatch(textOf(list.body), /Benefits and forms help/)
    assert.equal((await rosa.get(`/directory/services/${metalwork}/edit`)).statusCode, 404)

    const form = await keith.get(`/directory/services/${metalwork}/edit`)
    assert.equal(form.statusCode, 200)
    const before = await getServiceRecord(db, metalwork)
    const organisationId = before!.providerOrganisationId
    const good = {
      organisationId,
      name: "Men's Metalwork and Woodwork Club",
      description: 'Make and mend things in metal and wood.',
      kind: 'activity_group',
      status: 'active',
      selfReferral: 'yes',
      termIds: before!.terms.map((t) => t.id),
      postcode: 's65 1da',
      locationName: 'Health Village',
      ageMin: '18',
    }
    const bad = await keith.post(`/directory/services/${metalwork}/edit`, {
      ...good,
      name: '',
      postcode: 'nowhere',
      ageMin: '90',
      ageMax: '20',
      email: 'not an email',
    })
    assert.equal(bad.statusCode, 400)
    const badText = textOf(bad.body)
    for (const message of [
      'Enter the name of the service',
      'Enter a full UK postcode',
      'Enter an email address in the correct format',
    ]) {
      assert.ok(badText.includes(message), message)
    }
    const unknownPostcode = await keith.post(`/directory/services/${metalwork}/edit`, {
      ...good,
      postcode: 'ZZ9 9ZZ',
    })
    assert.equal(unknownPostcode.statusCode, 400)
    assert.match(textOf(unknownPostcode.body), /We do not know the postcode ZZ9 9ZZ/)
    assert.equal((await getServiceRecord(db, metalwork))?.name, "Men's Metalwork Club")

    const saved = await keith.post(`/directory/services/${metalwork}/edit`, good)
    assert.equal(saved.statusCode, 303)
    const after = await getServiceRecord(db, metalwork)
    assert.equal(after?.name, "Men's Metalwork and Woodwork Club")
    assert.equal(after?.locations[0]?.postcode, 'S65 1DA')
    assert.deepEqual(after?.criteria, before?.criteria)

    const created = await keith.post('/directory/your-services/new', {
      ...good,
      name: 'Repair café',
      termIds: [],
    })
    assert.equal(created.statusCode, 303)
    const page = await keith.get(created.headers.location as string)
    assert.match(textOf(page.body), /Repair café/)

    const stolen = await rosa.post('/directory/your-services/new', { ...good, name: 'Not mine' })
    assert.equal(stolen.statusCode, 400)

    const writing = demo.directory.services['culm.writing']!
    const bill = await new PageClient(app).signInAs(demo.access.users['provider.culm@kith.example']!)
    assert.equal((await bill.post(`/directory/services/${writing}/reviewed`, {})).statusCode, 404)
  })

  it('lets a provider set the weekly sessions, shown on the listing and in Open Referral, keeping what the form cannot hold', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const keith = await new PageClient(app).signInAs(demo.access.users['provider.rotherham@kith.example']!)
    const metalwork = demo.directory.services['roth.metalwork']!
    // A monthly schedule from an import, which the form's weekly rows cannot hold.
    const monthly = {
      freq: 'MONTHLY' as const,
      byday: '1SA',
      opensAt: '10:00:00',
      closesAt: '13:00:00',
      description: '',
    }
    const record = (await getServiceRecord(db, metalwork))!
    await updateService(db, metalwork, {
      ...record,
      termIds: record.terms.map((t) => t.id),
      locations: record.locations.map(({ id: _id, ...rest }) => rest),
      schedules: [...record.schedules.map(({ id: _id, ...rest }) => rest), monthly],
    })

    const form = await keith.get(`/directory/services/${metalwork}/edit`)
    assert.equal(form.statusCode, 200)
    // The demo's weekly sessions fill the first rows; one empty row follows for another.
    const days = [...form.body.matchAll(/<option value="([A-Z]{2})" selected>/g)].map((m) => m[1])
    const weekly = record.schedules.flatMap((s) => s.byday.split(','))
    assert.deepEqual(days, weekly)
    assert.match(form.body, new RegExp(`id="session-${weekly.length}-day"`))
    assert.match(textOf(form.body), /Also kept as they are: The first Saturday of the month, 10am to 1pm/)

    const good = {
      organisationId: record.providerOrganisationId,
      name: record.name,
      description: record.description,
      kind: record.kind,
      status: record.status,
      selfReferral: record.selfReferral ? 'yes' : 'no',
      termIds: record.terms.map((t) => t.id),
      schedule: '',
    }
    assert.match(form.body, /name="session-0-opens" type="text" value="\d\d:\d\d"/)
    const before = await getServiceRecord(db, metalwork)
    const bad = await keith.post(`/directory/services/${metalwork}/edit`, {
      ...good,
      'session-0-day': 'TU',
      'session-0-opens': '12:00',
      'session-0-closes': '10:00',
    })
    assert.equal(bad.statusCode, 400)
    assert.match(bad.body, /href="#session-0-closes">\s*Session 1: it must end after it starts/)
    assert.deepEqual(await getServiceRecord(db, metalwork), before)

    const saved = await keith.post(`/directory/services/${metalwork}/edit`, {
      ...good,
      'session-0-day': 'TU',
      'session-0-opens': '10',
      'session-0-closes': '12:00',
      'session-1-day': 'FR',
      'session-1-opens': '9.30',
      'session-1-closes': '11:00',
    })
    assert.equal(saved.statusCode, 303)
    const after = await getServiceRecord(db, metalwork)
    assert.deepEqual(
      after?.schedules.map(({ id: _id, ...rest }) => ({ ...rest })),
      [
        { freq: 'WEEKLY', byday: 'TU', opensAt: '10:00:00', closesAt: '12:00:00', description: '' },
        { freq: 'WEEKLY', byday: 'FR', opensAt: '09:30:00', closesAt: '11:00:00', description: '' },
        monthly,
      ],
    )
    const page = textOf((await keith.get(`/directory/services/${metalwork}`)).body)
    assert.match(
      page,
      /Sessions Tuesdays, 10am to 12 noon Fridays, 9:30am to 11am The first Saturday of the month, 10am to 1pm/,
    )
    const oruk = (await app.inject({ method: 'GET', url: `/openreferral/services/${metalwork}` })).json()
    assert.deepEqual(
      oruk.schedules.map((s: { byday: string; opens_at: string }) => [s.byday, s.opens_at]),
      [
        ['TU', '10:00:00'],
        ['FR', '09:30:00'],
        ['1SA', '10:00:00'],
      ],
    )
  })

  it('lets a provider state their access criteria in the eligibility language', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const keith = await new PageClient(app).signInAs(demo.access.users['provider.rotherham@kith.example']!)
    const rosa = await new PageClient(app).signInAs(demo.access.users['provider.merton@kith.example']!)
    const metalwork = demo.directory.services['roth.metalwork']!
    const base = `/directory/services/${metalwork}/criteria`
    assert.equal((await keith.get(base)).statusCode, 200)
    assert.equal((await rosa.get(base)).statusCode, 404)
    assert.equal((await keith.get(`${base}/new`)).statusCode, 200)
    assert.equal((await keith.get(`${base}/new?kind=age`)).statusCode, 200)
    const before = (await getServiceRecord(db, metalwork))!.criteria

    const bad = await keith.post(base, { kind: 'age', text: '', role: 'inclusion', min: '70', max: '20' })
    assert.equal(bad.statusCode, 400)
    assert.deepEqual((await getServiceRecord(db, metalwork))!.criteria, before)

    assert.match(
      textOf((await keith.get(`${base}/new?kind=attestation`)).body),
      /Does the question exclude people, or include them\?/,
    )
    const tools = {
      kind: 'attestation',
      text: 'Can use hand tools safely',
      role: 'inclusion',
      question: 'Can the person use hand tools safely?',
      answer: 'yes',
      whenUnanswered: 'needs-review',
    }
    // A yes/no question shows what each answer does before it is saved.
    const checked = await keith.post(base, { ...tools, step: 'check' })
    assert.equal(checked.statusCode, 200)
    assert.match(
      textOf(checked.body),
      /Which answer includes the person\? .*Only when the referrer answers Yes to “Can the person use hand tools safely\?” does the person meet “Can use hand tools safely”\. No means they cannot be referred\./,
    )
    assert.deepEqual((await getServiceRecord(db, metalwork))!.criteria, before)
    const key = (html: string) => /name="checked" value="([^"]+)"/.exec(html)?.[1] ?? ''
    const added = await keith.post(base, { ...tools, step: 'save', checked: key(checked.body) })
    assert.equal(added.statusCode, 303)
    const after = (await getServiceRecord(db, metalwork))!.criteria
    const criterion = after.find((c) => c.text === 'Can use hand tools safely')
    assert.ok(criterion)
    assert.equal(after.length, before.length + 1)
    const listing = textOf((await keith.get(`/directory/services/${metalwork}`)).body)
    assert.match(listing, /Can use hand tools safely/)

    assert.equal((await keith.get(`${base}/${criterion.id}`)).statusCode, 200)
    const change = { ...tools, text: 'Can use hand tools safely, with support' }
    const rechecked = await keith.post(`${base}/${criterion.id}`, { ...change, step: 'check' })
    assert.equal(rechecked.statusCode, 200)
    const changed = await keith.post(`${base}/${criterion.id}`, {
      ...change,
      step: 'save',
      checked: key(rechecked.body),
    })
    assert.equal(changed.statusCode, 303)
    assert.ok((await getServiceRecord(db, metalwork))!.criteria.some((c) => c.text.endsWith('with support')))
    assert.equal((await rosa.post(`${base}/${criterion.id}/remove`, {})).statusCode, 404)
    assert.equal((await keith.post(`${base}/${criterion.id}/remove`, {})).statusCode, 303)
    assert.deepEqual((await getServiceRecord(db, metalwork))!.criteria, before)
  })

  it('flags unreviewed listings to their provider until they are reviewed', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const { createAccount } = await import('../web/testing.ts')
    const writing = demo.directory.services['culm.writing']!
    const record = await getServiceRecord(db, writing)
    const provider = await createAccount(db, 'provider', { organisationId: record!.providerOrganisationId })
    const client = await new PageClient(app).signInAs(provider.userId)
    assert.match(
      textOf((await client.get('/directory/your-services')).body),
      /1 of your listings has not been reviewed/,
    )
    const reviewed = await client.post(`/directory/services/${writing}/reviewed`, {})
    assert.equal(reviewed.statusCode, 303)
    assert.doesNotMatch(textOf((await client.get('/directory/your-services')).body), /not been reviewed/)
  })

  it('lets a programme manager accredit providers and services for their programme', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const ravi = await new PageClient(app).signInAs(demo.access.users['manager.luton@kith.example']!)
    const page = await ravi.get('/directory/accreditation')
    assert.equal(page.statusCode, 200)
    const metalwork = demo.directory.services['roth.metalwork']!
    const luton = demo.programmes.programmes.luton!
    const bad = await ravi.post('/directory/accreditation', {
      subject: `service:${metalwork}`,
      programmeId: luton,
      from: '2026-12-01',
      to: '2026-01-01',
    })
    assert.equal(bad.statusCode, 400)
    assert.equal((await accreditationsOf(db, [metalwork])).length, 0)
    const notTheirs = await ravi.post('/directory/accreditation', {
      subject: `service:${metalwork}`,
      programmeId: demo.programmes.programmes.merton!,
      from: '2026-12-01',
    })
    assert.equal(notTheirs.statusCode, 400)
    const good = await ravi.post('/directory/accreditation', {
      subject: `service:${metalwork}`,
      programmeId: luton,
      from: '2026-12-01',
      to: '2027-11-30',
    })
    assert.equal(good.statusCode, 303)
    const [accreditation] = await accreditationsOf(db, [metalwork])
    assert.equal(accreditation?.accreditedTo, '2027-11-30')
    const shown = textOf((await new PageClient(app).get(`/directory/services/${metalwork}`)).body)
    assert.match(shown, /accredited by Luton social prescribing/)
    const referrer = await new PageClient(app).signInAs(demo.access.users['gp.luton@kith.example']!)
    assert.equal((await referrer.get('/directory/accreditation')).statusCode, 403)
    assert.ok((await listTerms(db)).length > 0)
  })
  it('lets a programme manager maintain their own organisation’s services and hand one to a provider’s account', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const helen = await new PageClient(app).signInAs(demo.access.users['manager.culm@kith.example']!)
    const knit = demo.directory.services['culm.knit']!
    const metalwork = demo.directory.services['roth.metalwork']!
    const list = textOf((await helen.get('/directory/your-services')).body)
    assert.match(list, /Knit and Natter/)
    assert.doesNotMatch(list, /Amblers/)
    // Culm Valley Centre's own groups: no more 403 on their edit pages; other services stay closed.
    assert.equal((await helen.get(`/directory/services/${knit}/edit`)).statusCode, 200)
    assert.equal((await helen.get(`/directory/services/${metalwork}/edit`)).statusCode, 404)
    const before = await getServiceRecord(db, knit)
    const saved = await helen.post(`/directory/services/${knit}/edit`, {
      organisationId: before!.providerOrganisationId,
      name: 'Knit and Natter (Tuesdays)',
      description: before!.description,
      kind: before!.kind,
      status: 'active',
      selfReferral: 'yes',
      termIds: before!.terms.map((t) => t.id),
    })
    assert.equal(saved.statusCode, 303, saved.body)
    assert.equal((await getServiceRecord(db, knit))?.name, 'Knit and Natter (Tuesdays)')
    const created = await helen.post('/directory/your-services/new', {
      organisationId: before!.providerOrganisationId,
      name: 'Heart health group',
      description: 'For people living with heart disease.',
      kind: 'activity_group',
      status: 'active',
      selfReferral: 'no',
      termIds: [],
    })
    assert.equal(created.statusCode, 303, created.body)

    // Handing the listing to the provider's own account: bad input first, changing nothing.
    const url = `/directory/services/${knit}/hand-over`
    assert.equal((await helen.get(url)).statusCode, 200)
    const unknown = await helen.post(url, { email: 'nobody@kith.example' })
    assert.equal(unknown.statusCode, 400)
    assert.match(textOf(unknown.body), /There is no active Kith account with this email address/)
    const notProvider = await helen.post(url, { email: 'gp.culm@kith.example' })
    assert.match(textOf(notProvider.body), /does not have the provider role in any organisation/)
    assert.equal((await getServiceRecord(db, knit))?.providerOrganisationId, before!.providerOrganisationId)
    const handed = await helen.post(url, { email: 'provider.culm@kith.example' })
    assert.equal(handed.statusCode, 303, handed.body)
    const after = await getServiceRecord(db, knit)
    assert.equal(after?.providerName, 'Amblers Walking Group')
    // It is theirs now, not the manager's.
    assert.equal((await helen.get(`/directory/services/${knit}/edit`)).statusCode, 404)
    const bill = await new PageClient(app).signInAs(demo.access.users['provider.culm@kith.example']!)
    assert.equal((await bill.get(`/directory/services/${knit}/edit`)).statusCode, 200)
    await app.close()
  })
})
