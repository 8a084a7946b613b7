import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEMO_PASSWORD } from '../../src/access/demo.ts'
import { personInputSchema } from '../../src/people/person.ts'
import { createPersonRecord } from '../../src/people/records.ts'
import { assertAccessible, openKith, signedInContext, signInThroughForm, visit } from './harness.ts'

const { kith, browser } = await openKith()

describe('signing in', () => {
  it('works through the form without JavaScript and lands on the home page', async () => {
    // axe needs JavaScript, so this journey checks behaviour; the pages are checked with it on below.
    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(`${kith.url}/sign-in`)
    await page.getByLabel('Email address').fill('admin@kith.example')
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${kith.url}/`)
    assert.equal(await page.locator('h1').textContent(), 'Hello, Sam Okafor')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(/\/sign-in\?signedOut=1$/)
    assert.match((await page.locator('main').textContent()) ?? '', /You have signed out/)
    await context.close()
  })

  it('shows a failed sign-in as an error summary, then locks after repeated failures', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${kith.url}/sign-in`)
    for (let attempt = 1; attempt <= 5; attempt++) {
      await page.getByLabel('Email address').fill('gp.culm@kith.example')
      await page.getByLabel('Password', { exact: true }).fill(`not-the-password-${attempt}`)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForLoadState()
      assert.equal(await page.title(), 'Error: Sign in – Kith')
      const summary = page.locator('.nhsuk-error-summary')
      assert.match((await summary.textContent()) ?? '', /Enter a correct email address and password/)
      await assertAccessible(page)
    }
    await page.getByLabel('Email address').fill('gp.culm@kith.example')
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForLoadState()
    assert.match(
      (await page.locator('.nhsuk-error-summary').textContent()) ?? '',
      /too many failed attempts/i,
    )
    assert.equal(new URL(page.url()).pathname, '/sign-in')
    await assertAccessible(page)
    // The error summary's link takes the reader to the field.
    await page.locator('.nhsuk-error-summary a').first().click()
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'email')
    await context.close()
  })
})

describe('every page, as each role', () => {
  const everyone = ['/', '/account', '/accessibility', '/privacy']
  const roles: [string, string[]][] = [
    ['gp.newcastle@kith.example', everyone],
    ['linkworker.newcastle@kith.example', everyone],
    ['provider.luton@kith.example', everyone],
    ['manager.wtw@kith.example', everyone],
    [
      'admin@kith.example',
      [
        ...everyone,
        '/admin/organisations',
        '/admin/organisations/new',
        '/admin/users',
        '/admin/users/new',
        '/admin/audit',
      ],
    ],
  ]
  for (const [email, paths] of roles) {
    it(`signs in through the form as ${email} and every page passes axe`, async () => {
      const context = await browser.newContext()
      const page = await context.newPage()
      await signInThroughForm(page, kith, email)
      for (const path of paths) await visit(page, kith, path)
      await visit(page, kith, '/no-such-page', 404)
      await context.close()
    })
  }

  it('passes axe on the pages an administrator opens from the lists, and on a form with errors', async () => {
    const context = await signedInContext(browser, kith, 'admin@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/admin/organisations')
    await page.getByRole('link', { name: 'Ways to Wellness' }).click()
    await assertAccessible(page)
    await visit(page, kith, '/admin/users')
    await page.getByRole('link', { name: 'Chloe Mensah' }).click()
    await assertAccessible(page)
    await visit(page, kith, '/admin/organisations/new')
    await page.getByRole('button', { name: 'Save organisation' }).click()
    await page.waitForLoadState()
    assert.equal(await page.title(), 'Error: Add an organisation – Kith')
    await assertAccessible(page)
    await context.close()
  })

  it('lets an administrator compare two records of one person and merge them, with accessible pages', async () => {
    // A second record for a demo person, as a self-referral leaves when it cannot show who is known.
    const known = await kith.db
      .selectFrom('people')
      .select(['given_name', 'family_name', 'date_of_birth'])
      .orderBy('id')
      .executeTakeFirstOrThrow()
    await createPersonRecord(
      kith.db,
      { userId: null, ip: null },
      personInputSchema('2026-11-30').parse({
        givenName: known.given_name,
        familyName: known.family_name,
        dateOfBirth: known.date_of_birth,
      }),
    )
    const context = await signedInContext(browser, kith, 'admin@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/admin/people/duplicates')
    await page.getByRole('link', { name: new RegExp(`Compare the records of ${known.given_name}`) }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    await page.getByRole('button', { name: 'Merge the records' }).click()
    await page.waitForLoadState()
    assert.equal(await page.title(), 'Error: Compare and merge two records – Kith')
    await assertAccessible(page)
    await page.getByLabel('I have checked that the two records are the same person').check()
    await page.getByRole('button', { name: 'Merge the records' }).click()
    await page.waitForLoadState()
    assert.match((await page.locator('main').textContent()) ?? '', /The two records were merged into one/)
    await assertAccessible(page)
    await context.close()
  })

  it('starts people who are not signed in at a public page that leads to the directory, self-referral and sign-in, without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(`${kith.url}/`)
    assert.equal(new URL(page.url()).pathname, '/')
    const main = (await page.locator('main').textContent()) ?? ''
    assert.match(main, /Kith connects people to activities, groups and services in their community/)
    // Refer yourself: the programmes and services that take self-referrals, listed on the page.
    const culm = kith.demo.programmes.programmes.culm
    assert.equal(await page.locator(`main a[href="/self-referral/programmes/${culm}"]`).count(), 1)
    await page.locator('main').getByRole('link', { name: 'Find a service or activity' }).click()
    await page.waitForURL(`${kith.url}/directory`)
    await page.locator('header').getByRole('link', { name: 'Refer yourself' }).click()
    await page.waitForURL(`${kith.url}/self-referral`)
    await page.locator('header').getByRole('link', { name: 'Sign in' }).click()
    await page.waitForURL(`${kith.url}/sign-in`)
    await page.locator('main').getByRole('link', { name: 'refer yourself' }).click()
    await page.waitForURL(`${kith.url}/self-referral`)
    await page.goto(`${kith.url}/sign-in`)
    await page.locator('main').getByRole('link', { name: 'find a service or activity' }).click()
    await page.waitForURL(`${kith.url}/directory`)
    await page.goto(`${kith.url}/`)
    await page.locator('main').getByRole('link', { name: 'Sign in' }).click()
    await page.waitForURL(`${kith.url}/sign-in`)
    await context.close()

    // The same pages pass axe (which needs JavaScript).
    const checked = await browser.newContext()
    const visitor = await checked.newPage()
    for (const path of ['/', '/sign-in', '/self-referral', '/directory']) await visit(visitor, kith, path)
    await checked.close()
  })

  it('shows the sign-in page to people who are not signed in, and it passes axe', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const response = await page.goto(`${kith.url}/admin/users`)
    assert.equal(new URL(page.url()).pathname, '/sign-in')
    assert.equal(response?.status(), 200)
    await assertAccessible(page)
    await context.close()
  })
})
