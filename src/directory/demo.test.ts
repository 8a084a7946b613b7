// The demo directory carries what the seeds name for each scheme, placed in its area (issue 12).

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listOrganisations } from '../access/store.ts'
import { listNewGroups } from '../community/groups-store.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { needId } from '../programmes/config.ts'
import { getProgramme } from '../programmes/store.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'
import { areaOf, nearestKm, type Point } from './local.ts'
import {
  accreditationsOfProgramme,
  getServiceRecords,
  lookupPostcode,
  type ServiceRecord,
  serviceIdsOfProviders,
} from './store.ts'

const LUTON_AREAS = [
  'Social activity',
  'Volunteering',
  'Physical activity',
  'Wellbeing and mental health',
  'Information, advice and guidance',
]

describeEachDatabase('the demo directory', (database) => {
  it('carries what the seeds name for each scheme, placed in its area', async (t) => {
    const { db } = database()
    const demo = await seedDemo(db)
    const org = (key: string) => demo.access.organisations[key]!
    const all = await getServiceRecords(db, Object.values(demo.directory.services))
    const tagged = (service: ServiceRecord, label: string) =>
      service.terms.some((term) => term.code === needId(label))

    /** The scheme's services: run by organisations in its area, each place near one of its practices. */
    async function servicesOf(areaKey: string, programmeKey: string): Promise<ServiceRecord[]> {
      const area = await areaOf(db, org(areaKey))
      assert.ok(area, areaKey)
      const services = all.filter((s) => area.organisationIds.has(s.providerOrganisationId))
      const programme = await getProgramme(db, demo.programmes.programmes[programmeKey]!)
      const organisations = await listOrganisations(db)
      const practices: Point[] = []
      for (const practice of programme?.practices ?? []) {
        const postcode = organisations.find((o) => o.id === practice.organisationId)?.postcode
        const point = postcode ? await lookupPostcode(db, postcode) : undefined
        if (point) practices.push(point)
      }
      assert.ok(practices.length > 0, programmeKey)
      for (const service of services)
        for (const place of service.locations) {
          assert.ok(place.latitude !== null && place.longitude !== null, `${service.name} has coordinates`)
          const km = nearestKm({ latitude: place.latitude!, longitude: place.longitude! }, practices)
          assert.ok(
            km !== null && km < 15,
            `${service.name} at ${place.postcode} is ${km} km from ${areaKey}`,
          )
        }
      return services
    }
    const named = (services: ServiceRecord[], name: string) => {
      const found = services.find((s) => s.name === name)
      assert.ok(found, `${name} is listed in the area`)
      return found
    }

    await t.test("Culm Valley's groups, the Calm Zone and online self-care resources", async () => {
      const culm = await servicesOf('culm', 'culm')
      for (const condition of ['Heart disease', 'Diabetes']) {
        const groups = culm.filter((s) => s.kind === 'patient_led_group' && tagged(s, condition))
        assert.equal(groups.length, 1, condition)
      }
      // Fibromyalgia's group is being started by the health facilitator (the community's demo),
      // not yet a listing; the facilitator's programme offers the need.
      const starting = (await listNewGroups(db)).find((g) => g.forNeed === 'Fibromyalgia')
      assert.equal(starting?.name, 'Fibromyalgia support group')
      assert.equal(starting?.facilitatorUserId, demo.access.users['facilitator.culm@kith.example'])
      const culmProgramme = await getProgramme(db, demo.programmes.programmes.culm!)
      assert.ok(culmProgramme?.needs.some((n) => n.id === needId('Fibromyalgia support')))
      assert.ok(!all.some((s) => s.name === 'Fibromyalgia support group'))

      for (const name of [
        'Knit and Natter',
        'Creative Writing Group',
        'Printing group',
        'Book Reading Group',
      ])
        named(culm, name)
      for (const name of ['Amblers Walking Group', 'Community Gardening Group'])
        assert.equal(named(culm, name).kind, 'patient_led_group')
      const calmZone = named(culm, 'Calm Zone')
      assert.equal(calmZone.kind, 'self_care_online')
      assert.deepEqual(
        calmZone.locations.map((l) => l.postcode),
        ['EX15 1FE'],
      )
      const online = culm.filter((s) => s.kind === 'self_care_online' && s.locations.length === 0)
      assert.ok(online.length >= 2, 'online self-care resources')
      assert.ok(online.every((s) => s.selfReferral && s.free))
    })

    await t.test("Ways to Wellness's Newcastle activities", async () => {
      const activities = (await servicesOf('wtw.area', 'wtw')).filter((s) => s.kind !== 'link_worker')
      assert.ok(activities.length >= 5)
      assert.ok(activities.every((s) => s.locations.every((l) => l.postcode?.startsWith('NE'))))
      for (const condition of ['COPD', 'Diabetes', 'Heart disease', 'Osteoporosis'])
        assert.ok(
          activities.some((s) => tagged(s, condition)),
          condition,
        )
    })

    await t.test("Luton's 20 accredited providers in its five areas, council-run or external", async () => {
      const luton = await servicesOf('luton', 'luton')
      const today = new Date().toISOString().slice(0, 10)
      const accredited = (await accreditationsOfProgramme(db, demo.programmes.programmes.luton!)).filter(
        (a) =>
          a.subjectType === 'organisation' &&
          a.accreditedFrom <= today &&
          (a.accreditedTo === null || a.accreditedTo >= today),
      )
      const providers = new Set(accredited.map((a) => a.subjectId))
      assert.equal(providers.size, 20)
      const organisations = await listOrganisations(db)
      const kinds = [...providers].map((id) => organisations.find((o) => o.id === id)?.kind)
      assert.equal(kinds.filter((k) => k === 'council').length, 7)
      assert.equal(kinds.filter((k) => k === 'vcs').length, 13)
      const theirs = luton.filter((s) => providers.has(s.providerOrganisationId))
      for (const provider of providers)
        assert.ok((await serviceIdsOfProviders(db, [provider])).length > 0, 'every provider has a service')
      assert.equal(new Set(theirs.map((s) => s.providerOrganisationId)).size, 20, 'all in Luton')
      for (const area of LUTON_AREAS)
        assert.ok(
          theirs.some((s) =>
            s.terms.some((term) => term.vocabulary === 'area' && term.code === needId(area)),
          ),
          area,
        )

      // The listing and the accreditation page say who runs each.
      const app = await testApp(db)
      const client = await new PageClient(app).signInAs(demo.access.users['manager.luton@kith.example']!)
      const page = textOf((await client.get('/directory/accreditation')).body)
      for (const name of ['Luton Active Lifestyles', 'Luton Community Wellbeing Network'])
        assert.ok(page.includes(`${name} (provider)`), name)
      assert.match(page, /Luton Council Parks Service \(provider\)\s+Council service/)
      assert.match(page, /Luton Talking Space \(provider\)\s+Voluntary or community organisation/)
      const listing = async (key: string) =>
        textOf((await client.get(`/directory/services/${demo.directory.services[key]}`)).body)
      assert.match(await listing('luton.exercise'), /Run by\s+Luton Active Lifestyles: Council service/)
      assert.match(
        await listing('luton.social'),
        /Run by\s+Luton Community Wellbeing Network: Voluntary or community organisation/,
      )
      await app.close()
    })

    await t.test("Rotherham's partners' activities: men's metalwork and exercise clubs", async () => {
      const rotherham = await servicesOf('roth', 'roth')
      named(rotherham, "Men's Metalwork Club")
      const clubs = rotherham.filter(
        (s) => tagged(s, 'Exercise') && s.providerOrganisationId !== org('roth.var'),
      )
      assert.ok(clubs.length >= 3, 'a range of exercise clubs')
      assert.equal(new Set(clubs.map((s) => s.providerOrganisationId)).size, clubs.length, 'run by partners')
    })

    await t.test("Tower Hamlets' practices with postcodes in each of its 8 networks", async () => {
      const organisations = await listOrganisations(db)
      const programme = await getProgramme(db, demo.programmes.programmes.th!)
      const covered = new Set(programme?.practices.map((p) => p.organisationId))
      for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) {
        const practices = organisations.filter(
          (o) => o.parentId === org(`th.network${n}`) && o.kind === 'practice',
        )
        assert.ok(practices.length > 0, `network ${n}`)
        for (const practice of practices) {
          assert.ok(practice.odsCode?.startsWith('Z'), practice.name)
          assert.ok(practice.postcode && (await lookupPostcode(db, practice.postcode)), practice.name)
          assert.ok(covered.has(practice.id), `${practice.name} is covered`)
          assert.ok(
            programme?.practices.find((p) => p.organisationId === practice.id)?.namedLinkWorker,
            `${practice.name} has a named social prescriber`,
          )
        }
      }
    })
  })
})
