import type { Kysely } from 'kysely'

// The Activity report counts the onward referrals and signposts made in a period from the cases
// in scope. With the time, kind and service in the index, those are read from the index alone
// (decision 0800). The index leads with case_id, so it replaces the single-column one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('case_signposts_case').execute()
  await db.schema
    .createIndex('case_signposts_case_created')
    .on('case_signposts')
    .columns(['case_id', 'created_at', 'kind', 'service_id', 'service_name'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('case_signposts_case_created').execute()
  await db.schema.createIndex('case_signposts_case').on('case_signposts').column('case_id').execute()
}
