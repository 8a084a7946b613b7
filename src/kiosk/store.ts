// Kiosk readings: recorded against the card presented (audited, as a change to the person's
// record) and read back for the person's case.

import { type Actor, audit } from '../access/audit.ts'
import '../attendance/tables.ts'
import { newId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { Result } from './measurements.ts'

export interface KioskReading {
  id: string
  takenAt: string
  systolic: number | null
  diastolic: number | null
  weightKg: number | null
  heightCm: number | null
  bmi: number | null
}

export async function insertKioskReading(
  db: Queryable,
  actor: Actor,
  input: {
    cardId: string
    personId: string
    programmeId: string
    organisationId: string
    at: Date
    result: Result
  },
): Promise<string> {
  const id = newId()
  const work = async (trx: Queryable) => {
    await trx
      .insertInto('kiosk_readings')
      .values({
        id,
        card_id: input.cardId,
        person_id: input.personId,
        programme_id: input.programmeId,
        organisation_id: input.organisationId,
        taken_at: input.at.toISOString(),
        recorded_by_user_id: actor.userId,
        systolic: input.result.systolic,
        diastolic: input.result.diastolic,
        weight_kg: input.result.weightKg,
        height_cm: input.result.heightCm,
        bmi: input.result.bmi,
      })
      .execute()
    await audit(trx, actor, {
      action: 'kiosk-reading.create',
      recordType: 'person',
      recordId: input.personId,
      detail: { readingId: id, organisationId: input.organisationId },
    })
  }
  await (db.isTransaction ? work(db) : db.transaction().execute(work))
  return id
}

/**
 * The person's kiosk readings taken with their card of the programme, newest first: a programme
 * sees the readings of its own cards, never another programme's. Callers decide access and audit
 * their read.
 */
export async function kioskReadingsOf(
  db: Queryable,
  personId: string,
  programmeId: string,
  limit = 10,
): Promise<KioskReading[]> {
  const rows = await db
    .selectFrom('kiosk_readings')
    .selectAll()
    .where('person_id', '=', personId)
    .where('programme_id', '=', programmeId)
    .orderBy('taken_at', 'desc')
    .limit(limit)
    .execute()
  return rows.map((row) => ({
    id: row.id,
    takenAt: row.taken_at,
    systolic: row.systolic,
    diastolic: row.diastolic,
    weightKg: row.weight_kg === null ? null : Number(row.weight_kg),
    heightCm: row.height_cm === null ? null : Number(row.height_cm),
    bmi: row.bmi === null ? null : Number(row.bmi),
  }))
}

/** A person's records merged: their kiosk readings go to the record kept. */
export async function movePersonKioskReadings(db: Queryable, from: string, into: string): Promise<void> {
  await db.updateTable('kiosk_readings').set({ person_id: into }).where('person_id', '=', from).execute()
}
