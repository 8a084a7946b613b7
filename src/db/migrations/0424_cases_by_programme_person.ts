import type { Kysely } from 'kysely'

// Reports look up each person of a programme among the cases open in a period (the Outcomes
// report: does this person with readings have a case in scope?). In the index by person, a
// programme's people are scattered through every page; in this one, by programme and then person,
// they lie together and are looked up in the order they are read (decision 0800).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('cases_programme_person')
    .on('cases')
    .columns([
      'programme_id',
      'person_id',
      'opened_at',
      'closed_at',
      'organisation_id',
      'practice_organisation_id',
    ])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('cases_programme_person').execute()
}
