// Kith rides out a PostgreSQL restart: the connections it holds are cut, the database refuses new
// ones for a while, then comes back. The process stays up, says plainly that the database is
// unavailable meanwhile, and carries on by itself.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import { PUBLIC } from '../access/permissions.ts'
import { buildApp } from '../app.ts'
import { createAccount, PageClient, testConfig, textOf } from '../web/testing.ts'
import { openDatabase } from './database.ts'
import { DatabaseUnavailable, storageFailureOf } from './failures.ts'
import { freshDatabase, postgresAdmin, postgresDatabaseName, testedDialects } from './testing.ts'

if (testedDialects().includes('postgres')) {
  describe('when PostgreSQL goes away and comes back [postgres]', () => {
    it('stays up, answers 503 while it is gone, and serves again by itself once it is back', async () => {
      const database = await freshDatabase('postgres')
      const { db } = database
      const name = postgresDatabaseName(database.target.databaseUrl!)
      const app = await buildApp(testConfig(), { db })
      app.get('/api/v1/test/organisations', { config: { access: PUBLIC } }, async () => {
        const rows = await db.selectFrom('organisations').select('id').execute()
        return { count: rows.length }
      })
      app.get('/api/v1/test/slow', { config: { access: PUBLIC } }, async () => {
        await sql`select pg_sleep(30)`.execute(db)
        return { slept: true }
      })
      await app.ready()
      const admin = await createAccount(db, 'administrator')
      const person = await new PageClient(app).signInAs(admin.userId)
      try {
        assert.equal((await person.get('/')).statusCode, 200)

        // The app holds connections: one in a transaction, idle between two statements, and one
        // running a statement for a request.
        let carryOn = () => {}
        const held = db.transaction().execute(async (trx) => {
          await sql`select 1`.execute(trx)
          await new Promise<void>((resolve) => {
            carryOn = resolve
          })
          await sql`select 1`.execute(trx)
        })
        const slow = app.inject({ url: '/api/v1/test/slow' })
        for (let i = 0; i < 200; i++) {
          const { rows } = await postgresAdmin(
            "select 1 from pg_stat_activity where datname = $1 and query like '%pg_sleep%' and state = 'active'",
            [name],
          )
          if (rows.length > 0) break
          await sleep(25)
        }

        // The server goes: every connection is cut and no new one is let in.
        await postgresAdmin(`alter database ${name} allow_connections false`)
        await postgresAdmin(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [name],
        )
        await sleep(200)

        const cut = await slow
        assert.equal(cut.statusCode, 503)
        assert.equal(cut.headers['content-type'], 'application/problem+json; charset=utf-8')
        assert.equal(cut.json().title, 'Kith cannot reach its database just now')
        carryOn()
        await assert.rejects(held, (error) => storageFailureOf(error) === 'unavailable')

        const health = await app.inject({ url: '/health' })
        assert.equal(health.statusCode, 503)
        assert.equal(health.json().database, 'unreachable')
        const api = await app.inject({ url: '/api/v1/test/organisations' })
        assert.equal(api.statusCode, 503)
        assert.equal(api.headers['retry-after'], '30')
        assert.match(api.json().detail, /cannot reach its database/)
        const page = await person.get('/')
        assert.equal(page.statusCode, 503)
        assert.match(page.body, /<title>Sorry, Kith cannot reach its database just now – Kith<\/title>/)
        assert.match(textOf(page.body), /Try again in a few minutes/)
        assert.doesNotMatch(page.body, /pg_sleep|Connection terminated|at .*\.ts:\d+/)

        // The server is back: Kith serves again with no restart.
        await postgresAdmin(`alter database ${name} allow_connections true`)
        let recovered = await app.inject({ url: '/health' })
        for (let i = 0; i < 20 && recovered.statusCode !== 200; i++) {
          await sleep(100)
          recovered = await app.inject({ url: '/health' })
        }
        assert.equal(recovered.statusCode, 200, 'healthy again within two seconds')
        const again = await app.inject({ url: '/api/v1/test/organisations' })
        assert.equal(again.statusCode, 200)
        assert.ok(again.json().count >= 1)
        assert.equal((await person.get('/')).statusCode, 200)
      } finally {
        await postgresAdmin(`alter database ${name} allow_connections true`)
        await app.close()
        await database.dispose()
      }
    })

    it('says a server that refuses connections is unavailable', async () => {
      // Nothing listens on port 1.
      const db = openDatabase({ databaseUrl: 'postgres://kith@127.0.0.1:1/kith', sqliteFile: '' })
      try {
        await assert.rejects(sql`select 1`.execute(db), (error) => {
          assert.ok(error instanceof DatabaseUnavailable)
          assert.equal(storageFailureOf(error), 'unavailable')
          return true
        })
      } finally {
        await db.destroy()
      }
    })
  })
}
