import assert from 'node:assert/strict'
import { it } from 'node:test'
import { sql } from 'kysely'
import { createOrganisation } from '../access/store.ts'
import { readTogether } from './dialect.ts'
import { describeEachDatabase } from './testing.ts'

describeEachDatabase('reads together', (database, dialect) => {
  it('sees the database as it was when they began, each read side by side on PostgreSQL', async () => {
    const { db } = database()
    const organisation = (name: string) =>
      createOrganisation(db, { name, kind: 'vcs', parentId: null, odsCode: null, postcode: null })
    await organisation('Before')
    const count = async (trx: typeof db) =>
      Number(
        (await sql<{ n: number | string }>`select count(*) as n from organisations`.execute(trx)).rows[0]!.n,
      )
    if (dialect === 'sqlite') {
      // One connection: the reads run in turn, in one transaction.
      assert.deepEqual(await readTogether<[number, number]>(db, 64, [count, count]), [1, 1])
      return
    }
    let written: () => void = () => undefined
    const meanwhile = new Promise<void>((resolve) => {
      written = resolve
    })
    const backend = async (trx: typeof db) =>
      Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid)
    const [first, second] = await readTogether<[[number, number], [number, number]]>(db, 64, [
      async (trx) => {
        // Another connection adds a row once both reads have begun, and it is committed.
        await organisation('While reading')
        written()
        return [await count(trx), await backend(trx)]
      },
      async (trx) => {
        await meanwhile
        return [await count(trx), await backend(trx)]
      },
    ])
    assert.equal(first[0], 1, 'the row added meanwhile is not seen')
    assert.equal(second[0], 1, 'nor by the other read, which took up the first one’s snapshot')
    assert.notEqual(first[1], second[1], 'each read had a connection of its own')
    assert.equal(await count(db), 2)

    // While others write without pause, both reads still hold the one snapshot.
    let writing = true
    const writer = (async () => {
      for (let i = 0; writing; i++) await organisation(`Busy ${i}`)
    })()
    const snapshot = async (trx: typeof db) =>
      (await sql<{ s: string }>`select pg_current_snapshot()::text as s`.execute(trx)).rows[0]!.s
    const [one, two] = await readTogether<[string, string]>(db, 64, [snapshot, snapshot])
    writing = false
    await writer
    assert.equal(one, two)
  })
})
