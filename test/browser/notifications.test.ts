import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { findUserByEmail } from '../../src/access/store.ts'
import { newId } from '../../src/db/ids.ts'
import { markAllRead, notify } from '../../src/interop/notifications.ts'
import { assertAccessible, openKith, signedInContext, visit } from './harness.ts'

const { kith, browser } = await openKith()

before(async () => {
  const referrer = await findUserByEmail(kith.db, 'gp.luton@kith.example')
  assert.ok(referrer)
  // The demo referrals have already notified the demo referrers: start these two from none unread.
  const newcastle = await findUserByEmail(kith.db, 'gp.newcastle@kith.example')
  assert.ok(newcastle)
  await markAllRead(kith.db, referrer.id)
  await markAllRead(kith.db, newcastle.id)
  await kith.db.transaction().execute(async (trx) => {
    await notify(
      trx,
      {
        userId: referrer.id,
        kind: 'referral.received',
        subject: 'Referral received',
        body: 'A referral you made has been received. Sign in to Kith to see it.',
        link: `/referrals/${newId()}`,
      },
      new Date('2026-11-20T10:00:00Z'),
    )
    await notify(
      trx,
      {
        userId: referrer.id,
        kind: 'referral.accepted',
        subject: 'Referral accepted',
        body: 'A referral you made has been accepted. Sign in to Kith to see it.',
        link: `/referrals/${newId()}`,
        channels: ['email', 'sms'],
      },
      new Date('2026-11-21T15:30:00Z'),
    )
  })
})

describe('notifications', () => {
  it('are listed with the unread ones marked, counted in the header, and can be marked read, all passing axe', async () => {
    const context = await signedInContext(browser, kith, 'gp.luton@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/notifications')
    assert.equal(await page.getByRole('link', { name: 'Notifications (2 unread)' }).count(), 1)
    const headings = await page.locator('main h2').allTextContents()
    assert.deepEqual(
      headings.map((h) => h.replace(/\s+/g, ' ').trim()).filter((h) => h.startsWith('Unread')),
      ['Unread Referral accepted', 'Unread Referral received'],
    )

    await page.getByRole('button', { name: /^Mark as read\s+–\s+Referral received/ }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    assert.equal(await page.getByRole('link', { name: 'Notifications (1 unread)' }).count(), 1)

    await page.getByRole('button', { name: 'Mark all as read' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    assert.match((await page.locator('main').textContent()) ?? '', /Every notification is marked as read/)
    assert.equal(await page.getByRole('link', { name: 'Notifications', exact: true }).count(), 1)
    await context.close()
  })

  it('work without JavaScript', async () => {
    const context = await signedInContext(browser, kith, 'gp.newcastle@kith.example', { javaScript: false })
    const page = await context.newPage()
    const response = await page.goto(`${kith.url}/notifications`)
    assert.equal(response?.status(), 200)
    assert.match((await page.locator('main').textContent()) ?? '', /You have no unread notifications/)
    await context.close()
  })

  it('are empty for someone with none, and that page passes axe too', async () => {
    const context = await signedInContext(browser, kith, 'navigator.luton@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/notifications')
    await context.close()
  })
})

describe('the outbox and the scheduled jobs', () => {
  it('pass axe for an administrator: the list, a filtered list, a message and the jobs', async () => {
    const context = await signedInContext(browser, kith, 'admin@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/admin/outbox')
    const text = (await page.locator('main').textContent()) ?? ''
    assert.match(text, /GOV\.UK Notify is not configured/)
    assert.match(text, /gp\.luton@kith\.example/)
    assert.match(text, /No address/)

    await page.getByLabel('Show messages that are').selectOption('no_address')
    await page.getByRole('button', { name: 'Show' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    assert.equal(new URL(page.url()).searchParams.get('status'), 'no_address')

    await page.getByRole('link', { name: /^Referral accepted to nobody/ }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    assert.match((await page.locator('main').textContent()) ?? '', /The account has no mobile phone number/)

    await visit(page, kith, '/admin/jobs')
    assert.match((await page.locator('main').textContent()) ?? '', /interop\.deliver-messages/)
    await context.close()
  })

  it('is refused to people who are not administrators', async () => {
    const context = await signedInContext(browser, kith, 'gp.luton@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/admin/outbox', 403)
    await context.close()
  })
})
