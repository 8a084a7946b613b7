// The FHIR API under load, over real HTTP to a listening Kith, from several clients at once:
// BaRS referrals in through `POST /fhir/$process-message` (each a new person: the same checks and
// writes as a referral through the API), beside `POST /api/v1/referrals` in the same run for
// comparison, then searches and reads as the receiving team. Target: `$process-message` within a
// third of `POST /api/v1/referrals`.
//
//   npm run bench -- fhir [--db sqlite|postgres] [--quick]

import { Agent } from 'node:http'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { createApiToken } from '../src/access/tokens.ts'
import { buildApp } from '../src/app.ts'
import { newId } from '../src/db/ids.ts'
import { SOCIAL_PRESCRIBING_SUITABLE_ANSWERS } from '../src/directory/index.ts'
import { SYSTEMS } from '../src/fhir/context.ts'
import { barsReferralMessage } from '../src/fhir/testing.ts'
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

type Body = 'api-referral' | 'bars-message' | 'none'

interface ClientJob {
  kind: 'fhir-bench-client'
  address: string
  token: string
  method: 'GET' | 'POST'
  path: string
  total: number
  concurrency: number
  body: Body
  offset: number
  programmeId: string
  practiceId: string
  base: string
}

/** A valid NHS number (modulus 11) for each `i`, skipping those whose check digit would be 10. */
export function nhsNumberFor(i: number): string {
  for (let n = 900_000_000 + i * 2; ; n++) {
    const digits = String(n).split('').map(Number)
    const sum = digits.reduce((total, digit, at) => total + digit * (10 - at), 0)
    const check = 11 - (sum % 11)
    if (check === 10) continue
    return `${n}${check === 11 ? 0 : check}`
  }
}

function bodyFor(job: ClientJob, i: number): string | undefined {
  if (job.body === 'none') return undefined
  if (job.body === 'bars-message')
    return JSON.stringify(
      barsReferralMessage({
        base: job.base,
        messageId: `bench-${process.pid}-${i}`,
        target: { programmeId: job.programmeId },
        nhsNumber: nhsNumberFor(i),
        givenName: `Bench${i}`,
        familyName: `Fhir${process.pid}`,
        practiceOdsCode: 'Z99001',
      }),
    )
  return JSON.stringify({
    programmeId: job.programmeId,
    person: {
      givenName: `Api${i}`,
      familyName: `Person${process.pid}`,
      dateOfBirth: '1970-01-01',
      registeredPracticeId: job.practiceId,
    },
    referrerKind: 'gp_practice',
    referrerContact: '01632 960 100',
    consent: { givenBy: 'person', method: 'verbal', givenAt: '2026-01-01T10:00:00Z' },
    answers: SOCIAL_PRESCRIBING_SUITABLE_ANSWERS,
    needs: ['social-isolation'],
    goals: ['Meet people'],
    whatMatters: 'Getting out of the house',
  })
}

if (!isMainThread && (workerData as ClientJob | undefined)?.kind === 'fhir-bench-client') {
  const job = workerData as ClientJob
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency })
  const target = new URL(job.path, job.address)
  const result = await load(job.total, job.concurrency, (i) => {
    const body = bodyFor(job, job.offset + i)
    return sendRequest(agent, target, {
      method: job.method,
      token: job.token,
      ...(body !== undefined
        ? {
            body,
            contentType: job.body === 'bars-message' ? 'application/fhir+json' : 'application/json',
          }
        : {}),
    })
  })
  agent.destroy()
  parentPort?.postMessage(result)
}

function fromWorker(job: Omit<ClientJob, 'kind'>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { kind: 'fhir-bench-client', ...job } })
    worker.once('message', (result) => {
      resolve(result)
      void worker.terminate()
    })
    worker.once('error', reject)
  })
}

export async function run({ dialect, quick }: BenchOptions): Promise<void> {
  const referrals = quick ? 500 : 5000
  const searches = quick ? 200 : 1000
  // The referrals the receiving team's inbox holds when the searches run: a busy programme's year.
  const INBOX = 10_000
  const concurrency = 64
  const database = await benchDatabase(dialect, concurrency)
  const { db } = database
  try {
    const { programmeId, practice, worker, token } = await benchProgramme(db)
    const workerToken = (await createApiToken(db, worker.userId, 'bench')).token

    const config = testConfig({ logLevel: 'silent' })
    const app = await buildApp(config, { db })
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    const job = {
      address,
      token,
      concurrency,
      programmeId,
      practiceId: practice,
      base: `${config.publicUrl}/fhir`,
    }

    // Warm up both paths.
    await fromWorker({
      ...job,
      method: 'POST',
      path: '/api/v1/referrals',
      total: 100,
      body: 'api-referral',
      offset: 1_000_000,
    })
    await fromWorker({
      ...job,
      method: 'POST',
      path: '/fhir/$process-message',
      total: 100,
      body: 'bars-message',
      offset: 1_000_000,
    })

    const api = await fromWorker({
      ...job,
      method: 'POST',
      path: '/api/v1/referrals',
      total: referrals,
      body: 'api-referral',
      offset: 0,
    })
    const bars = await fromWorker({
      ...job,
      method: 'POST',
      path: '/fhir/$process-message',
      total: referrals,
      body: 'bars-message',
      offset: 0,
    })
    const reader = {
      ...job,
      token: workerToken,
      concurrency: 16,
      method: 'GET' as const,
      body: 'none' as const,
      offset: 0,
    }
    // The searches, as the receiving team, over an inbox of `INBOX` referrals: those written
    // above, and earlier ones of the same people (copies, each changed an hour before the last)
    // to make up the year of a busy programme. Each search is a query in the database, so the
    // size of the inbox is what it faces.
    const written = await db.selectFrom('referrals').selectAll().orderBy('updated_at').execute()
    const earliest = Date.parse(written[0]?.updated_at ?? new Date().toISOString())
    const earlier = Array.from({ length: Math.max(0, INBOX - written.length) }, (_, i) => {
      const at = new Date(earliest - (i + 1) * 3_600_000).toISOString()
      const copied = written[i % written.length] as (typeof written)[number]
      return {
        ...copied,
        id: newId(earliest - (i + 1) * 3_600_000),
        submission_key: null,
        created_at: at,
        updated_at: at,
      }
    })
    for (let i = 0; i < earlier.length; i += 200)
      await db
        .insertInto('referrals')
        .values(earlier.slice(i, i + 200))
        .execute()
    const inbox = written.length + earlier.length
    const someone = await db
      .selectFrom('referrals')
      .select(['person_id', 'updated_at'])
      .orderBy('updated_at')
      .offset(Math.floor(inbox / 2))
      .limit(1)
      .executeTakeFirstOrThrow()
    const searchesRun = [
      ['GET /fhir/Task?status=requested', '/fhir/Task?_count=20&status=requested'],
      ['GET /fhir/Task?_include=Task:focus', '/fhir/Task?_count=20&_include=Task:focus'],
      ['GET /fhir/Task (a page deep in)', `/fhir/Task?_count=20&_offset=${Math.floor(inbox / 2)}`],
      ['GET /fhir/ServiceRequest?patient=', `/fhir/ServiceRequest?patient=Patient/${someone.person_id}`],
      [
        'GET /fhir/ServiceRequest?_lastUpdated=ge',
        `/fhir/ServiceRequest?_count=20&_lastUpdated=ge${encodeURIComponent(someone.updated_at)}`,
      ],
      ['GET /fhir/Patient?identifier=', `/fhir/Patient?identifier=${SYSTEMS.nhsNumber}|${nhsNumberFor(7)}`],
      ['GET /fhir/Patient', '/fhir/Patient?_count=20'],
    ] as const
    const searched: { operation: string; result: LoadResult }[] = []
    for (const [operation, path] of searchesRun)
      searched.push({ operation, result: await fromWorker({ ...reader, path, total: searches }) })
    await app.close()

    const rows = [
      ['POST /api/v1/referrals', referrals, api],
      ['POST /fhir/$process-message', referrals, bars],
      ...searched.map(({ operation, result }) => [operation, searches, result] as const),
    ] as const
    const summaries = rows.map(([, , result]) => summarise(result.samples))
    printTable(
      `The FHIR API over HTTP (${dialect}, ${concurrency} clients writing, 16 searching an inbox of ${inbox})`,
      [
        ...rows.map(([operation, count, result], at) => ({
          operation,
          count,
          'per second': count / result.seconds,
          'p50 ms': summaries[at]?.p50 ?? 0,
          'p95 ms': summaries[at]?.p95 ?? 0,
          'p99 ms': summaries[at]?.p99 ?? 0,
          failures: result.failures,
        })),
      ],
    )
    const apiRate = referrals / api.seconds
    const barsRate = referrals / bars.seconds
    const searchFigures = summaries.slice(2)
    report({
      name: 'fhir',
      database: dialect,
      sizes: { referrals, searches, concurrency, inbox },
      p50: summaries[1]?.p50 ?? 0,
      p95: summaries[1]?.p95 ?? 0,
      p99: summaries[1]?.p99 ?? 0,
      rate: barsRate,
      apiReferralRate: apiRate,
      barsToApi: barsRate / apiRate,
      searchRate: searches / (searched[0]?.result.seconds ?? Number.NaN),
      searchP95: summaries[2]?.p95 ?? 0,
      includeRate: searches / (searched[1]?.result.seconds ?? Number.NaN),
      includeP95: summaries[3]?.p95 ?? 0,
      slowestSearchP95: Math.max(...searchFigures.map((figures) => figures.p95)),
      slowestSearchP99: Math.max(...searchFigures.map((figures) => figures.p99)),
      failures: rows.reduce((total, [, , result]) => total + result.failures, 0),
    })
  } finally {
    await database.close()
  }
}
