// What the attendance capability holds on a person (cards, check-ins, readings taken with a
// card), for subject access, retention and erasure (records/parts.ts).

import { deleted, latest, type PersonRecordPart, plainRows } from '../records/parts.ts'

export const attendancePersonalData: PersonRecordPart = {
  name: 'Attendance',
  eraseOrder: 10,
  async read(db, personId) {
    const cards = await db
      .selectFrom('attendance_cards')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('issued_at')
      .execute()
    const checkIns = await db
      .selectFrom('check_ins')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('checked_in_at')
      .execute()
    const readings = await db
      .selectFrom('kiosk_readings')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('taken_at')
      .execute()
    return {
      sections: [
        // Digests of the card's token and code are credentials' fingerprints, not the person's data.
        {
          title: 'Attendance cards',
          rows: plainRows(cards.map(({ token_digest: _token, code_digest: _code, ...card }) => card)),
        },
        { title: 'Attendance', rows: plainRows(checkIns) },
        { title: 'Self-care readings', rows: plainRows(readings) },
      ],
      recordIds: cards.map((c) => c.id),
    }
  },
  async activity(db, personId) {
    const card = await db
      .selectFrom('attendance_cards')
      .select((eb) => [eb.fn.max('issued_at').as('issued'), eb.fn.max('ended_at').as('ended')])
      .where('person_id', '=', personId)
      .executeTakeFirst()
    const checkIn = await db
      .selectFrom('check_ins')
      .select((eb) => eb.fn.max('checked_in_at').as('last'))
      .where('person_id', '=', personId)
      .executeTakeFirst()
    const reading = await db
      .selectFrom('kiosk_readings')
      .select((eb) => eb.fn.max('taken_at').as('last'))
      .where('person_id', '=', personId)
      .executeTakeFirst()
    return { lastAt: latest(card?.issued, card?.ended, checkIn?.last, reading?.last), open: false }
  },
  async erase(trx, personId) {
    let rows = deleted(await trx.deleteFrom('check_ins').where('person_id', '=', personId).executeTakeFirst())
    rows += deleted(
      await trx.deleteFrom('kiosk_readings').where('person_id', '=', personId).executeTakeFirst(),
    )
    rows += deleted(
      await trx.deleteFrom('attendance_cards').where('person_id', '=', personId).executeTakeFirst(),
    )
    return rows
  },
}
