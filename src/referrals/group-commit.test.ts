import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createOrganisation } from '../access/store.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { GroupCommit } from './group-commit.ts'

describeEachDatabase('group commit', (database) => {
  it('commits writes made together, and leaves nothing of one that fails', async () => {
    const { db } = database()
    const writer = new GroupCommit(db)
    const make = (name: string) =>
      writer.run((trx) =>
        createOrganisation(trx, { name, kind: 'vcs', parentId: null, odsCode: null, postcode: null }),
      )
    const failing = writer.run(async (trx) => {
      await createOrganisation(trx, {
        name: 'Half written',
        kind: 'vcs',
        parentId: null,
        odsCode: null,
        postcode: null,
      })
      throw new Error('no')
    })
    const results = await Promise.allSettled([make('One'), failing, make('Two')])
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    )
    const names = (await db.selectFrom('organisations').select('name').orderBy('name').execute()).map(
      (r) => r.name,
    )
    assert.deepEqual(names, ['One', 'Two'])
  })
})
