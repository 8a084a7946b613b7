// The marketplace listing "Social Prescribing Service (18+)" (Tower Hamlets): a GP finds it in the
// directory and refers from its page, with the person's own consent (consent given on their behalf
// is refused, naming the criterion); the social prescriber accepts it and the case opens in the
// listing's programme, with its rules: an initial appointment and at most 5 further ones, the
// exit included, so a 6th is refused; the care plan sets the follow-ups; the case closes with an
// exit plan and the GP reads the outcome.

import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import type { Page } from 'playwright-core'
import { SOCIAL_PRESCRIBING_SUITABLE_ANSWERS } from '../../../src/directory/demo.ts'
import { assertAccessible } from '../harness.ts'
import {
  fullName,
  ID,
  literal,
  londonDay,
  main,
  type Person,
  textOf,
  Walker,
  type World,
  yesterday,
} from './walker.ts'

const LISTING = 'Social Prescribing Service (18+)'

const PERSON: Person = {
  givenName: 'Hasina',
  familyName: 'Journey-Listing',
  nhsNumber: '9990000115',
  dateOfBirth: ['5', '8', '1969'],
  practice: 'Bromley by Bow Centre (Z80001)',
  address: ['Flat 2, Example Court', 'London', 'E3 3FF'],
}

const WHAT_MATTERS = 'Getting out of the flat and meeting other women nearby'
const GOAL = 'Go to a community group once a week'
const EXIT_PLAN = 'Goes to the Thursday women’s group on her own; can be referred again by the practice'
const CAP =
  'This programme offers an initial appointment and at most 5 further appointments, the exit included'

/** The further appointments the cap allows: 4 follow-ups and the exit, weekly, each in a mode the listing offers. */
const FURTHER: [kind: string, mode: string][] = [
  ['Follow-up', 'Walk and talk'],
  ['Follow-up', 'Community venue'],
  ['Follow-up', 'Walk and talk'],
  ['Follow-up', 'Community venue'],
  ['Exit', 'At the practice'],
]

export async function walkListingJourney(world: World, t: TestContext): Promise<void> {
  const walker = new Walker(world, t)
  const { step } = walker
  const arrive = walker.arrive.bind(walker)
  const name = fullName(PERSON)
  let gp: Page
  let lw: Page
  let listingPath = ''
  let referralPath = ''
  let casePath = ''

  /** The referral form, filled in for someone the listing suits, but for who gave consent. */
  const fillForm = async (onTheirBehalf?: { name: string; relationship: string }) => {
    await walker.fillPerson(gp, PERSON)
    for (const [id, expected] of Object.entries(SOCIAL_PRESCRIBING_SUITABLE_ANSWERS))
      await gp.locator(expected ? `#answer-${id}` : `#answer-${id}-2`).check()
    await gp.getByLabel('Social isolation', { exact: true }).check()
    await gp.getByLabel('What matters to the person').fill(WHAT_MATTERS)
    await gp.getByLabel('Reason for the referral').fill('Isolated since moving to the area; low mood')
    await walker.giveConsent(gp, onTheirBehalf)
  }

  /** Books an appointment from the case; on a clash with the worker's diary, books it anyway. */
  const book = async (kind: string, mode: string, date: string) => {
    await lw.getByRole('link', { name: 'Book an appointment' }).click()
    await arrive(lw, new RegExp(`${casePath}/appointments/new$`))
    await lw.getByLabel(kind, { exact: true }).check()
    await lw.getByLabel(mode, { exact: true }).check()
    await lw.getByLabel('Date', { exact: true }).fill(date)
    await lw.getByLabel('Starts at').fill('14:00')
    await lw.getByRole('button', { name: 'Book appointment' }).click()
    await lw.waitForURL(new RegExp(`${casePath}(/appointments$|\\?saved=booked)`))
    if (new URL(lw.url()).pathname.endsWith('/appointments')) {
      await assertAccessible(lw)
      assert.match(await main(lw), /Check before you go ahead/)
      await lw.getByLabel('Book it anyway').check()
      await lw.getByRole('button', { name: 'Book appointment' }).click()
    }
    await arrive(lw, new RegExp(`${casePath}\\?saved=booked`))
  }

  try {
    await step('the GP finds the listing in the directory', async () => {
      gp = await walker.signIn('gp.towerhamlets@kith.example')
      await walker.navigate(gp, 'Directory', /\/directory$/)
      await gp.getByLabel('Search words').fill('Social Prescribing Service')
      await gp.getByRole('button', { name: 'Search' }).click()
      await arrive(gp, /\/directory\?/)
      await gp.getByRole('link', { name: LISTING, exact: true }).click()
      await arrive(gp, new RegExp(`/directory/services/${ID}$`))
      listingPath = new URL(gp.url()).pathname
      assert.match(await main(gp), new RegExp(`Run for ${literal(LISTING)}`))
    })

    await step(
      'refers from the listing’s page: consent given on the person’s behalf is refused, naming the criterion',
      async () => {
        await gp.getByRole('button', { name: 'Refer someone to this service' }).click()
        await arrive(gp, new RegExp(`/referrals/new/services/${ID}$`))
        const formPath = new URL(gp.url()).pathname
        assert.equal(formPath.split('/').pop(), listingPath.split('/').pop())
        await fillForm({ name: 'Rahim Journey-Listing', relationship: 'Husband' })
        await gp.getByRole('button', { name: 'Check and send the referral' }).click()
        await arrive(gp, new RegExp(`${formPath}$`))
        const refused = await main(gp)
        assert.match(refused, /The referral was not sent/)
        assert.match(
          refused,
          /Consent was given by someone on the person’s behalf, so does not meet “Has given full and direct consent to referral”/,
        )
        await gp.getByRole('link', { name: 'Go back to the form' }).click()
        await arrive(gp, new RegExp(`${formPath}$`))
      },
    )

    await step('sends it with the person’s own consent', async () => {
      await fillForm()
      referralPath = await walker.sendReferral(gp)
    })

    await step('the social prescriber accepts it: the case opens in the listing’s programme', async () => {
      lw = await walker.signIn('prescriber.towerhamlets@kith.example')
      assert.equal(await walker.openFromInbox(lw, PERSON), referralPath)
      assert.match(await main(lw), new RegExp(`Referral to ${literal(LISTING)}`))
      await walker.updateReferral(lw, 'Accepted')
      await lw.getByRole('link', { name: /^Open the case/ }).click()
      await arrive(lw, new RegExp(`/casework/cases/${ID}$`))
      casePath = new URL(lw.url()).pathname
      assert.match(await textOf(lw.locator('h1')), new RegExp(`${literal(LISTING)} ${name}`))
    })

    await step('books the initial appointment at the practice, which the person attends', async () => {
      await book('Initial', 'At the practice', yesterday())
      await lw.getByRole('link', { name: /^Record the initial appointment/ }).click()
      await arrive(lw, new RegExp(`/casework/appointments/${ID}$`))
      await lw.getByLabel('Attended', { exact: true }).check()
      await lw.getByRole('button', { name: 'Save' }).click()
      await arrive(lw, new RegExp(`${casePath}\\?saved=recorded`))
    })

    await step('books the 5 further appointments the listing allows, the exit included', async () => {
      for (const [index, [kind, mode]] of FURTHER.entries())
        await book(kind, mode, londonDay(7 * (index + 1)))
      const rows = lw.locator('#appointments + table tbody tr')
      assert.equal(await rows.count(), 6)
    })

    await step('a 6th further appointment is refused, with the listing’s rule', async () => {
      await lw.getByRole('link', { name: 'Book an appointment' }).click()
      await arrive(lw, new RegExp(`${casePath}/appointments/new$`))
      assert.match(
        await main(lw),
        /An initial appointment, then at most 5 further appointments, the exit included/,
      )
      await lw.getByLabel('Follow-up', { exact: true }).check()
      await lw.getByLabel('Walk and talk', { exact: true }).check()
      await lw.getByLabel('Date', { exact: true }).fill(londonDay(42))
      await lw.getByLabel('Starts at').fill('14:00')
      await lw.getByRole('button', { name: 'Book appointment' }).click()
      await arrive(lw, new RegExp(`${casePath}/appointments$`))
      assert.match(await lw.title(), /^Error: /)
      assert.match(await textOf(lw.locator('.nhsuk-error-summary')), new RegExp(CAP))
      await lw.getByRole('link', { name: 'Back to the case' }).click()
      await arrive(lw, new RegExp(`${casePath}(#appointments)?$`))
      assert.equal(await lw.locator('#appointments + table tbody tr').count(), 6)
    })

    await step('writes the care plan: what matters, the focus and the follow-ups, and a goal', async () => {
      await lw.getByRole('link', { name: 'Care and support plan' }).click()
      await arrive(lw, new RegExp(`${casePath}/plan$`))
      await lw.getByLabel('What matters to me').fill(WHAT_MATTERS)
      await lw.getByLabel('Agreed focus').fill('Social connection close to home')
      await lw.getByLabel('Follow-ups: how', { exact: true }).selectOption({ label: 'Walk and talk' })
      await lw.getByLabel('Follow-ups: where').fill('Mile End Park')
      await lw.getByLabel('Follow-ups: how often').fill('Every week')
      await lw.getByRole('button', { name: 'Save plan' }).click()
      await arrive(lw, new RegExp(`${casePath}/plan\\?saved=plan`))
      await lw.getByLabel(/The goal, in the person/).fill(GOAL)
      await lw.getByLabel('Progress so far').selectOption({ label: 'Achieved' })
      await lw.getByRole('button', { name: 'Add goal' }).click()
      await arrive(lw, new RegExp(`${casePath}/plan\\?saved=`))
      await lw.getByRole('link', { name: 'Back to the case' }).click()
      await arrive(lw, new RegExp(`${casePath}$`))
    })

    await step('closes the case with an exit plan', async () => {
      await lw.getByRole('link', { name: 'Close the case' }).click()
      await arrive(lw, new RegExp(`${casePath}/exit$`))
      await lw.getByLabel('Goals met').check()
      await lw.getByLabel('Exit plan').fill(EXIT_PLAN)
      await lw.getByRole('button', { name: 'Close the case' }).click()
      await arrive(lw, new RegExp(`${casePath}\\?saved=closed`))
    })

    await step('the GP is notified and reads the outcome', async () => {
      await walker.notifiedOfCompletion(gp, PERSON, referralPath)
      const outcome = await walker.readOutcome(gp, referralPath)
      assert.match(outcome, new RegExp(`Referral to ${literal(LISTING)} Outcome for ${name}`))
      assert.match(outcome, /Case closed: goals met/)
      assert.match(outcome, new RegExp(`What matters to them: ${literal(WHAT_MATTERS)}`))
      assert.match(outcome, /Appointments attended: 1/)
      assert.match(outcome, new RegExp(`${literal(GOAL)}: achieved`))
      assert.match(outcome, new RegExp(`Exit plan: ${literal(EXIT_PLAN)}`))
    })
  } finally {
    await walker.close()
  }
}
