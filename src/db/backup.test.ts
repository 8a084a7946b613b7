import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import { createOrganisation } from '../access/store.ts'
import { BackupProblem, backupSqlite, checkKithDatabase, restoreSqlite } from './backup.ts'
import { openDatabase } from './database.ts'
import { migrateToLatest } from './migrate.ts'

const organisation = (name: string) => ({
  name,
  kind: 'vcs' as const,
  parentId: null,
  odsCode: null,
  postcode: null,
})

const namesIn = (file: string) => {
  const db = new DatabaseSync(file, { readOnly: true })
  try {
    return (db.prepare('select name from organisations order by name').all() as { name: string }[]).map(
      (r) => r.name,
    )
  } finally {
    db.close()
  }
}

describe('backing up and restoring the SQLite database', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kith-backup-test-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('copies the database while it is open and being written, and restores it, keeping what it replaces', async () => {
    const live = join(dir, 'kith.sqlite')
    const db = openDatabase({ sqliteFile: live })
    try {
      await migrateToLatest(db)
      await createOrganisation(db, organisation('Before the backup'))
      const copy = join(dir, 'backup.sqlite')
      // A write in flight while the copy is made: the copy holds it whole or not at all.
      const [{ bytes }] = await Promise.all([
        backupSqlite(live, copy),
        createOrganisation(db, organisation('During the backup')),
      ])
      assert.ok(bytes > 0)
      // One file: no write-ahead log left beside it to lose.
      assert.deepEqual(
        (await readdir(dir)).filter((name) => name.startsWith('backup.sqlite')),
        ['backup.sqlite'],
      )
      const copied = namesIn(copy)
      assert.ok(copied.includes('Before the backup'))
      assert.ok((await checkKithDatabase(copy)).migrations > 0)
      await assert.rejects(backupSqlite(live, copy), /already exists/)

      await createOrganisation(db, organisation('After the backup'))
      await db.destroy()
      const { savedAs } = await restoreSqlite(copy, live, new Date('2026-11-30T10:00:00Z'))
      assert.equal(savedAs, `${live}.before-restore-2026-11-30T10-00-00-000Z`)
      assert.deepEqual(namesIn(live), copied)
      assert.ok(namesIn(savedAs!).includes('After the backup'), 'the replaced database is kept')
    } finally {
      await db.destroy().catch(() => undefined)
    }
  })

  it('finishes while another connection writes all the time', async () => {
    const live = join(dir, 'busy.sqlite')
    const db = openDatabase({ sqliteFile: live })
    await migrateToLatest(db)
    await db.destroy()
    // About 16 MB, so a copy made a hundred pages at a time takes many steps.
    const filling = new DatabaseSync(live)
    filling.exec(`create table filler (b blob);
      with recursive n(i) as (select 1 union all select i + 1 from n where i < 4000)
      insert into filler select randomblob(4000) from n`)
    filling.close()

    // Another connection (another thread, as another process would be) commits all the time.
    const writer = new Worker(
      `const { DatabaseSync } = require('node:sqlite')
      const { workerData, parentPort } = require('node:worker_threads')
      const db = new DatabaseSync(workerData, { timeout: 10000 })
      db.exec('pragma journal_mode = wal; pragma synchronous = off')
      const insert = db.prepare('insert into filler values (randomblob(100))')
      let stop = false
      parentPort.on('message', () => { stop = true })
      let commits = 0
      const write = () => {
        if (stop) { db.close(); parentPort.postMessage(commits); return }
        for (let i = 0; i < 20; i++) { insert.run(); commits++ }
        setImmediate(write)
      }
      write()`,
      { eval: true, workerData: live },
    )
    try {
      await sleep(100)
      const copy = join(dir, 'busy-backup.sqlite')
      const finished = await Promise.race([
        backupSqlite(live, copy).then(() => true),
        sleep(20_000, undefined, { ref: false }).then(() => false),
      ])
      assert.ok(finished, 'the backup finished within 20 seconds')
      assert.ok((await checkKithDatabase(copy)).migrations > 0)
    } finally {
      writer.postMessage('stop')
      const [commits] = (await once(writer, 'message')) as [number]
      assert.ok(commits > 100, `the writer committed ${commits} times during the backup`)
      await writer.terminate()
    }
  })

  it('refuses what is not a whole Kith database of a version it knows, and changes nothing', async () => {
    const live = join(dir, 'refusing.sqlite')
    const db = openDatabase({ sqliteFile: live })
    await migrateToLatest(db)
    await createOrganisation(db, organisation('Still here'))
    await db.destroy()

    const junk = join(dir, 'junk.sqlite')
    await writeFile(junk, 'this is not a database at all, just some text in a file')
    const other = join(dir, 'other.sqlite')
    const otherDb = new DatabaseSync(other)
    otherDb.exec('create table notes (text text)')
    otherDb.close()
    const newer = join(dir, 'newer.sqlite')
    await backupSqlite(live, newer)
    const newerDb = new DatabaseSync(newer)
    newerDb.exec("insert into kith_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01')")
    newerDb.close()

    for (const [file, message] of [
      [join(dir, 'missing.sqlite'), /There is no file/],
      [junk, /is not an SQLite database/],
      [other, /is not a Kith database/],
      [newer, /was made by a newer Kith.*9999_from_the_future/],
    ] as const) {
      await assert.rejects(restoreSqlite(file, live), (error: unknown) => {
        assert.ok(error instanceof BackupProblem)
        assert.match(error.message, message)
        return true
      })
    }
    assert.deepEqual(namesIn(live), ['Still here'])
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('refusing.sqlite.before-restore')),
      [],
      'nothing was copied aside, because nothing was restored',
    )
  })
})
