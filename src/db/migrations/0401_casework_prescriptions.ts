import type { Kysely } from 'kysely'

// Prescriptions and signposts name a directory service by id and keep its name as it was when
// prescribed, so the case reads the same if the directory entry changes (decision 0400).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('case_prescriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id'))
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('service_name', 'text', (c) => c.notNull())
    .addColumn('need', 'text')
    .addColumn('weeks', 'integer', (c) => c.notNull())
    .addColumn('expected_sessions', 'integer', (c) => c.notNull())
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('reviewed_at', 'text')
    .addColumn('continued', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('case_prescriptions_case').on('case_prescriptions').column('case_id').execute()
  await db.schema
    .createIndex('case_prescriptions_person')
    .on('case_prescriptions')
    .column('person_id')
    .execute()

  await db.schema
    .createTable('case_signposts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('referral_id', 'text')
    .addColumn('service_id', 'text')
    .addColumn('service_name', 'text', (c) => c.notNull())
    .addColumn('need', 'text')
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('case_signposts_case').on('case_signposts').column('case_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_signposts').execute()
  await db.schema.dropTable('case_prescriptions').execute()
}
