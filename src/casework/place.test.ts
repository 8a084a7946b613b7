// Place in casework (issue 12, decision 0103): the person's address, changed from the case and
// shown on home visits with a map link; services offered by the programme's area and distance,
// with those elsewhere behind a link and a warning before one is used; prescriptions only of
// what a programme that accredits has accredited.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { createOrganisation } from '../access/store.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { addAccreditation, distanceKm, findTerm, upsertPostcodes } from '../directory/store.ts'
import { createTestService } from '../directory/testing.ts'
import { personInputSchema } from '../people/person.ts'
import { createPersonRecord } from '../people/records.ts'
import { getPerson } from '../people/store.ts'
import { DEFAULT_APPOINTMENT_RULES, defaultSettings } from '../programmes/config.ts'
import {
  addLinkWorker,
  createProgramme,
  setNamedLinkWorkers,
  setProgrammePractices,
} from '../programmes/store.ts'
import { formatMiles } from '../web/format.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'
import { openCase, prescriptionsOfCase } from './index.ts'

const NOW = new Date('2026-11-30T10:00:00Z')
const actor = { userId: null, ip: null }

/** Real places (shared/reference/demo-places.csv). */
const PLACES = {
  practice: { postcode: 'LU1 1HH', latitude: 51.88155, longitude: -0.4229 },
  home: { postcode: 'LU4 8BY', latitude: 51.88972, longitude: -0.44172 },
  grove: { postcode: 'LU1 1RW', latitude: 51.88017, longitude: -0.42398 },
  chapel: { postcode: 'LU1 2SE', latitude: 51.87765, longitude: -0.41605 },
  rotherham: { postcode: 'S61 1AH', latitude: 53.4314, longitude: -1.37806 },
}

const location = (place: (typeof PLACES)[keyof typeof PLACES], name: string) => ({
  name,
  address: name,
  town: '',
  postcode: place.postcode,
  latitude: place.latitude,
  longitude: place.longitude,
})

async function setUp(db: Db) {
  await upsertPostcodes(db, Object.values(PLACES))
  const org = (name: string, kind: 'area' | 'vcs' | 'practice' | 'leisure', parentId: string | null) =>
    createOrganisation(db, {
      name,
      kind,
      parentId,
      odsCode: kind === 'practice' ? 'Z99501' : null,
      postcode: kind === 'practice' ? PLACES.practice.postcode : null,
    })
  const area = await org('Testshire', 'area', null)
  const owner = await org('Testshire Navigators', 'vcs', area)
  const practice = await org('Mersey Test Surgery', 'practice', area)
  const charity = await org('Testshire Friendship Network', 'vcs', area)
  const leisure = await org('Testshire Leisure', 'leisure', area)
  const farArea = await org('Farshire', 'area', null)
  const farCharity = await org('Farshire Men’s Sheds', 'vcs', farArea)
  const isolation = await findTerm(db, 'need', 'social-isolation')
  assert.ok(isolation, 'the need vocabulary has social isolation')
  const service = (provider: string, name: string, place: (typeof PLACES)[keyof typeof PLACES]) =>
    createTestService(db, provider, {
      name,
      termIds: [isolation.id],
      locations: [location(place, name)],
    })
  const services = {
    // Alphabetically after the lunch club, but nearer: it comes first.
    grove: await service(charity, 'Grove Road café', PLACES.grove),
    chapel: await service(leisure, 'Chapel Street lunch club', PLACES.chapel),
    sheds: await service(farCharity, 'Kimberworth metalwork club', PLACES.rotherham),
  }
  const worker = await createAccount(db, 'link_worker', { organisationId: owner, name: 'Nadia Navigator' })
  const outsider = await createAccount(db, 'link_worker', { name: 'Oscar Outsider' })
  const programmeId = await createProgramme(db, {
    name: 'Testshire navigators',
    ownerOrganisationId: owner,
    settings: {
      ...defaultSettings('Testshire navigators'),
      needs: [{ id: 'social-isolation', label: 'Social isolation' }],
      appointments: { ...DEFAULT_APPOINTMENT_RULES, modes: ['practice' as const, 'home_visit' as const] },
      prescription: { minWeeks: 8, maxWeeks: 16, mayContinueAfter: false },
    },
  })
  await setProgrammePractices(db, programmeId, [practice])
  await addLinkWorker(db, programmeId, worker.userId)
  await setNamedLinkWorkers(db, programmeId, { [practice]: worker.userId })
  const personId = await createPersonRecord(
    db,
    actor,
    personInputSchema('2026-11-30').parse({
      givenName: 'Ada',
      familyName: 'Testperson',
      dateOfBirth: '1950-02-01',
      addressLines: ['3 Kingsway', 'Luton'],
      postcode: PLACES.home.postcode,
      registeredPracticeId: practice,
    }),
  )
  const caseId = await openCase(db, actor, {
    personId,
    programmeId,
    practiceOdsCode: 'Z99501',
    needs: ['social-isolation'],
  })
  const app = await testApp(db, {}, () => NOW)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  return { app, as, worker, outsider, programmeId, personId, caseId, services, leisure }
}

/** The services a form offers, in order, with the hint under each. */
function offered(html: string): { id: string; text: string }[] {
  return [
    ...html.matchAll(
      /name="serviceId" type="radio" value="([^"]+)"[\s\S]*?<label[^>]*>([\s\S]*?)<\/label>(?:\s*<div class="nhsuk-hint nhsuk-radios__hint"[^>]*>([\s\S]*?)<\/div>)?/g,
    ),
  ]
    .filter((m) => m[1] !== 'other')
    .map((m) => ({ id: m[1]!, text: textOf(`${m[2]} ${m[3] ?? ''}`) }))
}

const miles = (a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }) =>
  formatMiles(distanceKm(a, b))

describeEachDatabase('place in casework', (database) => {
  it('offers the programme’s services nearest the person first with their distance, and those elsewhere behind a link', async () => {
    const { db } = database()
    const t = await setUp(db)
    const worker = await t.as(t.worker)
    for (const form of ['prescriptions', 'signposts']) {
      const page = await worker.get(`/casework/cases/${t.caseId}/${form}/new`)
      assert.equal(page.statusCode, 200)
      const services = offered(page.body)
      assert.deepEqual(
        services.map((s) => s.id),
        [t.services.grove, t.services.chapel],
        form,
      )
      assert.match(services[0]!.text, new RegExp(`${miles(PLACES.home, PLACES.grove)} away`))
      assert.match(services[1]!.text, new RegExp(`${miles(PLACES.home, PLACES.chapel)} away`))
      // Each need once, in a sentence.
      assert.match(services[0]!.text, /Helps with social isolation\. Its criteria are met\./)
      assert.match(textOf(page.body), /Services in Testshire that meet this person’s needs, nearest first/)
      assert.match(
        page.body,
        new RegExp(
          `<a href="/casework/cases/${t.caseId}/${form}/new\\?elsewhere=1">Show services elsewhere</a>`,
        ),
      )

      const all = await worker.get(`/casework/cases/${t.caseId}/${form}/new?elsewhere=1`)
      const everything = offered(all.body)
      assert.deepEqual(
        everything.map((s) => s.id),
        [t.services.grove, t.services.chapel, t.services.sheds],
      )
      assert.match(everything[2]!.text, /^Kimberworth metalwork club Outside Testshire\. \d+ miles away\./)
      assert.match(all.body, /<input type="hidden" name="elsewhere" value="1">/)
      assert.match(textOf(all.body), /Show only services in Testshire/)
    }
  })

  it('warns before a service elsewhere is used, and uses it once confirmed', async () => {
    const { db } = database()
    const t = await setUp(db)
    const worker = await t.as(t.worker)
    const base = { need: 'social-isolation', weeks: '12', expectedSessions: '12', start: '2026-12-01' }
    const url = `/casework/cases/${t.caseId}/prescriptions`
    const warned = await worker.post(url, { ...base, elsewhere: '1', serviceId: t.services.sheds })
    assert.equal(warned.statusCode, 200)
    const text = textOf(warned.body)
    assert.match(text, /Kimberworth metalwork club is outside Testshire/)
    assert.match(text, new RegExp(`It is ${miles(PLACES.home, PLACES.rotherham)} from the person`))
    assert.match(warned.body, /nhsuk-card--warning/)
    assert.match(
      warned.body,
      new RegExp(`<input type="hidden" name="confirmedElsewhere" value="${t.services.sheds}">`),
    )
    assert.match(text, /Confirm and add the prescription/)
    assert.equal((await prescriptionsOfCase(db, t.caseId)).length, 0)

    // Confirming another service than the one warned about warns again.
    const other = await worker.post(url, {
      ...base,
      serviceId: 'other',
      serviceName: 'kimberworth METALWORK club',
      confirmedElsewhere: t.services.grove,
    })
    assert.equal(other.statusCode, 200)
    assert.match(textOf(other.body), /is outside Testshire/)
    assert.equal((await prescriptionsOfCase(db, t.caseId)).length, 0)

    const confirmed = await worker.post(url, {
      ...base,
      serviceId: t.services.sheds,
      confirmedElsewhere: t.services.sheds,
    })
    assert.equal(confirmed.statusCode, 303, confirmed.body)
    assert.deepEqual(
      (await prescriptionsOfCase(db, t.caseId)).map((p) => p.serviceId),
      [t.services.sheds],
    )

    // A service in the area needs no confirming; a signpost elsewhere is warned about too.
    const local = await worker.post(url, { ...base, serviceId: t.services.grove })
    assert.equal(local.statusCode, 303)
    const signpost = await worker.post(`/casework/cases/${t.caseId}/signposts`, {
      kind: 'signpost',
      serviceId: t.services.sheds,
      need: '',
      note: '',
    })
    assert.equal(signpost.statusCode, 200)
    assert.match(textOf(signpost.body), /Kimberworth metalwork club is outside Testshire/)
    assert.match(textOf(signpost.body), /Confirm and record/)
  })

  it('prescribes only what a programme that accredits providers has accredited; signposts stay open', async () => {
    const { db } = database()
    const t = await setUp(db)
    await addAccreditation(db, {
      subjectType: 'organisation',
      subjectId: t.leisure,
      programmeId: t.programmeId,
      accreditedFrom: '2020-01-01',
      accreditedTo: null,
    })
    const worker = await t.as(t.worker)
    const form = await worker.get(`/casework/cases/${t.caseId}/prescriptions/new?elsewhere=1`)
    assert.deepEqual(
      offered(form.body).map((s) => s.id),
      [t.services.chapel],
    )
    const base = { need: '', weeks: '12', expectedSessions: '12', start: '2026-12-01' }
    const attempts: Record<string, string>[] = [
      { serviceId: t.services.grove },
      { serviceId: 'other', serviceName: 'Grove Road café' },
      { serviceId: t.services.sheds, confirmedElsewhere: t.services.sheds },
    ]
    for (const named of attempts) {
      const refused = await worker.post(`/casework/cases/${t.caseId}/prescriptions`, { ...base, ...named })
      assert.equal(refused.statusCode, 400)
      assert.match(
        textOf(refused.body),
        /Testshire navigators has not accredited .*: choose a service it accredits/,
      )
    }
    assert.equal((await prescriptionsOfCase(db, t.caseId)).length, 0)
    const accredited = await worker.post(`/casework/cases/${t.caseId}/prescriptions`, {
      ...base,
      serviceId: t.services.chapel,
    })
    assert.equal(accredited.statusCode, 303)

    const signposts = await worker.get(`/casework/cases/${t.caseId}/signposts/new`)
    assert.deepEqual(
      offered(signposts.body).map((s) => s.id),
      [t.services.grove, t.services.chapel],
    )
    const signposted = await worker.post(`/casework/cases/${t.caseId}/signposts`, {
      kind: 'signpost',
      serviceId: t.services.grove,
      need: '',
      note: '',
    })
    assert.equal(signposted.statusCode, 303)
  })

  it('lets the case team change the person’s address and postcode, audited without the address', async () => {
    const { db } = database()
    const t = await setUp(db)
    const worker = await t.as(t.worker)
    const casePage = await worker.get(`/casework/cases/${t.caseId}`)
    assert.match(casePage.body, new RegExp(`href="/casework/cases/${t.caseId}/person">Change`))
    const form = await worker.get(`/casework/cases/${t.caseId}/person`)
    assert.equal(form.statusCode, 200)
    assert.match(form.body, /name="addressLine1" type="text" value="3 Kingsway"/)
    assert.match(form.body, /name="addressTown" type="text" value="Luton"/)
    assert.match(form.body, /name="postcode" type="text" value="LU4 8BY"/)

    const details = {
      givenName: 'Ada',
      familyName: 'Testperson',
      'dateOfBirth-day': '1',
      'dateOfBirth-month': '2',
      'dateOfBirth-year': '1950',
      nhsNumber: '',
      sexOrGender: '',
      addressLine1: '14 Chapel Street',
      addressLine2: 'Flat 2',
      addressTown: 'Luton',
      postcode: 'lu12se',
      phone: '',
      email: '',
      registeredPracticeId: '',
    }
    const bad = await worker.post(`/casework/cases/${t.caseId}/person`, { ...details, postcode: 'LU1' })
    assert.equal(bad.statusCode, 400)
    assert.match(bad.body, /href="#postcode">\s*Enter a full UK postcode/)
    assert.equal((await getPerson(db, t.personId))?.postcode, 'LU4 8BY')

    const saved = await worker.post(`/casework/cases/${t.caseId}/person`, details)
    assert.equal(saved.statusCode, 303, saved.body)
    assert.equal(saved.headers.location, `/casework/cases/${t.caseId}?saved=person`)
    const person = await getPerson(db, t.personId)
    assert.deepEqual(person?.addressLines, ['14 Chapel Street', 'Flat 2', 'Luton'])
    assert.equal(person?.postcode, 'LU1 2SE')
    const page = textOf((await worker.get(`/casework/cases/${t.caseId}?saved=person`)).body)
    assert.match(page, /The person’s details have been saved/)
    assert.match(page, /Address 14 Chapel Street Flat 2 Luton LU1 2SE/)

    const updates = await listAuditEvents(db, {
      recordType: 'person',
      recordId: t.personId,
      action: 'person.update',
    })
    assert.equal(updates.length, 1)
    assert.equal(updates[0]!.actor_user_id, t.worker.userId)
    const detail = JSON.parse(String(updates[0]!.detail))
    assert.ok(detail.fields.includes('address'), JSON.stringify(detail))
    assert.doesNotMatch(JSON.stringify(updates), /Chapel|LU1 2SE/)

    // Someone who may not see the case can neither read nor change the person through it.
    const outsider = await t.as(t.outsider)
    assert.equal((await outsider.get(`/casework/cases/${t.caseId}/person`)).statusCode, 404)
    const refused = await outsider.post(`/casework/cases/${t.caseId}/person`, {
      ...details,
      postcode: 'S61 1AH',
    })
    assert.equal(refused.statusCode, 404)
    assert.equal((await getPerson(db, t.personId))?.postcode, 'LU1 2SE')
  })

  it('shows the person’s address with a map link on a home visit: the appointment, the case and the diary', async () => {
    const { db } = database()
    const t = await setUp(db)
    const worker = await t.as(t.worker)
    const booked = await worker.post(`/casework/cases/${t.caseId}/appointments`, {
      kind: 'initial',
      mode: 'home_visit',
      place: '',
      date: '2026-12-02',
      startTime: '10:00',
      endTime: '11:00',
    })
    assert.equal(booked.statusCode, 303, booked.body)
    const casePage = await worker.get(`/casework/cases/${t.caseId}`)
    const appointmentId = /\/casework\/appointments\/([0-9a-f-]{36})/.exec(casePage.body)![1]!
    // Kith knows the postcode's coordinates: the map is linked by them, not by the postcode.
    const byCoordinates =
      'https://www.openstreetmap.org/?mlat=51.88972&amp;mlon=-0.44172#map=17/51.88972/-0.44172'
    const pages = {
      appointment: await worker.get(`/casework/appointments/${appointmentId}`),
      case: casePage,
      diary: await worker.get('/casework/diary?date=2026-12-02'),
    }
    for (const [name, page] of Object.entries(pages)) {
      assert.equal(page.statusCode, 200, name)
      assert.match(textOf(page.body), /3 Kingsway.*Luton.*LU4 8BY/, name)
      assert.ok(page.body.includes(`href="${byCoordinates}"`), `${name}: ${page.body}`)
    }
    assert.match(textOf(pages.appointment.body), /Map of LU4 8BY on OpenStreetMap/)

    // A postcode Kith has no coordinates for is searched for by the map instead.
    const { updatePerson } = await import('../people/store.ts')
    await updatePerson(
      db,
      t.personId,
      personInputSchema('2026-11-30').parse({
        givenName: 'Ada',
        familyName: 'Testperson',
        dateOfBirth: '1950-02-01',
        addressLines: ['1 Unknown Road'],
        postcode: 'SW1A 1AA',
      }),
    )
    const moved = await worker.get(`/casework/appointments/${appointmentId}`)
    assert.ok(moved.body.includes('href="https://www.openstreetmap.org/search?query=SW1A%201AA"'), moved.body)
    // The CSP is as it was: the map is a link, nothing is embedded; and no Kith address goes with it.
    assert.equal(moved.headers['referrer-policy'], 'no-referrer')
    assert.doesNotMatch(String(moved.headers['content-security-policy']), /openstreetmap/)
    assert.doesNotMatch(moved.body, /<iframe|<script[^>]+openstreetmap/)
  })
})
