import type { Kysely } from 'kysely'

// The Outcomes report groups the readings of an instrument in a programme by person and seeks
// each person's first and latest (decision 0800). An index in that order, with the scores, answers
// both from the index alone (a reading's scores are a short JSON object). It leads with the old
// index's columns, so it replaces it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outcome_readings_programme').execute()
  await db.schema
    .createIndex('outcome_readings_programme_person')
    .on('outcome_readings')
    .columns(['programme_id', 'instrument_id', 'person_id', 'taken_at', 'id', 'scores'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outcome_readings_programme_person').execute()
  await db.schema
    .createIndex('outcome_readings_programme')
    .on('outcome_readings')
    .columns(['programme_id', 'instrument_id'])
    .execute()
}
