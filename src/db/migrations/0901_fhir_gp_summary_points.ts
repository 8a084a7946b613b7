import type { Kysely } from 'kysely'

// The points besides a case's end at which a programme sends the summary to the practice, and
// each summary queued at such a point, once per point (the case's initial assessment, each
// prescription's end), with the outbox message that carries it. Ids only, and no foreign key to
// the case: erasing a person's cases is not held up by it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('gp_summary_points')
    .addColumn('programme_id', 'text', (c) => c.primaryKey().references('programmes.id'))
    .addColumn('points', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('gp_summaries_queued')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('point', 'text', (c) => c.notNull())
    .addColumn('point_key', 'text', (c) => c.notNull())
    .addColumn('point_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('gp_summaries_queued_point', ['point', 'point_key'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('gp_summaries_queued').execute()
  await db.schema.dropTable('gp_summary_points').execute()
}
