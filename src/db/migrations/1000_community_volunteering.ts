import type { Kysely } from 'kysely'
import { floatType } from '../dialect.ts'

// Volunteering on prescription: an opportunity's own details beside its directory service, what a
// person on a case looks for, their placements and the hours they log.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('volunteering_opportunities')
    .addColumn('service_id', 'text', (c) => c.primaryKey().references('services.id').onDelete('cascade'))
    .addColumn('host_organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('involves', 'text', (c) => c.notNull())
    .addColumn('skills_gained', 'text', (c) => c.notNull())
    .addColumn('interests', 'text', (c) => c.notNull())
    .addColumn('times', 'text', (c) => c.notNull())
    .addColumn('days', 'text', (c) => c.notNull())
    .addColumn('accessibility', 'text', (c) => c.notNull())
    .addColumn('dbs_level', 'text', (c) => c.notNull())
    .addColumn('references_needed', 'integer', (c) => c.notNull())
    .addColumn('places_available', 'integer', (c) => c.notNull())
    .addColumn('suits', 'text', (c) => c.notNull())
    .addColumn('stages', 'text', (c) => c.notNull())
    .addColumn('needs', 'text', (c) => c.notNull())
    .addColumn('latitude', floatType(db))
    .addColumn('longitude', floatType(db))
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  // Matching narrows by place first: a box round the person, then the exact distance.
  await db.schema
    .createIndex('volunteering_opportunities_place')
    .on('volunteering_opportunities')
    .columns(['active', 'latitude', 'longitude'])
    .execute()
  await db.schema
    .createIndex('volunteering_opportunities_host')
    .on('volunteering_opportunities')
    .column('host_organisation_id')
    .execute()

  await db.schema
    .createTable('volunteer_profiles')
    .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id').onDelete('cascade'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('interests', 'text', (c) => c.notNull())
    .addColumn('skills', 'text', (c) => c.notNull())
    .addColumn('days', 'text', (c) => c.notNull())
    .addColumn('postcode', 'text')
    .addColumn('travel_km', floatType(db), (c) => c.notNull())
    .addColumn('recovery', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('dbs_level', 'text', (c) => c.notNull())
    .addColumn('dbs_checked_on', 'text')
    .addColumn('references_received', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by_user_id', 'text', (c) => c.references('users.id'))
    .execute()

  await db.schema
    .createTable('placements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('programme_id', 'text', (c) => c.notNull().references('programmes.id'))
    .addColumn('opportunity_id', 'text', (c) =>
      c.notNull().references('volunteering_opportunities.service_id'),
    )
    .addColumn('host_organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('supporting_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('proposed_at', 'text', (c) => c.notNull())
    .addColumn('introduced_at', 'text')
    .addColumn('started_at', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('created_by_user_id', 'text', (c) => c.references('users.id'))
    .execute()
  await db.schema.createIndex('placements_case').on('placements').column('case_id').execute()
  await db.schema
    .createIndex('placements_opportunity')
    .on('placements')
    .columns(['opportunity_id', 'status'])
    .execute()
  await db.schema
    .createIndex('placements_host')
    .on('placements')
    .columns(['host_organisation_id', 'status'])
    .execute()

  await db.schema
    .createTable('placement_hours')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('placement_id', 'text', (c) => c.notNull().references('placements.id').onDelete('cascade'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('worked_on', 'text', (c) => c.notNull())
    .addColumn('hours', floatType(db), (c) => c.notNull())
    .addColumn('logged_at', 'text', (c) => c.notNull())
    .addColumn('logged_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('confirmed_at', 'text')
    .addColumn('confirmed_by_user_id', 'text', (c) => c.references('users.id'))
    .execute()
  await db.schema
    .createIndex('placement_hours_placement')
    .on('placement_hours')
    .columns(['placement_id', 'worked_on'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['placement_hours', 'placements', 'volunteer_profiles', 'volunteering_opportunities'])
    await db.schema.dropTable(table).execute()
}
