import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { assertAccessible, openKith, signedInContext, visit } from './harness.ts'

const { kith, browser } = await openKith()

const caseOf = (index: number) => kith.demo.casework.cases[index]!

describe('casework', () => {
  it('gives a link worker accessible caseload, case, plan, booking, prescription, signpost, exit, summary and diary pages', async () => {
    const context = await signedInContext(browser, kith, 'navigator.luton@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/casework')
    assert.match((await page.locator('main').textContent()) ?? '', /Aisha Demo-Begum/)
    await visit(page, kith, '/casework?show=overdue&sort=name')
    const id = caseOf(4)
    for (const path of [
      `/casework/cases/${id}`,
      `/casework/cases/${id}/plan`,
      `/casework/cases/${id}/plan/print`,
      `/casework/cases/${id}/appointments/new`,
      `/casework/cases/${id}/prescriptions/new`,
      `/casework/cases/${id}/signposts/new`,
      `/casework/cases/${id}/signposts/new?elsewhere=1`,
      `/casework/cases/${id}/person`,
      `/casework/cases/${id}/exit`,
      `/casework/cases/${id}/gp-summary`,
      '/casework/diary',
      '/casework/diary?view=week',
    ]) {
      await visit(page, kith, path)
    }
    await page.goto(`${kith.url}/casework/cases/${id}`)
    await page
      .getByRole('link', { name: /^Record/ })
      .first()
      .click()
    await page.waitForLoadState()
    await assertAccessible(page)
    // The prescription form offers nearby services that meet the case's needs, and one is chosen.
    await visit(page, kith, `/casework/cases/${caseOf(5)}/prescriptions/new`)
    const offered = page.getByRole('radio', { name: 'Friendship café' })
    await offered.check()
    await page.getByLabel('Weeks').fill('12')
    await page.getByLabel('Expected sessions').fill('12')
    await page.getByRole('button', { name: 'Add prescription' }).click()
    await page.waitForLoadState()
    assert.match((await page.locator('main').textContent()) ?? '', /Friendship café/)
    // Another scheme's case is not found.
    await visit(page, kith, `/casework/cases/${caseOf(6)}`, 404)
    await context.close()
  })

  it('books an appointment without JavaScript, showing a clear error for an end before the start', async () => {
    const context = await signedInContext(browser, kith, 'prescriber.towerhamlets@kith.example', {
      javaScript: false,
    })
    const page = await context.newPage()
    const id = caseOf(0)
    await page.goto(`${kith.url}/casework/cases/${id}/appointments/new`)
    await page.getByLabel('Initial').check()
    await page.getByLabel('At the practice').check()
    await page.getByLabel('Starts at').fill('11:00')
    await page.getByLabel('Ends at').fill('10:00')
    await page.getByRole('button', { name: 'Book appointment' }).click()
    await page.waitForLoadState()
    assert.equal(await page.title(), 'Error: Book an appointment – Kith')
    assert.match(
      (await page.locator('.nhsuk-error-summary').textContent()) ?? '',
      /The appointment must end after it starts/,
    )
    await page.getByLabel('Ends at').fill('12:00')
    await page.getByRole('button', { name: 'Book appointment' }).click()
    await page.waitForURL(new RegExp(`/casework/cases/${id}`))
    assert.match((await page.locator('main').textContent()) ?? '', /The appointment has been booked/)
    await page.goto(`${kith.url}/casework/cases/${id}/plan`)
    await page.getByRole('button', { name: 'Add goal' }).click()
    await page.waitForLoadState()
    assert.match(
      (await page.locator('.nhsuk-error-summary').textContent()) ?? '',
      /Enter the goal in the person’s own words/,
    )
    await context.close()
  })

  it('asks before booking outside the working pattern, moves an appointment, and reviews a prescription without JavaScript', async () => {
    // Merton's navigator works Monday to Thursday; Maria's practice is Wimbledon.
    const merton = await signedInContext(browser, kith, 'navigator.merton@kith.example')
    let page = await merton.newPage()
    const maria = caseOf(2)
    const friday = new Date()
    friday.setUTCDate(friday.getUTCDate() + ((5 - friday.getUTCDay() + 7) % 7 || 7))
    await page.goto(`${kith.url}/casework/cases/${maria}/appointments/new`)
    await page.getByLabel('Follow-up').check()
    await page.getByLabel('At the practice').check()
    await page.getByLabel('Date').fill(friday.toISOString().slice(0, 10))
    await page.getByLabel('Starts at').fill('14:00')
    await page.getByRole('button', { name: 'Book appointment' }).click()
    await page.waitForLoadState()
    assert.match((await page.locator('main').textContent()) ?? '', /does not work on Fridays/)
    await assertAccessible(page)
    await page.getByRole('button', { name: 'Book appointment' }).click()
    await page.waitForLoadState()
    assert.match(await page.title(), /^Error: Book an appointment/)
    await assertAccessible(page)
    await page.getByLabel('Book it anyway').check()
    await page.getByRole('button', { name: 'Book appointment' }).click()
    await page.waitForURL(new RegExp(`/casework/cases/${maria}`))
    assert.match((await page.locator('main').textContent()) ?? '', /The appointment has been booked/)
    // Its booked follow-up moves to the next Monday.
    const booked = await kith.db
      .selectFrom('case_appointments')
      .select('id')
      .where('case_id', '=', maria)
      .where('status', '=', 'booked')
      .orderBy('starts_at')
      .executeTakeFirstOrThrow()
    await visit(page, kith, `/casework/appointments/${booked.id}`)
    await page.getByRole('link', { name: 'Move to another time' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    const monday = new Date(friday.getTime() + 3 * 86_400_000).toISOString().slice(0, 10)
    await page.getByLabel('New date').fill(monday)
    await page.getByLabel('Why it is moving').fill('Maria asked for a Monday')
    await page.getByRole('button', { name: 'Move appointment' }).click()
    await page.waitForURL(new RegExp(`/casework/appointments/${booked.id}`))
    assert.match(
      (await page.locator('main').textContent()) ?? '',
      /The appointment has been moved.*Previous times/s,
    )
    await assertAccessible(page)
    await merton.close()

    // Luton: Aisha's 12-week prescription is overdue for review. Its pages pass the checks;
    // the review is then recorded without JavaScript (axe needs it, so is not run there).
    const aisha = caseOf(4)
    const prescription = await kith.db
      .selectFrom('case_prescriptions')
      .select('id')
      .where('case_id', '=', aisha)
      .executeTakeFirstOrThrow()
    const prescriptionPath = `/casework/cases/${aisha}/prescriptions/${prescription.id}`
    const checked = await signedInContext(browser, kith, 'navigator.luton@kith.example')
    page = await checked.newPage()
    await visit(page, kith, prescriptionPath)
    await visit(page, kith, `${prescriptionPath}/review`)
    await page.getByRole('button', { name: 'Record the review' }).click()
    await page.waitForLoadState()
    assert.equal(await page.title(), 'Error: Review the prescription – Kith')
    await assertAccessible(page)
    await checked.close()
    const luton = await signedInContext(browser, kith, 'navigator.luton@kith.example', { javaScript: false })
    page = await luton.newPage()
    await page.goto(`${kith.url}${prescriptionPath}`)
    await page.getByRole('button', { name: 'Record the review' }).click()
    await page.waitForLoadState()
    await page.getByLabel('Growing in confidence').check()
    await page.getByLabel('End the prescription').check()
    await page.getByRole('button', { name: 'Record the review' }).click()
    await page.waitForURL(new RegExp(`/casework/cases/${aisha}`))
    assert.match(
      (await page.locator('main').textContent()) ?? '',
      /The prescription review has been recorded/,
    )
    await page.goto(`${kith.url}${prescriptionPath}`)
    assert.match(
      (await page.locator('main').textContent()) ?? '',
      /Review on .* Next step\s*End the prescription/s,
    )
    await luton.close()
  })

  it('shows a manager the lone-working view with the overrunning home visit, and lets them reassign', async () => {
    const context = await signedInContext(browser, kith, 'manager.rotherham@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/casework')
    await visit(page, kith, '/casework/lone-working')
    await visit(page, kith, `/casework/cases/${caseOf(7)}/assign`)
    await visit(page, kith, `/casework/cases/${caseOf(6)}`)
    await context.close()
  })
})
