// The browser tests' harness: Kith with the demo data on a fresh SQLite file, Debian's Chromium
// driven by playwright-core, and the accessibility checks every page must pass.

import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { AxeBuilder } from '@axe-core/playwright'
import type { FastifyInstance } from 'fastify'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { DEMO_PASSWORD } from '../../src/access/demo.ts'
import { SESSION_COOKIE } from '../../src/access/plugin.ts'
import { createSession } from '../../src/access/sessions.ts'
import { findUserByEmail } from '../../src/access/store.ts'
import { openDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import type { Db } from '../../src/db/schema.ts'
import { type Demo, seedDemo } from '../../src/demo.ts'
import { loadAssets } from '../../src/web/assets.ts'
import { testApp } from '../../src/web/testing.ts'

export interface Kith {
  url: string
  app: FastifyInstance
  db: Db
  demo: Demo
  close(): Promise<void>
}

/** Kith on a fresh SQLite file with the demo data, listening on a free port. */
export async function startKith(): Promise<Kith> {
  const dir = await mkdtemp(join(tmpdir(), 'kith-browser-'))
  const db = openDatabase({ sqliteFile: join(dir, 'kith.sqlite') })
  await migrateToLatest(db)
  const demo = await seedDemo(db)
  const app = await testApp(db)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    url: address,
    app,
    db,
    demo,
    async close() {
      await app.close()
      await db.destroy()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Kith and Chromium for one test file's tests, both closed when they have run. */
export async function openKith(): Promise<{ kith: Kith; browser: Browser }> {
  const kith = await startKith()
  const browser = await launchBrowser()
  after(async () => {
    await browser.close()
    await kith.close()
  })
  return { kith, browser }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A browser context signed in as a demo account, by making its session directly. */
export async function signedInContext(
  browser: Browser,
  kith: Kith,
  email: string,
  options: { javaScript?: boolean } = {},
): Promise<BrowserContext> {
  const user = await findUserByEmail(kith.db, email)
  assert.ok(user, `no account ${email}`)
  const secret = await createSession(kith.db, user.id, { idleMinutes: 30, maxHours: 12 })
  const context = await browser.newContext({ javaScriptEnabled: options.javaScript ?? true })
  await context.addCookies([
    { name: SESSION_COOKIE, value: secret, url: kith.url, httpOnly: true, sameSite: 'Lax' },
  ])
  return context
}

/** Signs in through the sign-in form, as a person would. */
export async function signInThroughForm(
  page: Page,
  kith: Kith,
  email: string,
  password = DEMO_PASSWORD,
): Promise<void> {
  await page.goto(`${kith.url}/sign-in`)
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${kith.url}/`)
}

/**
 * The accessibility baseline every page meets: axe finds no WCAG 2.2 A or AA violation, the page
 * has a title ending "– Kith" and one h1, and no two links share text but go to different places.
 * And the page is styled: no element has a class of the NHS.UK frontend whose rules were left
 * out of Kith's stylesheet as unused (decision 0015).
 */
export async function assertAccessible(page: Page): Promise<void> {
  const { unusedClasses } = await loadAssets()
  const classes = await page.$$eval('[class]', (elements) => [
    ...new Set(elements.flatMap((element) => [...element.classList])),
  ])
  assert.deepEqual(
    classes.filter((name) => unusedClasses.has(name)),
    [],
    `classes on ${page.url()} whose styles were left out of styles.css`,
  )

  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'])
    .analyze()
  const violations = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`,
  )
  assert.deepEqual(violations, [], `axe found violations on ${page.url()}`)
  assert.match(await page.title(), / – Kith$/, `title of ${page.url()}`)
  assert.equal(await page.locator('h1').count(), 1, `one h1 on ${page.url()}`)
  const links = await page.$$eval('a[href]', (anchors) =>
    anchors.map((a) => ({
      text: (a.getAttribute('aria-label') ?? a.textContent ?? '').replace(/\s+/g, ' ').trim(),
      href: new URL((a as HTMLAnchorElement).href).pathname + new URL((a as HTMLAnchorElement).href).search,
    })),
  )
  const targets = new Map<string, Set<string>>()
  for (const link of links) targets.set(link.text, (targets.get(link.text) ?? new Set()).add(link.href))
  const ambiguous = [...targets]
    .filter(([, hrefs]) => hrefs.size > 1)
    .map(([text, hrefs]) => `"${text}" → ${[...hrefs].join(', ')}`)
  assert.deepEqual(ambiguous, [], `links with the same text but different targets on ${page.url()}`)
}

/** Opens a path, checks it answered `status` and is accessible. */
export async function visit(page: Page, kith: Kith, path: string, status = 200): Promise<void> {
  const response = await page.goto(kith.url + path)
  assert.equal(response?.status(), status, `${path} answered ${response?.status()}`)
  await assertAccessible(page)
}
