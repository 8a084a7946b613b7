// What the outcomes capability holds on a person (measures: outcome readings), for subject
// access, retention and erasure (records/parts.ts).

import { deleted, latest, type PersonRecordPart, plainRows } from '../records/parts.ts'

export const outcomesPersonalData: PersonRecordPart = {
  name: 'Outcome measures',
  eraseOrder: 20,
  async read(db, personId) {
    const readings = await db
      .selectFrom('outcome_readings')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('taken_at')
      .execute()
    return { sections: [{ title: 'Outcome measures', rows: plainRows(readings) }], recordIds: [] }
  },
  async activity(db, personId) {
    const row = await db
      .selectFrom('outcome_readings')
      .select((eb) => eb.fn.max('recorded_at').as('last'))
      .where('person_id', '=', personId)
      .executeTakeFirst()
    return { lastAt: latest(row?.last), open: false }
  },
  async erase(trx, personId) {
    return deleted(
      await trx.deleteFrom('outcome_readings').where('person_id', '=', personId).executeTakeFirst(),
    )
  },
}
