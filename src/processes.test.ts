// Two Kith processes on one PostgreSQL: what one process knows, the other must know too
// (sessions, request limits, sign-in locks, Idempotency-Key and submissionKey, the rows of
// referrals written together), and what must happen once happens once (scheduled jobs, messages
// sent). A job whose process is killed is taken over within a minute. `kith serve --workers N`
// runs such processes under one port, and is refused on SQLite.

import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { createApiToken } from './access/tokens.ts'
import { openDatabase } from './db/database.ts'
import { migrateToLatest } from './db/migrate.ts'
import { emptyDatabase, testedDialects } from './db/testing.ts'
import { notify } from './interop/notifications.ts'
import { startNotifyStandIn } from './interop/testing.ts'
import { apiReferralBody, referralSetUp } from './referrals/testing.ts'

const KITH = join(import.meta.dirname, '..', 'bin', 'kith.js')
const TEMPLATE = '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f'

interface Kith {
  process: ChildProcess
  url: string
  output: () => string
}

/** Starts `kith serve ARGS` and waits for it to say where it listens. */
async function startKith(env: Record<string, string>, args: string[] = []): Promise<Kith> {
  const child = spawn(process.execPath, [KITH, 'serve', ...args], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      HOST: '127.0.0.1',
      SESSION_SECRET: 'x'.repeat(32),
      SCHEDULER: 'on',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += String(chunk)
  })
  child.stderr!.on('data', (chunk) => {
    output += String(chunk)
  })
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const port = /Kith is running at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
    if (port) return { process: child, url: `http://127.0.0.1:${port}`, output: () => output }
    if (child.exitCode !== null) break
    await sleep(50)
  }
  child.kill('SIGKILL')
  throw new Error(`kith serve did not start:\n${output}`)
}

async function stopKith(kith: Kith): Promise<number | null> {
  if (kith.process.exitCode !== null || kith.process.signalCode !== null) return kith.process.exitCode
  const exited = once(kith.process, 'exit')
  kith.process.kill('SIGTERM')
  const [code] = await exited
  return code as number | null
}

/** A browser's cookies and CSRF token, used against any process. */
class Browser {
  readonly cookies = new Map<string, string>()
  csrf = ''

  async send(base: string, path: string, form?: Record<string, string>): Promise<Response> {
    const response = await fetch(base + path, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams({ _csrf: this.csrf, ...form }).toString() } : {}),
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const at = pair!.indexOf('=')
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1))
    }
    return response
  }

  async page(base: string, path: string): Promise<{ status: number; body: string; location: string | null }> {
    const response = await this.send(base, path)
    const body = await response.text()
    const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1]
    if (token) this.csrf = token
    return { status: response.status, body, location: response.headers.get('location') }
  }
}

if (testedDialects().includes('postgres')) {
  describe('two Kith processes on one PostgreSQL', () => {
    it('share sessions, limits, locks, keys and jobs, and take over a crashed process’s job within a minute', async (t) => {
      const empty = await emptyDatabase('postgres')
      const notifyStandIn = await startNotifyStandIn()
      const db = openDatabase(empty.target)
      const processes: Kith[] = []
      try {
        await migrateToLatest(db)
        const setUp = await referralSetUp(db)
        const env = {
          ...empty.env,
          NOTIFY_API_KEY: notifyStandIn.apiKey,
          NOTIFY_EMAIL_TEMPLATE_ID: TEMPLATE,
          NOTIFY_BASE_URL: notifyStandIn.url,
        }
        const [a, b] = await Promise.all([startKith(env), startKith(env)])
        processes.push(a!, b!)
        const both = [a!.url, b!.url]
        let signInPosts = 0
        const signIn = (browser: Browser, base: string, email: string, password: string) => {
          signInPosts++
          return browser.send(base, '/sign-in', { email, password })
        }

        await t.test('a session made by one process is used on the other, and ended there', async () => {
          const browser = new Browser()
          await browser.page(a!.url, '/sign-in')
          const signedIn = await signIn(browser, a!.url, setUp.referrer.email, setUp.referrer.password)
          assert.equal(signedIn.status, 303)
          const onB = await browser.page(b!.url, '/referrals')
          assert.equal(onB.status, 200)
          assert.match(onB.body, /My referrals/)
          assert.equal((await browser.send(b!.url, '/sign-out', {})).status, 303)
          const onA = await browser.page(a!.url, '/referrals')
          assert.equal(onA.status, 303)
          assert.match(onA.location ?? '', /^\/sign-in/)
        })

        await t.test('an account locked by failures on one process is locked on the other', async () => {
          const browser = new Browser()
          await browser.page(a!.url, '/sign-in')
          for (let i = 0; i < 5; i++)
            assert.equal((await signIn(browser, a!.url, setUp.worker.email, 'wrong password')).status, 401)
          const locked = await signIn(browser, b!.url, setUp.worker.email, setUp.worker.password)
          assert.equal(locked.status, 429)
          assert.match(await locked.text(), /too many failed attempts/)
        })

        await t.test(
          'the sign-in limit of 30 a minute counts the attempts made on both processes',
          async () => {
            const browser = new Browser()
            await browser.page(a!.url, '/sign-in')
            let refused: Response | undefined
            while (!refused && signInPosts < 70) {
              const response = await signIn(
                browser,
                both[signInPosts % 2]!,
                `nobody${signInPosts}@kith.test`,
                'wrong password',
              )
              if (response.status === 429) refused = response
              else assert.equal(response.status, 401)
            }
            assert.ok(refused, 'one process alone would have allowed 30, the two 60')
            assert.equal(signInPosts - 1, 30)
          },
        )

        const { token } = await createApiToken(db, setUp.referrer.userId, 'processes')
        const referral = (i: number, extra: Record<string, unknown> = {}) =>
          apiReferralBody(setUp, {
            person: {
              givenName: `Person${i}`,
              familyName: 'Twoprocesses',
              dateOfBirth: '1970-03-01',
              registeredPracticeId: setUp.practice,
            },
            ...extra,
          })
        const post = (base: string, body: unknown, key?: string) =>
          fetch(`${base}/api/v1/referrals`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              ...(key ? { 'idempotency-key': key } : {}),
            },
            body: JSON.stringify(body),
          })

        await t.test(
          'referrals sent to both at once are each written once and whole; a repeated key makes one',
          async () => {
            const submissionKeys = [randomUUID(), randomUUID(), randomUUID()]
            const answers = await Promise.all([
              // Forty referrals, twenty to each process at once, so each process writes some together.
              ...Array.from({ length: 40 }, (_, i) => post(both[i % 2]!, referral(i))),
              // The same Idempotency-Key, and the same submissionKey, to both processes at once.
              ...[0, 1, 2].flatMap((n) => both.map((base) => post(base, referral(100 + n), `key-${n}`))),
              ...[0, 1, 2].flatMap((n) =>
                both.map((base) => post(base, referral(200 + n, { submissionKey: submissionKeys[n] }))),
              ),
            ])
            const bodies = await Promise.all(
              answers.map(async (answer) => ({
                status: answer.status,
                body: (await answer.json()) as { id: string },
              })),
            )
            for (const answer of bodies.slice(0, 40))
              assert.equal(answer.status, 201, JSON.stringify(answer.body))
            for (let pair = 40; pair < bodies.length; pair += 2) {
              const [first, second] = [bodies[pair]!, bodies[pair + 1]!]
              assert.equal(first.body.id, second.body.id, 'both processes answer with one referral')
              // One made it (201); the other answered with it as found again (200).
              assert.deepEqual([first.status, second.status].sort(), [200, 201])
              for (const answer of [first, second])
                assert.ok(
                  [200, 201].includes(answer.status),
                  `${answer.status} ${JSON.stringify(answer.body)}`,
                )
            }
            const referrals = await db
              .selectFrom('referrals')
              .innerJoin('people', 'people.id', 'referrals.person_id')
              .select(['referrals.id', 'people.given_name'])
              .execute()
            assert.equal(referrals.length, 46)
            assert.equal(new Set(referrals.map((r) => r.given_name)).size, 46)
            // Whole: each referral has its history entry and its audit event.
            const ids = referrals.map((r) => r.id)
            const events = await db
              .selectFrom('referral_events')
              .select('referral_id')
              .where('referral_id', 'in', ids)
              .execute()
            assert.equal(new Set(events.map((e) => e.referral_id)).size, 46)
            const audited = await db
              .selectFrom('audit_events')
              .select('record_id')
              .where('action', '=', 'referral.create')
              .execute()
            assert.equal(audited.length, 46)
          },
        )

        await t.test('each scheduled job runs once per interval, and each message is sent once', async () => {
          for (let i = 0; i < 6; i++)
            await notify(db, {
              userId: setUp.worker.userId,
              kind: 'test.processes',
              subject: 'Something changed',
              body: 'Sign in to Kith to see it.',
              link: '/notifications',
              channels: ['email'],
            })
          const deadline = Date.now() + 45_000
          let pending = 6
          while (pending > 0 && Date.now() < deadline) {
            pending = (
              await db.selectFrom('outbox_messages').select('id').where('status', '!=', 'sent').execute()
            ).length
            await sleep(200)
          }
          assert.equal(pending, 0)
          const messages = await db.selectFrom('outbox_messages').select('id').execute()
          const references = notifyStandIn.received.map((r) => r.body.reference)
          assert.deepEqual([...references].sort(), messages.map((m) => m.id).sort(), 'each message sent once')
          const attempts = await db.selectFrom('outbox_attempts').select('message_id').execute()
          assert.equal(attempts.length, 6)
          // Both processes have ticked many times; a job due every fifteen minutes ran once.
          const housekeeping = await db
            .selectFrom('scheduled_jobs')
            .select(['name', 'run_count'])
            .where('name', 'like', 'access.%')
            .execute()
          assert.ok(housekeeping.length >= 3)
          for (const job of housekeeping) assert.equal(job.run_count, 1, job.name)
        })

        await t.test('a job whose process is killed is taken over by the other within a minute', async () => {
          // Notify does not answer the next request, so the delivering process holds the job.
          notifyStandIn.answers.push('no-answer')
          const sentBefore = notifyStandIn.received.length
          const { messageIds } = await notify(db, {
            userId: setUp.worker.userId,
            kind: 'test.processes',
            subject: 'Something else changed',
            body: 'Sign in to Kith to see it.',
            link: '/notifications',
            channels: ['email'],
          })
          const messageId = messageIds[0]!
          let deadline = Date.now() + 30_000
          while (notifyStandIn.received.length === sentBefore && Date.now() < deadline) await sleep(100)
          assert.equal(notifyStandIn.received.at(-1)?.body.reference, messageId)
          const job = await db
            .selectFrom('scheduled_jobs')
            .select('lease_owner')
            .where('name', '=', 'interop.deliver-messages')
            .executeTakeFirstOrThrow()
          const holder = processes.find((p) => job.lease_owner?.split(':')[1] === String(p.process.pid))
          assert.ok(holder, `the lease is held by one of the two: ${job.lease_owner}`)
          const survivor = holder === a ? b! : a!
          const killed = Date.now()
          holder.process.kill('SIGKILL')
          await once(holder.process, 'exit')
          deadline = killed + 60_000
          let sent: { status: string; sent_at: string | null } | undefined
          while (Date.now() < deadline) {
            sent = await db
              .selectFrom('outbox_messages')
              .select(['status', 'sent_at'])
              .where('id', '=', messageId)
              .executeTakeFirst()
            if (sent?.status === 'sent') break
            await sleep(250)
          }
          assert.equal(sent?.status, 'sent', 'sent by the other process within a minute of the kill')
          assert.ok(Date.parse(sent!.sent_at!) - killed < 60_000)
          assert.equal((await fetch(`${survivor.url}/health`)).status, 200)
        })
      } finally {
        for (const kith of processes) await stopKith(kith).catch(() => undefined)
        await db.destroy()
        await notifyStandIn.close()
        await empty.dispose()
      }
    })
  })

  describe('kith serve --workers', () => {
    it('runs two processes under one port on PostgreSQL, and stops them together', async () => {
      const empty = await emptyDatabase('postgres')
      try {
        const kith = await startKith(empty.env, ['--workers', '2'])
        try {
          assert.match(kith.output(), /in 2 processes \(database: PostgreSQL\)/)
          for (let i = 0; i < 4; i++) assert.equal((await fetch(`${kith.url}/health`)).status, 200)
        } finally {
          assert.equal(await stopKith(kith), 0)
        }
      } finally {
        await empty.dispose()
      }
    })
  })
}

if (testedDialects().includes('sqlite')) {
  describe('kith serve --workers on SQLite', () => {
    it('is refused with a message that says why and what to do', async () => {
      const empty = await emptyDatabase('sqlite')
      try {
        const child = spawn(process.execPath, [KITH, 'serve', '--workers', '2'], {
          env: { ...process.env, NODE_ENV: 'test', SESSION_SECRET: 'x'.repeat(32), PORT: '0', ...empty.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let stderr = ''
        child.stderr!.on('data', (chunk) => {
          stderr += String(chunk)
        })
        const [code] = await once(child, 'exit')
        assert.equal(code, 2)
        assert.match(stderr, /--workers 2 needs PostgreSQL \(set DATABASE_URL\)/)
        assert.match(stderr, /SQLite takes one writer at a time/)
      } finally {
        await empty.dispose()
      }
    })
  })
}
