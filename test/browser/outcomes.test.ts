import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { assertAccessible, openKith, signedInContext, visit } from './harness.ts'

const { kith, browser } = await openKith()
const wtw = kith.demo.programmes.programmes.wtw as string
const luton = kith.demo.programmes.programmes.luton as string
const brenda = kith.demo.outcomes.people['wtw.1'] as string
const harold = kith.demo.outcomes.people['luton.1'] as string

describe('outcome measures', () => {
  it('shows the programme manager change, the schedule, the star and the outcome payment', async () => {
    const context = await signedInContext(browser, kith, 'manager.wtw@kith.example')
    const page = await context.newPage()
    await visit(page, kith, `/programmes/${wtw}/outcomes`)
    assert.match((await page.locator('main').textContent()) ?? '', /Ways to Wellness star/)
    await visit(page, kith, `/programmes/${wtw}/outcomes/schedule`)
    await visit(page, kith, `/programmes/${wtw}/outcomes/star`)
    await visit(page, kith, `/programmes/${wtw}/outcomes/payments`)
    const main = (await page.locator('main').textContent()) ?? ''
    assert.match(main, /People with at least two readings\s*5/)
    assert.match(main, /Outcome payment due\s*£750\.00/)
    await page.getByLabel('Payment for each person who improved in at least one domain').fill('lots')
    await page.getByRole('button', { name: 'Save the rules' }).click()
    await page.waitForLoadState()
    assert.match(await page.title(), /^Error: /)
    await assertAccessible(page)
    await context.close()
  })

  it('lets the link worker record answers without JavaScript, and on a shared screen', async () => {
    const context = await signedInContext(browser, kith, 'linkworker.newcastle@kith.example', {
      javaScript: false,
    })
    const page = await context.newPage()
    const base = `/outcomes/programmes/${wtw}/people/${brenda}`
    await page.goto(`${kith.url}${base}/record/swemwbs/baseline`)
    for (const legend of [
      "I've been feeling optimistic about the future",
      "I've been feeling useful",
      "I've been feeling relaxed",
      "I've been dealing with problems well",
      "I've been thinking clearly",
      "I've been feeling close to other people",
    ])
      await page.getByRole('group', { name: legend }).getByLabel('Often').check()
    await page.getByRole('button', { name: 'Save the answers' }).click()
    await page.waitForLoadState()
    assert.match(
      (await page.locator('.nhsuk-error-summary').textContent()) ?? '',
      /Answer "I've been able to make up my own mind/,
    )
    await page
      .getByRole('group', { name: "I've been able to make up my own mind about things" })
      .getByLabel('Rarely')
      .check()
    await page.getByRole('button', { name: 'Save the answers' }).click()
    await page.waitForURL(/saved=recorded/)
    assert.match((await page.locator('main').textContent()) ?? '', /Metric score: 23\.21/)
    await page.goto(`${kith.url}${base}/record/swemwbs/exit/shared`)
    assert.doesNotMatch((await page.content()) ?? '', /Brenda|Sign out/)
    await context.close()

    const checked = await signedInContext(browser, kith, 'linkworker.newcastle@kith.example')
    const view = await checked.newPage()
    await visit(view, kith, base)
    await visit(view, kith, `${base}/record/star%3Aways-to-wellness-star/review`)
    await visit(view, kith, `${base}/record/swemwbs/exit/shared`)
    await visit(view, kith, `/programmes/${wtw}/outcomes`)
    await checked.close()
  })
})

describe('attendance cards', () => {
  it('issues a printable card and records attendance by the typed code, without JavaScript', async () => {
    const worker = await signedInContext(browser, kith, 'navigator.luton@kith.example')
    const page = await worker.newPage()
    await visit(page, kith, `/attendance/programmes/${luton}/people/${harold}`)
    await page.getByRole('button', { name: 'Reissue the card' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    const code = ((await page.locator('.kith-card__code').textContent()) ?? '').trim()
    assert.match(code, /^\w{3}-\w{3}-\w{3}$/)
    assert.equal(await page.locator('.kith-card__name').textContent(), 'Harold')
    await worker.close()

    const provider = await signedInContext(browser, kith, 'provider.luton@kith.example', {
      javaScript: false,
    })
    const scan = await provider.newPage()
    await scan.goto(`${kith.url}/attendance/scan`)
    await scan.getByLabel('Programme').selectOption(luton)
    await scan.getByLabel('Card code').fill(code.toLowerCase())
    await scan.getByRole('button', { name: 'Record attendance' }).click()
    await scan.waitForLoadState()
    assert.match((await scan.locator('main').textContent()) ?? '', /Attendance recorded|Already recorded/)
    await scan.getByLabel('Card code').fill(code)
    await scan.getByRole('button', { name: 'Record attendance' }).click()
    await scan.waitForLoadState()
    assert.match((await scan.locator('main').textContent()) ?? '', /Already recorded/)
    await provider.close()

    const checked = await signedInContext(browser, kith, 'provider.luton@kith.example')
    const view = await checked.newPage()
    await visit(view, kith, '/attendance/scan')
    await view.getByLabel('Card code').fill('not a code')
    await view.getByRole('button', { name: 'Record attendance' }).click()
    await view.waitForLoadState()
    assert.match(await view.title(), /^Error: /)
    await assertAccessible(view)
    await checked.close()
  })
})

describe('the case page', () => {
  it('shows measures due and change, attendance against the prescription and kiosk readings', async () => {
    const kase = await kith.db
      .selectFrom('cases')
      .select('id')
      .where('person_id', '=', harold)
      .executeTakeFirstOrThrow()
    const context = await signedInContext(browser, kith, 'navigator.luton@kith.example')
    const page = await context.newPage()
    await visit(page, kith, `/casework/cases/${kase.id}`)
    const main = (await page.locator('main').textContent()) ?? ''
    assert.match(main, /Outcome measures/)
    assert.match(main, /Life satisfaction: 4 to 6 \(better\)/)
    assert.match(main, /Active Luton gentle exercise.*\d+ of 12/s)
    await visit(page, kith, `/attendance/programmes/${luton}/people/${harold}`)
    await visit(page, kith, `/outcomes/programmes/${luton}/people/${harold}`)
    await context.close()
  })
})

describe('the self-care kiosk', () => {
  it('refuses an implausible blood pressure and shows advice, never a name', async () => {
    const worker = await signedInContext(browser, kith, 'facilitator.culm@kith.example')
    const issue = await worker.newPage()
    const jean = kith.demo.outcomes.people['culm.1'] as string
    const culm = kith.demo.programmes.programmes.culm as string
    await issue.goto(`${kith.url}/attendance/programmes/${culm}/people/${jean}`)
    await issue.getByRole('button', { name: 'Reissue the card' }).click()
    const code = ((await issue.locator('.kith-card__code').textContent()) ?? '').trim()
    await worker.close()

    const context = await signedInContext(browser, kith, 'kiosk.culm@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/kiosk')
    await page.getByLabel('Yes, with my card').check()
    await page.getByLabel('Your card code').fill(code)
    await page.getByLabel('Top number (systolic)').fill('500')
    await page.getByLabel('Bottom number (diastolic)').fill('20')
    await page.getByRole('button', { name: 'Send my readings' }).click()
    await page.waitForLoadState()
    assert.match(await page.title(), /^Error: /)
    await assertAccessible(page)
    await page.getByLabel('Top number (systolic)').fill('152')
    await page.getByLabel('Bottom number (diastolic)').fill('94')
    await page.getByLabel('Weight', { exact: true }).fill('84')
    await page.getByLabel('Height', { exact: true }).fill('168')
    await page.getByRole('button', { name: 'Send my readings' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    const main = (await page.locator('main').textContent()) ?? ''
    assert.match(main, /higher than the healthy range/)
    assert.doesNotMatch(main, /Jean|Example/)
    await context.close()
  })

  it('links a reading by date of birth and postcode, with and without JavaScript, saying the same whoever is found', async () => {
    const jean = kith.demo.outcomes.people['culm.1'] as string
    await kith.db.updateTable('people').set({ postcode: 'EX15 1FE' }).where('id', '=', jean).execute()
    const send = async (page: Page, day: string, month: string, postcode: string) => {
      await page.getByLabel('Top number (systolic)').fill('131')
      await page.getByLabel('Bottom number (diastolic)').fill('83')
      await page.getByLabel('I do not have a card: use my date of birth and postcode').check()
      await page.getByLabel('Day', { exact: true }).fill(day)
      await page.getByLabel('Month', { exact: true }).fill(month)
      await page.getByLabel('Year', { exact: true }).fill('1961')
      await page.getByLabel('Your postcode').fill(postcode)
      await page.getByRole('button', { name: 'Send my readings' }).click()
      await page.waitForLoadState()
      return ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ')
    }

    // Without JavaScript (axe needs it, so these pages are checked below, with it).
    const plain = await signedInContext(browser, kith, 'kiosk.culm@kith.example', { javaScript: false })
    const page = await plain.newPage()
    await page.goto(`${kith.url}/kiosk`)
    const impossible = await send(page, '31', '2', 'EX15')
    assert.match(await page.title(), /^Error: /)
    assert.match(impossible, /must be a real date/)
    assert.match(impossible, /Enter a full UK postcode/)
    const found = await send(page, '14', '3', 'ex15 1fe')
    await page.goto(`${kith.url}/kiosk`)
    const nobody = await send(page, '15', '3', 'EX15 1FE')
    assert.match(found, /Show this screen to reception if you want your readings added to your record/)
    assert.equal(found, nobody)
    assert.doesNotMatch(found, /Jean|Example/)
    await plain.close()

    const context = await signedInContext(browser, kith, 'kiosk.culm@kith.example')
    const checked = await context.newPage()
    await visit(checked, kith, '/kiosk')
    await send(checked, '30', '2', 'EX15 1FE')
    assert.match(await checked.title(), /^Error: /)
    await assertAccessible(checked)
    assert.equal(await send(checked, '16', '3', 'EX15 1FE'), nobody)
    await assertAccessible(checked)
    await context.close()

    const worker = await signedInContext(browser, kith, 'facilitator.culm@kith.example')
    const casePage = await worker.newPage()
    const kase = await kith.db
      .selectFrom('cases')
      .select('id')
      .where('person_id', '=', jean)
      .executeTakeFirstOrThrow()
    await visit(casePage, kith, `/casework/cases/${kase.id}`)
    assert.match(
      (await casePage.locator('main').textContent()) ?? '',
      /131\/83 mmHg.*Date of birth and postcode/s,
    )
    await worker.close()

    const manager = await signedInContext(browser, kith, 'manager.culm@kith.example')
    const counts = await manager.newPage()
    await visit(counts, kith, '/kiosk/readings')
    assert.match((await counts.locator('main').textContent()) ?? '', /Culm Valley/)
    await manager.close()
  })
})
