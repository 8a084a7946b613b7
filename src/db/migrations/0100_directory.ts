import type { Kysely } from 'kysely'
import { createServiceTextSearch, floatType } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('self_referral', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('criteria', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('criteria_notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('additional_needs', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('disclaimer', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('cost', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('free', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('age_min', 'integer')
    .addColumn('age_max', 'integer')
    .addColumn('schedule', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('contact_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('phone', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('url', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_reviewed_on', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('services_provider').on('services').column('provider_organisation_id').execute()
  await db.schema.createIndex('services_name').on('services').column('name').execute()
  await db.schema.createIndex('services_external_id').unique().on('services').column('external_id').execute()
  await createServiceTextSearch(db)

  await db.schema
    .createTable('taxonomy_terms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vocabulary', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('parent_id', 'text')
    .execute()
  await db.schema
    .createIndex('taxonomy_terms_code')
    .unique()
    .on('taxonomy_terms')
    .columns(['vocabulary', 'code'])
    .execute()

  await db.schema
    .createTable('service_terms')
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('term_id', 'text', (c) => c.notNull().references('taxonomy_terms.id'))
    .addPrimaryKeyConstraint('service_terms_pk', ['service_id', 'term_id'])
    .execute()
  await db.schema
    .createIndex('service_terms_term')
    .on('service_terms')
    .columns(['term_id', 'service_id'])
    .execute()

  await db.schema
    .createTable('service_locations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('town', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('postcode', 'text')
    .addColumn('latitude', floatType(db))
    .addColumn('longitude', floatType(db))
    .execute()
  await db.schema
    .createIndex('service_locations_service')
    .on('service_locations')
    .column('service_id')
    .execute()
  await db.schema
    .createIndex('service_locations_position')
    .on('service_locations')
    .columns(['latitude', 'longitude'])
    .execute()

  await db.schema
    .createTable('accreditations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('programme_id', 'text', (c) => c.notNull())
    .addColumn('accredited_from', 'text', (c) => c.notNull())
    .addColumn('accredited_to', 'text')
    .addColumn('recorded_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('accreditations_subject')
    .on('accreditations')
    .columns(['subject_type', 'subject_id'])
    .execute()

  await db.schema
    .createTable('postcodes')
    .addColumn('postcode', 'text', (c) => c.primaryKey())
    .addColumn('latitude', floatType(db), (c) => c.notNull())
    .addColumn('longitude', floatType(db), (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'postcodes',
    'accreditations',
    'service_locations',
    'service_terms',
    'taxonomy_terms',
  ]) {
    await db.schema.dropTable(table).execute()
  }
  await db.schema.dropTable('services').execute()
}
