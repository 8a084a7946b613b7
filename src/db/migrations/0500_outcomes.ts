import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outcome_settings')
    .addColumn('programme_id', 'text', (c) => c.primaryKey().references('programmes.id').onDelete('cascade'))
    .addColumn('measures', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('star', 'text')
    .addColumn('payment_rules', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by_user_id', 'text', (c) => c.references('users.id'))
    .execute()

  await db.schema
    .createTable('outcome_readings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('programme_id', 'text', (c) => c.notNull().references('programmes.id'))
    .addColumn('instrument_id', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('answers', 'text', (c) => c.notNull())
    .addColumn('scores', 'text', (c) => c.notNull())
    .addColumn('entered_by', 'text', (c) => c.notNull())
    .addColumn('recorded_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('outcome_readings_person')
    .on('outcome_readings')
    .columns(['person_id', 'programme_id', 'instrument_id', 'taken_at'])
    .execute()
  await db.schema
    .createIndex('outcome_readings_programme')
    .on('outcome_readings')
    .columns(['programme_id', 'instrument_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outcome_readings').execute()
  await db.schema.dropTable('outcome_settings').execute()
}
