import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sql } from 'kysely'
import { createOrganisation } from '../access/store.ts'
import { openDatabase, StatementNames } from './database.ts'
import { freshDatabase, testedDialects } from './testing.ts'

it('names the statements PostgreSQL may keep prepared, and no others', () => {
  const names = new StatementNames()
  const read = 'select "name" from "organisations" where "id" = $1'
  assert.equal(names.of(read, 1), 'kith_0')
  assert.equal(names.of(read, 1), 'kith_0', 'the same text keeps its name')
  assert.equal(names.of('insert into "t" ("a") values ($1)', 1), 'kith_1')
  assert.equal(
    names.of('select * from "organisations"', 0),
    undefined,
    'a migration could change its columns',
  )
  assert.equal(names.of('select count(*) from "organisations"', 0), undefined)
  assert.equal(names.of('begin', 0), undefined)
  assert.equal(names.of('alter table "t" add column "b" text', 0), undefined)
  const many = `insert into "t" ("a") values ${Array.from({ length: 65 }, (_, i) => `($${i + 1})`).join(', ')}`
  assert.equal(names.of(many, 65), undefined, 'rows written together vary in length')
  for (let i = 2; i < 500; i++) names.of(`select "a" from "t${i}" where "id" = $1`, 1)
  assert.equal(names.of('select "a" from "t_over_the_limit" where "id" = $1', 1), undefined)
  assert.equal(names.of(read, 1), 'kith_0', 'names given before the limit still hold')
})

// Only PostgreSQL keeps statements prepared.
if (testedDialects().includes('postgres')) {
  describe('statements run again and again [postgres]', () => {
    it('keep working on one connection when a migration adds a column', async () => {
      const database = await freshDatabase('postgres')
      const db = openDatabase({ ...database.target, poolSize: 1 })
      try {
        const id = await createOrganisation(db, {
          name: 'One',
          kind: 'vcs',
          parentId: null,
          odsCode: null,
          postcode: null,
        })
        const named = () =>
          db.selectFrom('organisations').select(['id', 'name']).where('id', '=', id).execute()
        const everything = () => db.selectFrom('organisations').selectAll().where('id', '=', id).execute()
        for (let i = 0; i < 6; i++) {
          await named()
          await everything()
        }
        await sql`alter table organisations add column added_later text`.execute(db)
        assert.deepEqual(await named(), [{ id, name: 'One' }])
        const [row] = (await everything()) as Record<string, unknown>[]
        assert.equal(row?.added_later, null)
      } finally {
        await db.destroy()
        await database.dispose()
      }
    })
  })
}
