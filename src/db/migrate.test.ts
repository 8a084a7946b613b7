import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { it } from 'node:test'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { openDatabase } from './database.ts'
import { migrateToLatest } from './migrate.ts'
import { describeEachDatabase, emptyDatabase } from './testing.ts'

const run = promisify(execFile)
const KITH = join(import.meta.dirname, '..', '..', 'bin', 'kith.js')

describeEachDatabase('migrations', (database) => {
  it('are recorded, and running them again applies nothing', async () => {
    const { db } = database()
    const recorded = await sql<{ name: string }>`select name from kith_migration order by name`.execute(db)
    assert.ok(recorded.rows.some((row) => row.name === '0001_access'))
    assert.deepEqual(await migrateToLatest(db), [])
  })

  it('run safely from several processes at once: one applies them, the others find nothing to do', async () => {
    const empty = await emptyDatabase(database().dialect)
    try {
      const env = {
        ...process.env,
        ...empty.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        SESSION_SECRET: 'x'.repeat(32),
      }
      const outputs = await Promise.all(
        [1, 2, 3].map(() => run(process.execPath, [KITH, 'migrate'], { env })),
      )
      const applied = outputs.filter((output) => output.stdout.startsWith('Applied'))
      const upToDate = outputs.filter((output) => output.stdout.includes('up to date'))
      assert.equal(applied.length, 1)
      assert.equal(upToDate.length, 2)
      const db = openDatabase(empty.target)
      try {
        const recorded = await sql<{ name: string }>`select name from kith_migration`.execute(db)
        assert.ok(recorded.rows.length >= 1)
        assert.equal(new Set(recorded.rows.map((r) => r.name)).size, recorded.rows.length)
      } finally {
        await db.destroy()
      }
    } finally {
      await empty.dispose()
    }
  })

  it('enforce foreign keys', async () => {
    const { db } = database()
    await assert.rejects(
      db
        .insertInto('memberships')
        .values({
          id: 'm',
          user_id: 'nobody',
          organisation_id: 'nowhere',
          role: 'referrer',
          title: null,
          created_at: 'now',
        })
        .execute(),
    )
  })
})
