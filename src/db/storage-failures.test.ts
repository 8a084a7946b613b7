// A full disk, or a database or file system that has become read-only: every write answers 503
// with a clear problem and changes nothing, and /health answers 503 while writes fail.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import { PUBLIC } from '../access/permissions.ts'
import { createOrganisation } from '../access/store.ts'
import { buildApp } from '../app.ts'
import { createAccount, PageClient, testConfig, textOf } from '../web/testing.ts'
import { openDatabase } from './database.ts'
import { StorageMonitor, storageFailureOf } from './failures.ts'
import type { Db } from './schema.ts'
import { describeEachDatabase, postgresAdmin, postgresDatabaseName, type TestDatabase } from './testing.ts'

const organisation = (name: string) => ({
  name,
  kind: 'vcs' as const,
  parentId: null,
  odsCode: null,
  postcode: null,
})

/** The app, with a JSON route that writes two rows in one transaction. */
async function appWithWrites(db: Db) {
  const app = await buildApp(testConfig(), { db })
  app.post('/api/v1/test/organisations', { config: { access: PUBLIC } }, async (request) => {
    const { name, filler } = request.body as { name: string; filler?: number }
    await db.transaction().execute(async (trx) => {
      await createOrganisation(trx, organisation(name))
      await createOrganisation(trx, organisation(`${name} (second)`.padEnd(filler ?? 0, '.')))
    })
    return { saved: true }
  })
  await app.ready()
  return app
}

const namesLike = async (db: Db, pattern: string) =>
  (await db.selectFrom('organisations').select('name').where('name', 'like', pattern).execute()).map(
    (row) => row.name,
  )

/** Makes writes to the test database fail for want of storage; returns how to undo it. */
async function breakStorage(
  database: TestDatabase,
  how: 'read-only' | 'full',
): Promise<{ db: Db; mend(): Promise<Db> }> {
  const { db } = database
  if (database.dialect === 'sqlite') {
    if (how === 'read-only') {
      await sql`pragma query_only = 1`.execute(db)
      return {
        db,
        mend: async () => {
          await sql`pragma query_only = 0`.execute(db)
          return db
        },
      }
    }
    // No room for one more page.
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db)
    await sql.raw(`pragma max_page_count = ${rows[0]!.page_count}`).execute(db)
    return {
      db,
      mend: async () => {
        await sql`pragma max_page_count = 1073741823`.execute(db)
        return db
      },
    }
  }
  // PostgreSQL: every new session is read-only, as on a standby or a database set read-only.
  const name = postgresDatabaseName(database.target.databaseUrl!)
  await postgresAdmin(`alter database ${name} set default_transaction_read_only = on`)
  const readOnly = openDatabase(database.target)
  return {
    db: readOnly,
    mend: async () => {
      await postgresAdmin(`alter database ${name} reset default_transaction_read_only`)
      // Sessions started read-only stay so: cut them, and the pool makes new ones.
      await postgresAdmin(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      )
      while (
        (await postgresAdmin('select 1 from pg_stat_activity where datname = $1', [name])).rows.length > 0
      )
        await sleep(20)
      // And let the pool hear that its connections were cut.
      await sleep(100)
      return readOnly
    },
  }
}

describeEachDatabase('writes when storage fails', (database, dialect) => {
  // A full disk cannot be made here for PostgreSQL: its SQLSTATE 53100 is classified below.
  const ways = dialect === 'postgres' ? (['read-only'] as const) : (['read-only', 'full'] as const)
  for (const how of ways) {
    it(`answers 503 to a write on a ${how} database, changes nothing, and /health says so until writes work again`, async () => {
      const account = await createAccount(database().db, 'administrator')
      const broken = await breakStorage(database(), how)
      const app = await appWithWrites(broken.db)
      try {
        assert.equal((await app.inject({ url: '/health' })).statusCode, 200)
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/test/organisations',
          payload: { name: 'Not saved', filler: 20_000 },
        })
        assert.equal(response.statusCode, 503, response.body)
        assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
        assert.equal(response.headers['retry-after'], '30')
        const problem = response.json()
        assert.equal(problem.title, 'Kith cannot save changes just now')
        assert.match(
          problem.detail,
          /storage on its server is full or cannot be written to\. Nothing was changed\./,
        )
        assert.deepEqual(
          await namesLike(broken.db, 'Not saved%'),
          [],
          'neither row of the transaction was kept',
        )

        if (how === 'read-only') {
          // A person signing in (which writes a session) gets an NHS-styled page saying the same.
          const person = new PageClient(app)
          const page = await person.post('/sign-in', { email: account.email, password: account.password })
          assert.equal(page.statusCode, 503)
          assert.match(page.body, /<title>Sorry, Kith cannot save changes just now – Kith<\/title>/)
          assert.match(textOf(page.body), /Nothing was changed\. Try again later\./)
        }

        const health = await app.inject({ url: '/health' })
        assert.equal(health.statusCode, 503)
        assert.deepEqual(health.json(), { status: 'unavailable', database: 'reachable', writes: 'failing' })

        const mended = await broken.mend()
        // A connection cut a moment ago may be handed out once more before the pool hears of it.
        const save = () =>
          app.inject({ method: 'POST', url: '/api/v1/test/organisations', payload: { name: 'Saved' } })
        let saved = await save()
        for (let i = 0; i < 10 && saved.statusCode === 503 && database().dialect === 'postgres'; i++) {
          await sleep(100)
          saved = await save()
        }
        assert.equal(saved.statusCode, 200, saved.body)
        assert.deepEqual((await namesLike(mended, 'Saved%')).sort(), ['Saved', 'Saved (second)'])
        assert.equal((await app.inject({ url: '/health' })).statusCode, 200)
      } finally {
        await app.close()
        if (broken.db !== database().db) await broken.db.destroy()
      }
    })
  }
})

describe('storage failures', () => {
  it('are told apart from other errors, on both databases', () => {
    const sqlite = (errcode: number) =>
      Object.assign(new Error('sqlite'), { code: 'ERR_SQLITE_ERROR', errcode, errstr: '' })
    const postgres = (code: string) => Object.assign(new Error('postgres'), { code })
    assert.equal(storageFailureOf(sqlite(13)), 'cannot-write', 'SQLITE_FULL')
    assert.equal(storageFailureOf(sqlite(8)), 'cannot-write', 'SQLITE_READONLY')
    assert.equal(storageFailureOf(sqlite(1032)), 'cannot-write', 'SQLITE_READONLY_DBMOVED')
    assert.equal(storageFailureOf(sqlite(10)), 'cannot-write', 'SQLITE_IOERR')
    assert.equal(storageFailureOf(sqlite(778)), 'cannot-write', 'SQLITE_IOERR_WRITE')
    assert.equal(storageFailureOf(sqlite(2067)), undefined, 'a unique key clash is not one')
    assert.equal(storageFailureOf(postgres('53100')), 'cannot-write', 'disk_full')
    assert.equal(storageFailureOf(postgres('25006')), 'cannot-write', 'read_only_sql_transaction')
    assert.equal(storageFailureOf(postgres('57P01')), 'unavailable', 'admin_shutdown')
    assert.equal(storageFailureOf(postgres('08006')), 'unavailable', 'connection_failure')
    assert.equal(storageFailureOf(new Error('Connection terminated unexpectedly')), 'unavailable')
    assert.equal(storageFailureOf(postgres('23505')), undefined)
    assert.equal(storageFailureOf(new Error('something else')), undefined)
  })

  it('are remembered for a minute, or until a write succeeds', () => {
    let now = 0
    const monitor = new StorageMonitor({ now: () => now })
    const full = Object.assign(new Error('full'), { code: '53100' })
    monitor.failed(new Error('not about storage'))
    assert.equal(monitor.writesFailingSince(), undefined)
    monitor.failed(full)
    now = 59_999
    assert.deepEqual(monitor.writesFailingSince(), new Date(0))
    now = 60_000
    assert.equal(monitor.writesFailingSince(), undefined)
    monitor.failed(full)
    monitor.wrote()
    assert.equal(monitor.writesFailingSince(), undefined)
  })
})
