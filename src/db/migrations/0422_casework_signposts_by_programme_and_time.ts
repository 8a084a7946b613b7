import { type Kysely, sql } from 'kysely'

// The Activity report reads the onward referrals and signposts made in a period from a
// programme's cases (decision 0800). Found case by case, that was one index seek per case; with
// the case's programme on each (a case never changes programme) they lie together in an index in
// programme and time order, with every column the report counts, and are read in one range.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('case_signposts').addColumn('programme_id', 'text').execute()
  await sql`update case_signposts set programme_id = (select cases.programme_id from cases where cases.id = case_signposts.case_id)`.execute(
    db,
  )
  await db.schema
    .createIndex('case_signposts_programme_created')
    .on('case_signposts')
    .columns(['programme_id', 'created_at', 'case_id', 'kind', 'service_id', 'service_name'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('case_signposts_programme_created').execute()
  await db.schema.alterTable('case_signposts').dropColumn('programme_id').execute()
}
