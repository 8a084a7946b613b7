// How much a page costs over the wire (issue 16, "Light pages"; decision 0015): the bytes the
// browser receives for a page and everything it loads, headers included, as Chromium counts them.
// A first visit (nothing cached) stays within 60 KB; a later page, with the assets cached, 15 KB.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { loadAssets } from '../../src/web/assets.ts'
import { openKith, signedInContext, signInThroughForm } from './harness.ts'

const KB = 1024
const FIRST_PAGE = 60 * KB
const LATER_PAGE = 15 * KB

const { kith, browser } = await openKith()
// Every asset is compressed once at start; wait for that, as a server that has been up would.
await (await loadAssets()).compressed()

interface Transfer {
  url: string
  bytes: number
  encoding: string | undefined
  cached: boolean
}

interface Weight {
  /** Bytes received from Kith, headers included. */
  kith: number
  transfers: Transfer[]
  /** Requests to other sites (the NHS.UK fonts): counted apart; this machine cannot reach them. */
  elsewhere: string[]
}

/** The bytes received while `load` runs, by Chromium's own count (Network.loadingFinished). */
async function weigh(page: Page, load: () => Promise<unknown>): Promise<Weight> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  const requests = new Map<string, Transfer>()
  const done: Transfer[] = []
  const elsewhere: string[] = []
  cdp.on('Network.requestWillBeSent', (event) => {
    // A redirect ends one response and starts the next request under the same id.
    const redirected = requests.get(event.requestId)
    if (redirected && event.redirectResponse) {
      done.push({ ...redirected, bytes: event.redirectResponse.encodedDataLength })
    }
    requests.set(event.requestId, { url: event.request.url, bytes: 0, encoding: undefined, cached: false })
  })
  cdp.on('Network.requestServedFromCache', (event) => {
    const transfer = requests.get(event.requestId)
    if (transfer) transfer.cached = true
  })
  cdp.on('Network.responseReceived', (event) => {
    const transfer = requests.get(event.requestId)
    if (!transfer) return
    transfer.cached ||= event.response.fromDiskCache === true
    const headers = Object.fromEntries(
      Object.entries(event.response.headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
    )
    transfer.encoding = headers['content-encoding']
  })
  cdp.on('Network.loadingFinished', (event) => {
    const transfer = requests.get(event.requestId)
    if (!transfer) return
    transfer.bytes = event.encodedDataLength
    done.push(transfer)
  })
  cdp.on('Network.loadingFailed', (event) => {
    const transfer = requests.get(event.requestId)
    if (transfer) elsewhere.push(transfer.url)
  })
  await load()
  await page.waitForLoadState('networkidle')
  await cdp.detach()
  const own = done.filter((transfer) => transfer.url.startsWith(kith.url))
  for (const transfer of done) if (!transfer.url.startsWith(kith.url)) elsewhere.push(transfer.url)
  return {
    kith: own.reduce((sum, transfer) => sum + transfer.bytes, 0),
    transfers: own,
    elsewhere: [...new Set(elsewhere)].filter((url) => !url.startsWith(kith.url) && !url.startsWith('data:')),
  }
}

function report(name: string, weight: Weight): void {
  const lines = weight.transfers.map(
    (t) =>
      `    ${(t.bytes / KB).toFixed(1).padStart(6)} KB  ${t.cached ? 'cached' : (t.encoding ?? 'identity').padEnd(6)}  ${new URL(t.url).pathname}`,
  )
  const elsewhere = weight.elsewhere.length
    ? [`    not counted (other sites): ${weight.elsewhere.join(', ')}`]
    : []
  console.log(
    [`${name}: ${(weight.kith / KB).toFixed(1)} KB over the wire`, ...lines, ...elsewhere].join('\n'),
  )
}

describe('page weight', () => {
  it('keeps the first page within 60 KB and later pages within 15 KB, signing in through the form', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const first = await weigh(page, () => page.goto(`${kith.url}/sign-in`))
    report('First page, sign-in', first)
    assert.ok(first.kith <= FIRST_PAGE, `the sign-in page took ${first.kith} bytes`)
    assert.ok(
      first.transfers.some((t) => t.url.includes('/static/styles.') && t.encoding === 'br'),
      'the stylesheet came compressed with brotli',
    )

    const home = await weigh(page, () => signInThroughForm(page, kith, 'linkworker.newcastle@kith.example'))
    report('Later page, signing in and the home page', home)
    assert.ok(home.kith <= LATER_PAGE, `signing in and the home page took ${home.kith} bytes`)
    await context.close()
  })

  it('keeps a signed-in first visit within 60 KB and the pages after it within 15 KB', async () => {
    const context = await signedInContext(browser, kith, 'linkworker.newcastle@kith.example')
    const page = await context.newPage()
    const first = await weigh(page, () => page.goto(`${kith.url}/`))
    report('First page, signed-in home page', first)
    assert.ok(first.kith <= FIRST_PAGE, `the home page took ${first.kith} bytes`)

    for (const path of [
      '/casework',
      '/casework/diary',
      '/directory?q=walking',
      '/referrals/inbox',
      '/account',
    ]) {
      const later = await weigh(page, () => page.goto(kith.url + path))
      report(`Later page, ${path}`, later)
      assert.ok(later.kith <= LATER_PAGE, `${path} took ${later.kith} bytes`)
      assert.ok(
        later.transfers.every((t) => !t.url.includes('/static/') || t.cached),
        `${path} used the cached assets`,
      )
    }
    await context.close()
  })
})
