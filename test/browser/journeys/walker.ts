// What every journey in the browser is made of: steps run as subtests (a step that fails ends the
// journey there), and a walker that signs people in, follows links and checks that every page
// they reach passes the accessibility checks. Each journey has its own walker, people and pages.

import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { assertAccessible, type Kith, signedInContext } from '../harness.ts'

/** Kith with the demo data, and the browser the journeys share. */
export interface World {
  kith: Kith
  browser: Browser
}

export const ID = '[0-9a-f-]{36}'

export const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export const textOf = async (locator: Locator) => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ')

export const main = (page: Page) => textOf(page.locator('main'))

/** A London date `days` from today, as a date input takes it. */
export function londonDay(days: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(
    new Date(Date.now() + days * 86_400_000),
  )
}

/** Yesterday in London: an appointment that has taken place. */
export const yesterday = () => londonDay(-1)

/** The person a journey refers, as the referral form asks for them. */
export interface Person {
  givenName: string
  familyName: string
  /** A valid NHS number from the test range (999), different in each journey. */
  nhsNumber: string
  dateOfBirth: [day: string, month: string, year: string]
  /** The practice as the form's list shows it. */
  practice: string
  /** Where they live (invented, at a real postcode near the practice): line 1, town, postcode. */
  address: [line: string, town: string, postcode: string]
  conditions?: string[]
}

export const fullName = (person: Person) => `${person.givenName} ${person.familyName}`

/** Runs one step of a journey as a subtest; a step that fails ends the journey there. */
export type Step = (name: string, action: () => Promise<void>) => Promise<void>

export class Walker {
  readonly step: Step
  private readonly contexts: BrowserContext[] = []
  private page: Page | undefined
  private readonly world: World

  constructor(world: World, t: TestContext) {
    this.world = world
    this.step = async (name, action) => {
      let done = false
      await t.test(name, async (step) => {
        try {
          await action()
          done = true
        } catch (error) {
          if (this.page) step.diagnostic(`on ${this.page.url()}`)
          throw error
        }
      })
      if (!done) throw new Error(`The journey stopped at the step: ${name}`)
    }
  }

  /** Waits for the page an action leads to, then checks it is accessible. */
  async arrive(page: Page, url: RegExp): Promise<void> {
    this.page = page
    await page.waitForURL(url)
    await assertAccessible(page)
  }

  /** Signs in (by the session shortcut) and opens Kith's home page. */
  async signIn(email: string): Promise<Page> {
    const context = await signedInContext(this.world.browser, this.world.kith, email)
    this.contexts.push(context)
    const page = await context.newPage()
    await page.goto(`${this.world.kith.url}/`)
    await this.arrive(page, /\/$/)
    return page
  }

  /** Follows a link in the header's navigation. */
  async navigate(page: Page, name: string | RegExp, url: RegExp): Promise<void> {
    await page.locator('header').getByRole('link', { name, exact: true }).click()
    await this.arrive(page, url)
  }

  /** Opens the person's referral from those waiting for a reply in the inbox. */
  async openFromInbox(page: Page, person: Person): Promise<string> {
    await this.navigate(page, 'Referral inbox', /\/referrals\/inbox$/)
    await page
      .locator('table')
      .filter({ has: page.locator('caption', { hasText: 'Waiting for a reply' }) })
      .getByRole('link', { name: fullName(person) })
      .click()
    await this.arrive(page, new RegExp(`/referrals/${ID}$`))
    return new URL(page.url()).pathname
  }

  /** Chooses what has happened to a referral (and its note) and saves it. */
  async updateReferral(page: Page, status: string, note?: string): Promise<void> {
    const path = new URL(page.url()).pathname
    await page.getByLabel(status, { exact: true }).check()
    if (note) await page.getByLabel('Note (optional)').fill(note)
    await page.getByRole('button', { name: 'Save' }).click()
    await this.arrive(page, new RegExp(`${literal(path)}\\?changed=1$`))
  }

  /** Fills in who the person is on the referral form. */
  async fillPerson(page: Page, person: Person): Promise<void> {
    await page.getByLabel('NHS number (optional)').fill(person.nhsNumber)
    await page.getByLabel('First name').fill(person.givenName)
    await page.getByLabel('Last name').fill(person.familyName)
    await page.getByLabel('Day').fill(person.dateOfBirth[0])
    await page.getByLabel('Month').fill(person.dateOfBirth[1])
    await page.getByLabel('Year').fill(person.dateOfBirth[2])
    await page.getByLabel('GP practice').selectOption({ label: person.practice })
    await page.getByLabel('Address line 1').fill(person.address[0])
    await page.getByLabel('Town or city').fill(person.address[1])
    await page.getByLabel('Postcode').fill(person.address[2])
    for (const condition of person.conditions ?? []) await page.getByLabel(condition, { exact: true }).check()
  }

  /** Gives consent on the form: the person's own, verbally, unless given on their behalf. */
  async giveConsent(page: Page, onTheirBehalf?: { name: string; relationship: string }): Promise<void> {
    await page.getByLabel(/The person has given consent/).check()
    if (onTheirBehalf) {
      await page.getByLabel('Someone on their behalf', { exact: true }).check()
      await page.getByLabel('Name of the person who gave consent on their behalf').fill(onTheirBehalf.name)
      await page.getByLabel('Their relationship to the person').fill(onTheirBehalf.relationship)
    } else await page.getByLabel('The person', { exact: true }).check()
    await page.getByLabel('Verbally').check()
  }

  /** Sends the referral form; returns the referral's path. */
  async sendReferral(page: Page): Promise<string> {
    await page.getByRole('button', { name: 'Check and send the referral' }).click()
    await this.arrive(page, new RegExp(`/referrals/${ID}\\?sent=1$`))
    assert.match(await main(page), /The referral has been sent/)
    return new URL(page.url()).pathname
  }

  /** The referrer, notified that the referral completed, follows the notice to the referral. */
  async notifiedOfCompletion(page: Page, person: Person, referralPath: string): Promise<void> {
    await this.navigate(page, 'My referrals', /\/referrals$/)
    assert.match(await textOf(page.locator('tr').filter({ hasText: fullName(person) })), /Completed/)
    await this.navigate(page, /^Notifications \(\d+ unread\)$/, /\/notifications$/)
    const notice = page
      .locator('li')
      .filter({ hasText: 'Referral completed' })
      .filter({ has: page.locator(`a[href="${referralPath}"]`) })
    assert.match(await textOf(notice), /Its outcome is ready for you to read/)
    await notice.getByRole('link', { name: /^View/ }).click()
    await this.arrive(page, new RegExp(`${referralPath}$`))
  }

  /** From the referral, the referrer opens its outcome; returns the page's text. */
  async readOutcome(page: Page, referralPath: string): Promise<string> {
    await page.getByRole('link', { name: 'Read the outcome' }).click()
    await this.arrive(page, new RegExp(`${referralPath}/outcome$`))
    return main(page)
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close()
  }
}
