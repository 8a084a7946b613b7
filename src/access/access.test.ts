import assert from 'node:assert/strict'
import { it } from 'node:test'
import { describeEachDatabase } from '../db/testing.ts'
import { referralSetUp } from '../referrals/testing.ts'
import { createAccount, PageClient, testApp, textOf } from '../web/testing.ts'
import { listAuditEvents } from './audit.ts'
import { SESSION_COOKIE } from './plugin.ts'
import { ADDRESS_FAILURES, recordSignInFailure, signInGate } from './sign-in-limits.ts'
import { createApiToken, revokeApiToken } from './tokens.ts'

describeEachDatabase('the start page', (database) => {
  it('shows people who are not signed in what Kith is, the directory, self-referral and sign-in', async () => {
    const { db } = database()
    const closed = await referralSetUp(db)
    const open = await referralSetUp(db, { referralSources: ['gp_practice', 'self'] })
    const app = await testApp(db)
    const visitor = new PageClient(app)
    const start = await visitor.get('/')
    assert.equal(start.statusCode, 200)
    const html = start.body
    const text = textOf(html)
    assert.match(html, /<title>Help from your community for your health and wellbeing – Kith<\/title>/)
    assert.match(text, /Kith connects people to activities, groups and services in their community/)
    assert.match(text, /Find a service or activity .* Refer yourself .* For professionals/)
    assert.match(html, /class="nhsuk-action-link"\s+href="\/directory"/)
    // Self-referral lists what takes it, and nothing else.
    assert.match(html, new RegExp(`href="/self-referral/programmes/${open.programmeId}"`))
    assert.doesNotMatch(html, new RegExp(closed.programmeId))
    assert.match(html, /<a href="\/sign-in">Sign in<\/a>/)
    // The header leads to the public directory, to self-referral and to signing in.
    const header = /<header[\s\S]*?<\/header>/.exec(html)?.[0] ?? ''
    for (const href of ['/directory', '/self-referral', '/sign-in'])
      assert.match(header, new RegExp(`href="${href}"`), href)
    // No script is needed: the page is whole as served.
    assert.doesNotMatch(html, /<noscript/)

    const signIn = await visitor.get('/sign-in')
    assert.match(signIn.body, /<a href="\/directory">find a service or activity<\/a>/)
    assert.match(signIn.body, /<a href="\/self-referral">refer yourself<\/a>/)
    assert.match(/<header[\s\S]*?<\/header>/.exec(signIn.body)?.[0] ?? '', /href="\/self-referral"/)
    await app.close()
  })

  it('keeps the home page for signed-in users, with their own navigation', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'referrer', { name: 'Dr Peter Walsh' })
    const client = await new PageClient(app).signInAs(account.userId)
    const home = await client.get('/')
    assert.equal(home.statusCode, 200)
    assert.match(textOf(home.body), /Hello, Dr Peter Walsh/)
    const header = /<header[\s\S]*?<\/header>/.exec(home.body)?.[0] ?? ''
    assert.doesNotMatch(header, /Refer yourself|href="\/sign-in"/)
    assert.match(header, /Sign out/)
    await app.close()
  })
})

describeEachDatabase('signing in and out', (database) => {
  it('signs in with the right password, with a new session id, and is audited', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'referrer')
    const client = new PageClient(app)
    client.cookies.set(SESSION_COOKIE, 'a-session-id-from-before')
    const response = await client.post('/sign-in', {
      email: account.email.toUpperCase(),
      password: account.password,
      next: '/account',
    })
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/account')
    const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE)
    assert.ok(cookie)
    assert.notEqual(cookie.value, 'a-session-id-from-before')
    assert.equal(cookie.httpOnly, true)
    assert.equal(cookie.sameSite, 'Lax')
    const page = await client.get('/account')
    assert.equal(page.statusCode, 200)
    assert.match(textOf(page.body), new RegExp(account.email.replace('.', '\\.')))
    const events = await listAuditEvents(db, { actorUserId: account.userId, action: 'sign-in' })
    assert.equal(events.length, 1)
    await app.close()
  })

  it('marks the session cookie Secure in production', async () => {
    const { db } = database()
    const app = await testApp(db, { env: 'production' })
    const account = await createAccount(db, 'referrer')
    const response = await new PageClient(app).post('/sign-in', {
      email: account.email,
      password: account.password,
    })
    assert.equal(response.cookies.find((c) => c.name === SESSION_COOKIE)?.secure, true)
    await app.close()
  })

  it('refuses a wrong password with a message that does not say whether the email exists', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'referrer')
    const wrongPassword = await new PageClient(app).post('/sign-in', {
      email: account.email,
      password: 'not the password',
    })
    const unknownEmail = await new PageClient(app).post('/sign-in', {
      email: 'nobody@kith.test',
      password: 'not the password',
    })
    assert.equal(wrongPassword.statusCode, 401)
    assert.equal(unknownEmail.statusCode, 401)
    const message = (body: string) => /There is a problem (.*?) Email address/.exec(textOf(body))?.[1]
    assert.ok(message(wrongPassword.body))
    assert.equal(message(wrongPassword.body), message(unknownEmail.body))
    assert.match(wrongPassword.body, /<title>Error: Sign in – Kith<\/title>/)
    assert.equal(
      wrongPassword.cookies.find((c) => c.name === SESSION_COOKIE),
      undefined,
    )
    assert.equal((await listAuditEvents(db, { action: 'sign-in-failed' })).length, 2)
    await app.close()
  })

  it('locks an account after 5 failures, even with the right password, and the lock looks the same for unknown emails', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'referrer')
    const client = new PageClient(app)
    for (let attempt = 1; attempt <= 5; attempt++) {
      assert.equal(
        (await client.post('/sign-in', { email: account.email, password: `wrong ${attempt}` })).statusCode,
        401,
      )
      assert.equal(
        (await client.post('/sign-in', { email: 'ghost@kith.test', password: `wrong ${attempt}` }))
          .statusCode,
        401,
      )
    }
    const locked = await client.post('/sign-in', { email: account.email, password: account.password })
    const ghost = await client.post('/sign-in', { email: 'ghost@kith.test', password: 'anything' })
    assert.equal(locked.statusCode, 429)
    assert.equal(ghost.statusCode, 429)
    assert.match(textOf(locked.body), /too many failed attempts/i)
    assert.equal(
      locked.cookies.find((c) => c.name === SESSION_COOKIE),
      undefined,
    )
    await app.close()
  })

  it('asks for missing fields and keeps the email typed', async () => {
    const { db } = database()
    const app = await testApp(db)
    const response = await new PageClient(app).post('/sign-in', { email: 'someone@kith.test', password: '' })
    assert.equal(response.statusCode, 400)
    assert.match(textOf(response.body), /Enter your password/)
    assert.match(response.body, /href="#password"/)
    assert.match(response.body, /value="someone@kith.test"/)
    await app.close()
  })

  it('refuses a form without its CSRF token and changes nothing', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'referrer')
    const response = await new PageClient(app).post(
      '/sign-in',
      { email: account.email, password: account.password },
      { csrf: false },
    )
    assert.equal(response.statusCode, 403)
    assert.match(textOf(response.body), /This form has expired/)
    assert.equal(
      response.cookies.find((c) => c.name === SESSION_COOKIE),
      undefined,
    )
    assert.equal((await listAuditEvents(db, { action: 'sign-in' })).length, 0)
    await app.close()
  })

  it('signs out, ending the session in the database', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'referrer')
    const client = await new PageClient(app).signInAs(account.userId)
    const signOut = await client.post('/sign-out', {})
    assert.equal(signOut.statusCode, 303)
    assert.equal(signOut.headers.location, '/sign-in?signedOut=1')
    assert.equal((await db.selectFrom('sessions').selectAll().execute()).length, 0)
    // Signed out, `/` is the public start page rather than the home page.
    const home = await client.get('/')
    assert.equal(home.statusCode, 200)
    assert.doesNotMatch(textOf(home.body), /Hello,/)
    assert.match(textOf(home.body), /For professionals .* Sign in/)
    assert.equal((await listAuditEvents(db, { action: 'sign-out' })).length, 1)
    await app.close()
  })

  it('ends a session left idle too long, and a form sent on it saves nothing', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'referrer')
    const client = await new PageClient(app).signInAs(account.userId)
    await client.get('/account')
    const longAgo = new Date(Date.now() - 31 * 60_000).toISOString()
    await db.updateTable('sessions').set({ last_seen_at: longAgo }).execute()
    const response = await client.post('/account/tokens', { name: 'Should not be made' })
    assert.equal(response.statusCode, 401)
    assert.match(textOf(response.body), /Your session ended, so nothing was saved/)
    assert.equal((await db.selectFrom('api_tokens').selectAll().execute()).length, 0)
    const page = await client.get('/account')
    assert.equal(page.statusCode, 303)
    await app.close()
  })

  it('sends a signed-out visitor to sign in and back again', async () => {
    const { db } = database()
    const app = await testApp(db)
    const response = await new PageClient(app).get('/admin/users')
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/sign-in?next=%2Fadmin%2Fusers')
    await app.close()
  })

  it('never redirects after sign-in to another site', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'referrer')
    const response = await new PageClient(app).post('/sign-in', {
      email: account.email,
      password: account.password,
      next: '//evil.example/',
    })
    assert.equal(response.headers.location, '/')
    await app.close()
  })
})

describeEachDatabase('the JSON API', (database) => {
  it('answers /api/v1/me for a bearer token with the user, organisations and roles', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'link_worker', { title: 'Navigator' })
    const { token } = await createApiToken(db, account.userId, 'test')
    const response = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })
    assert.equal(response.statusCode, 200)
    const me = response.json()
    assert.equal(me.email, account.email)
    assert.deepEqual(me.organisations[0].roles, [{ role: 'link_worker', title: 'Navigator' }])
    await app.close()
  })

  it('refuses a missing, unknown or revoked token with a problem document', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'referrer')
    const { id, token } = await createApiToken(db, account.userId, 'test')
    await db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
    for (const authorization of [undefined, 'Bearer kith_unknown', `Bearer ${token}`]) {
      const response = await app.inject({
        url: '/api/v1/me',
        headers: authorization ? { authorization } : {},
      })
      assert.equal(response.statusCode, 401)
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
      assert.equal(response.json().status, 401)
    }
    await app.close()
  })

  it('answers many requests sent at once with one token, each with its own user, and refuses it once revoked', async () => {
    const { db } = database()
    const app = await testApp(db)
    const first = await createAccount(db, 'link_worker', { title: 'Navigator' })
    const second = await createAccount(db, 'referrer')
    const { id, token } = await createApiToken(db, first.userId, 'integration')
    const { token: other } = await createApiToken(db, second.userId, 'other')
    const me = (bearer: string) =>
      app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${bearer}` } })
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, () => me(token)),
      me(other),
      me('kith_unknown'),
    ])
    assert.deepEqual(
      answers.slice(0, 20).map((answer) => [answer.statusCode, answer.json().email]),
      Array.from({ length: 20 }, () => [200, first.email]),
    )
    assert.equal(answers[20]!.json().email, second.email)
    assert.equal(answers[21]!.statusCode, 401)
    await revokeApiToken(db, first.userId, id)
    const afterRevoking = await Promise.all([me(token), me(token)])
    assert.deepEqual(
      afterRevoking.map((answer) => answer.statusCode),
      [401, 401],
    )
    assert.equal((await me(other)).statusCode, 200)
    await app.close()
  })

  it('does not accept a session cookie in place of a token', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'referrer')
    const client = await new PageClient(app).signInAs(account.userId)
    const response = await client.get('/api/v1/me')
    assert.equal(response.statusCode, 401)
    await app.close()
  })

  it('answers an unknown API path with a 404 problem document and an unknown page with the 404 page', async () => {
    const { db } = database()
    const app = await testApp(db)
    const api = await app.inject({ url: '/api/v1/no-such-thing' })
    assert.equal(api.statusCode, 404)
    assert.equal(api.json().title, 'Not found')
    const page = await app.inject({ url: '/no-such-page' })
    assert.equal(page.statusCode, 404)
    assert.match(page.body, /<title>Page not found – Kith<\/title>/)
    assert.doesNotMatch(page.body, /at .*\.ts:\d+/)
    await app.close()
  })

  it('refuses an oversized body with 413 and changes nothing', async () => {
    const { db } = database()
    const app = await testApp(db)
    const response = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${'a'.repeat(2 * 1024 * 1024)}`,
    })
    assert.equal(response.statusCode, 413)
    assert.match(textOf(response.body), /too large/)
    assert.equal((await listAuditEvents(db)).length, 0)
    await app.close()
  })

  it('manages tokens from the account page: created once, shown once, revoked', async () => {
    const { db } = database()
    const app = await testApp(db)
    const account = await createAccount(db, 'provider')
    const client = await new PageClient(app).signInAs(account.userId)
    const created = await client.post('/account/tokens', { name: 'Booking system' })
    const token = /id="new-token">([^<]+)</.exec(created.body)?.[1]
    assert.ok(token?.startsWith('kith_'))
    assert.equal(
      (await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode,
      200,
    )
    const [row] = await db.selectFrom('api_tokens').select(['id', 'token_hash']).execute()
    assert.ok(row)
    assert.notEqual(row.token_hash, token)
    await client.post(`/account/tokens/${row.id}/revoke`, {})
    assert.equal(
      (await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode,
      401,
    )
    await app.close()
  })
})

describeEachDatabase('sign-in limits kept in the database', (database) => {
  it('refuse an address after its failures, across every process sharing the database', async () => {
    const { db } = database()
    const now = new Date('2026-11-22T10:00:00Z')
    for (let n = 0; n < ADDRESS_FAILURES; n++)
      await recordSignInFailure(db, `person${n}@kith.test`, '203.0.113.9', now)
    assert.equal((await signInGate(db, 'fresh@kith.test', '203.0.113.9', now)).allowed, false)
    assert.equal((await signInGate(db, 'fresh@kith.test', '198.51.100.1', now)).allowed, true)
    const later = new Date(now.getTime() + 16 * 60_000)
    assert.equal((await signInGate(db, 'fresh@kith.test', '203.0.113.9', later)).allowed, true)
  })
})
