import assert from 'node:assert/strict'
import { it } from 'node:test'
import { sql } from 'kysely'
import { createOrganisation } from '../access/store.ts'
import type { Queryable } from '../db/schema.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { GroupCommit } from './group-commit.ts'

const organisation = (trx: Queryable, name: string, odsCode: string | null = null) =>
  createOrganisation(trx, { name, kind: 'vcs', parentId: null, odsCode, postcode: null })

describeEachDatabase('group commit', (database) => {
  const namesIn = async () =>
    (await database().db.selectFrom('organisations').select('name').orderBy('name').execute()).map(
      (row) => row.name,
    )

  it('commits writes made together, and leaves nothing of one that fails', async () => {
    const writer = new GroupCommit(database().db)
    const failing = writer.run(async (trx) => {
      await organisation(trx, 'Half written')
      throw new Error('no')
    })
    const results = await Promise.allSettled([
      writer.run((trx) => organisation(trx, 'One')),
      failing,
      writer.run((trx) => organisation(trx, 'Two')),
    ])
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    )
    assert.deepEqual(await namesIn(), ['One', 'Two'])
    assert.equal(writer.counts.commits, 1)
    assert.equal(writer.counts.writes, 3)
  })

  it('lets a write read back what it has written, and answers only once it is committed', async () => {
    const { db } = database()
    const writer = new GroupCommit(db)
    const [first, second] = await Promise.all(
      ['Read back one', 'Read back two'].map((name) =>
        writer.run(async (trx) => {
          const id = await organisation(trx, name)
          const row = await trx
            .selectFrom('organisations')
            .select('name')
            .where('id', '=', id)
            .executeTakeFirst()
          return row?.name
        }),
      ),
    )
    assert.equal(first, 'Read back one')
    assert.equal(second, 'Read back two')
    // Answered means committed: another connection sees both.
    assert.deepEqual(await namesIn(), ['Read back one', 'Read back two'])
  })

  it('keeps each write whole when two claim the same unique key at once', async () => {
    const writer = new GroupCommit(database().db)
    const claim = (name: string) =>
      writer.run(async (trx) => {
        await organisation(trx, `${name} team`)
        await organisation(trx, name, 'Z12345')
      })
    const results = await Promise.allSettled([
      claim('First'),
      claim('Second'),
      writer.run((trx) => organisation(trx, 'Bystander')),
    ])
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    )
    assert.deepEqual(await namesIn(), ['Bystander', 'First', 'First team'])
    // On PostgreSQL the rows written together were refused, so the batch ran again in turn.
    assert.equal(writer.counts.rerun, database().dialect === 'postgres' ? 1 : 0)
  })

  it('undoes a change made by a write that then fails, and keeps the others', async () => {
    const { db } = database()
    const id = await organisation(db, 'Before')
    const writer = new GroupCommit(db)
    const results = await Promise.allSettled([
      writer.run(async (trx) => {
        await trx.updateTable('organisations').set({ name: 'Changed' }).where('id', '=', id).execute()
        throw new Error('changed my mind')
      }),
      writer.run((trx) => organisation(trx, 'Kept')),
    ])
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'fulfilled'],
    )
    assert.equal((results[0] as PromiseRejectedResult).reason.message, 'changed my mind')
    assert.deepEqual(await namesIn(), ['Before', 'Kept'])
  })

  it('fails only the write whose statement the database refuses', async () => {
    const writer = new GroupCommit(database().db)
    const results = await Promise.allSettled([
      writer.run((trx) => organisation(trx, 'Alpha')),
      writer.run(async (trx) => {
        await organisation(trx, 'Never')
        // A name the database refuses: longer than it allows for an identifier is not the point,
        // a table that does not exist is.
        await trx
          .selectFrom('no_such_table' as 'organisations')
          .selectAll()
          .execute()
      }),
      writer.run((trx) => organisation(trx, 'Beta')),
    ])
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    )
    assert.deepEqual(await namesIn(), ['Alpha', 'Beta'])
  })

  it('gives each write its own copy of rows that several read at once', async () => {
    const { db } = database()
    const id = await organisation(db, 'Shared')
    const writer = new GroupCommit(db)
    const read = () =>
      writer.run(async (trx) => {
        const row = await trx
          .selectFrom('organisations')
          .select(['id', 'name'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
        const seen = row.name
        row.name = 'Changed by one reader'
        return seen
      })
    assert.deepEqual(await Promise.all([read(), read(), read()]), ['Shared', 'Shared', 'Shared'])
  })
})

describeEachDatabase('group commit, two writers at once', (database, dialect) => {
  it('answers each write once and whole when two processes claim the same keys in either order', async () => {
    const { db } = database()
    // Two writers on one database are two Kith processes: each commits its own batches.
    const [one, two] = [new GroupCommit(db), new GroupCommit(db)]
    // What a referral's submission key does: look for the key, and make the record if it is new.
    const claim = (writer: GroupCommit, odsCode: string) =>
      writer.run(async (trx) => {
        const found = await trx
          .selectFrom('organisations')
          .select('id')
          .where('ods_code', '=', odsCode)
          .executeTakeFirst()
        if (found) return 'found'
        await organisation(trx, `Claimed ${odsCode}`, odsCode)
        return 'made'
      })
    for (let round = 0; round < 30; round++) {
      const keys = [0, 1, 2, 3].map((n) => `Y${String(round * 10 + n).padStart(5, '0')}`)
      const results = await Promise.allSettled([
        ...keys.map((key) => claim(one, key)),
        ...keys.toReversed().map((key) => claim(two, key)),
      ])
      const answers = results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))
      for (const [n, key] of keys.entries())
        assert.deepEqual([answers[n], answers[7 - n]].sort(), ['found', 'made'], `round ${round}, ${key}`)
    }
    const claimed = await db
      .selectFrom('organisations')
      .select('ods_code')
      .where('ods_code', 'like', 'Y%')
      .execute()
    assert.equal(claimed.length, 120)
  })

  if (dialect === 'postgres')
    it('runs a write again, alone, when another process took its key between its look and its insert', async () => {
      const { db } = database()
      const writer = new GroupCommit(db)
      let runs = 0
      const answer = writer.run(async (trx) => {
        runs++
        // The first run breaks the batch written together, so it runs again in turn, as a batch
        // whose rows another process holds does.
        if (runs === 1) await sql`select * from no_such_table`.execute(trx)
        const found = await trx
          .selectFrom('organisations')
          .select('id')
          .where('ods_code', '=', 'Y99999')
          .executeTakeFirst()
        if (found) return 'found'
        if (runs === 2) {
          // Another process claims the key now, and commits while this write waits on it.
          const other = await db.startTransaction().execute()
          await organisation(other, 'The other process', 'Y99999')
          setTimeout(() => void other.commit().execute(), 300)
        }
        await organisation(trx, 'This process', 'Y99999')
        return 'made'
      })
      assert.equal(await answer, 'found')
      assert.equal(runs, 3)
      assert.deepEqual(
        (await db.selectFrom('organisations').select('name').where('ods_code', '=', 'Y99999').execute()).map(
          (row) => row.name,
        ),
        ['The other process'],
      )
    })
})
