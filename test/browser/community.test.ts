import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { assertAccessible, openKith, signedInContext, visit } from './harness.ts'

const { kith, browser } = await openKith()

const today = () => new Date().toISOString().slice(0, 10)

describe('community', () => {
  it('the Blackburn project officer matches a person and logs hours, and the host confirms them', async () => {
    const officer = await signedInContext(browser, kith, 'officer.blackburn@kith.example')
    const page = await officer.newPage()
    await visit(page, kith, '/community/placements')
    assert.match(
      (await page.locator('main').textContent()) ?? '',
      /Marie Fakename at Community café volunteering/,
    )

    // Priti is proposed for the community garden; the officer chooses another of Kith's proposals.
    const priti = kith.demo.community.cases.priti!
    await visit(page, kith, `/casework/cases/${priti}`)
    await page.getByRole('link', { name: 'Find volunteering and manage placements' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    await page
      .getByRole('group', { name: 'Choose the opportunity for them' })
      .getByRole('radio')
      .first()
      .check()
    await page.getByRole('button', { name: 'Propose the placement' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    assert.match((await page.locator('main').textContent()) ?? '', /The placement is proposed/)

    // Marie volunteers at the CVS's café: today's hours are logged; too many is refused.
    const marie = kith.demo.community.cases.marie!
    const placement = kith.demo.community.placements[1]!
    await visit(page, kith, `/community/cases/${marie}/volunteering`)
    const [year, month, day] = today().split('-')
    await page.locator(`#workedOn-${placement}-day`).fill(day!)
    await page.locator(`#workedOn-${placement}-month`).fill(month!)
    await page.locator(`#workedOn-${placement}-year`).fill(year!)
    await page.locator(`#hours-${placement}`).fill('30')
    await page.getByRole('button', { name: 'Log the hours at Community café volunteering' }).click()
    await page.waitForLoadState()
    assert.match(await page.title(), /^Error: Volunteering – Kith$/)
    await assertAccessible(page)
    await page.locator(`#workedOn-${placement}-day`).fill(day!)
    await page.locator(`#workedOn-${placement}-month`).fill(month!)
    await page.locator(`#workedOn-${placement}-year`).fill(year!)
    await page.locator(`#hours-${placement}`).fill('3.5')
    await page.getByRole('button', { name: 'Log the hours at Community café volunteering' }).click()
    await page.waitForLoadState()
    assert.match((await page.locator('main').textContent()) ?? '', /The hours are logged/)
    await officer.close()

    // The CVS, as host, confirms them.
    const host = await signedInContext(browser, kith, 'provider.blackburn@kith.example')
    const hostPage = await host.newPage()
    await visit(hostPage, kith, '/community/opportunities')
    await visit(hostPage, kith, '/community/opportunities/new')
    await visit(hostPage, kith, '/community/host/placements')
    await hostPage.getByRole('button', { name: /^Confirm 3\.5 hours on .* for Marie Fakename$/ }).click()
    await hostPage.waitForLoadState()
    await assertAccessible(hostPage)
    assert.match((await hostPage.locator('main').textContent()) ?? '', /The hours are confirmed/)
    await host.close()
  })

  it('the Culm Valley health facilitator records support given to a group', async () => {
    const context = await signedInContext(browser, kith, 'facilitator.culm@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/community/groups')
    assert.match(
      (await page.locator('main').textContent()) ?? '',
      /Your groups that have not met in three months/,
    )
    await page.getByRole('link', { name: 'Amblers Walking Group', exact: true }).first().click()
    await page.waitForLoadState()
    await assertAccessible(page)
    await page.getByLabel('Publicity').check()
    await page.getByLabel('What was done').fill('Put up posters in the library and the surgery.')
    const [year, month, day] = today().split('-')
    const support = page.getByRole('group', { name: 'Day it was given' })
    await support.getByLabel('Day').fill(day!)
    await support.getByLabel('Month').fill(month!)
    await support.getByLabel('Year').fill(year!)
    await page.getByRole('button', { name: 'Record the support' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    assert.match((await page.locator('main').textContent()) ?? '', /The support is recorded/)
    await visit(page, kith, '/community/new-groups')
    await visit(page, kith, '/community/training')
    await context.close()

    const manager = await signedInContext(browser, kith, 'manager.blackburn@kith.example')
    const managerPage = await manager.newPage()
    await visit(
      managerPage,
      kith,
      `/community/training/programmes/${kith.demo.programmes.programmes['bwd.recovery']}`,
    )
    assert.match((await managerPage.locator('main').textContent()) ?? '', /Lapsed/)
    await manager.close()
  })
})
