// Kiosk readings: recorded against the card presented, or the person found by date of birth and
// postcode (audited, as a change to the person's record), or anonymously; read back for the
// person's case, and counted for reports. Readings with a card are in attendance's
// `kiosk_readings`; those without one in the kiosk's `kiosk_cardless_readings` (decision 0602).

import { type Actor, audit } from '../access/audit.ts'
import '../attendance/tables.ts'
import './tables.ts'
import { newId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { Result } from './measurements.ts'

export interface KioskReading {
  id: string
  takenAt: string
  /** How the reading was linked to the person: their card, or their date of birth and postcode. */
  linkedBy: 'card' | 'date-of-birth-and-postcode'
  systolic: number | null
  diastolic: number | null
  weightKg: number | null
  heightCm: number | null
  bmi: number | null
}

/** A reading's measurements as the readings tables keep them. */
const measured = (result: Result) => ({
  systolic: result.systolic,
  diastolic: result.diastolic,
  weight_kg: result.weightKg,
  height_cm: result.heightCm,
  bmi: result.bmi,
})

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
        ...measured(input.result),
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
 * A reading taken without a card: linked to the person found by their date of birth and postcode
 * in the programme whose caseload they are in (kiosk access.ts `kioskMatchByDetails`), or, with
 * no `link`, kept anonymously against the practice, to be counted. Audited: a linked reading as a
 * change to the person's record, an anonymous one as a reading of the practice's kiosk.
 */
export async function insertCardlessKioskReading(
  db: Queryable,
  actor: Actor,
  input: {
    link?: { personId: string; programmeId: string }
    organisationId: string
    at: Date
    result: Result
  },
): Promise<string> {
  const id = newId()
  const work = async (trx: Queryable) => {
    await trx
      .insertInto('kiosk_cardless_readings')
      .values({
        id,
        person_id: input.link?.personId ?? null,
        programme_id: input.link?.programmeId ?? null,
        organisation_id: input.organisationId,
        taken_at: input.at.toISOString(),
        recorded_by_user_id: actor.userId,
        ...measured(input.result),
      })
      .execute()
    await audit(
      trx,
      actor,
      input.link
        ? {
            action: 'kiosk-reading.create',
            recordType: 'person',
            recordId: input.link.personId,
            detail: {
              readingId: id,
              organisationId: input.organisationId,
              linkedBy: 'date-of-birth-and-postcode',
            },
          }
        : {
            action: 'kiosk-reading.create',
            recordType: 'kiosk-reading',
            recordId: id,
            detail: { organisationId: input.organisationId, anonymous: true },
          },
    )
  }
  await (db.isTransaction ? work(db) : db.transaction().execute(work))
  return id
}

const number = (value: number | null) => (value === null ? null : Number(value))

/**
 * The person's kiosk readings in the programme, newest first: those taken with the programme's
 * card, and those linked to them in the programme by date of birth and postcode. A programme sees
 * its own readings, never another programme's. Callers decide access and audit their read.
 */
export async function kioskReadingsOf(
  db: Queryable,
  personId: string,
  programmeId: string,
  limit = 10,
): Promise<KioskReading[]> {
  const withCard = await db
    .selectFrom('kiosk_readings')
    .selectAll()
    .where('person_id', '=', personId)
    .where('programme_id', '=', programmeId)
    .orderBy('taken_at', 'desc')
    .limit(limit)
    .execute()
  const withoutCard = await db
    .selectFrom('kiosk_cardless_readings')
    .selectAll()
    .where('person_id', '=', personId)
    .where('programme_id', '=', programmeId)
    .orderBy('taken_at', 'desc')
    .limit(limit)
    .execute()
  const readings = [
    ...withCard.map((row) => ({ row, linkedBy: 'card' as const })),
    ...withoutCard.map((row) => ({ row, linkedBy: 'date-of-birth-and-postcode' as const })),
  ]
  return readings
    .sort((a, b) => (a.row.taken_at < b.row.taken_at ? 1 : a.row.taken_at > b.row.taken_at ? -1 : 0))
    .slice(0, limit)
    .map(({ row, linkedBy }) => ({
      id: row.id,
      takenAt: row.taken_at,
      linkedBy,
      systolic: row.systolic,
      diastolic: row.diastolic,
      weightKg: number(row.weight_kg),
      heightCm: number(row.height_cm),
      bmi: number(row.bmi),
    }))
}

export interface KioskReadingCounts {
  /** Readings added to a person's record: with their card, or by date of birth and postcode. */
  linked: number
  /** Readings kept without a person: the person chose not to link them, or no one was found. */
  anonymous: number
}

/**
 * How many readings the kiosks took from `from` (inclusive) to `to` (exclusive), at one practice
 * or all: figures only, for reports.
 */
export async function kioskReadingCounts(
  db: Queryable,
  query: { organisationId?: string; from: Date | string; to: Date | string },
): Promise<KioskReadingCounts> {
  const iso = (at: Date | string) => (typeof at === 'string' ? at : at.toISOString())
  let withCard = db
    .selectFrom('kiosk_readings')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('taken_at', '>=', iso(query.from))
    .where('taken_at', '<', iso(query.to))
  let withoutCard = db
    .selectFrom('kiosk_cardless_readings')
    .select((eb) => [
      eb.fn.count<number | string>('person_id').as('linked'),
      eb.fn.countAll<number | string>().as('count'),
    ])
    .where('taken_at', '>=', iso(query.from))
    .where('taken_at', '<', iso(query.to))
  if (query.organisationId) {
    withCard = withCard.where('organisation_id', '=', query.organisationId)
    withoutCard = withoutCard.where('organisation_id', '=', query.organisationId)
  }
  const card = await withCard.executeTakeFirstOrThrow()
  const cardless = await withoutCard.executeTakeFirstOrThrow()
  return {
    linked: Number(card.count) + Number(cardless.linked),
    anonymous: Number(cardless.count) - Number(cardless.linked),
  }
}

/** A person's records merged: their kiosk readings go to the record kept. */
export async function movePersonKioskReadings(db: Queryable, from: string, into: string): Promise<void> {
  await db.updateTable('kiosk_readings').set({ person_id: into }).where('person_id', '=', from).execute()
  await db
    .updateTable('kiosk_cardless_readings')
    .set({ person_id: into })
    .where('person_id', '=', from)
    .execute()
}
