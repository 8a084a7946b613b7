// The attendance behind the demo's year of prescriptions: each person prescribed an activity gets
// the programme's card, and a check-in at the activity for each session they attended (as a scan
// at the door would have recorded it), written at once so the demo stays quick to load.

import type { Insertable } from 'kysely'
import type { Actor } from '../access/audit.ts'
import type { YearPrescription } from '../casework/demo-year.ts'
import { newId } from '../db/ids.ts'
import type { Db } from '../db/schema.ts'
import { issueCard } from './store.ts'
import type { CheckInTable } from './tables.ts'

const SYSTEM: Actor = { userId: null, ip: null }

export async function seedAttendanceYear(
  db: Db,
  prescriptions: readonly YearPrescription[],
): Promise<{ checkIns: number }> {
  return db.transaction().execute(async (trx) => {
    const cards = new Map<string, string>()
    const rows: Insertable<CheckInTable>[] = []
    for (const p of prescriptions) {
      const key = `${p.personId} ${p.programmeId}`
      let cardId = cards.get(key)
      if (!cardId) {
        cardId = (await issueCard(trx, { ...SYSTEM, userId: p.linkWorkerUserId }, p.personId, p.programmeId))
          .card.id
        cards.set(key, cardId)
      }
      for (const date of p.sessions) {
        const at = `${date}T10:05:00.000Z`
        rows.push({
          id: newId(Date.parse(at)),
          card_id: cardId,
          person_id: p.personId,
          programme_id: p.programmeId,
          service_id: p.serviceId,
          service_name: p.serviceName,
          session_date: date,
          checked_in_at: at,
          recorded_by_user_id: null,
          method: 'scan' as const,
        })
      }
    }
    for (let i = 0; i < rows.length; i += 400)
      await trx
        .insertInto('check_ins')
        .values(rows.slice(i, i + 400))
        .execute()
    return { checkIns: rows.length }
  })
}
