import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id'))
    .addColumn('programme_id', 'text', (c) => c.notNull().references('programmes.id'))
    .addColumn('referral_id', 'text')
    .addColumn('practice_organisation_id', 'text', (c) => c.references('organisations.id'))
    // The organisation whose link workers may see the case: the assigned worker's, else the programme owner's.
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('link_worker_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('needs', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('first_contact_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('closure_reason', 'text')
    .addColumn('exit_plan', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('cases_worker_status')
    .on('cases')
    .columns(['link_worker_user_id', 'status', 'opened_at'])
    .execute()
  await db.schema
    .createIndex('cases_programme_status')
    .on('cases')
    .columns(['programme_id', 'status', 'opened_at'])
    .execute()
  await db.schema.createIndex('cases_person').on('cases').column('person_id').execute()
  await db.schema.createIndex('cases_referral').on('cases').column('referral_id').execute()

  await db.schema
    .createTable('case_appointments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('link_worker_user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('cap_exception_reason', 'text')
    .addColumn('cap_exception_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('goal_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('arrived_at', 'text')
    .addColumn('departed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('case_appointments_worker_start')
    .on('case_appointments')
    .columns(['link_worker_user_id', 'starts_at'])
    .execute()
  await db.schema
    .createIndex('case_appointments_case_start')
    .on('case_appointments')
    .columns(['case_id', 'starts_at'])
    .execute()

  await db.schema
    .createTable('case_plans')
    .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id'))
    .addColumn('what_matters', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('agreed_focus', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('actions', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('follow_up_mode', 'text')
    .addColumn('follow_up_location', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('follow_up_frequency', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('case_goals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('target_date', 'text')
    .addColumn('progress', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('case_goals_case').on('case_goals').column('case_id').execute()

  await db.schema
    .createTable('case_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('author_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('case_notes_case').on('case_notes').columns(['case_id', 'created_at']).execute()

  // What happened, in order: the case page's timeline.
  await db.schema
    .createTable('case_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    .execute()
  await db.schema.createIndex('case_events_case').on('case_events').columns(['case_id', 'at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['case_events', 'case_notes', 'case_goals', 'case_plans', 'case_appointments', 'cases'])
    await db.schema.dropTable(table).execute()
}
