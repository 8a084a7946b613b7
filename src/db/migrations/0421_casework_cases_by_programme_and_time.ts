import type { Kysely } from 'kysely'

// The reports read the cases of a programme open in a period (decision 0800). A programme's
// cases lie scattered through the table, so reading them row by row touches most of its pages;
// with every column the report queries need in one index in programme and time order, they are
// read from the index alone. The person index gains the programme and the dates, so that the
// Outcomes report's "has a case in scope open in the period" is answered from it too; it still
// leads with the person, so it replaces the single-column one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('cases_programme_opened')
    .on('cases')
    .columns([
      'programme_id',
      'opened_at',
      'closed_at',
      'organisation_id',
      'practice_organisation_id',
      'link_worker_user_id',
      'person_id',
      'id',
      'needs',
    ])
    .execute()
  await db.schema.dropIndex('cases_person').execute()
  await db.schema
    .createIndex('cases_person_programme')
    .on('cases')
    .columns(['person_id', 'programme_id', 'opened_at', 'closed_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('cases_person_programme').execute()
  await db.schema.createIndex('cases_person').on('cases').column('person_id').execute()
  await db.schema.dropIndex('cases_programme_opened').execute()
}
