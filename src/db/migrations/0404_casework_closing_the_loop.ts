import type { Kysely } from 'kysely'

// Closing the loop (decision 0402): notes the link worker marks for the GP record go into the
// summary with their text; a signpost records whether the person took it up.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('case_notes')
    .addColumn('for_gp_record', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('case_signposts').addColumn('taken_up', 'text').execute()
}
