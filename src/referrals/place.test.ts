// Place in referrals (issue 12, decision 0103): the referral and self-referral forms take the
// person's address and postcode; suggestions after a referral that was not sent are local (the
// person's area first, nearest first, with distances; those elsewhere behind "Show services
// elsewhere") and read naturally, each need once.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createOrganisation } from '../access/store.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { distanceKm, ensureTerm, findTerm, upsertPostcodes } from '../directory/store.ts'
import { createTestService } from '../directory/testing.ts'
import { formatMiles } from '../web/format.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'
import { referralForm, referralSetUp } from './testing.ts'

/** Real places (shared/reference/demo-places.csv). */
const PLACES = {
  practice: { postcode: 'SW19 5BY', latitude: 51.42523, longitude: -0.2194 },
  home: { postcode: 'CR4 3DA', latitude: 51.4046, longitude: -0.17395 },
  library: { postcode: 'SM4 5BL', latitude: 51.40184, longitude: -0.19613 },
  centre: { postcode: 'SW19 1NX', latitude: 51.41756, longitude: -0.19866 },
  bow: { postcode: 'E3 3FF', latitude: 51.52386, longitude: -0.01456 },
}

/** The referral form for someone living in Mitcham. */
function form(t: { practice: string }, overrides: Record<string, string | string[]> = {}) {
  return referralForm(t, {
    submissionKey: '0190a000-0000-7000-8000-00000000beef',
    addressLine1: '75 Miles Road',
    addressLine2: '',
    addressTown: 'Mitcham',
    postcode: 'cr43da',
    ...overrides,
  })
}

async function setUp(db: Db, settings: Parameters<typeof referralSetUp>[1] = {}) {
  const t = await referralSetUp(db, settings)
  const app = await testApp(db)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  return { ...t, app, as }
}

/** The practice at a real place, two services in its area and one in another, each meeting one need. */
async function placeServices(db: Db, t: { practice: string; area: string }) {
  await upsertPostcodes(db, Object.values(PLACES))
  await db
    .updateTable('organisations')
    .set({ postcode: PLACES.practice.postcode })
    .where('id', '=', t.practice)
    .execute()
  // The need is a term in two vocabularies: it is named once.
  const need = await findTerm(db, 'need', 'social-isolation')
  const category = await ensureTerm(db, {
    vocabulary: 'category',
    code: 'social-isolation',
    label: 'Social isolation',
  })
  const termIds = [need!.id, category]
  const local = await createOrganisation(db, {
    name: 'Merton Libraries',
    kind: 'library',
    parentId: t.area,
    odsCode: null,
    postcode: null,
  })
  const farArea = await createOrganisation(db, {
    name: 'Tower Hamlets',
    kind: 'area',
    parentId: null,
    odsCode: null,
    postcode: null,
  })
  const far = await createOrganisation(db, {
    name: 'Bow Friends',
    kind: 'vcs',
    parentId: farArea,
    odsCode: null,
    postcode: null,
  })
  const at = (place: (typeof PLACES)[keyof typeof PLACES], name: string) => ({
    termIds,
    name,
    locations: [{ name, address: name, town: '', ...place }],
  })
  await createTestService(db, local, at(PLACES.library, 'Reading group at Morden Library'))
  await createTestService(db, local, at(PLACES.centre, 'Afternoon tea at the health centre'))
  // Nearer the practice than Bow, but in another area.
  await createTestService(db, far, at(PLACES.bow, 'Bow coffee morning'))
}

const person = (db: Db) =>
  db.selectFrom('people').select(['address_lines', 'postcode']).executeTakeFirstOrThrow()

describeEachDatabase('place in referrals', (database) => {
  it('takes the person’s address and postcode on a professional’s referral', async () => {
    const { db } = database()
    const t = await setUp(db)
    const referrer = await t.as(t.referrer)
    const url = `/referrals/new/programmes/${t.programmeId}`
    const page = await referrer.get(url)
    for (const field of ['addressLine1', 'addressLine2', 'addressTown', 'postcode'])
      assert.match(page.body, new RegExp(`name="${field}" type="text"[^>]*autocomplete="off"`), field)
    assert.match(
      textOf(page.body),
      /Their address \(optional\) For home visits, and to find services near them/,
    )

    const badPostcode = await referrer.post(url, form(t, { postcode: 'CR4' }))
    assert.equal(badPostcode.statusCode, 400)
    assert.match(badPostcode.body, /href="#postcode">\s*Enter a full UK postcode/)
    const longLine = await referrer.post(url, form(t, { addressLine2: 'x'.repeat(101) }))
    assert.equal(longLine.statusCode, 400)
    assert.match(
      longLine.body,
      /href="#addressLine2">\s*Each line of the address must be 100 characters or fewer/,
    )
    assert.equal((await db.selectFrom('people').select('id').execute()).length, 0)

    const sent = await referrer.post(url, form(t))
    assert.equal(sent.statusCode, 303, sent.body)
    const row = await person(db)
    assert.deepEqual(JSON.parse(String(row.address_lines)), ['75 Miles Road', 'Mitcham'])
    assert.equal(row.postcode, 'CR4 3DA')
    const id = (sent.headers.location as string).split('/')[2]!.split('?')[0]!
    const worker = await t.as(t.worker)
    assert.match(
      textOf((await worker.get(`/referrals/${id}`)).body),
      /Address 75 Miles Road, Mitcham, CR4 3DA/,
    )
  })

  it('takes the address on a self-referral, in the person’s own words', async () => {
    const { db } = database()
    const t = await setUp(db, { referralSources: ['gp_practice', 'self'] })
    const visitor = new PageClient(t.app)
    const url = `/self-referral/programmes/${t.programmeId}`
    const page = await visitor.get(url)
    assert.match(page.body, /name="addressLine1" type="text"[^>]*autocomplete="address-line1"/)
    assert.match(page.body, /name="postcode" type="text"[^>]*autocomplete="postal-code"/)
    assert.match(
      textOf(page.body),
      /Your address \(optional\) For home visits, and to find services near you/,
    )
    const sent = await visitor.post(url, form(t, { addressLine2: 'Flat 1' }))
    assert.equal(sent.statusCode, 200, sent.body)
    assert.match(textOf(sent.body), /Your referral has been sent/)
    const row = await person(db)
    assert.deepEqual(JSON.parse(String(row.address_lines)), ['75 Miles Road', 'Flat 1', 'Mitcham'])
    assert.equal(row.postcode, 'CR4 3DA')
  })

  it('suggests services near the person, in their area first, each need once, when a referral is not sent', async () => {
    const { db } = database()
    const t = await setUp(db)
    await placeServices(db, t)

    const referrer = await t.as(t.referrer)
    const url = `/referrals/new/programmes/${t.programmeId}`
    const notSent = await referrer.post(url, form(t, { 'answer-crisis-needs': 'yes' }))
    assert.equal(notSent.statusCode, 200)
    const text = textOf(notSent.body)
    assert.match(text, /The referral was not sent/)
    const miles = (place: (typeof PLACES)[keyof typeof PLACES]) => formatMiles(distanceKm(PLACES.home, place))
    const library = `Refer to Reading group at Morden Library ${miles(PLACES.library)} away. Helps with social isolation. Its criteria are met.`
    const centre = `Refer to Afternoon tea at the health centre ${miles(PLACES.centre)} away. Helps with social isolation. Its criteria are met.`
    const elsewhere = `Show services elsewhere Refer to Bow coffee morning ${miles(PLACES.bow)} away.`
    assert.ok(text.includes(`${library} ${centre}`), text)
    assert.ok(text.includes(elsewhere), text)
    assert.ok(text.indexOf(centre) < text.indexOf(elsewhere))
    assert.doesNotMatch(text, /social isolation, social isolation|isolation and social isolation/)
    assert.match(notSent.body, /<details[^>]*>\s*<summary[^>]*>\s*<span[^>]*>\s*Show services elsewhere/)

    // Without a postcode, distances are from the practice.
    const fromPractice = textOf(
      (await referrer.post(url, form(t, { 'answer-crisis-needs': 'yes', postcode: '' }))).body,
    )
    const practiceMiles = formatMiles(distanceKm(PLACES.practice, PLACES.centre))
    assert.ok(
      fromPractice.includes(`Afternoon tea at the health centre ${practiceMiles} away.`),
      fromPractice,
    )
  })

  it('lists the services of the referrer’s area on the referral form first, nearest first, and those elsewhere behind a link', async () => {
    const { db } = database()
    const t = await setUp(db)
    await placeServices(db, t)
    const referrer = await t.as(t.referrer)
    const miles = (place: (typeof PLACES)[keyof typeof PLACES]) =>
      formatMiles(distanceKm(PLACES.practice, place))
    const page = await referrer.get('/referrals/new')
    assert.equal(page.statusCode, 200)
    const text = textOf(page.body)
    assert.ok(
      text.includes(
        `Services Nearest first. Afternoon tea at the health centre Merton Libraries. ${miles(PLACES.centre)} away Reading group at Morden Library Merton Libraries. ${miles(PLACES.library)} away Show programmes and services elsewhere`,
      ),
      text,
    )
    assert.doesNotMatch(text, /Bow coffee morning/)
    const all = textOf((await referrer.get('/referrals/new?elsewhere=1')).body)
    assert.ok(
      all.includes(
        `Bow coffee morning Bow Friends. Outside Merton. ${miles(PLACES.bow)} away Show only Merton`,
      ),
      all,
    )
  })
})
