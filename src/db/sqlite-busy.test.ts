// SQLite lets one process write at a time. When another process (a `kith` command importing the
// directory, say) holds the file's write lock for longer than the busy timeout, SQLite answers
// SQLITE_BUSY, "database is locked". A request must then answer a 503 that says Kith is busy and
// that nothing was changed, not a bare 500, and work again once the lock is let go.

import assert from 'node:assert/strict'
import { DatabaseSync } from 'node:sqlite'
import { describe, it } from 'node:test'
import { createApiToken } from '../access/tokens.ts'
import { apiReferralBody, referralSetUp } from '../referrals/testing.ts'
import { PageClient, testApp, textOf } from '../web/testing.ts'
import { openDatabase } from './database.ts'
import { storageFailureOf } from './failures.ts'
import { freshDatabase, testedDialects } from './testing.ts'

if (testedDialects().includes('sqlite')) {
  describe('SQLite held by another writer', () => {
    it('answers 503 "Kith is busy", changes nothing, and works once the lock is let go', async () => {
      const database = await freshDatabase('sqlite')
      const t = await referralSetUp(database.db)
      const { token } = await createApiToken(database.db, t.referrer.userId, 'busy')
      await database.db.destroy()
      // Kith's own connection, waiting a fifth of a second for the lock instead of ten seconds.
      const db = openDatabase({ ...database.target, busyTimeoutMs: 200 })
      const app = await testApp(db)
      // Another process's connection, in the middle of a long write.
      const other = new DatabaseSync(database.target.sqliteFile)
      try {
        other.exec('begin immediate')
        const referral = apiReferralBody(t, {
          person: {
            givenName: 'Alex',
            familyName: 'Testperson',
            dateOfBirth: '1970-03-01',
            registeredPracticeId: t.practice,
          },
        })
        const send = () =>
          app.inject({
            method: 'POST',
            url: '/api/v1/referrals',
            headers: { authorization: `Bearer ${token}` },
            payload: referral,
          })
        const refused = await send()
        assert.equal(refused.statusCode, 503, refused.body)
        assert.equal(refused.headers['retry-after'], '30')
        assert.equal(refused.json().title, 'Kith is busy just now')
        assert.match(refused.json().detail, /Nothing was changed\./)

        // A person signing in sees an NHS-styled page saying the same.
        const person = new PageClient(app)
        const page = await person.post('/sign-in', { email: t.worker.email, password: t.worker.password })
        assert.equal(page.statusCode, 503)
        assert.match(textOf(page.body), /Kith is busy just now/)

        other.exec('rollback')
        assert.deepEqual(await db.selectFrom('referrals').select('id').execute(), [])
        assert.deepEqual(await db.selectFrom('sessions').select('id').execute(), [])
        assert.equal((await send()).statusCode, 201)
        assert.equal((await db.selectFrom('referrals').select('id').execute()).length, 1)
      } finally {
        other.close()
        await app.close()
        await database.dispose()
      }
    })

    it('is told apart from other errors', () => {
      const locked = Object.assign(new Error('database is locked'), { code: 'ERR_SQLITE_ERROR', errcode: 5 })
      const busySnapshot = Object.assign(new Error('database is locked'), {
        code: 'ERR_SQLITE_ERROR',
        errcode: 517,
      })
      const constraint = Object.assign(new Error('UNIQUE constraint failed'), {
        code: 'ERR_SQLITE_ERROR',
        errcode: 2067,
      })
      assert.equal(storageFailureOf(locked), 'busy')
      assert.equal(storageFailureOf(busySnapshot), 'busy')
      assert.equal(storageFailureOf(constraint), undefined)
    })
  })
}
