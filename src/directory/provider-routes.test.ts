import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'
import { accreditationsOf, getServiceRecord, listTerms } from './store.ts'

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
})
