import type { Kysely } from 'kysely'

// Request limits counted in the database, so every Kith process sharing it counts the same
// requests: one row per route and address, the hits in its current window and when it ends.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limit_windows')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('ends_at_ms', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('rate_limit_windows_ends')
    .on('rate_limit_windows')
    .column('ends_at_ms')
    .execute()
}
