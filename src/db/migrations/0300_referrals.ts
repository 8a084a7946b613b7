import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('referrals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('programme_id', 'text', (c) => c.references('programmes.id'))
    // A directory service; not a foreign key, so that the referrals range does not depend on the directory's.
    .addColumn('service_id', 'text')
    .addColumn('target_name', 'text', (c) => c.notNull())
    .addColumn('receiving_organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id'))
    .addColumn('practice_ods_code', 'text')
    .addColumn('referrer_kind', 'text', (c) => c.notNull())
    .addColumn('referrer_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('referrer_organisation_id', 'text', (c) => c.references('organisations.id'))
    .addColumn('referrer_name', 'text', (c) => c.notNull())
    .addColumn('referrer_contact', 'text', (c) => c.notNull())
    .addColumn('source_case_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('flagged_for_review', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('eligibility', 'text', (c) => c.notNull())
    .addColumn('answers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('needs', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('goals', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('what_matters', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('consent_id', 'text', (c) => c.references('person_consents.id'))
    .addColumn('submission_key', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('first_reply_at', 'text')
    .addColumn('first_reply', 'text')
    .addColumn('nudge_due_at', 'text', (c) => c.notNull())
    .addColumn('decline_due_at', 'text', (c) => c.notNull())
    .addColumn('nudged_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('referrals_submission_key')
    .unique()
    .on('referrals')
    .column('submission_key')
    .execute()
  await db.schema
    .createIndex('referrals_referrer')
    .on('referrals')
    .columns(['referrer_user_id', 'id'])
    .execute()
  await db.schema.createIndex('referrals_person').on('referrals').column('person_id').execute()
  await db.schema
    .createIndex('referrals_programme')
    .on('referrals')
    .columns(['programme_id', 'status'])
    .execute()
  await db.schema.createIndex('referrals_service').on('referrals').columns(['service_id', 'status']).execute()
  await db.schema
    .createIndex('referrals_receiving')
    .on('referrals')
    .columns(['receiving_organisation_id', 'status'])
    .execute()
  await db.schema
    .createIndex('referrals_status_decline')
    .on('referrals')
    .columns(['status', 'decline_due_at'])
    .execute()
  await db.schema
    .createIndex('referrals_status_nudge')
    .on('referrals')
    .columns(['status', 'nudge_due_at'])
    .execute()

  await db.schema
    .createTable('referral_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('referral_id', 'text', (c) => c.notNull().references('referrals.id'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('note', 'text')
    .execute()
  await db.schema
    .createIndex('referral_events_referral')
    .on('referral_events')
    .columns(['referral_id', 'id'])
    .execute()

  // SNOMED CT coded entries a referral produces, for the GP record.
  await db.schema
    .createTable('referral_coded_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('referral_id', 'text', (c) => c.notNull().references('referrals.id'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('display', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('recorded_by_user_id', 'text', (c) => c.references('users.id'))
    .execute()
  await db.schema
    .createIndex('referral_coded_entries_person')
    .on('referral_coded_entries')
    .column('person_id')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('referral_coded_entries').execute()
  await db.schema.dropTable('referral_events').execute()
  await db.schema.dropTable('referrals').execute()
}
