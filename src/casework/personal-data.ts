// What the casework capability holds on a person (cases and everything written in them), for
// subject access, retention and erasure (records/parts.ts). Erased before referrals: its
// prescriptions point at the referrals they made.

import type { Queryable } from '../db/schema.ts'
import { deleted, latest, type PersonRecordPart, plainRows, type Section } from '../records/parts.ts'

/** The tables written in a case, by case id, in the order they are erased (rows pointing at others first). */
const CASE_TABLES = [
  ['case_appointment_moves', 'Appointment changes'],
  ['case_prescription_reviews', 'Prescription reviews'],
  ['case_appointments', 'Appointments'],
  ['case_prescriptions', 'Prescriptions'],
  ['case_signposts', 'Signposts and onward referrals'],
  ['case_goals', 'Goals'],
  ['case_notes', 'Notes'],
  ['case_events', 'Case history'],
  ['case_plans', 'Plans'],
] as const

async function caseIdsOf(db: Queryable, personId: string): Promise<string[]> {
  return (await db.selectFrom('cases').select('id').where('person_id', '=', personId).execute()).map(
    (c) => c.id,
  )
}

export const caseworkPersonalData: PersonRecordPart = {
  name: 'Casework',
  eraseOrder: 30,
  async read(db, personId) {
    const cases = await db
      .selectFrom('cases')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('opened_at')
      .execute()
    const ids = cases.map((c) => c.id)
    const sections: Section[] = [{ title: 'Cases', rows: plainRows(cases) }]
    // Shown as a reader looks for them: plans, goals and notes before the history of changes.
    for (const [table, title] of [...CASE_TABLES].reverse()) {
      const rows =
        ids.length === 0
          ? []
          : await db
              .selectFrom(table as 'case_notes')
              .selectAll()
              .where('case_id', 'in', ids)
              .execute()
      sections.push({ title, rows: plainRows(rows) })
    }
    return { sections, recordIds: ids }
  },
  async activity(db, personId) {
    const rows = await db
      .selectFrom('cases')
      .select(['status', 'opened_at', 'closed_at', 'updated_at'])
      .where('person_id', '=', personId)
      .execute()
    return {
      lastAt: latest(...rows.flatMap((r) => [r.opened_at, r.closed_at, r.updated_at])),
      open: rows.some((r) => r.status !== 'closed'),
    }
  },
  async erase(trx, personId) {
    const ids = await caseIdsOf(trx, personId)
    let rows = 0
    if (ids.length > 0) {
      for (const [table] of CASE_TABLES)
        rows += deleted(
          await trx
            .deleteFrom(table as 'case_notes')
            .where('case_id', 'in', ids)
            .executeTakeFirst(),
        )
    }
    rows += deleted(await trx.deleteFrom('cases').where('person_id', '=', personId).executeTakeFirst())
    return rows
  },
}
