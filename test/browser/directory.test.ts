import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { getServiceRecord } from '../../src/directory/store.ts'
import { assertAccessible, openKith, signedInContext, visit } from './harness.ts'

const { kith, browser } = await openKith()

describe('the directory', () => {
  it('searches without JavaScript, by words and by postcode, and shows a listing', async () => {
    // axe needs JavaScript, so this journey checks behaviour; the same pages are checked with it on below.
    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(`${kith.url}/directory`)
    await page.getByLabel('Search words').fill('walks')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.waitForURL(/\/directory\?/)
    assert.match((await page.locator('main').textContent()) ?? '', /Amblers Walking Group/)

    await page.getByLabel('Search words').fill('')
    await page.getByLabel('Postcode').fill('e3 3ff')
    await page.getByLabel('Within').selectOption('5')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.waitForURL(/postcode=e3/)
    const text = (await page.locator('main').textContent()) ?? ''
    assert.match(text, /services? found within 5 km/)
    assert.match(text, /km \([\d.]+ miles\) away/)

    await page.getByRole('link', { name: 'Social Prescribing Service (18+)' }).click()
    await page.waitForURL(/\/directory\/services\//)
    const listing = (await page.locator('main').textContent()) ?? ''
    assert.match(listing, /Inclusion criteria/)
    assert.match(listing, /Professional referrals only/)

    await page.goto(`${kith.url}/directory?postcode=ZZ9+9ZZ`)
    assert.match(
      (await page.locator('.nhsuk-error-summary').textContent()) ?? '',
      /We do not know the postcode/,
    )
    await context.close()
  })

  it('has accessible search, results, error and listing pages', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await visit(page, kith, '/directory')
    await visit(page, kith, '/directory?q=walks')
    await visit(page, kith, '/directory?postcode=E3+3FF&radius=5')
    await visit(page, kith, '/directory?page=2')
    await visit(page, kith, '/directory?postcode=ZZ9+9ZZ', 400)
    await visit(page, kith, `/directory/services/${kith.demo.directory.services['th.sps']}`)
    await visit(page, kith, `/directory/services/${kith.demo.directory.services['culm.writing']}`)
    await context.close()
  })

  it('lets a provider correct a mistake in their listing', async () => {
    const context = await signedInContext(browser, kith, 'provider.rotherham@kith.example')
    const page = await context.newPage()
    const id = kith.demo.directory.services['roth.metalwork'] as string
    await visit(page, kith, '/directory/your-services')
    await visit(page, kith, '/directory/your-services/new')
    await visit(page, kith, `/directory/services/${id}/criteria`)
    await visit(page, kith, `/directory/services/${id}/criteria/new`)
    await visit(page, kith, `/directory/services/${id}/criteria/new?kind=attestation`)
    await visit(page, kith, `/directory/services/${id}/criteria/age-18-plus`)
    await visit(page, kith, `/directory/services/${id}/edit`)
    await page.getByLabel('Name of the service').fill('')
    await page.getByLabel('Postcode').fill('nowhere')
    await page.getByRole('button', { name: 'Save service' }).click()
    await page.waitForLoadState()
    assert.match(await page.title(), /^Error: /)
    await assertAccessible(page)
    await page.locator('.nhsuk-error-summary a', { hasText: 'Enter the name of the service' }).click()
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'name')
    await page.getByLabel('Name of the service').fill("Men's Metalwork Club")
    await page.getByLabel('Postcode').fill('S61 1AH')
    await page.getByRole('button', { name: 'Save service' }).click()
    await page.waitForURL(`${kith.url}/directory/services/${id}`)
    assert.equal((await getServiceRecord(kith.db, id))?.locations[0]?.postcode, 'S61 1AH')
    await context.close()
  })

  it('gives a programme manager an accessible accreditation page', async () => {
    const context = await signedInContext(browser, kith, 'manager.luton@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/directory/accreditation')
    await context.close()
  })
})
