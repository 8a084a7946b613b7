// Sustained referral submissions through the HTTP API: `POST /api/v1/referrals` with the
// eligibility check, over real HTTP to a listening Kith, from several clients at once. Each
// submission is a new person (duplicate check, person record, consent, referral, history entry,
// audit events and the team's notification, one transaction). Also times `POST
// /api/v1/eligibility-checks` alone. Target: at least 1,000 referrals a second.
//
//   npm run bench -- referrals [--db sqlite|postgres] [--quick]
//   BENCH_REFERRALS=60000 npm run bench -- referrals    a longer run
//   npm run bench -- referrals --db postgres --workers 2
//       `kith serve` as one process, then as two (`--workers 2`), on one PostgreSQL: the scaling

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { Agent } from 'node:http'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { buildApp } from '../src/app.ts'
import type { DialectName } from '../src/db/database.ts'
import { SOCIAL_PRESCRIBING_SUITABLE_ANSWERS } from '../src/directory/index.ts'
import { testConfig } from '../src/web/testing.ts'
import {
  type BenchOptions,
  benchDatabase,
  type LoadResult,
  load,
  printTable,
  report,
  sendRequest,
  summarise,
} from './lib.ts'
import { benchProgramme } from './made-up.ts'

interface ClientJob {
  kind: 'referrals-bench-client'
  address: string
  token: string
  path: string
  total: number
  concurrency: number
  /** The request bodies are made from this template: `{i}` in strings becomes the request number. */
  body: unknown
  offset: number
}

const KITH = join(import.meta.dirname, '..', 'bin', 'kith.js')

function fill(template: unknown, i: number): unknown {
  if (typeof template === 'string') return template.replaceAll('{i}', String(i))
  if (Array.isArray(template)) return template.map((item) => fill(item, i))
  if (template && typeof template === 'object')
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fill(v, i)]))
  return template
}

// In a worker thread, this module is the load generator: the clients run beside the server, not
// on its thread, as they would on other machines.
if (!isMainThread && (workerData as ClientJob | undefined)?.kind === 'referrals-bench-client') {
  const job = workerData as ClientJob
  // Kept-alive connections, one per client (lib.ts `sendRequest`).
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency })
  const target = new URL(job.path, job.address)
  const result = await load(job.total, job.concurrency, (i) =>
    sendRequest(agent, target, {
      method: 'POST',
      token: job.token,
      body: JSON.stringify(fill(job.body, job.offset + i)),
    }),
  )
  agent.destroy()
  parentPort?.postMessage(result)
}

/** Runs the load from a worker thread; resolves with its samples. */
function loadFromWorker(job: Omit<ClientJob, 'kind'>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { kind: 'referrals-bench-client', ...job },
    })
    worker.once('message', (result) => {
      resolve(result)
      void worker.terminate()
    })
    worker.once('error', reject)
  })
}

/** A referral of a new person each time (`{i}` is the request number). */
function referralTemplate(programmeId: string, practice: string) {
  return {
    programmeId,
    person: {
      givenName: 'Bench{i}',
      familyName: `Person${process.pid}`,
      dateOfBirth: '1970-01-01',
      registeredPracticeId: practice,
    },
    referrerKind: 'gp_practice',
    referrerContact: '01632 960 100',
    consent: { givenBy: 'person', method: 'verbal', givenAt: '2026-01-01T10:00:00Z' },
    answers: SOCIAL_PRESCRIBING_SUITABLE_ANSWERS,
    needs: ['social-isolation'],
    goals: ['Meet people'],
    whatMatters: 'Getting out of the house',
  }
}

export async function run({ dialect, quick, workers }: BenchOptions): Promise<void> {
  if (workers !== undefined) return compareProcesses(dialect, quick, workers)
  // BENCH_REFERRALS sets a longer run, to see the rate hold as the tables grow.
  const referrals = quick ? 1000 : Number(process.env.BENCH_REFERRALS ?? 10_000)
  if (!Number.isInteger(referrals) || referrals < 1)
    throw new Error('BENCH_REFERRALS must be a whole number of referrals, like 60000')
  const concurrency = 64
  const database = await benchDatabase(dialect, concurrency)
  const { db } = database
  try {
    const { programmeId, practice, token } = await benchProgramme(db)

    const app = await buildApp(testConfig({ logLevel: 'silent' }), { db })
    const address = await app.listen({ port: 0, host: '127.0.0.1' })

    const checks = quick ? 1000 : 10_000
    const referral = referralTemplate(programmeId, practice)
    const job = { address, token, concurrency }
    // Warm up: connections, statement caches, the JIT.
    await loadFromWorker({ ...job, path: '/api/v1/referrals', total: 200, body: referral, offset: 1_000_000 })

    const cpuBefore = process.threadCpuUsage()
    const submitted = await loadFromWorker({
      ...job,
      path: '/api/v1/referrals',
      total: referrals,
      body: referral,
      offset: 0,
    })
    const cpu = process.threadCpuUsage(cpuBefore)
    // The server thread's processor time per referral: what one free core sustains, whatever
    // else the machine is doing (the clients run on another thread).
    const cpuMsPerReferral = (cpu.user + cpu.system) / 1000 / referrals
    const checked = await loadFromWorker({
      ...job,
      path: '/api/v1/eligibility-checks',
      total: checks,
      offset: 0,
      body: {
        programmeId,
        person: { dateOfBirth: '1970-01-01', practiceOdsCode: 'Z99001', conditions: [] },
        referrerKind: 'gp_practice',
        answers: { ...SOCIAL_PRESCRIBING_SUITABLE_ANSWERS, 'consent-given': true },
        goals: ['Meet people'],
      },
    })
    const writes = (app as unknown as { referralWrites: { commits: number; writes: number; rerun: number } })
      .referralWrites
    await app.close()

    const submissions = summarise(submitted.samples)
    const eligibility = summarise(checked.samples)
    const rate = referrals / submitted.seconds
    const checkRate = checks / checked.seconds
    printTable(`Referrals through the HTTP API (${dialect}, ${concurrency} clients)`, [
      {
        operation: 'POST /api/v1/referrals',
        count: referrals,
        'per second': rate,
        ...msOf(submissions),
        failures: submitted.failures,
      },
      {
        operation: 'POST /api/v1/eligibility-checks',
        count: checks,
        'per second': checkRate,
        ...msOf(eligibility),
        failures: checked.failures,
      },
    ])
    report({
      name: 'referrals',
      database: dialect,
      sizes: { referrals, checks, concurrency },
      p50: submissions.p50,
      p95: submissions.p95,
      p99: submissions.p99,
      rate,
      failures: submitted.failures + checked.failures,
      writesPerCommit: writes.writes / Math.max(1, writes.commits),
      // Batches that could not be written together and ran again one write at a time (PostgreSQL).
      batchesRunAgain: writes.rerun,
      cpuMsPerReferral,
      referralsPerCpuSecond: 1000 / cpuMsPerReferral,
      eligibilityRate: checkRate,
      eligibilityP50: eligibility.p50,
      eligibilityP95: eligibility.p95,
    })
  } finally {
    await database.close()
  }
}

/** `kith serve --workers N`, started on `databaseUrl`; resolves with its address and a stop. */
async function serveKith(databaseUrl: string, workers: number) {
  const child = spawn(process.execPath, [KITH, 'serve', '--workers', String(workers)], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://kith.example.nhs.uk',
      SESSION_SECRET: 'b'.repeat(32),
      DATABASE_URL: databaseUrl,
      DATA_DIR: tmpdir(),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      SCHEDULER: 'off',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += String(chunk)
  })
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const address = /Kith is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
    if (address)
      return {
        address,
        async stop() {
          const exited = once(child, 'exit')
          child.kill('SIGTERM')
          await exited
        },
      }
    if (child.exitCode !== null) break
    await sleep(50)
  }
  child.kill('SIGKILL')
  throw new Error(`kith serve --workers ${workers} did not start:\n${output}`)
}

/**
 * The same load on `kith serve` as one process and as `workers` processes, each a separate run on
 * one PostgreSQL: how far a second process scales the referrals a second on this machine (the
 * load generator shares its processors).
 */
async function compareProcesses(dialect: DialectName, quick: boolean, workers: number): Promise<void> {
  if (dialect !== 'postgres') throw new Error('--workers compares processes on PostgreSQL: add --db postgres')
  const referrals = quick ? 2000 : Number(process.env.BENCH_REFERRALS ?? 10_000)
  const concurrency = 64
  const database = await benchDatabase(dialect, 2)
  try {
    const { programmeId, practice, token } = await benchProgramme(database.db)
    const referral = referralTemplate(programmeId, practice)
    const rows: Record<string, string | number>[] = []
    const rates: Record<number, number> = {}
    let offset = 0
    for (const processes of [...new Set([1, workers])]) {
      const kith = await serveKith(database.target.databaseUrl!, processes)
      try {
        const job = { address: kith.address, token, concurrency, path: '/api/v1/referrals', body: referral }
        await loadFromWorker({ ...job, total: 200 * processes, offset: 1_000_000 + offset })
        const submitted = await loadFromWorker({ ...job, total: referrals, offset })
        offset += 10_000_000
        const summary = summarise(submitted.samples)
        rates[processes] = referrals / submitted.seconds
        rows.push({
          processes,
          referrals,
          'per second': rates[processes],
          ...msOf(summary),
          failures: submitted.failures,
        })
      } finally {
        await kith.stop()
      }
    }
    printTable(
      `Referrals through the HTTP API, kith serve as 1 and ${workers} processes (${dialect}, ${concurrency} clients, ${availableParallelism()} processors)`,
      rows,
    )
    report({
      name: 'referrals-processes',
      database: dialect,
      sizes: { referrals, concurrency, workers, processors: availableParallelism() },
      p50: 0,
      p95: 0,
      p99: 0,
      rate: rates[workers]!,
      rateOneProcess: rates[1]!,
      scaling: rates[workers]! / rates[1]!,
      failures: rows.reduce((sum, row) => sum + Number(row.failures), 0),
    })
  } finally {
    await database.close()
  }
}

function msOf(summary: { p50: number; p95: number; p99: number }) {
  return { 'p50 ms': summary.p50, 'p95 ms': summary.p95, 'p99 ms': summary.p99 }
}
