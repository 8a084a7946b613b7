import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { createUser } from '../access/store.ts'
import { openDatabase } from '../db/database.ts'
import { migrateToLatest } from '../db/migrate.ts'
import type { Db } from '../db/schema.ts'
import { describeEachDatabase, emptyDatabase, type TestDatabase } from '../db/testing.ts'
import { JobRegistry } from './registry.ts'
import { DEFAULT_LEASE_MS, type Job, retryAt, Scheduler } from './scheduler.ts'
import { getJobState } from './store.ts'

const run = promisify(execFile)
const CONTENDER = join(import.meta.dirname, 'fixtures', 'contender.ts')
const KITH = join(import.meta.dirname, '..', '..', 'bin', 'kith.js')
const HOUR = 3_600_000
const T0 = new Date('2026-11-22T09:00:00.000Z')

/** A clock the test moves by hand. */
function clock(start = T0) {
  let now = start.getTime()
  return {
    now: () => new Date(now),
    set: (to: Date) => {
      now = to.getTime()
    },
    advance: (ms: number) => {
      now += ms
    },
  }
}

/** A job that counts its runs and takes `ms` to finish. */
function countingJob(name: string, every: number, ms = 0, extra: Partial<Job> = {}) {
  const runs: Date[] = []
  const job: Job = {
    name,
    every,
    run: async (_db, now) => {
      runs.push(now)
      if (ms > 0) await sleep(ms)
    },
    ...extra,
  }
  return { job, runs }
}

/** A second handle on the same database: a separate pool on PostgreSQL; on SQLite the same connection (one per file per process). */
function secondHandle(database: TestDatabase): { db: Db; close(): Promise<void> } {
  if (database.dialect === 'sqlite') return { db: database.db, close: async () => {} }
  const db = openDatabase(database.target)
  return { db, close: () => db.destroy() }
}

describeEachDatabase('the scheduler', (database) => {
  it('runs a due job once, records the run, and runs it again only when its interval has passed', async () => {
    const { db } = database()
    const time = clock()
    const { job, runs } = countingJob('test.every-hour', HOUR)
    const scheduler = new Scheduler(db, [job], { now: time.now })

    assert.deepEqual(await scheduler.tick(), [{ job: 'test.every-hour', outcome: 'succeeded' }])
    assert.deepEqual(runs, [T0])
    const state = await getJobState(db, 'test.every-hour')
    assert.equal(state?.last_outcome, 'succeeded')
    assert.equal(state?.last_started_at, T0.toISOString())
    assert.equal(state?.next_run_at, new Date(T0.getTime() + HOUR).toISOString())
    assert.equal(state?.lease_owner, null)
    assert.equal(state?.run_count, 1)

    time.advance(HOUR - 1)
    assert.deepEqual(await scheduler.tick(), [])
    time.advance(1)
    assert.deepEqual(await scheduler.tick(), [{ job: 'test.every-hour', outcome: 'succeeded' }])
    assert.equal(runs.length, 2)
  })

  it('runs a due job exactly once when two schedulers share the database', async () => {
    const database_ = database()
    const other = secondHandle(database_)
    try {
      const time = clock()
      const { job, runs } = countingJob('test.shared', HOUR, 100)
      const first = new Scheduler(database_.db, [job], { now: time.now, owner: 'first' })
      const second = new Scheduler(other.db, [job], { now: time.now, owner: 'second' })
      for (let round = 0; round < 3; round++) {
        await Promise.all([first.tick(), second.tick(), first.tick(), second.tick()])
      }
      assert.equal(runs.length, 1)
      time.advance(HOUR)
      for (let round = 0; round < 3; round++) await Promise.all([first.tick(), second.tick()])
      assert.equal(runs.length, 2)
      assert.equal((await getJobState(database_.db, 'test.shared'))?.run_count, 2)
    } finally {
      await other.close()
    }
  })

  it('runs a due job exactly once when several processes share the database', async () => {
    const { target, db } = database()
    const env = {
      ...process.env,
      KITH_TEST_TARGET: JSON.stringify(target),
      CONTENDER_MODE: 'count',
      CONTENDER_START: String(Date.now() + 1500),
    }
    const outputs = await Promise.all([1, 2, 3].map(() => run(process.execPath, [CONTENDER], { env })))
    for (const output of outputs) assert.match(output.stdout, /done\n$/)
    const runs = outputs.flatMap((output) =>
      output.stdout.split('\n').filter((line) => line.startsWith('ran')),
    )
    assert.equal(runs.length, 1, `runs: ${runs.join(', ')}`)
    assert.equal((await getJobState(db, 'test.contended'))?.run_count, 1)
  })

  it('records a failing job’s error and retries it later, backing off, until it succeeds', async () => {
    const { db } = database()
    const time = clock()
    let failing = true
    let attempts = 0
    const job: Job = {
      name: 'test.flaky',
      every: HOUR,
      retryAfterMs: 60_000,
      run: async () => {
        attempts++
        if (failing) throw new Error('The service did not answer')
      },
    }
    const scheduler = new Scheduler(db, [job], { now: time.now })

    assert.deepEqual(await scheduler.tick(), [
      { job: 'test.flaky', outcome: 'failed', error: 'The service did not answer' },
    ])
    let state = await getJobState(db, 'test.flaky')
    assert.equal(state?.last_outcome, 'failed')
    assert.equal(state?.last_error, 'The service did not answer')
    assert.equal(state?.consecutive_failures, 1)
    assert.equal(state?.lease_owner, null)
    assert.equal(state?.next_run_at, '2026-11-22T09:01:00.000Z')

    time.advance(59_999)
    assert.deepEqual(await scheduler.tick(), [])
    time.advance(1)
    assert.equal((await scheduler.tick())[0]?.outcome, 'failed')
    state = await getJobState(db, 'test.flaky')
    assert.equal(state?.consecutive_failures, 2)
    // The second retry waits twice as long.
    assert.equal(state?.next_run_at, '2026-11-22T09:03:00.000Z')

    failing = false
    time.set(new Date('2026-11-22T09:03:00.000Z'))
    assert.deepEqual(await scheduler.tick(), [{ job: 'test.flaky', outcome: 'succeeded' }])
    state = await getJobState(db, 'test.flaky')
    assert.equal(state?.last_outcome, 'succeeded')
    assert.equal(state?.last_error, null)
    assert.equal(state?.consecutive_failures, 0)
    assert.equal(state?.next_run_at, '2026-11-22T10:03:00.000Z')
    assert.equal(attempts, 3)
  })

  it('takes over the job of a process that crashed holding it, once its lease has lapsed', async () => {
    const { target, db } = database()
    const child: ChildProcess = spawn(process.execPath, [CONTENDER], {
      env: { ...process.env, KITH_TEST_TARGET: JSON.stringify(target), CONTENDER_MODE: 'hang' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      let output = ''
      child.stdout?.on('data', (chunk) => {
        output += chunk
      })
      while (!output.includes('claimed')) {
        assert.equal(child.exitCode, null, 'the contender stopped early')
        await sleep(50)
      }
      // Renewed while it lives: the lease stays ahead of the clock.
      await sleep(800)
      const held = await getJobState(db, 'test.crash')
      assert.ok(held?.lease_owner)
      assert.ok(held.lease_expires_at && held.lease_expires_at > new Date().toISOString())
      child.kill('SIGKILL')
      await once(child, 'exit')
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    const crashed = await getJobState(db, 'test.crash')
    const { job, runs } = countingJob('test.crash', HOUR, 0, { leaseMs: 2000 })

    // Before the lease lapses nobody else may run it.
    const early = new Scheduler(db, [job], {
      now: () => new Date(Date.parse(crashed!.lease_expires_at!) - 1),
    })
    assert.deepEqual(await early.tick(), [])
    assert.equal(runs.length, 0)

    const late = new Scheduler(db, [job], { now: () => new Date(Date.parse(crashed!.lease_expires_at!)) })
    assert.deepEqual(await late.tick(), [{ job: 'test.crash', outcome: 'succeeded' }])
    assert.equal(runs.length, 1)
    const state = await getJobState(db, 'test.crash')
    assert.equal(state?.lease_owner, null)
    assert.equal(state?.last_outcome, 'succeeded')
  })

  it('lets another process pick up a job interrupted by a crash within a minute', async () => {
    const { db } = database()
    let release: () => void = () => {}
    const interrupted: Job = {
      name: 'test.interrupted',
      every: HOUR,
      run: () =>
        new Promise<void>((resolve) => {
          release = resolve
        }),
    }
    // This process claims the job at T0 and then stops: its clock stands still, so it renews the
    // lease no further than a process that died at T0 would have left it.
    const crashed = new Scheduler(db, [interrupted], { now: () => T0, owner: 'crashed' })
    const running = crashed.tick()
    while ((await getJobState(db, 'test.interrupted'))?.lease_owner !== 'crashed') await sleep(10)

    const { job, runs } = countingJob('test.interrupted', HOUR)
    const at = (seconds: number) =>
      new Scheduler(db, [job], { now: () => new Date(T0.getTime() + seconds * 1000), owner: 'other' })
    assert.deepEqual(await at(30).tick(), [], 'not while the lease may still be renewed')
    assert.deepEqual(await at(55).tick(), [{ job: 'test.interrupted', outcome: 'succeeded' }])
    assert.equal(runs.length, 1)
    release()
    assert.deepEqual(await running, [{ job: 'test.interrupted', outcome: 'lost-lease' }])
  })

  it('does not record a run that finished after another process had taken the job over', async () => {
    const { db } = database()
    let release: () => void = () => {}
    const slow: Job = {
      name: 'test.slow',
      every: HOUR,
      leaseMs: 60_000,
      run: () =>
        new Promise<void>((resolve) => {
          release = resolve
        }),
    }
    const { job: quick, runs } = countingJob('test.slow', HOUR, 0, { leaseMs: 60_000 })
    const stuck = new Scheduler(db, [slow], { now: () => T0, owner: 'stuck' })
    const running = stuck.tick()
    while ((await getJobState(db, 'test.slow'))?.lease_owner !== 'stuck') await sleep(10)

    const rescuer = new Scheduler(db, [quick], {
      now: () => new Date(T0.getTime() + 60_000),
      owner: 'rescuer',
    })
    assert.deepEqual(await rescuer.tick(), [{ job: 'test.slow', outcome: 'succeeded' }])
    assert.equal(runs.length, 1)
    release()
    assert.deepEqual(await running, [{ job: 'test.slow', outcome: 'lost-lease' }])
    assert.equal((await getJobState(db, 'test.slow'))?.run_count, 1)
  })

  it('runs the housekeeping jobs in `kith serve`, and stops cleanly', async () => {
    const empty = await emptyDatabase(database().dialect)
    const db = openDatabase(empty.target)
    let server: ChildProcess | undefined
    try {
      await migrateToLatest(db)
      const userId = await createUser(db, { email: 'someone@kith.test', name: 'Someone', passwordHash: null })
      await db
        .insertInto('sessions')
        .values({
          id: 'an-ended-session',
          user_id: userId,
          created_at: '2026-01-01T00:00:00.000Z',
          last_seen_at: '2026-01-01T00:00:00.000Z',
          expires_at: '2026-01-01T12:00:00.000Z',
        })
        .execute()
      server = spawn(process.execPath, [KITH, 'serve'], {
        env: {
          ...process.env,
          ...empty.env,
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
          PORT: '0',
          HOST: '127.0.0.1',
          SESSION_SECRET: 'x'.repeat(32),
          SCHEDULER: 'on',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      })
      const deadline = Date.now() + 30_000
      let states: Awaited<ReturnType<typeof getJobState>>[] = []
      while (Date.now() < deadline) {
        states = await Promise.all(
          ['access.remove-expired-sessions', 'access.remove-old-sign-in-failures'].map((name) =>
            getJobState(db, name),
          ),
        )
        if (states.every((state) => state?.last_outcome === 'succeeded')) break
        await sleep(100)
      }
      assert.deepEqual(
        states.map((state) => state?.last_outcome),
        ['succeeded', 'succeeded'],
      )
      const sessions = await db.selectFrom('sessions').select('id').execute()
      assert.deepEqual(sessions, [])
      server.kill('SIGTERM')
      const [code] = await once(server, 'exit')
      assert.equal(code, 0)
    } finally {
      if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
      await db.destroy()
      await empty.dispose()
    }
  })
})

describe('job registration', () => {
  it('takes a job in one call and refuses a second job of the same name, or a malformed one', () => {
    const registry = new JobRegistry()
    registry.add({ name: 'referrals.nudge-unanswered', every: HOUR, run: async () => {} })
    assert.deepEqual(
      registry.list().map((job) => job.name),
      ['referrals.nudge-unanswered'],
    )
    assert.throws(
      () => registry.add({ name: 'referrals.nudge-unanswered', every: HOUR, run: async () => {} }),
      /already registered/,
    )
    assert.throws(
      () => registry.add({ name: 'Nudge Referrals', every: HOUR, run: async () => {} }),
      /lower-case/,
    )
    assert.throws(
      () => registry.add({ name: 'referrals.fast', every: 10, run: async () => {} }),
      /at most once a second/,
    )
  })

  it('backs off after each failure, never waiting longer than the interval', () => {
    const job: Job = { name: 'test.backoff', every: 10 * 60_000, run: async () => {} }
    const waits = [1, 2, 3, 4, 5].map(
      (failures) => (retryAt(job, T0, failures).getTime() - T0.getTime()) / 60_000,
    )
    assert.deepEqual(waits, [1, 2, 4, 8, 10])
    assert.equal(DEFAULT_LEASE_MS, 45_000)
  })
})
