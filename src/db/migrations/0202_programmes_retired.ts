import type { Kysely } from 'kysely'

// A programme can be retired: closed to new referrals, its records kept (issue 12). Names are
// unique among programmes still running, checked by the store in the transaction that names one.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('programmes').addColumn('retired_at', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('programmes').dropColumn('retired_at').execute()
}
