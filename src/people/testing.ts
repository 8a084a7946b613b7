// What tests of anything that holds a person's data share: every table about people, and how many
// rows each holds on one person.

import type { Db } from '../db/schema.ts'

/** Every table with a person_id column, found by looking, so a table added later is not missed. */
export async function tablesAboutPeople(db: Db): Promise<string[]> {
  const tables = await db.introspection.getTables()
  return tables
    .filter((table) => table.columns.some((column) => column.name === 'person_id'))
    .map((table) => table.name)
    .sort()
}

/** How many rows each of `tables` holds on the person. */
export async function rowsOf(db: Db, tables: string[], personId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of tables) {
    const row = await db
      .selectFrom(table as 'referrals')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow()
    counts[table] = Number(row.n)
  }
  return counts
}
