import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createOrganisation } from '../access/store.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'
import { findTerm } from './store.ts'
import { countServices, createTestService } from './testing.ts'

describeEachDatabase('the directory pages', (database) => {
  it('lists each category once, and finds by it services tagged with that label in any vocabulary', async () => {
    const { db } = database()
    const provider = await createOrganisation(db, {
      name: 'Luton Voluntary Action',
      kind: 'vcs',
      parentId: null,
      odsCode: null,
      postcode: null,
    })
    const term = async (vocabulary: string, code: string) => (await findTerm(db, vocabulary, code))!.id
    // Volunteering is one of Luton's areas and a listing category: a service may carry either.
    await createTestService(db, provider, {
      name: 'Garden volunteers',
      termIds: [await term('area', 'volunteering')],
    })
    await createTestService(db, provider, {
      name: 'Library helpers',
      termIds: [await term('category', 'volunteering')],
    })
    await createTestService(db, provider, { name: 'Park walk', termIds: [await term('category', 'walking')] })
    const app = await testApp(db)
    const client = new PageClient(app)

    const page = (await client.get('/directory')).body
    const select = /<select[^>]*id="category"[\s\S]*?<\/select>/.exec(page)?.[0] ?? ''
    const labels = [...select.matchAll(/<option value="[^"]*"[^>]*>([^<]+)<\/option>/g)].map((m) => m[1])
    assert.ok(labels.length > 20, select)
    assert.deepEqual(
      labels.filter((label, i) => labels.indexOf(label) !== i),
      [],
      'no label twice',
    )
    for (const label of ['Physical activity', 'Exercise', 'Volunteering', 'Weight management'])
      assert.equal(labels.filter((l) => l === label).length, 1, label)
    assert.doesNotMatch(select, /<optgroup/)

    const found = async (query: string) => {
      const text = textOf((await client.get(`/directory?${query}`)).body)
      return ['Garden volunteers', 'Library helpers', 'Park walk'].filter((name) => text.includes(name))
    }
    assert.deepEqual(await found('category=volunteering'), ['Garden volunteers', 'Library helpers'])
    // A link naming one of the two terms by id finds both too, and shows the choice selected.
    const byId = await client.get(`/directory?category=${await term('category', 'volunteering')}`)
    assert.match(byId.body, /<option value="volunteering" selected>Volunteering<\/option>/)
    assert.deepEqual(await found(`category=${await term('area', 'volunteering')}`), [
      'Garden volunteers',
      'Library helpers',
    ])
    assert.deepEqual(await found('category=walking'), ['Park walk'])
    assert.deepEqual(await found('category=volunteering&q=library'), ['Library helpers'])
    await app.close()
  })

  it('searches without signing in, with distances, counts and clear messages for bad input', async () => {
    const { db } = database()
    await seedDemo(db)
    const app = await testApp(db)
    const client = new PageClient(app)

    const all = await client.get('/directory')
    assert.equal(all.statusCode, 200)
    assert.match(textOf(all.body), new RegExp(`${await countServices(db)} services found`))

    const near = await client.get('/directory?postcode=lu1+1hh&radius=5')
    assert.equal(near.statusCode, 200)
    const text = textOf(near.body)
    assert.match(text, /23 services found within 5 km/)
    assert.match(text, /km \([\d.]+ miles\) away/)
    assert.doesNotMatch(text, /Amblers/)

    const stems = textOf((await client.get('/directory?q=walks')).body)
    assert.match(stems, /Amblers Walking Group/)

    // Amblers meets on Wednesdays (its session in the demo): found on a Wednesday, not on a Thursday.
    const wednesdayPage = (await client.get('/directory?day=WE')).body
    const wednesday = textOf(wednesdayPage)
    assert.match(wednesday, /Amblers Walking Group/)
    assert.match(wednesdayPage, /<option value="WE" selected>Wednesdays<\/option>/)
    const thursday = textOf((await client.get('/directory?day=TH&q=walks')).body)
    assert.doesNotMatch(thursday, /Amblers Walking Group/)
    const badDay = await client.get('/directory?day=Funday')
    assert.equal(badDay.statusCode, 400)
    assert.match(textOf(badDay.body), /Select a day of the week from the list/)

    const unknown = await client.get('/directory?postcode=ZZ9+9ZZ')
    assert.equal(unknown.statusCode, 400)
    assert.match(textOf(unknown.body), /We do not know the postcode ZZ9 9ZZ/)

    const malformed = await client.get('/directory?postcode=not-a-postcode')
    assert.equal(malformed.statusCode, 400)
    assert.match(textOf(malformed.body), /Enter a full UK postcode/)

    for (const bad of [
      `q=${'a'.repeat(10_000)}`,
      'category=no-such-category',
      'page=0',
      'kind=rocket',
      'age=-3',
    ]) {
      const response = await client.get(`/directory?${bad}`)
      assert.equal(response.statusCode, 400, bad)
      assert.match(textOf(response.body), /There is a problem/, bad)
    }
    const injection = await client.get(
      `/directory?q=${encodeURIComponent("<script>alert(1)</script>' OR 1=1; drop table services --")}`,
    )
    assert.equal(injection.statusCode, 200)
    assert.doesNotMatch(injection.body, /<script>alert/)
    assert.match(
      textOf((await client.get('/directory')).body),
      new RegExp(`${await countServices(db)} services found`),
    )

    const paged = textOf((await client.get('/directory?page=2')).body)
    assert.match(paged, new RegExp(`Page 2 of ${Math.ceil((await countServices(db)) / 20)}`))
  })

  it('shows a service in the style of the seed listing', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    const client = new PageClient(app)
    const page = await client.get(`/directory/services/${demo.directory.services['th.sps']}`)
    assert.equal(page.statusCode, 200)
    const text = textOf(page.body)
    for (const expected of [
      'Social Prescribing Service (18+)',
      'Social prescribing',
      'Inclusion criteria',
      'Aged 18+',
      'Exclusion criteria',
      'Acute/uncontrolled SMI presentation (e.g. psychosis)',
      'Professional referrals only',
      "please refer to 'Social Prescribing for Weight Management'",
      'Joy Marketplace are independent',
    ]) {
      assert.ok(text.includes(expected), expected)
    }
    const stale = textOf(
      (await client.get(`/directory/services/${demo.directory.services['culm.writing']}`)).body,
    )
    assert.match(stale, /Not reviewed for 6 months/)
    assert.equal((await client.get('/directory/services/nope')).statusCode, 404)
    assert.equal(
      (await client.get('/directory/services/0190a000-0000-7000-8000-000000000000')).statusCode,
      404,
    )
  })
})
