import type { Kysely } from 'kysely'

// Link workers' development: their training records and supervision sessions, and the training
// each programme requires of its link workers.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('training_records')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('course', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('completed_on', 'text', (c) => c.notNull())
    .addColumn('expires_on', 'text')
    .addColumn('recorded_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('training_records_user')
    .on('training_records')
    .columns(['user_id', 'course'])
    .execute()

  await db.schema
    .createTable('supervision_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('supervisor', 'text', (c) => c.notNull())
    .addColumn('held_on', 'text', (c) => c.notNull())
    .addColumn('recorded_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('supervision_sessions_user')
    .on('supervision_sessions')
    .columns(['user_id', 'held_on'])
    .execute()

  await db.schema
    .createTable('required_training')
    .addColumn('programme_id', 'text', (c) => c.notNull().references('programmes.id').onDelete('cascade'))
    .addColumn('course', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('required_training_pk', ['programme_id', 'course'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['required_training', 'supervision_sessions', 'training_records'])
    await db.schema.dropTable(table).execute()
}
