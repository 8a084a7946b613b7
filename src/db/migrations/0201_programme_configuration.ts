import type { Kysely } from 'kysely'

// Each column is its own ALTER TABLE: SQLite adds one column per statement.
const columns: [string, 'text' | 'integer', string | number | null][] = [
  ['description', 'text', ''],
  ['pathway', 'text', 'link_worker'],
  ['referral_sources', 'text', '["gp_practice"]'],
  ['practice_registration_required', 'integer', 0],
  ['criteria', 'text', '[]'],
  ['needs', 'text', '[]'],
  ['link_worker_title', 'text', 'Link worker'],
  [
    'appointment_rules',
    'text',
    '{"furtherAppointmentsCap":null,"lengths":{"initial":60,"follow_up":45,"review":30,"exit":30},"modes":["practice","phone"]}',
  ],
  ['prescription', 'text', null],
  ['nudge_after_days', 'integer', 7],
  ['decline_after_days', 'integer', 14],
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, type, fallback] of columns) {
    await db.schema
      .alterTable('programmes')
      .addColumn(name, type, (c) => (fallback === null ? c : c.notNull().defaultTo(fallback)))
      .execute()
  }

  await db.schema
    .createTable('programme_practices')
    .addColumn('programme_id', 'text', (c) => c.notNull().references('programmes.id').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('named_link_worker_user_id', 'text', (c) => c.references('users.id'))
    .addPrimaryKeyConstraint('programme_practices_pk', ['programme_id', 'organisation_id'])
    .execute()
  await db.schema
    .createIndex('programme_practices_organisation')
    .on('programme_practices')
    .column('organisation_id')
    .execute()

  await db.schema
    .createTable('programme_link_workers')
    .addColumn('programme_id', 'text', (c) => c.notNull().references('programmes.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('programme_link_workers_pk', ['programme_id', 'user_id'])
    .execute()
  await db.schema
    .createIndex('programme_link_workers_user')
    .on('programme_link_workers')
    .column('user_id')
    .execute()

  await db.schema
    .createTable('programme_link_worker_days')
    .addColumn('programme_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('weekday', 'text', (c) => c.notNull())
    .addColumn('practice_organisation_id', 'text', (c) => c.references('organisations.id'))
    .addPrimaryKeyConstraint('programme_link_worker_days_pk', ['programme_id', 'user_id', 'weekday'])
    .addForeignKeyConstraint(
      'programme_link_worker_days_worker',
      ['programme_id', 'user_id'],
      'programme_link_workers',
      ['programme_id', 'user_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('programme_link_worker_days').execute()
  await db.schema.dropTable('programme_link_workers').execute()
  await db.schema.dropTable('programme_practices').execute()
  for (const [name] of [...columns].reverse()) {
    await db.schema.alterTable('programmes').dropColumn(name).execute()
  }
}
