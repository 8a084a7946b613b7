import type { Kysely } from 'kysely'

// The Outcomes report takes each person's first and latest reading of an instrument in a
// programme (a window over person, in time order). An index in that order gives the readings
// already sorted; it leads with the old index's columns, so it replaces it (decision 0800).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outcome_readings_programme').execute()
  await db.schema
    .createIndex('outcome_readings_programme_person')
    .on('outcome_readings')
    .columns(['programme_id', 'instrument_id', 'person_id', 'taken_at', 'id'])
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
