import assert from 'node:assert/strict'
import { it } from 'node:test'
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
