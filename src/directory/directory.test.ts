import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { evaluate } from '../programmes/eligibility.ts'
import { DEMO_PLACES } from './demo.ts'
import {
  findServiceByName,
  getService,
  getServiceCriteria,
  SOCIAL_PRESCRIBING_CRITERIA,
  suggestServices,
  WEIGHT_MANAGEMENT_SERVICE_NAME,
} from './index.ts'
import { findTerm, lookupPostcode, searchServices } from './store.ts'
import { countServices } from './testing.ts'

const TODAY = '2026-11-22'

describeEachDatabase('the directory', (database) => {
  it('holds the seed listing with its criteria, and the functions others call read it', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const sps = await findServiceByName(db, 'social prescribing service (18+)')
    assert.ok(sps)
    assert.equal(sps.id, demo.directory.services['th.sps'])
    assert.equal(sps.selfReferral, false)
    assert.equal(sps.status, 'active')
    assert.equal(sps.kind, 'link_worker')
    const criteria = await getServiceCriteria(db, sps.id)
    assert.deepEqual(criteria, SOCIAL_PRESCRIBING_CRITERIA)
    const ids = (role: string) => criteria.filter((c) => c.role === role).map((c) => c.id)
    assert.deepEqual(ids('inclusion'), [
      'age-18-plus',
      'capacity-to-engage',
      'consent-given',
      'needs-identified-by-practice',
      'wants-to-make-change',
    ])
    assert.deepEqual(ids('exclusion'), [
      'third-party-without-patient',
      'crisis-needs',
      'intoxication',
      'risk-to-staff',
      'acute-safeguarding',
      'acute-smi',
      'open-to-iapt-or-secondary-care-same-need',
    ])
    assert.deepEqual((await getService(db, sps.id))?.criteria, criteria)
    assert.equal(await getService(db, '0190a000-0000-7000-8000-000000000000'), undefined)

    // A weight-related goal is redirected to the weight management service, which exists.
    const result = evaluate(criteria, {
      today: TODAY,
      dateOfBirth: '1970-01-01',
      goals: ['I want to lose weight'],
      referrerKind: 'gp_practice',
      consentGiven: true,
    })
    assert.equal(result.redirects[0]?.toServiceName, WEIGHT_MANAGEMENT_SERVICE_NAME)
    assert.ok(await findServiceByName(db, WEIGHT_MANAGEMENT_SERVICE_NAME))
  })

  it('suggests services for needs that the person meets the criteria of, with the reason', async () => {
    const { db } = database()
    await seedDemo(db)
    const adult = {
      today: TODAY,
      dateOfBirth: '1960-05-01',
      consentGiven: true,
      referrerKind: 'gp_practice' as const,
    }
    const forIsolation = await suggestServices(db, { needs: ['social-isolation'], facts: adult })
    const names = forIsolation.map((s) => s.service.name)
    assert.ok(names.includes("Men's Metalwork Club"))
    assert.ok(forIsolation.every((s) => s.why.length > 0 && s.eligibility.outcome !== 'ineligible'))
    const child = { ...adult, dateOfBirth: '2015-01-01' }
    const forChild = (await suggestServices(db, { needs: ['social-isolation'], facts: child })).map(
      (s) => s.service.name,
    )
    assert.ok(!forChild.includes("Men's Metalwork Club"))
    assert.ok(forChild.includes('Knit and Natter'))

    const weight = await suggestServices(db, {
      needs: ['social-prescribing'],
      facts: { ...adult, goals: ['Lose some weight before my operation'] },
    })
    const names2 = weight.map((s) => s.service.name)
    assert.ok(!names2.includes('Social Prescribing Service (18+)'))
    const redirected = weight.find((s) => s.service.name === WEIGHT_MANAGEMENT_SERVICE_NAME)
    assert.ok(redirected)
  })

  it('searches by stems, category, kind, referral route, age and distance', async () => {
    const { db } = database()
    await seedDemo(db)
    const page = { page: 1, perPage: 20 }
    const names = async (filters: Parameters<typeof searchServices>[1]) => {
      const result = await searchServices(db, filters)
      const { getServiceRecords } = await import('./store.ts')
      return (
        await getServiceRecords(
          db,
          result.hits.map((h) => h.id),
        )
      ).map((s) => s.name)
    }
    assert.ok((await names({ ...page, text: 'walks' })).includes('Amblers Walking Group'))
    assert.ok((await names({ ...page, text: 'gardens' })).includes('Community Gardening Group'))
    assert.deepEqual(await names({ ...page, text: "'; drop table services; --" }), [])
    // Stop words are left out on both databases, as PostgreSQL does.
    assert.ok((await names({ ...page, text: 'help with the benefits' })).includes('Benefits and forms help'))
    assert.equal((await searchServices(db, { ...page, text: 'the and of' })).total, await countServices(db))
    const walking = await findTerm(db, 'category', 'walking')
    assert.deepEqual(await names({ ...page, termId: walking?.id }), [
      'Amblers Walking Group',
      'Luton health walks',
      'Nordic walking club',
    ])
    assert.ok((await names({ ...page, kind: 'book_on_prescription' })).includes('Books on Prescription'))
    assert.ok(!(await names({ ...page, selfReferral: true })).includes('Social Prescribing Service (18+)'))
    assert.ok(!(await names({ ...page, age: 16 })).includes("Men's Metalwork Club"))
    const luton = await lookupPostcode(db, 'LU1 1HH')
    assert.ok(luton)
    const near = await searchServices(db, { ...page, near: { ...luton, radiusKm: 5 } })
    assert.equal(near.total, 23)
    assert.ok(near.hits.every((h) => h.distanceKm !== undefined && h.distanceKm <= 5))
    const wide = await names({ ...page, perPage: 50, near: { ...luton, radiusKm: 50 } })
    assert.ok(wide.includes('Social Prescribing Service (18+)'))
    assert.ok(!wide.includes("Men's Metalwork Club"))
    assert.equal(DEMO_PLACES.length > 30, true)
  })
})
