// What the kiosk capability holds on a person (readings taken without a card and added to their
// record), for subject access, retention and erasure (records/parts.ts). Anonymous readings are
// about no one and stay.

import { deleted, latest, type PersonRecordPart, plainRows } from '../records/parts.ts'

export const kioskPersonalData: PersonRecordPart = {
  name: 'Self-care kiosk',
  eraseOrder: 10,
  async read(db, personId) {
    const readings = await db
      .selectFrom('kiosk_cardless_readings')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('taken_at')
      .execute()
    return {
      sections: [{ title: 'Kiosk readings without a card', rows: plainRows(readings) }],
      recordIds: [],
    }
  },
  async activity(db, personId) {
    const row = await db
      .selectFrom('kiosk_cardless_readings')
      .select((eb) => eb.fn.max('taken_at').as('last'))
      .where('person_id', '=', personId)
      .executeTakeFirst()
    return { lastAt: latest(row?.last), open: false }
  },
  async erase(trx, personId) {
    return deleted(
      await trx.deleteFrom('kiosk_cardless_readings').where('person_id', '=', personId).executeTakeFirst(),
    )
  },
}
