import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { assertAccessible, openKith, signedInContext, visit } from './harness.ts'

const { kith, browser } = await openKith()

async function fillPerson(page: Page, given: string, practice: string) {
  await page.getByLabel('First name').fill(given)
  await page.getByLabel('Last name').fill('Browsertest')
  await page.getByLabel('Day').fill('14')
  await page.getByLabel('Month').fill('6')
  await page.getByLabel('Year').fill('1961')
  await page.getByLabel('GP practice').selectOption({ label: practice })
}

describe('a referral, closed loop', () => {
  it('goes from the form (without JavaScript) to the inbox, is accepted, and the referrer sees it', async () => {
    const gpContext = await signedInContext(browser, kith, 'gp.newcastle@kith.example', { javaScript: false })
    const gp = await gpContext.newPage()
    await gp.goto(`${kith.url}/referrals/new`)
    // Ways to Wellness takes its referrals through its link-worker listing (decision 0106).
    await gp.getByRole('link', { name: 'Ways to Wellness link worker service', exact: true }).click()
    await gp.waitForURL(/\/referrals\/new\/services\//)
    await fillPerson(gp, 'Wilma', 'Benwell Village Surgery (Z20001)')
    await gp.getByLabel('Diabetes mellitus type 2').check()
    await gp.getByLabel('Social isolation').check()
    await gp.getByLabel('What matters to the person').fill('Seeing her friends again')
    await gp.getByLabel(/The person has given consent/).check()
    await gp.getByLabel('The person', { exact: true }).check()
    await gp.getByLabel('Verbally').check()
    await gp.getByRole('button', { name: 'Check and send the referral' }).click()
    await gp.waitForURL(/\/referrals\/[0-9a-f-]{36}\?sent=1$/)
    assert.match((await gp.locator('main').textContent()) ?? '', /The referral has been sent/)
    const referralUrl = gp.url().replace(/\?.*$/, '')

    const workerContext = await signedInContext(browser, kith, 'linkworker.newcastle@kith.example')
    const worker = await workerContext.newPage()
    await visit(worker, kith, '/referrals/inbox')
    await worker.getByRole('link', { name: /Wilma Browsertest/ }).click()
    await worker.waitForURL(referralUrl)
    await assertAccessible(worker)
    await worker.getByLabel('Declined').check()
    await worker.getByRole('button', { name: 'Save' }).click()
    await worker.waitForLoadState()
    assert.match(await worker.title(), /^Error: /)
    await assertAccessible(worker)
    await worker.getByLabel('Accepted').check()
    await worker.getByRole('button', { name: 'Save' }).click()
    await worker.waitForURL(`${referralUrl}?changed=1`)
    await assertAccessible(worker)

    await gp.goto(`${kith.url}/referrals`)
    const row = gp.locator('tr', { hasText: 'Wilma Browsertest' })
    assert.match((await row.textContent()) ?? '', /Accepted/)
    await gp.goto(`${kith.url}/notifications`)
    assert.match((await gp.locator('main').textContent()) ?? '', /Referral accepted/)
    await gpContext.close()
    await workerContext.close()
  })

  it('shows an ineligible referral every reason and suggestions, and sends nothing', async () => {
    const context = await signedInContext(browser, kith, 'gp.towerhamlets@kith.example')
    const page = await context.newPage()
    const sps = kith.demo.directory.services['th.sps']
    await visit(page, kith, `/referrals/new/services/${sps}`)
    await fillPerson(page, 'Yvonne', 'Bromley by Bow Centre (Z80001)')
    await page.locator('#answer-crisis-needs').check()
    await page.getByLabel('Goals').fill('Lose weight')
    await page.getByLabel(/The person has given consent/).check()
    await page.getByLabel('The person', { exact: true }).check()
    await page.getByLabel('Verbally').check()
    await page.getByRole('button', { name: 'Check and send the referral' }).click()
    await page.waitForLoadState()
    assert.equal(await page.locator('h1').textContent(), 'The referral was not sent')
    const text = (await page.locator('main').textContent()) ?? ''
    assert.match(text, /Weight Management/i)
    await assertAccessible(page)
    await context.close()
  })
})

describe('every referral page, accessible', () => {
  it('for a referrer, a link worker, a provider and someone referring themselves', async () => {
    const gp = await (await signedInContext(browser, kith, 'gp.towerhamlets@kith.example')).newPage()
    await visit(gp, kith, '/referrals')
    await visit(gp, kith, '/referrals/new')
    await visit(gp, kith, `/referrals/new/programmes/${kith.demo.programmes.programmes.th}`)
    for (const id of kith.demo.referrals.referrals.slice(-7)) await visit(gp, kith, `/referrals/${id}`)

    const worker = await (
      await signedInContext(browser, kith, 'prescriber.towerhamlets@kith.example')
    ).newPage()
    await visit(worker, kith, '/referrals/inbox')
    await visit(worker, kith, '/referrals/inbox?show=all')
    for (const id of kith.demo.referrals.referrals.slice(-7)) await visit(worker, kith, `/referrals/${id}`)
    await visit(worker, kith, `/referrals/${kith.demo.referrals.referrals[0]}`, 404)

    const provider = await (
      await signedInContext(browser, kith, 'provider.eastriding@kith.example')
    ).newPage()
    await visit(provider, kith, '/referrals/inbox?show=all')

    // Every pathway (decision 0106): East Riding's choice of services, its managers' list, the
    // listing's page with its referral button, Blackburn's supporting worker.
    const er = kith.demo.programmes.programmes.er
    const eastRidingGp = await (await signedInContext(browser, kith, 'gp.eastriding@kith.example')).newPage()
    await visit(eastRidingGp, kith, `/referrals/new/programmes/${er}`)
    await visit(eastRidingGp, kith, `/directory/services/${kith.demo.directory.services['er.exercise']}`)
    await visit(gp, kith, `/directory/services/${kith.demo.directory.services['th.sps']}`)
    const publicHealth = await (
      await signedInContext(browser, kith, 'manager.eastriding@kith.example')
    ).newPage()
    await visit(publicHealth, kith, `/referrals/programmes/${er}`)
    await publicHealth.getByRole('link', { name: /Ray Placeholder/ }).click()
    await publicHealth.waitForLoadState()
    assert.match(
      (await publicHealth.locator('main').textContent()) ?? '',
      /You see this referral as a manager/,
    )
    await assertAccessible(publicHealth)
    await visit(publicHealth, kith, `/programmes/${er}`)
    await visit(publicHealth, kith, `/programmes/${er}/services`)
    const officer = await (await signedInContext(browser, kith, 'officer.blackburn@kith.example')).newPage()
    await visit(officer, kith, '/casework')
    await officer.getByRole('link', { name: /Shaun Inventedson/ }).click()
    await officer.waitForLoadState()
    await assertAccessible(officer)
    await officer.getByRole('link', { name: 'Change the supporting worker' }).click()
    await officer.waitForLoadState()
    await assertAccessible(officer)

    const visitor = await (await browser.newContext()).newPage()
    await visit(visitor, kith, '/self-referral')
    await visit(visitor, kith, `/self-referral/programmes/${kith.demo.programmes.programmes.culm}`)
    await visit(visitor, kith, `/self-referral/services/${kith.demo.directory.services['th.sps']}`)
    await visit(visitor, kith, `/directory/services/${kith.demo.directory.services['th.sps']}`)
  })
})
