// Every pathway runs (issue 11): a listing run by link workers opens a case with its programme's
// rules; a direct-to-service programme sends each referral to the chosen service's provider, and
// its managers see them all; a volunteering programme opens a case held by the project officer
// with a supporting worker. Route tests on the real templates, on both databases.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { listAuditEvents } from '../access/audit.ts'
import { createOrganisation } from '../access/store.ts'
import { createApiToken } from '../access/tokens.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { DEMO_SERVICES } from '../directory/demo.ts'
import { createService, getServiceRecord, type ServiceInput } from '../directory/store.ts'
import { DEFAULT_APPOINTMENT_RULES, defaultSettings, type ProgrammeSettings } from '../programmes/config.ts'
import type { Criteria } from '../programmes/criteria.ts'
import {
  addLinkWorker,
  createProgramme,
  setNamedLinkWorkers,
  setProgrammePractices,
} from '../programmes/store.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'

const NOW = new Date('2026-11-30T10:00:00Z')
const PROFESSIONALS = ['gp_practice', 'pcn', 'social_care', 'council', 'mdt', 'other_professional'] as const

function serviceInput(name: string, overrides: Partial<ServiceInput> = {}): ServiceInput {
  return {
    name,
    description: `${name}, for the tests.`,
    kind: 'activity_group',
    status: 'active',
    selfReferral: false,
    criteria: [],
    criteriaNotes: '',
    additionalNeeds: '',
    disclaimer: '',
    cost: 'Free',
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
    ...overrides,
  }
}

let practices = 0
async function organisation(
  db: Db,
  name: string,
  kind: 'practice' | 'vcs' | 'council' | 'leisure' | 'library',
) {
  return createOrganisation(db, {
    name,
    kind,
    parentId: null,
    odsCode: kind === 'practice' ? `Z7${String(++practices).padStart(4, '0')}` : null,
    postcode: null,
  })
}

async function programme(db: Db, owner: string, settings: Partial<ProgrammeSettings> & { name: string }) {
  return createProgramme(db, {
    name: settings.name,
    ownerOrganisationId: owner,
    settings: { ...defaultSettings(settings.name), ...settings },
  })
}

/** The fields of the referral form for someone the listing suits; `overrides` change any. */
function form(practice: string, overrides: Record<string, string | string[]> = {}) {
  return {
    givenName: 'Alex',
    familyName: 'Testperson',
    'dateOfBirth-day': '1',
    'dateOfBirth-month': '3',
    'dateOfBirth-year': '1970',
    registeredPracticeId: practice,
    phone: '01632 960 001',
    needs: ['social-isolation'],
    whatMatters: 'Meeting people',
    goals: 'Join a walking group',
    reason: 'Lonely',
    consentGiven: 'yes',
    consentGivenBy: 'person',
    consentMethod: 'verbal',
    referrerKind: 'gp_practice',
    referrerContact: '01632 960 100',
    ...overrides,
  }
}

const referralIdOf = (location: unknown) => String(location).split('/')[2]!.split('?')[0]!

/** A listing run by link workers for its own programme: the seed's Social Prescribing Service (18+). */
async function listingSetUp(db: Db) {
  const practice = await organisation(db, 'Bow Common Surgery', 'practice')
  const provider = await organisation(db, 'Tower Hamlets GP Care Group', 'vcs')
  const referrer = await createAccount(db, 'referrer', { organisationId: practice, name: 'Dr Nadia Rahman' })
  const worker = await createAccount(db, 'link_worker', { organisationId: provider, name: 'Yusuf Begum' })
  const programmeId = await programme(db, provider, {
    name: 'Social Prescribing Service (18+) programme',
    referralSources: [...PROFESSIONALS],
    needs: [{ id: 'social-isolation', label: 'Social isolation' }],
    // The programme's own rule, which the listing does not state: its referrals must meet it too.
    criteria: [
      {
        kind: 'attestation',
        id: 'lives-in-tower-hamlets',
        role: 'inclusion',
        text: 'Lives in Tower Hamlets',
        question: 'Does the person live in Tower Hamlets?',
        expected: true,
        whenUnanswered: 'ineligible',
      },
    ],
    appointments: {
      ...DEFAULT_APPOINTMENT_RULES,
      furtherAppointmentsCap: 5,
      modes: ['practice', 'community_venue', 'walk_and_talk'],
    },
  })
  await setProgrammePractices(db, programmeId, [practice])
  await addLinkWorker(db, programmeId, worker.userId)
  await setNamedLinkWorkers(db, programmeId, { [practice]: worker.userId })
  const criteria: Criteria = [
    { kind: 'age', id: 'age-18-plus', role: 'inclusion', text: 'Aged 18+', min: 18 },
    {
      kind: 'consent',
      id: 'consent-given',
      role: 'inclusion',
      text: 'Has given full and direct consent to referral',
      direct: true,
    },
    {
      kind: 'referrer',
      id: 'professional-referrals-only',
      role: 'rule',
      text: 'Professional referrals only',
      allowed: [...PROFESSIONALS],
    },
  ]
  const listing = await createService(
    db,
    provider,
    serviceInput('Social Prescribing Service (18+)', { kind: 'link_worker', criteria, programmeId }),
  )
  const app = await testApp(db, {}, () => NOW)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  return { app, as, practice, provider, referrer, worker, programmeId, listing }
}

describeEachDatabase('every pathway runs', (database) => {
  it('a listing run by link workers checks its criteria and its programme’s, and an accepted referral opens a case with its cap of 5 further appointments', async () => {
    const { db } = database()
    const t = await listingSetUp(db)
    const gp = await t.as(t.referrer)
    const url = `/referrals/new/services/${t.listing}`
    const page = textOf((await gp.get(url)).body)
    assert.match(page, /Does the person live in Tower Hamlets\?/)
    assert.match(page, /needs full and direct consent from the person/)

    const outside = await gp.post(url, form(t.practice, { 'answer-lives-in-tower-hamlets': 'no' }))
    assert.equal(outside.statusCode, 200)
    assert.match(textOf(outside.body), /The referral was not sent/)
    assert.match(textOf(outside.body), /does not meet “Lives in Tower Hamlets”/)
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 0)

    const sent = await gp.post(url, form(t.practice, { 'answer-lives-in-tower-hamlets': 'yes' }))
    assert.equal(sent.statusCode, 303, sent.body)
    const referralId = referralIdOf(sent.headers.location)
    const row = await db
      .selectFrom('referrals')
      .select(['programme_id', 'service_id', 'receiving_organisation_id'])
      .executeTakeFirstOrThrow()
    assert.deepEqual(
      { ...row },
      {
        programme_id: t.programmeId,
        service_id: t.listing,
        receiving_organisation_id: t.provider,
      },
    )

    const worker = await t.as(t.worker)
    assert.match(textOf((await worker.get('/referrals/inbox')).body), /Alex Testperson/)
    assert.equal(
      (await worker.post(`/referrals/${referralId}/status`, { status: 'accepted' })).statusCode,
      303,
    )
    const kase = await db
      .selectFrom('cases')
      .select(['id', 'programme_id', 'link_worker_user_id', 'referral_id'])
      .executeTakeFirstOrThrow()
    assert.deepEqual(
      { programme: kase.programme_id, worker: kase.link_worker_user_id, referral: kase.referral_id },
      { programme: t.programmeId, worker: t.worker.userId, referral: referralId },
    )
    // The referral's next step is the case it opened.
    assert.match(
      (await worker.get(`/referrals/${referralId}`)).body,
      new RegExp(`/casework/cases/${kase.id}`),
    )
    const casePage = textOf((await worker.get(`/casework/cases/${kase.id}`)).body)
    assert.match(casePage, /An initial appointment, then at most 5 further appointments, the exit included/)
    assert.match(casePage, /Meeting people/)

    const book = (kind: string, day: number, mode = 'practice') =>
      worker.post(`/casework/cases/${kase.id}/appointments`, {
        kind,
        mode,
        place: '',
        date: `2026-12-${String(day).padStart(2, '0')}`,
        startTime: '10:00',
        endTime: '10:45',
      })
    assert.equal((await book('initial', 1)).statusCode, 303)
    assert.equal((await book('follow_up', 3, 'walk_and_talk')).statusCode, 303)
    assert.equal((await book('follow_up', 8, 'community_venue')).statusCode, 303)
    assert.equal((await book('follow_up', 10)).statusCode, 303)
    assert.equal((await book('review', 15)).statusCode, 303)
    assert.equal((await book('exit', 17)).statusCode, 303)
    const sixth = await book('follow_up', 22)
    assert.equal(sixth.statusCode, 400)
    assert.match(textOf(sixth.body), /at most 5 further appointments, the exit included/)
    const homeVisit = await book('follow_up', 22, 'home_visit')
    assert.match(textOf(homeVisit.body), /does not offer home visit appointments/)
  })

  it('refuses consent given on the person’s behalf where the listing asks for full and direct consent, on the form and the API', async () => {
    const { db } = database()
    const t = await listingSetUp(db)
    const gp = await t.as(t.referrer)
    const onTheirBehalf = {
      'answer-lives-in-tower-hamlets': 'yes',
      consentGivenBy: 'representative',
      representativeName: 'Sam Testperson',
      representativeRelationship: 'Son',
    }
    const refused = await gp.post(`/referrals/new/services/${t.listing}`, form(t.practice, onTheirBehalf))
    assert.equal(refused.statusCode, 200)
    const text = textOf(refused.body)
    assert.match(text, /The referral was not sent/)
    assert.match(
      text,
      /Consent was given by someone on the person’s behalf, so does not meet “Has given full and direct consent to referral”/,
    )
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 0)
    assert.equal((await db.selectFrom('people').select('id').execute()).length, 0)

    const { token } = await createApiToken(db, t.referrer.userId, 'test')
    const api = (consent: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/referrals',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: {
          serviceId: t.listing,
          person: { givenName: 'Alex', familyName: 'Testperson', dateOfBirth: '1970-03-01' },
          referrerKind: 'gp_practice',
          referrerContact: '01632 960 100',
          consent: { method: 'verbal', givenAt: '2026-11-30T09:00:00Z', ...consent },
          answers: { 'lives-in-tower-hamlets': true },
        },
      })
    const viaApi = await api({
      givenBy: 'representative',
      representativeName: 'Sam Testperson',
      representativeRelationship: 'Son',
    })
    assert.equal(viaApi.statusCode, 422, viaApi.body)
    const unmet = viaApi.json().reasons.filter((r: { met: boolean | null }) => r.met === false)
    assert.deepEqual(
      unmet.map((r: { criterion: string }) => r.criterion),
      ['consent-given'],
    )
    assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 0)
    assert.equal((await api({ givenBy: 'person' })).statusCode, 201)
  })

  it('offers a signed-in referrer the listing’s referral form, and a self-referral link only where the listing and its programme allow it', async () => {
    const { db } = database()
    const t = await listingSetUp(db)
    const visitor = new PageClient(t.app)
    const anonymous = await visitor.get(`/directory/services/${t.listing}`)
    assert.equal(anonymous.statusCode, 200)
    assert.doesNotMatch(anonymous.body, /Refer someone to this service/)
    assert.doesNotMatch(anonymous.body, /self-referral\/services\//)
    const gp = await t.as(t.referrer)
    const listing = await gp.get(`/directory/services/${t.listing}`)
    assert.match(
      listing.body,
      new RegExp(`href="/referrals/new/services/${t.listing}"[^>]*>\\s*Refer someone to this service`),
    )
    assert.match(textOf(listing.body), /Run for Social Prescribing Service \(18\+\) programme/)

    // Self-referral: offered where the service takes it and the programme it is run for does too.
    const owner = await organisation(db, 'Culm Valley Integrated Centre for Health', 'vcs')
    const open = await programme(db, owner, {
      name: 'Open programme',
      referralSources: ['gp_practice', 'self'],
    })
    const closed = await programme(db, owner, { name: 'Closed programme', referralSources: ['gp_practice'] })
    const walking = await createService(
      db,
      owner,
      serviceInput('Walking group', { selfReferral: true, programmeId: open }),
    )
    const knitting = await createService(
      db,
      owner,
      serviceInput('Knit and natter', { selfReferral: true, programmeId: closed }),
    )
    const plain = await createService(db, owner, serviceInput('Book club', { selfReferral: true }))
    for (const id of [walking, plain]) {
      const body = (await visitor.get(`/directory/services/${id}`)).body
      assert.match(body, new RegExp(`href="/self-referral/services/${id}"`))
      assert.equal((await visitor.get(`/self-referral/services/${id}`)).statusCode, 200)
    }
    assert.doesNotMatch(
      (await visitor.get(`/directory/services/${knitting}`)).body,
      /self-referral\/services/,
    )
    assert.match(
      textOf((await visitor.get(`/self-referral/services/${knitting}`)).body),
      /does not take self-referrals/,
    )
  })

  it('sends a referral to a direct-to-service programme to the chosen service’s provider, opens no case, and shows every referral to the programme’s managers', async () => {
    const { db } = database()
    const practice = await organisation(db, 'Beverley Minster Surgery', 'practice')
    const council = await organisation(db, 'East Riding Public Health', 'council')
    const leisure = await organisation(db, 'East Riding Leisure Centres', 'leisure')
    const library = await organisation(db, 'East Riding Libraries', 'library')
    const gpAccount = await createAccount(db, 'referrer', { organisationId: practice, name: 'Dr Amira Khan' })
    const publicHealth = await createAccount(db, 'programme_manager', {
      organisationId: council,
      name: 'Graham Pickering',
    })
    const instructor = await createAccount(db, 'provider', { organisationId: leisure, name: 'Sarah Lund' })
    const librarian = await createAccount(db, 'provider', { organisationId: library, name: 'Martin Cole' })
    const er = await programme(db, council, {
      name: 'East Riding social prescribing',
      pathway: 'direct_to_service',
      referralSources: ['gp_practice'],
      needs: [{ id: 'physical-activity', label: 'Physical activity' }],
    })
    await setProgrammePractices(db, er, [practice])
    const exercise = await createService(
      db,
      leisure,
      serviceInput('Exercise on Prescription', { programmeId: er }),
    )
    const books = await createService(
      db,
      library,
      serviceInput('Books on Prescription', { kind: 'book_on_prescription', programmeId: er }),
    )
    await createService(db, leisure, serviceInput('Swimming club'))
    const app = await testApp(db, {}, () => NOW)
    const gp = await new PageClient(app).signInAs(gpAccount.userId)

    // The GP refers to the programme by choosing one of its services.
    const choose = await gp.get(`/referrals/new/programmes/${er}`)
    assert.equal(choose.statusCode, 200)
    const choice = textOf(choose.body)
    assert.match(choice, /refers people straight to one of its services/)
    assert.match(choice, /Exercise on Prescription/)
    assert.match(choice, /Books on Prescription/)
    assert.doesNotMatch(choice, /Swimming club/)
    assert.match(choose.body, new RegExp(`href="/referrals/new/services/${exercise}"`))
    const toProgramme = await gp.post(`/referrals/new/programmes/${er}`, form(practice))
    assert.equal(toProgramme.statusCode, 303)
    assert.equal(toProgramme.headers.location, `/referrals/new/programmes/${er}`)

    const sent = await gp.post(
      `/referrals/new/services/${exercise}`,
      form(practice, { needs: ['physical-activity'] }),
    )
    assert.equal(sent.statusCode, 303, sent.body)
    const id = referralIdOf(sent.headers.location)
    const row = await db
      .selectFrom('referrals')
      .select(['programme_id', 'service_id', 'receiving_organisation_id'])
      .executeTakeFirstOrThrow()
    assert.deepEqual(
      { ...row },
      { programme_id: er, service_id: exercise, receiving_organisation_id: leisure },
    )

    // The provider's inbox holds it; the other provider's does not.
    const sarah = await new PageClient(app).signInAs(instructor.userId)
    const martin = await new PageClient(app).signInAs(librarian.userId)
    assert.match(textOf((await sarah.get('/referrals/inbox')).body), /Alex Testperson/)
    assert.doesNotMatch(textOf((await martin.get('/referrals/inbox')).body), /Alex Testperson/)
    assert.equal((await martin.get(`/referrals/${id}`)).statusCode, 404)
    assert.match(textOf((await sarah.get('/notifications')).body), /New referral/)

    // Public health sees every referral of its programme, and changes none.
    const manager = await new PageClient(app).signInAs(publicHealth.userId)
    const inbox = textOf((await manager.get('/referrals/inbox')).body)
    assert.match(inbox, /Every referral to East Riding social prescribing/)
    // Not theirs to reply to, so not in their inbox: on the programme's list.
    assert.doesNotMatch(inbox, /Alex Testperson/)
    const list = await manager.get(`/referrals/programmes/${er}`)
    assert.equal(list.statusCode, 200)
    assert.match(textOf(list.body), /Alex Testperson – referral \w+ Exercise on Prescription Dr Amira Khan/)
    const seen = await manager.get(`/referrals/${id}`)
    assert.equal(seen.statusCode, 200)
    assert.match(textOf(seen.body), /Exercise on Prescription, part of East Riding social prescribing/)
    assert.match(textOf(seen.body), /You see this referral as a manager of East Riding social prescribing/)
    assert.match(textOf(seen.body), /Sent/)
    assert.doesNotMatch(seen.body, /name="status"/)
    assert.equal((await manager.post(`/referrals/${id}/status`, { status: 'accepted' })).statusCode, 409)
    assert.equal((await sarah.get(`/referrals/programmes/${er}`)).statusCode, 404)
    const refused = await listAuditEvents(db, { recordType: 'programme', recordId: er })
    assert.ok(refused.length > 0)

    // The provider accepts and, when it is done, completes it: no case, as there is no link worker.
    assert.equal((await sarah.post(`/referrals/${id}/status`, { status: 'accepted' })).statusCode, 303)
    // The referral says how it is followed, and the provider issues the card and scans it.
    assert.match(
      textOf((await sarah.get(`/referrals/${id}`)).body),
      /No case opens for this referral: Exercise on Prescription runs it itself, so you follow it here/,
    )
    const card = await sarah.post(`/referrals/${id}/card`, {})
    assert.equal(card.statusCode, 200)
    const code = /class="kith-card__code">([^<]+)</.exec(card.body)?.[1]
    assert.ok(code)
    const scanned = await sarah.post('/attendance/scan', { programmeId: er, serviceId: exercise, code })
    assert.match(textOf(scanned.body), /Attendance recorded/)
    assert.equal(
      (
        await sarah.post(`/referrals/${id}/status`, {
          status: 'completed',
          note: 'Came to 10 of 12 sessions',
        })
      ).statusCode,
      303,
    )
    assert.equal((await db.selectFrom('cases').select('id').execute()).length, 0)
    assert.match(textOf((await manager.get(`/referrals/programmes/${er}`)).body), /Completed/)
    assert.match(textOf((await gp.get('/referrals')).body), /Completed/)
    // The GP reads what happened and the attendance the provider recorded.
    const outcome = textOf((await gp.get(`/referrals/${id}/outcome`)).body)
    assert.match(outcome, /What happened Came to 10 of 12 sessions/)
    assert.match(
      outcome,
      /Attendance at Exercise on Prescription Exercise on Prescription: 1 session, 2026-11-30/,
    )

    // The API refuses a referral to the programme itself, naming the field to give instead.
    const { token } = await createApiToken(db, gpAccount.userId, 'test')
    const viaApi = await app.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: {
        programmeId: er,
        person: { givenName: 'Bea', familyName: 'Testperson', dateOfBirth: '1971-03-01' },
        referrerKind: 'gp_practice',
        referrerContact: '01632 960 100',
        consent: { givenBy: 'person', method: 'verbal', givenAt: '2026-11-30T09:00:00Z' },
      },
    })
    assert.equal(viaApi.statusCode, 400, viaApi.body)
    assert.equal(viaApi.json().errors[0].pointer, '#/serviceId')
    assert.ok((await getServiceRecord(db, books))?.programmeId === er)
  })
})

describeEachDatabase('the demo’s link-worker listings', (database) => {
  it('run for their programme where one exists, so a referral accepted through one opens a case there; one with no programme is followed on the referral, which says so', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const services = demo.directory.services
    const programmes = demo.programmes.programmes
    const runFor = async (key: string) => (await getServiceRecord(db, services[key]!))?.programmeId ?? null
    const listings = DEMO_SERVICES.filter((s) => s.kind === 'link_worker').map((s) => s.key)
    assert.deepEqual(listings.sort(), ['roth.linkworker', 'th.sps', 'th.weight', 'wtw.linkworker'])
    assert.equal(await runFor('wtw.linkworker'), programmes.wtw)
    assert.equal(await runFor('roth.linkworker'), programmes.roth)
    assert.equal(await runFor('th.sps'), programmes['th.sps'])
    // Tower Hamlets' weight-management link workers have no programme of their own in the demo.
    assert.equal(await runFor('th.weight'), null)

    const app = await testApp(db)
    const as = (email: string) => new PageClient(app).signInAs(demo.access.users[email]!)
    const wtwListing = services['wtw.linkworker']!

    // Ways to Wellness is referred to through its listing: its referral page is the listing's form.
    const gp = await as('gp.newcastle@kith.example')
    const start = await gp.get(`/referrals/new/programmes/${programmes.wtw}`)
    assert.equal(start.statusCode, 200)
    assert.match(start.body, new RegExp(`action="/referrals/new/services/${wtwListing}"`))
    const sent = await gp.post(`/referrals/new/services/${wtwListing}`, {
      ...form(demo.access.organisations['wtw.benwell']!, { needs: ['physical-activity'] }),
      conditions: ['13645005'],
      'dateOfBirth-year': '1962',
    })
    assert.equal(sent.statusCode, 303, textOf(sent.body))
    const id = referralIdOf(sent.headers.location)
    const row = await db
      .selectFrom('referrals')
      .select(['programme_id', 'service_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    assert.deepEqual({ ...row }, { programme_id: programmes.wtw, service_id: wtwListing })
    const worker = await as('linkworker.newcastle@kith.example')
    assert.equal((await worker.post(`/referrals/${id}/status`, { status: 'accepted' })).statusCode, 303)
    const kase = await db
      .selectFrom('cases')
      .select(['programme_id'])
      .where('referral_id', '=', id)
      .executeTakeFirstOrThrow()
    assert.equal(kase.programme_id, programmes.wtw)
    assert.match(textOf((await worker.get(`/referrals/${id}`)).body), /Open the case/)

    // A listing run for no programme: accepted, it opens no case, and its page says how it is
    // followed; completing it needs what happened, which the referrer reads as the outcome.
    const weight = services['th.weight']!
    const thGp = await as('gp.towerhamlets@kith.example')
    const toWeight = await thGp.post(`/referrals/new/services/${weight}`, {
      ...form(demo.access.organisations['th.bromleybybow']!, { needs: [] }),
      goals: 'Lose some weight',
    })
    assert.equal(toWeight.statusCode, 303, textOf(toWeight.body))
    const weightId = referralIdOf(toWeight.headers.location)
    const prescriber = await as('prescriber.towerhamlets@kith.example')
    assert.equal(
      (await prescriber.post(`/referrals/${weightId}/status`, { status: 'accepted' })).statusCode,
      303,
    )
    assert.equal(
      (await db.selectFrom('cases').select('id').where('referral_id', '=', weightId).execute()).length,
      0,
    )
    const page = textOf((await prescriber.get(`/referrals/${weightId}`)).body)
    assert.match(
      page,
      /No case opens for this referral: .* is not run for a programme, so you follow it here\. Mark it in progress when the person starts, and completed with what happened/,
    )
    assert.doesNotMatch(page, /Open the case/)
    assert.equal(
      (await prescriber.post(`/referrals/${weightId}/status`, { status: 'completed' })).statusCode,
      400,
    )
    assert.equal(
      (
        await prescriber.post(`/referrals/${weightId}/status`, {
          status: 'completed',
          note: 'Joined the weight group for 8 weeks',
        })
      ).statusCode,
      303,
    )
    assert.match(
      textOf((await thGp.get(`/referrals/${weightId}/outcome`)).body),
      /What happened Joined the weight group for 8 weeks/,
    )
  })
})
