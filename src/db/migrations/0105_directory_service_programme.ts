import type { Kysely } from 'kysely'

// A service run for a programme (decision 0106): the listing carries the programme's rules, and
// an accepted referral to it follows the programme's pathway. Not a foreign key, so that the
// directory's range does not depend on the programmes' (0105 runs before 0200 on a new database).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('services').addColumn('programme_id', 'text').execute()
  await db.schema.createIndex('services_programme').on('services').column('programme_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('services_programme').execute()
  await db.schema.alterTable('services').dropColumn('programme_id').execute()
}
