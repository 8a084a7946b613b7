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

  it('lets a programme manager open the cases behind a figure, then a case, and the list passes axe', async () => {
    const context = await signedInContext(browser, kith, 'manager.towerhamlets@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/reports/activity')
    // Over both of her programmes the figures link nowhere; for one, they open the cases behind them.
    assert.match((await page.locator('main').textContent()) ?? '', /choose one programme you manage/)
    await page
      .getByLabel('Programme', { exact: true })
      .selectOption({ label: 'Tower Hamlets social prescribing' })
    await page.getByRole('button', { name: 'Show the report' }).click()
    await page.waitForLoadState()
    const practices = page.getByRole('region', { name: 'By practice' })
    const first = practices.locator('tbody a').first()
    const practice = ((await first.textContent()) ?? '').replace(': list the cases', '').trim()
    const href = await first.getAttribute('href')
    assert.ok(href?.includes('/cases?'), `the practice links to its cases: ${href}`)
    assert.doesNotMatch(href ?? '', /Testperson|%40|@/, 'ids and dates only in the address')
    await visit(page, kith, href!)
    assert.equal(await page.title(), 'Clients with a case open in the period: Activity – Kith')
    const rows = page.locator('main tbody tr')
    assert.ok((await rows.count()) >= 5, 'the practice’s clients are listed')
    assert.equal(await rows.first().locator('td').nth(1).textContent(), practice)
    await rows.first().locator('a').click()
    await page.waitForLoadState()
    assert.match(new URL(page.url()).pathname, /^\/casework\/cases\/[0-9a-f-]{36}$/)
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
