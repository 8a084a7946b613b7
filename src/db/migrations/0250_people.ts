import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('people')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('nhs_number', 'text')
    .addColumn('given_name', 'text', (c) => c.notNull())
    .addColumn('family_name', 'text', (c) => c.notNull())
    .addColumn('given_name_key', 'text', (c) => c.notNull())
    .addColumn('family_name_key', 'text', (c) => c.notNull())
    .addColumn('date_of_birth', 'text', (c) => c.notNull())
    .addColumn('sex_or_gender', 'text')
    .addColumn('address_lines', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('postcode', 'text')
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('contact_methods', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('may_leave_messages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('registered_practice_id', 'text', (c) => c.references('organisations.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  // One record per NHS number; people without one (null) are not constrained.
  await db.schema.createIndex('people_nhs_number').unique().on('people').column('nhs_number').execute()
  await db.schema
    .createIndex('people_name_birth')
    .on('people')
    .columns(['family_name_key', 'date_of_birth', 'given_name_key'])
    .execute()
  await db.schema.createIndex('people_practice').on('people').column('registered_practice_id').execute()

  await db.schema
    .createTable('person_conditions')
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('display', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('person_conditions_pk', ['person_id', 'code'])
    .execute()
  await db.schema.createIndex('person_conditions_code').on('person_conditions').column('code').execute()

  await db.schema
    .createTable('person_consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('about', 'text', (c) => c.notNull())
    .addColumn('given_by', 'text', (c) => c.notNull())
    .addColumn('representative_name', 'text')
    .addColumn('representative_relationship', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('given_at', 'text', (c) => c.notNull())
    .addColumn('related_record_type', 'text')
    .addColumn('related_record_id', 'text')
    .addColumn('recorded_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'text')
    .execute()
  await db.schema.createIndex('person_consents_person').on('person_consents').column('person_id').execute()
  await db.schema
    .createIndex('person_consents_related')
    .on('person_consents')
    .columns(['related_record_type', 'related_record_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('person_consents').execute()
  await db.schema.dropTable('person_conditions').execute()
  await db.schema.dropTable('people').execute()
}
