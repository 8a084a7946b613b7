import type { Kysely } from 'kysely'

// Groups: the details of a directory service that is a group, the support link workers give it,
// the meetings it holds, and new groups being started.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('group_details')
    .addColumn('service_id', 'text', (c) => c.primaryKey().references('services.id').onDelete('cascade'))
    .addColumn('run_by', 'text', (c) => c.notNull())
    .addColumn('facilitator_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('leader_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('meeting_pattern', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('for_need', 'text', (c) => c.notNull())
    .addColumn('members', 'integer', (c) => c.notNull())
    .addColumn('open_to_new', 'integer', (c) => c.notNull())
    .addColumn('running', 'integer', (c) => c.notNull())
    .addColumn('recorded_on', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('group_details_facilitator')
    .on('group_details')
    .column('facilitator_user_id')
    .execute()

  await db.schema
    .createTable('group_support')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('given_on', 'text', (c) => c.notNull())
    .addColumn('by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('group_support_service')
    .on('group_support')
    .columns(['service_id', 'given_on'])
    .execute()

  await db.schema
    .createTable('group_meetings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('met_on', 'text', (c) => c.notNull())
    .addColumn('attended', 'integer', (c) => c.notNull())
    .addColumn('recorded_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('group_meetings_day')
    .unique()
    .on('group_meetings')
    .columns(['service_id', 'met_on'])
    .execute()

  await db.schema
    .createTable('new_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('idea', 'text', (c) => c.notNull())
    .addColumn('for_need', 'text', (c) => c.notNull())
    .addColumn('interested', 'integer', (c) => c.notNull())
    .addColumn('interested_note', 'text', (c) => c.notNull())
    .addColumn('facilitator_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('steps_done', 'text', (c) => c.notNull())
    .addColumn('first_meeting_on', 'text')
    .addColumn('created_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['new_groups', 'group_meetings', 'group_support', 'group_details'])
    await db.schema.dropTable(table).execute()
}
