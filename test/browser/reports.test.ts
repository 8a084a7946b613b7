import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { type Kith, launchBrowser, signedInContext, startKith, visit } from './harness.ts'

let kith: Kith
let browser: Browser

before(async () => {
  kith = await startKith()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await kith?.close()
})

describe('reports', () => {
  it('shows a programme manager every report, reached from the home page, and each passes axe', async () => {
    // axe runs its checks as script in the page, so this context allows it; the one below does not.
    const context = await signedInContext(browser, kith, 'manager.towerhamlets@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/')
    assert.ok((await page.locator('main a[href="/reports"]').count()) > 0, 'the home page links to Reports')
    await visit(page, kith, '/reports')
    assert.equal(await page.title(), 'Reports – Kith')
    for (const [name, title] of [
      ['activity', 'Activity'],
      ['referrals', 'Referrals'],
      ['outcomes', 'Outcomes'],
      ['prescriptions', 'Prescriptions and attendance'],
      ['caseload', 'Caseload and capacity'],
    ] as const) {
      await visit(page, kith, `/reports/${name}`)
      assert.equal(await page.title(), `${title} – Kith`)
      assert.match((await page.locator('main').textContent()) ?? '', /fewer than 5/)
    }
    // The filters are a GET form: a bad date comes back with the error summary, and passes axe.
    await visit(page, kith, '/reports/activity?from=2026-02-30', 400)
    assert.match(await page.title(), /^Error: Activity – Kith$/)
    await context.close()
  })

  it('filters a report without JavaScript, through its GET form', async () => {
    const context = await signedInContext(browser, kith, 'manager.towerhamlets@kith.example', {
      javaScript: false,
    })
    const page = await context.newPage()
    await page.goto(`${kith.url}/reports/activity`)
    await page.getByLabel('First day').fill('2026-01-01')
    await page.getByLabel('Last day').fill('2026-03-31')
    await page.getByRole('button', { name: 'Show the report' }).click()
    await page.waitForLoadState()
    const url = new URL(page.url())
    assert.equal(url.pathname, '/reports/activity')
    assert.equal(url.searchParams.get('from'), '2026-01-01')
    assert.equal(url.searchParams.get('to'), '2026-03-31')
    assert.equal(await page.title(), 'Activity – Kith')
    assert.match((await page.locator('main').textContent()) ?? '', /1 January 2026 to 31 March 2026/)
    await context.close()
  })
})
