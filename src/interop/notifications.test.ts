import assert from 'node:assert/strict'
import { it } from 'node:test'
import { newId } from '../db/ids.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'
import { countUnread, listNotifications, notify, UnsafeNotice } from './notifications.ts'
import { getOutboxMessage } from './outbox.ts'

const T0 = new Date('2026-11-22T09:00:00.000Z')
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000)
const ACCEPTED = {
  kind: 'referral.accepted',
  subject: 'Referral accepted',
  body: 'A referral you made has been accepted. Sign in to Kith to see it.',
}

describeEachDatabase('notify', (database) => {
  it('writes the in-app notification and an email in the outbox, in the caller’s transaction', async () => {
    const { db } = database()
    const referrer = await createAccount(db, 'referrer')
    const link = `/referrals/${newId()}`
    const { notificationId, messageIds } = await db
      .transaction()
      .execute((trx) => notify(trx, { userId: referrer.userId, ...ACCEPTED, link }, T0))

    const [notification] = await listNotifications(db, referrer.userId)
    assert.deepEqual(
      { ...notification },
      {
        id: notificationId,
        kind: 'referral.accepted',
        subject: 'Referral accepted',
        body: ACCEPTED.body,
        link,
        createdAt: T0.toISOString(),
        readAt: null,
      },
    )
    assert.equal(messageIds.length, 1)
    const message = await getOutboxMessage(db, messageIds[0]!)
    assert.equal(message?.channel, 'email')
    assert.equal(message?.address, referrer.email)
    assert.equal(message?.status, 'pending')
    assert.equal(message?.nextAttemptAt, T0.toISOString())
  })

  it('leaves nothing behind when the change it belongs to is rolled back', async () => {
    const { db } = database()
    const referrer = await createAccount(db, 'referrer')
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await notify(trx, { userId: referrer.userId, ...ACCEPTED }, T0)
        throw new Error('the referral could not be saved')
      }),
      /could not be saved/,
    )
    assert.deepEqual(await listNotifications(db, referrer.userId), [])
    assert.deepEqual(await db.selectFrom('outbox_messages').select('id').execute(), [])
  })

  it('records a text message for an account with no mobile number as having no address', async () => {
    const { db } = database()
    const referrer = await createAccount(db, 'referrer')
    const { messageIds } = await notify(
      db,
      { userId: referrer.userId, ...ACCEPTED, channels: ['email', 'sms'] },
      T0,
    )
    const sms = await getOutboxMessage(db, messageIds[1]!)
    assert.equal(sms?.channel, 'sms')
    assert.equal(sms?.status, 'no_address')
    assert.equal(sms?.address, null)
    assert.equal(sms?.lastError, 'The account has no mobile phone number')
    const inAppOnly = await notify(db, { userId: referrer.userId, ...ACCEPTED, channels: [] }, T0)
    assert.deepEqual(inAppOnly.messageIds, [])
  })

  it('refuses text that carries personal data, or a link that is not a Kith path, and writes nothing', async () => {
    const { db } = database()
    const referrer = await createAccount(db, 'referrer')
    const unsafe: [Partial<typeof ACCEPTED> & { link?: string }, RegExp][] = [
      [{ body: 'The referral for 943 476 5919 has been accepted.' }, /NHS number/],
      [{ body: 'The referral for 9434765919 has been accepted.' }, /NHS number/],
      [{ body: 'Write to jane.doe@example.com about the referral.' }, /email address/],
      [{ subject: 'Referral from EX15 1FE accepted' }, /postcode/],
      [{ body: 'Call them on 07700 900123.' }, /mobile phone number/],
      [{ link: 'https://elsewhere.example/referrals/1' }, /path in Kith/],
      [{ link: '/people?name=Jane' }, /path in Kith/],
      [{ kind: 'Referral accepted' }, /kind/],
      [{ subject: '' }, /subject/],
    ]
    for (const [change, message] of unsafe) {
      await assert.rejects(
        db
          .transaction()
          .execute((trx) => notify(trx, { userId: referrer.userId, ...ACCEPTED, ...change }, T0)),
        (error: Error) => error instanceof UnsafeNotice && message.test(error.message),
        JSON.stringify(change),
      )
    }
    assert.deepEqual(await listNotifications(db, referrer.userId), [])
    assert.deepEqual(await db.selectFrom('outbox_messages').select('id').execute(), [])
  })
})

describeEachDatabase('the notifications page', (database) => {
  it('lists the user’s own notifications newest first, marks the unread ones and counts them in the header', async () => {
    const { db } = database()
    const app = await testApp(db)
    const referrer = await createAccount(db, 'referrer')
    const someoneElse = await createAccount(db, 'referrer')
    await notify(db, { userId: referrer.userId, ...ACCEPTED, subject: 'First news' }, minutes(0))
    await notify(db, { userId: referrer.userId, ...ACCEPTED, subject: 'Second news' }, minutes(5))
    await notify(db, { userId: someoneElse.userId, ...ACCEPTED, subject: 'Not yours' }, minutes(6))

    const client = await new PageClient(app).signInAs(referrer.userId)
    const page = await client.get('/notifications')
    assert.equal(page.statusCode, 200)
    const text = textOf(page.body)
    assert.match(text, /You have 2 unread notifications/)
    assert.ok(text.indexOf('Second news') < text.indexOf('First news'), 'newest first')
    assert.doesNotMatch(text, /Not yours/)
    assert.equal(text.match(/\bUnread\b/g)?.length, 2)
    assert.match(page.body, /href="\/notifications"[^>]*>(<strong[^>]*>)?Notifications \(2 unread\)</)
    // The count shows on every page, such as the home page.
    assert.match((await client.get('/')).body, /Notifications \(2 unread\)/)
    await app.close()
  })

  it('marks one notification read, and refuses someone else’s with 404, changing nothing', async () => {
    const { db } = database()
    const app = await testApp(db, {}, () => minutes(30))
    const referrer = await createAccount(db, 'referrer')
    const someoneElse = await createAccount(db, 'referrer')
    const mine = await notify(db, { userId: referrer.userId, ...ACCEPTED }, T0)
    const theirs = await notify(db, { userId: someoneElse.userId, ...ACCEPTED }, T0)
    const client = await new PageClient(app).signInAs(referrer.userId)

    const refused = await client.post(`/notifications/${theirs.notificationId}/read`, {})
    assert.equal(refused.statusCode, 404)
    assert.equal(await countUnread(db, someoneElse.userId), 1)
    assert.equal((await client.post('/notifications/not-an-id/read', {})).statusCode, 404)

    const done = await client.post(`/notifications/${mine.notificationId}/read`, {})
    assert.equal(done.statusCode, 303)
    assert.equal(done.headers.location, `/notifications#notification-${mine.notificationId}`)
    assert.equal(await countUnread(db, referrer.userId), 0)
    const [notification] = await listNotifications(db, referrer.userId)
    assert.equal(notification?.readAt, minutes(30).toISOString())
    const page = await client.get('/notifications')
    assert.match(textOf(page.body), /You have no unread notifications/)
    assert.match(textOf(page.body), /read 22 November 2026 at 9:30am/)
    assert.match(page.body, /href="\/notifications"[^>]*>(<strong[^>]*>)?Notifications</)
    await app.close()
  })

  it('marks all read, and needs the form’s CSRF token to do it', async () => {
    const { db } = database()
    const app = await testApp(db)
    const referrer = await createAccount(db, 'referrer')
    for (let n = 0; n < 3; n++) await notify(db, { userId: referrer.userId, ...ACCEPTED }, minutes(n))
    const client = await new PageClient(app).signInAs(referrer.userId)
    assert.equal((await client.post('/notifications/read-all', {}, { csrf: false })).statusCode, 403)
    assert.equal(await countUnread(db, referrer.userId), 3)
    const done = await client.post('/notifications/read-all', {})
    assert.equal(done.statusCode, 303)
    assert.equal(await countUnread(db, referrer.userId), 0)
    assert.match(
      textOf((await client.get(done.headers.location as string)).body),
      /Every notification is marked as read/,
    )
    await app.close()
  })

  it('pages through long lists', async () => {
    const { db } = database()
    const app = await testApp(db)
    const referrer = await createAccount(db, 'referrer')
    await db.transaction().execute(async (trx) => {
      for (let n = 0; n < 51; n++)
        await notify(
          trx,
          { userId: referrer.userId, ...ACCEPTED, subject: `News ${n}`, channels: [] },
          minutes(n),
        )
    })
    const client = await new PageClient(app).signInAs(referrer.userId)
    const first = await client.get('/notifications')
    assert.match(textOf(first.body), /News 50/)
    assert.doesNotMatch(textOf(first.body), /News 0 /)
    const older = /href="(\/notifications\?before=[0-9a-f-]+)"/.exec(first.body)?.[1]
    assert.ok(older)
    const second = textOf((await client.get(older)).body)
    assert.match(second, /News 0 /)
    assert.doesNotMatch(second, /News 1 /)
    await app.close()
  })

  it('asks people who are not signed in to sign in', async () => {
    const { db } = database()
    const app = await testApp(db)
    const response = await app.inject({ url: '/notifications' })
    assert.equal(response.statusCode, 303)
    assert.match(String(response.headers.location), /^\/sign-in\?next=/)
    await app.close()
  })
})

describeEachDatabase('the outbox page', (database) => {
  it('shows administrators every message, says Notify is not configured, and opens a message with its attempts', async () => {
    const { db } = database()
    const app = await testApp(db)
    const admin = await createAccount(db, 'administrator')
    const referrer = await createAccount(db, 'referrer', { name: 'Rita Referrer' })
    const link = `/referrals/${newId()}`
    const { messageIds } = await notify(db, { userId: referrer.userId, ...ACCEPTED, link }, T0)
    await db
      .insertInto('outbox_attempts')
      .values({
        id: newId(),
        message_id: messageIds[0]!,
        at: T0.toISOString(),
        outcome: 'failed',
        status_code: 500,
        error: 'Exception: Internal server error',
      })
      .execute()

    const client = await new PageClient(app).signInAs(admin.userId)
    const list = await client.get('/admin/outbox')
    assert.equal(list.statusCode, 200)
    const text = textOf(list.body)
    assert.match(text, /GOV\.UK Notify is not configured/)
    assert.match(text, new RegExp(referrer.email.replace(/\./g, '\\.')))
    assert.match(text, /Referral accepted/)
    assert.match(text, /Waiting to be sent/)
    // Channel, address, subject, status and attempts, as a row reads.
    assert.match(
      text,
      new RegExp(
        `Channel Email To ${referrer.email.replace(/\./g, '\\.')} Subject Referral accepted .* Status Waiting to be sent Attempts 0`,
      ),
    )

    const filtered = textOf((await client.get('/admin/outbox?status=sent')).body)
    assert.match(filtered, /There are no messages that are sent/)

    const detail = await client.get(`/admin/outbox/${messageIds[0]}`)
    assert.equal(detail.statusCode, 200)
    const detailText = textOf(detail.body)
    assert.match(detailText, /Rita Referrer/)
    assert.match(detailText, new RegExp(`http://kith\\.test${link}`))
    assert.match(detailText, /Exception: Internal server error/)
    assert.equal((await client.get(`/admin/outbox/${newId()}`)).statusCode, 404)
    await app.close()
  })

  it('is refused to everyone but administrators', async () => {
    const { db } = database()
    const app = await testApp(db)
    for (const role of ['referrer', 'link_worker', 'provider', 'programme_manager'] as const) {
      const account = await createAccount(db, role)
      const client = await new PageClient(app).signInAs(account.userId)
      assert.equal((await client.get('/admin/outbox')).statusCode, 403, role)
      assert.equal((await client.get('/admin/jobs')).statusCode, 403, role)
    }
    await app.close()
  })

  it('lists the scheduled jobs for administrators', async () => {
    const { db } = database()
    const app = await testApp(db)
    const admin = await createAccount(db, 'administrator')
    const client = await new PageClient(app).signInAs(admin.userId)
    const text = textOf((await client.get('/admin/jobs')).body)
    for (const name of [
      'access.remove-expired-sessions',
      'access.remove-old-sign-in-failures',
      'interop.deliver-messages',
    ]) {
      assert.match(text, new RegExp(name.replace(/\./g, '\\.')))
    }
    assert.match(text, /Not run yet/)
    assert.match(text, /does not run the scheduler/)
    await app.close()
  })
})
