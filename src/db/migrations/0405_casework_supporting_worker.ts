import type { Kysely } from 'kysely'

// A supporting worker named on a case (decision 0106): in Blackburn with Darwen's volunteering
// programmes the project officer holds the case, with a community navigator or a recovery support
// officer alongside. They see the case as its worker does, and it is in their caseload.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('cases')
    .addColumn('supporting_user_id', 'text', (c) => c.references('users.id'))
    .execute()
  await db.schema
    .createIndex('cases_supporting_status')
    .on('cases')
    .columns(['supporting_user_id', 'status', 'opened_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('cases_supporting_status').execute()
  await db.schema.alterTable('cases').dropColumn('supporting_user_id').execute()
}
