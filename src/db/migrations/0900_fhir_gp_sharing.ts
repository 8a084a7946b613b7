import type { Kysely } from 'kysely'

// What each practice takes of a programme's summaries for the GP record: whole, or codes only.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('gp_sharing')
    .addColumn('programme_id', 'text', (c) => c.notNull().references('programmes.id'))
    .addColumn('practice_organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('codes_only', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('gp_sharing_pk', ['programme_id', 'practice_organisation_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('gp_sharing').execute()
}
