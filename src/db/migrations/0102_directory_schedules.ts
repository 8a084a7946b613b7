import type { Kysely } from 'kysely'
import { newId } from '../ids.ts'

// Structured opening times (Open Referral schedules), named taxonomies, and the terms for a
// service's kind and referral route so that they travel in Open Referral files as attributes.

const TAXONOMIES = [
  {
    id: '0193a8f0-0000-7000-8000-000000000101',
    code: 'area',
    name: 'Areas of support',
    description: "The five areas Luton's accredited providers work in",
  },
  {
    id: '0193a8f0-0000-7000-8000-000000000102',
    code: 'need',
    name: 'Needs',
    description: 'The needs social prescribing meets, long-term conditions by name',
  },
  {
    id: '0193a8f0-0000-7000-8000-000000000103',
    code: 'category',
    name: 'Categories',
    description: 'Listing categories',
  },
  {
    id: '0193a8f0-0000-7000-8000-000000000104',
    code: 'kind',
    name: 'Kinds of service',
    description: 'What sort of service it is',
  },
  {
    id: '0193a8f0-0000-7000-8000-000000000105',
    code: 'referral',
    name: 'Who can refer',
    description: 'Whether people may refer themselves',
  },
]

const KINDS: [string, string][] = [
  ['activity_group', 'Activity or group'],
  ['patient_led_group', 'Patient-led group'],
  ['volunteering', 'Volunteering opportunity'],
  ['advice', 'Advice service'],
  ['link_worker', 'Link worker service'],
  ['self_care_online', 'Self-care resource online'],
  ['book_on_prescription', 'Book on prescription'],
]

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('service_schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('freq', 'text', (c) => c.notNull().defaultTo('WEEKLY'))
    .addColumn('byday', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('opens_at', 'text')
    .addColumn('closes_at', 'text')
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .execute()
  await db.schema
    .createIndex('service_schedules_service')
    .on('service_schedules')
    .column('service_id')
    .execute()

  await db.schema
    .createTable('taxonomies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('uri', 'text')
    .addColumn('version', 'text')
    .execute()
  for (const taxonomy of TAXONOMIES) {
    await db
      .insertInto('taxonomies')
      .values({ ...taxonomy, uri: null, version: null })
      .execute()
  }
  for (const [code, label] of KINDS) {
    await db
      .insertInto('taxonomy_terms')
      .values({ id: newId(), vocabulary: 'kind', code, label, description: '' })
      .execute()
  }
  for (const [code, label] of [
    ['self-referral', 'Self-referral accepted'],
    ['professional-referral', 'Professional referrals only'],
  ]) {
    await db
      .insertInto('taxonomy_terms')
      .values({ id: newId(), vocabulary: 'referral', code, label, description: '' })
      .execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('taxonomy_terms').where('vocabulary', 'in', ['kind', 'referral']).execute()
  await db.schema.dropTable('taxonomies').execute()
  await db.schema.dropTable('service_schedules').execute()
}
