import type { Kysely } from 'kysely'

// Searches of the referrals a user is a party to (the FHIR API's ServiceRequest and Task) list
// them last changed first, counting every match. With who receives, who sent, the status and the
// person beside the time in the index, both the page's ids and the count are read from the index
// alone, in order, whatever mix of programmes, organisations and referrer the user's reach holds.
// A programme's caseload (the people referred to it) is read from its index with the person added.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('referrals_programme').execute()
  await db.schema
    .createIndex('referrals_programme')
    .on('referrals')
    .columns(['programme_id', 'status', 'person_id'])
    .execute()
  await db.schema
    .createIndex('referrals_by_change')
    .on('referrals')
    .columns([
      'updated_at',
      'id',
      'programme_id',
      'service_id',
      'receiving_organisation_id',
      'referrer_user_id',
      'status',
      'person_id',
    ])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('referrals_by_change').execute()
  await db.schema.dropIndex('referrals_programme').execute()
  await db.schema
    .createIndex('referrals_programme')
    .on('referrals')
    .columns(['programme_id', 'status'])
    .execute()
}
