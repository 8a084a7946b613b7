import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { getProgramme } from '../../src/programmes/store.ts'
import { assertAccessible, openKith, signedInContext, visit } from './harness.ts'

const { kith, browser } = await openKith()

describe('a programme manager', () => {
  it('reads every part of their programme and every form, each accessible', async () => {
    const context = await signedInContext(browser, kith, 'manager.merton@kith.example')
    const page = await context.newPage()
    const id = kith.demo.programmes.programmes.merton
    const navigator = kith.demo.access.users['navigator.merton@kith.example']
    await visit(page, kith, '/programmes')
    await page.getByRole('link', { name: 'Merton social prescribing navigators' }).click()
    await page.waitForURL(`${kith.url}/programmes/${id}`)
    await assertAccessible(page)
    for (const path of [
      'details',
      'referrals',
      'practices',
      'needs',
      'appointments',
      'prescription',
      'criteria',
      'criteria/new',
      'criteria/new?kind=attestation',
      'criteria/new?kind=attestation&role=exclusion',
      'criteria/new?kind=conditions',
      'criteria/new?kind=redirect',
      'criteria/consent-given',
      'rules/test',
      'link-workers',
      `link-workers/${navigator}`,
    ]) {
      await visit(page, kith, `/programmes/${id}/${path}`)
    }
    await visit(page, kith, '/programmes/new')
    await context.close()
  })

  it('changes the appointment rules, after correcting a mistake the form points out', async () => {
    const context = await signedInContext(browser, kith, 'manager.merton@kith.example')
    const page = await context.newPage()
    const id = kith.demo.programmes.programmes.merton as string
    await visit(page, kith, `/programmes/${id}`)
    await page.getByRole('link', { name: 'Change (Appointments)' }).click()
    await page.waitForURL(`${kith.url}/programmes/${id}/appointments`)

    await page.getByLabel('Yes').check()
    await page.getByLabel('If there is a limit: further appointments at most').fill('')
    await page.getByLabel('Initial', { exact: true }).fill('0')
    await page.getByRole('button', { name: 'Save appointment rules' }).click()
    await page.waitForLoadState()
    assert.equal(await page.title(), 'Error: Change the appointment rules – Kith')
    const summary = (await page.locator('.nhsuk-error-summary').textContent()) ?? ''
    assert.match(summary, /Enter the most further appointments as a whole number/)
    assert.match(summary, /Initial appointments must be at least 5 minutes/)
    await assertAccessible(page)
    // The summary's links take the reader to each field; nothing was saved.
    await page.locator('.nhsuk-error-summary a', { hasText: 'Initial appointments' }).click()
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'lengths-initial')
    assert.equal((await getProgramme(kith.db, id))?.appointments.lengths.initial, 60)

    await page.getByLabel('If there is a limit: further appointments at most').fill('5')
    await page.getByLabel('Initial', { exact: true }).fill('60')
    await page.getByLabel('Walk and talk').check()
    await page.getByRole('button', { name: 'Save appointment rules' }).click()
    await page.waitForURL(`${kith.url}/programmes/${id}?saved=appointments`)
    assert.match((await page.locator('main').textContent()) ?? '', /The appointment rules have been saved/)
    assert.match(
      (await page.locator('#appointments').textContent()) ?? '',
      /An initial appointment, then at most 5 further appointments, the exit included/,
    )
    await assertAccessible(page)
    const saved = await getProgramme(kith.db, id)
    assert.equal(saved?.appointments.furtherAppointmentsCap, 5)
    assert.ok(saved?.appointments.modes.includes('walk_and_talk'))
    await context.close()
  })

  it('adds an eligibility question after seeing what each answer does, then tests the rules', async () => {
    const context = await signedInContext(browser, kith, 'manager.merton@kith.example')
    const page = await context.newPage()
    const id = kith.demo.programmes.programmes.merton as string
    await visit(page, kith, `/programmes/${id}/criteria`)
    await page.getByRole('button', { name: 'Add a criterion' }).click()
    await page.getByLabel('A yes or no question').check()
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/kind=attestation/)
    await assertAccessible(page)
    await page.getByLabel('It excludes people').check()
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.waitForURL(/role=exclusion/)
    await page
      .getByLabel('How it reads on the programme’s listing')
      .fill('Has emergency, urgent or crisis needs')
    await page
      .getByLabel('The question the referrer answers')
      .fill('Does the person have emergency, urgent or crisis needs?')
    const answer = page.getByRole('group', { name: 'Which answer excludes the person?' })
    await answer.getByLabel('Yes').check()
    await page.getByLabel('The referral cannot be made until it is answered').check()
    await page.getByLabel('Reference (optional)').fill('crisis-needs')
    await page.getByRole('button', { name: 'Check the criterion' }).click()
    await page.waitForLoadState()
    // Before saving: what each answer does, worked out by the rules themselves.
    const example = (await page.locator('#example').textContent()) ?? ''
    assert.match(
      example.replace(/\s+/g, ' '),
      /When the referrer answers Yes to “Does the person have emergency, urgent or crisis needs\?”, the person is excluded by “Has emergency, urgent or crisis needs” and cannot be referred\./,
    )
    await assertAccessible(page)
    assert.equal(
      (await getProgramme(kith.db, id))?.criteria.some((c) => c.id === 'crisis-needs'),
      false,
    )
    await page.getByRole('button', { name: 'Save criterion' }).click()
    await page.waitForURL(`${kith.url}/programmes/${id}/criteria?saved=1`)
    await assertAccessible(page)
    assert.match((await page.locator('main table').textContent()) ?? '', /crisis-needs/)
    await visit(page, kith, `/programmes/${id}`)
    assert.match(
      (await page.locator('#eligibility').textContent()) ?? '',
      /Asks “Does the person have emergency, urgent or crisis needs\?”: a yes excludes the person/,
    )

    // Test the rules against a sample person: nothing is saved.
    await visit(page, kith, `/programmes/${id}/criteria`)
    await page.getByRole('button', { name: 'Test the rules' }).click()
    await page.waitForURL(`${kith.url}/programmes/${id}/rules/test`)
    await page.getByLabel('Age (optional)').fill('45')
    await page
      .getByRole('group', { name: 'Does the person have emergency, urgent or crisis needs?' })
      .getByLabel('Yes')
      .check()
    await page.getByRole('button', { name: 'Test the rules' }).click()
    await page.waitForLoadState()
    const result = ((await page.locator('#result').textContent()) ?? '').replace(/\s+/g, ' ')
    assert.match(result, /Outcome: Not eligible/)
    assert.match(result, /so excluded by “Has emergency, urgent or crisis needs”/)
    await assertAccessible(page)
    await context.close()
  })
})

describe('a link worker', () => {
  it('reads their programme without being able to change it', async () => {
    const context = await signedInContext(browser, kith, 'prescriber2.towerhamlets@kith.example')
    const page = await context.newPage()
    const id = kith.demo.programmes.programmes.th
    await visit(page, kith, '/')
    await page.getByRole('link', { name: 'Your programmes' }).click()
    await page.waitForURL(`${kith.url}/programmes`)
    await assertAccessible(page)
    await page.getByRole('link', { name: 'Tower Hamlets social prescribing' }).click()
    await page.waitForURL(`${kith.url}/programmes/${id}`)
    await assertAccessible(page)
    const main = (await page.locator('main').textContent()) ?? ''
    assert.match(
      main,
      /You are the named social prescriber for Aberfeldy Village Surgery, Florida Street Surgery, Isle of Dogs Surgery, Poplar Market Surgery, The Mission Practice/,
    )
    assert.match(main, /Weight management/)
    assert.equal(await page.getByRole('link', { name: /^Change/ }).count(), 0)
    await visit(page, kith, `/programmes/${id}/needs`, 403)
    await visit(page, kith, `/programmes/${kith.demo.programmes.programmes.merton}`, 404)
    await context.close()
  })
})
