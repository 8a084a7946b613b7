// A council's programme manager sets up a new scheme from nothing, with no administrator: the
// programme, a practice by ODS code, a link worker and a GP invited by email (each accepting in
// the browser), what the programme sends the practice (a summary when a prescription ends too,
// codes only), a service, a rule tested against a sample person, and the first referral, which
// reaches the link worker named for the practice. Every page passes the accessibility baseline.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { findOrganisationByOdsCode, findUserByEmail, loadCurrentUser } from '../../src/access/store.ts'
import { createProgramme, setProgrammePractices } from '../../src/programmes/store.ts'
import { assertAccessible, openKith, signedInContext, visit } from './harness.ts'

const { kith, browser } = await openKith()

/** The invitation link the outbox holds for an address (the email Kith would send). */
async function invitationLink(email: string): Promise<string> {
  const message = await kith.db
    .selectFrom('outbox_messages')
    .select('link')
    .where('address', '=', email)
    .where('subject', '=', 'You are invited to Kith')
    .orderBy('id', 'desc')
    .executeTakeFirst()
  assert.ok(message?.link, `no invitation to ${email}`)
  return kith.url + message.link
}

/** Accepts an invitation in a fresh browser, as the person would from their email. */
async function accept(email: string, name: string): Promise<Page> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(await invitationLink(email))
  await assertAccessible(page)
  await page.getByLabel('Your full name').fill(name)
  await page.getByLabel('Choose a password').fill('short')
  await page.getByLabel('Type the password again').fill('short')
  await page.getByRole('button', { name: 'Accept and sign in' }).click()
  await page.waitForLoadState()
  assert.match(await page.title(), /^Error: /)
  await assertAccessible(page)
  await page.getByLabel('Choose a password').fill('kettle orchard lantern')
  await page.getByLabel('Type the password again').fill('kettle orchard lantern')
  await page.getByRole('button', { name: 'Accept and sign in' }).click()
  await page.waitForURL(`${kith.url}/?welcome=1`)
  await assertAccessible(page)
  return page
}

describe('a council’s programme manager', () => {
  it('sets up a new scheme from nothing, with no administrator, to its first referral', async () => {
    const context = await signedInContext(browser, kith, 'manager.cotswold@kith.example')
    const manager = await context.newPage()

    // The programme.
    await visit(manager, kith, '/programmes')
    await manager.getByRole('button', { name: 'Add a programme' }).click()
    await manager.waitForURL(`${kith.url}/programmes/new`)
    await assertAccessible(manager)
    await manager.getByLabel('Name of the programme').fill('Cotswold Healthy Communities')
    await manager.getByRole('button', { name: 'Add programme' }).click()
    await manager.waitForURL(/\/programmes\/[0-9a-f-]{36}\?saved=created$/)
    await assertAccessible(manager)
    const id = new URL(manager.url()).pathname.split('/')[2] as string

    // A practice Kith does not know, by its ODS code, name and postcode; a bad code first.
    await visit(manager, kith, `/programmes/${id}/practices`)
    await manager.getByLabel('ODS code (optional)').fill('PARK')
    await manager.getByLabel('Yes, only people registered at one of these practices').check()
    await manager.getByRole('button', { name: 'Save practices' }).click()
    await manager.waitForLoadState()
    assert.match(await manager.title(), /^Error: /)
    await assertAccessible(manager)
    await manager.getByLabel('ODS code (optional)').fill('L84010')
    await manager.getByLabel('Name of the practice, if Kith does not know it').fill('The Park Surgery')
    await manager.getByLabel('Postcode of the practice, if Kith does not know it').fill('GL7 1US')
    await manager.getByRole('button', { name: 'Save practices' }).click()
    await manager.waitForURL(`${kith.url}/programmes/${id}?saved=practices`)
    const practice = await findOrganisationByOdsCode(kith.db, 'L84010')
    assert.equal(practice?.name, 'The Park Surgery')

    // What goes to the practice: the summary when a prescription ends too, and codes only.
    await manager.getByRole('link', { name: 'Sharing with GP practices' }).click()
    await manager.waitForURL(`${kith.url}/programmes/${id}/gp-sharing`)
    await assertAccessible(manager)
    await manager.getByLabel('When a social prescription ends').check()
    await manager
      .getByRole('group', { name: 'The Park Surgery (ODS code L84010)' })
      .getByLabel('Codes only')
      .check()
    await manager.getByRole('button', { name: 'Save sharing with GP practices' }).click()
    await manager.waitForURL(`${kith.url}/programmes/${id}/gp-sharing?saved=1`)
    await assertAccessible(manager)
    assert.ok(await manager.getByLabel('When a social prescription ends').isChecked())
    assert.ok(
      await manager
        .getByRole('group', { name: /The Park Surgery/ })
        .getByLabel('Codes only')
        .isChecked(),
    )

    // Staff, by email: a link worker of the council, and a GP at the new practice.
    await visit(manager, kith, '/team')
    await manager.getByLabel('Their email address').fill('jo.fairweather@cotswold.example')
    await manager.getByLabel('Where they will work').selectOption({ label: 'Cotswold District Council' })
    await manager.getByLabel('Link worker', { exact: true }).check()
    await manager.getByLabel('Title, for a link worker (optional)').fill('Community link worker')
    await manager.getByRole('button', { name: 'Send invitation' }).click()
    await manager.waitForURL(`${kith.url}/team?done=invited`)
    await assertAccessible(manager)
    await manager.getByLabel('Their email address').fill('dr.marsh@parksurgery.example')
    await manager
      .getByLabel('Where they will work')
      .selectOption({ label: 'The Park Surgery (referrers only)' })
    await manager.getByLabel('Referrer', { exact: true }).check()
    await manager.getByRole('button', { name: 'Send invitation' }).click()
    await manager.waitForURL(`${kith.url}/team?done=invited`)

    const worker = await accept('jo.fairweather@cotswold.example', 'Jo Fairweather')
    const gp = await accept('dr.marsh@parksurgery.example', 'Dr Ann Marsh')

    // The link worker joins the programme and is named for the practice.
    await visit(manager, kith, `/programmes/${id}/link-workers`)
    await manager.getByLabel('Email address of their Kith account').fill('jo.fairweather@cotswold.example')
    await manager.getByRole('button', { name: 'Add link worker' }).click()
    await manager.waitForURL(`${kith.url}/programmes/${id}/link-workers?saved=added`)
    await manager.getByLabel('The Park Surgery').selectOption({ label: 'Jo Fairweather' })
    await manager.getByRole('button', { name: 'Save named link workers' }).click()
    await manager.waitForURL(`${kith.url}/programmes/${id}/link-workers?saved=named`)
    await assertAccessible(manager)

    // A service the council runs.
    await visit(manager, kith, '/directory/your-services/new')
    await manager.getByLabel('Name of the service').fill('Cirencester walk and talk')
    await manager.getByLabel('Description').fill('A gentle hour’s walk around the park, with time to talk.')
    await manager.getByLabel('Activity or group').check()
    await manager.getByLabel('Yes, professionals and people themselves can refer').check()
    await manager.getByRole('button', { name: 'Save service' }).click()
    await manager.waitForURL(/\/directory\/services\/[0-9a-f-]{36}$/)
    await assertAccessible(manager)

    // A rule, then a test of the rules against a sample person.
    await visit(manager, kith, `/programmes/${id}/criteria`)
    await manager.getByRole('button', { name: 'Add a criterion' }).click()
    await manager.getByLabel('A yes or no question').check()
    await manager.getByRole('button', { name: 'Continue' }).click()
    await manager.waitForURL(/kind=attestation/)
    await manager.getByLabel('It excludes people').check()
    await manager.getByRole('button', { name: 'Continue' }).click()
    await manager.waitForURL(/role=exclusion/)
    await assertAccessible(manager)
    await manager
      .getByLabel('How it reads on the programme’s listing')
      .fill('Has emergency, urgent or crisis needs')
    await manager
      .getByLabel('The question the referrer answers')
      .fill('Does the person have emergency, urgent or crisis needs?')
    await manager.getByRole('group', { name: 'Which answer excludes the person?' }).getByLabel('Yes').check()
    await manager.getByLabel('The referral cannot be made until it is answered').check()
    await manager.getByLabel('Reference (optional)').fill('crisis-needs')
    await manager.getByRole('button', { name: 'Check the criterion' }).click()
    await manager.waitForLoadState()
    await assertAccessible(manager)
    await manager.getByRole('button', { name: 'Save criterion' }).click()
    await manager.waitForURL(`${kith.url}/programmes/${id}/criteria?saved=1`)
    await manager.getByRole('button', { name: 'Test the rules' }).click()
    await manager.waitForURL(`${kith.url}/programmes/${id}/rules/test`)
    await manager.getByLabel('Age (optional)').fill('52')
    await manager.getByLabel('Registered GP practice').selectOption({ label: 'The Park Surgery (L84010)' })
    await manager.getByRole('group', { name: 'Who refers them?' }).getByLabel('GP or practice staff').check()
    await manager
      .getByRole('group', { name: 'Does the person have emergency, urgent or crisis needs?' })
      .getByLabel('No', { exact: true })
      .check()
    await manager.getByRole('button', { name: 'Test the rules' }).click()
    await manager.waitForLoadState()
    assert.match(
      ((await manager.locator('#result').textContent()) ?? '').replace(/\s+/g, ' '),
      /Outcome: Eligible/,
    )
    await assertAccessible(manager)

    // The GP's first referral: their own practice is chosen already.
    await gp.goto(`${kith.url}/referrals/new`)
    await assertAccessible(gp)
    await gp.getByRole('link', { name: 'Cotswold Healthy Communities', exact: true }).click()
    await gp.waitForURL(`${kith.url}/referrals/new/programmes/${id}`)
    await assertAccessible(gp)
    assert.equal(await gp.getByLabel('GP practice').inputValue(), practice?.id)
    await gp.getByLabel('First name').fill('Maggie')
    await gp.getByLabel('Last name').fill('Browsertest')
    await gp.getByLabel('Day').fill('2')
    await gp.getByLabel('Month').fill('9')
    await gp.getByLabel('Year').fill('1958')
    await gp
      .getByRole('group', { name: 'Does the person have emergency, urgent or crisis needs?' })
      .getByLabel('No', { exact: true })
      .check()
    await gp.getByLabel('What matters to the person').fill('Getting out and meeting people')
    await gp.getByLabel(/The person has given consent/).check()
    await gp.getByLabel('The person', { exact: true }).check()
    await gp.getByLabel('Verbally').check()
    await gp.getByRole('button', { name: 'Check and send the referral' }).click()
    await gp.waitForURL(/\/referrals\/[0-9a-f-]{36}\?sent=1$/)
    await assertAccessible(gp)

    // It reaches the link worker named for the practice.
    await worker.goto(`${kith.url}/referrals/inbox`)
    await assertAccessible(worker)
    await worker.getByRole('link', { name: /Maggie Browsertest/ }).click()
    await worker.waitForURL(/\/referrals\/[0-9a-f-]{36}$/)
    await assertAccessible(worker)
    await context.close()
  })
  it('changes a role, retires a programme and hands a listing over on pages that pass the baseline', async () => {
    const context = await signedInContext(browser, kith, 'manager.cotswold@kith.example')
    const manager = await context.newPage()
    const emma = await findUserByEmail(kith.db, 'linkworker.cotswold@kith.example')
    const membership = (await loadCurrentUser(kith.db, emma!.id))?.memberships[0]
    await visit(manager, kith, `/team/members/${membership?.id}`)
    await visit(manager, kith, `/programmes/${kith.demo.programmes.programmes.cots}/retire`)

    // A pilot retired: its form then tells a GP it takes no new referrals.
    const council = membership?.organisationId as string
    const pilot = await createProgramme(kith.db, { name: 'Cotswold pilot', ownerOrganisationId: council })
    const avenue = await findUserByEmail(kith.db, 'gp.cotswold@kith.example')
    const practice = (await loadCurrentUser(kith.db, avenue!.id))?.memberships[0]?.organisationId as string
    await setProgrammePractices(kith.db, pilot, [practice])
    await visit(manager, kith, `/programmes/${pilot}/retire`)
    await manager.getByRole('button', { name: 'Retire the programme' }).click()
    await manager.waitForURL(`${kith.url}/programmes/${pilot}?saved=retired`)
    await assertAccessible(manager)
    const gpContext = await signedInContext(browser, kith, 'gp.cotswold@kith.example')
    const gp = await gpContext.newPage()
    await visit(gp, kith, `/referrals/new/programmes/${pilot}`, 409)
    assert.match(
      (await gp.locator('main').textContent()) ?? '',
      /Cotswold pilot has been retired, and takes no new referrals/,
    )

    const culm = await signedInContext(browser, kith, 'manager.culm@kith.example')
    const helen = await culm.newPage()
    await visit(helen, kith, '/directory/your-services')
    await visit(helen, kith, `/directory/services/${kith.demo.directory.services['culm.knit']}/hand-over`)

    const prescriber = await signedInContext(browser, kith, 'prescriber2.towerhamlets@kith.example')
    const shirin = await prescriber.newPage()
    await visit(shirin, kith, '/referrals/inbox?list=all')

    const anonymous = await (await browser.newContext()).newPage()
    await visit(anonymous, kith, '/invitations/this-is-not-a-real-invitation-token', 404)
    for (const c of [context, gpContext, culm, prescriber]) await c.close()
  })
})
