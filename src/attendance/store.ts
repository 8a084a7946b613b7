// Attendance cards, check-ins and kiosk readings: the capability's queries and the operations on
// them that write a person's record, each with its audit event in the same transaction.
// Tokens and codes are stored only as digests (decision 0010).

import { type Actor, audit } from '../access/audit.ts'
import { digest } from '../access/secrets.ts'
import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { londonDate } from '../web/format.ts'
import { newCard, parseCardCode, tokenFromScan } from './cards.ts'
import type { AttendanceCardTable, CardStatus } from './tables.ts'
import './tables.ts'
import { inTransaction, inTransactionRetryingClash, lockRow } from '../db/transactions.ts'

export interface CardSummary {
  id: string
  personId: string
  programmeId: string
  status: CardStatus
  /** The code's last three characters. */
  codeHint: string
  issuedAt: string
  endedAt: string | null
}

function summary(row: AttendanceCardTable): CardSummary {
  return {
    id: row.id,
    personId: row.person_id,
    programmeId: row.programme_id,
    status: row.status,
    codeHint: row.code_hint,
    issuedAt: row.issued_at,
    endedAt: row.ended_at,
  }
}

/** The person's cards in the programme, newest first. */
export async function cardsOf(db: Queryable, personId: string, programmeId: string): Promise<CardSummary[]> {
  const rows = await db
    .selectFrom('attendance_cards')
    .selectAll()
    .where('person_id', '=', personId)
    .where('programme_id', '=', programmeId)
    .orderBy('issued_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
  return rows.map(summary)
}

export interface IssuedCard {
  card: CardSummary
  /** Shown once, to print: only digests are kept. */
  token: string
  code: string
}

/**
 * Issues the person a card for the programme; any card they hold already is replaced (its token
 * and code stop working). Audited.
 */
export async function issueCard(
  db: Queryable,
  actor: Actor,
  personId: string,
  programmeId: string,
): Promise<IssuedCard> {
  // Issued twice at once, the later replaces the earlier, as if one came after the other.
  return inTransactionRetryingClash(db, async (trx) => {
    await lockRow(trx, 'people', personId)
    const now = nowIso()
    const replaced = await trx
      .updateTable('attendance_cards')
      .set({ status: 'replaced', ended_at: now, ended_by_user_id: actor.userId })
      .where('person_id', '=', personId)
      .where('programme_id', '=', programmeId)
      .where('status', '=', 'active')
      .executeTakeFirst()
    for (;;) {
      const { token, code } = newCard()
      const clash = await trx
        .selectFrom('attendance_cards')
        .select('id')
        .where((eb) => eb.or([eb('token_digest', '=', digest(token)), eb('code_digest', '=', digest(code))]))
        .executeTakeFirst()
      if (clash) continue
      const row: AttendanceCardTable = {
        id: newId(),
        token_digest: digest(token),
        code_digest: digest(code),
        code_hint: code.slice(-3),
        person_id: personId,
        programme_id: programmeId,
        status: 'active',
        issued_at: now,
        issued_by_user_id: actor.userId,
        ended_at: null,
        ended_by_user_id: null,
      }
      await trx.insertInto('attendance_cards').values(row).execute()
      await audit(trx, actor, {
        action: 'attendance-card.issue',
        recordType: 'person',
        recordId: personId,
        detail: { cardId: row.id, programmeId, replaced: Number(replaced.numUpdatedRows) },
      })
      return { card: summary(row), token, code }
    }
  })
}

/** Revokes the person's live card in the programme. False when they hold none. Audited. */
export async function revokeCard(
  db: Queryable,
  actor: Actor,
  personId: string,
  programmeId: string,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const card = await trx
      .selectFrom('attendance_cards')
      .select('id')
      .where('person_id', '=', personId)
      .where('programme_id', '=', programmeId)
      .where('status', '=', 'active')
      .executeTakeFirst()
    if (!card) return false
    await trx
      .updateTable('attendance_cards')
      .set({ status: 'revoked', ended_at: nowIso(), ended_by_user_id: actor.userId })
      .where('id', '=', card.id)
      .execute()
    await audit(trx, actor, {
      action: 'attendance-card.revoke',
      recordType: 'person',
      recordId: personId,
      detail: { cardId: card.id, programmeId },
    })
    return true
  })
}

/** What was presented: a camera's reading (`scanned`) or a typed short code (`code`). */
export interface Presented {
  scanned?: string
  code?: string
}

export type CardLookup =
  | { ok: true; card: CardSummary; method: 'scan' | 'code' }
  | { ok: false; field: 'code'; message: string }

/**
 * The live card presented, or a message to show: a code that is mistyped, unknown, replaced or
 * revoked. Nothing about the card's holder is in a message.
 */
export async function lookUpCard(db: Queryable, presented: Presented): Promise<CardLookup> {
  let row: AttendanceCardTable | undefined
  let method: 'scan' | 'code'
  const scanned = presented.scanned?.trim()
  if (scanned) {
    const token = tokenFromScan(scanned)
    if (!token)
      return {
        ok: false,
        field: 'code',
        message: 'That QR code is not a Kith attendance card. Type the code printed under it instead',
      }
    row = await db
      .selectFrom('attendance_cards')
      .selectAll()
      .where('token_digest', '=', digest(token))
      .executeTakeFirst()
    method = 'scan'
  } else {
    const parsed = parseCardCode(presented.code ?? '')
    if (!parsed.ok) return { ok: false, field: 'code', message: parsed.message }
    row = await db
      .selectFrom('attendance_cards')
      .selectAll()
      .where('code_digest', '=', digest(parsed.code))
      .executeTakeFirst()
    method = 'code'
  }
  if (!row)
    return {
      ok: false,
      field: 'code',
      message: 'No card has this code. Check the card and enter the code again',
    }
  if (row.status === 'revoked')
    return {
      ok: false,
      field: 'code',
      message:
        'This card has been cancelled and cannot be used. The person can ask their link worker for a new card',
    }
  if (row.status === 'replaced')
    return {
      ok: false,
      field: 'code',
      message: 'This card has been replaced by a newer one and cannot be used. Ask for the newest card',
    }
  return { ok: true, card: summary(row), method }
}

export interface Activity {
  serviceId: string
  serviceName: string
}

export type CheckInResult =
  | { outcome: 'recorded'; checkedInAt: string; codeHint: string }
  | { outcome: 'duplicate'; checkedInAt: string; codeHint: string }
  | { outcome: 'refused'; field: 'code' | 'programmeId'; message: string }

/**
 * Records attendance at an activity for the card presented. A card of another programme, or one
 * that is revoked or replaced, is refused; a second check-in for the same person, activity and
 * day (the session) is a duplicate and records nothing.
 */
export async function checkIn(
  db: Queryable,
  actor: Actor,
  input: { presented: Presented; programmeId: string; activity: Activity; at: Date },
): Promise<CheckInResult> {
  // The same card scanned twice at once: the second finds the first and is a duplicate.
  return inTransactionRetryingClash(db, async (trx) => {
    const found = await lookUpCard(trx, input.presented)
    if (!found.ok) return { outcome: 'refused', field: found.field, message: found.message }
    const { card } = found
    if (card.programmeId !== input.programmeId)
      return {
        outcome: 'refused',
        field: 'code',
        message:
          'This card belongs to a different programme, so attendance was not recorded. Check the programme chosen',
      }
    return attend(trx, actor, card, {
      activity: input.activity,
      sessionDate: londonDate(input.at),
      at: input.at,
      method: found.method,
    })
  })
}

/**
 * A session the link worker records for the person, at an activity whose provider has no Kith
 * account to scan their card: kept against the person's working card of the programme, one per
 * person, activity and day, audited like a scan.
 */
export async function recordSession(
  db: Queryable,
  actor: Actor,
  input: { personId: string; programmeId: string; activity: Activity; sessionDate: string; at: Date },
): Promise<CheckInResult> {
  return inTransactionRetryingClash(db, async (trx) => {
    const card = (await cardsOf(trx, input.personId, input.programmeId)).find((c) => c.status === 'active')
    if (!card)
      return {
        outcome: 'refused',
        field: 'code',
        message: 'Issue the person an attendance card first: sessions are kept against their card',
      }
    return attend(trx, actor, card, { ...input, method: 'recorded' })
  })
}

/**
 * Keeps one session of the card's person at an activity, audited, unless they already attended it
 * that day (a duplicate, recording nothing).
 */
async function attend(
  trx: Queryable,
  actor: Actor,
  card: CardSummary,
  session: { activity: Activity; sessionDate: string; at: Date; method: CheckIn['method'] },
): Promise<CheckInResult> {
  const existing = await trx
    .selectFrom('check_ins')
    .select('checked_in_at')
    .where('person_id', '=', card.personId)
    .where('service_id', '=', session.activity.serviceId)
    .where('session_date', '=', session.sessionDate)
    .executeTakeFirst()
  if (existing) return { outcome: 'duplicate', checkedInAt: existing.checked_in_at, codeHint: card.codeHint }
  const id = newId()
  const checkedInAt = session.at.toISOString()
  await trx
    .insertInto('check_ins')
    .values({
      id,
      card_id: card.id,
      person_id: card.personId,
      programme_id: card.programmeId,
      service_id: session.activity.serviceId,
      service_name: session.activity.serviceName,
      session_date: session.sessionDate,
      checked_in_at: checkedInAt,
      recorded_by_user_id: actor.userId,
      method: session.method,
    })
    .execute()
  await audit(trx, actor, {
    action: 'check-in.create',
    recordType: 'person',
    recordId: card.personId,
    detail: { checkInId: id, serviceId: session.activity.serviceId, method: session.method },
  })
  return { outcome: 'recorded', checkedInAt, codeHint: card.codeHint }
}

export interface CheckIn {
  id: string
  serviceId: string
  serviceName: string
  sessionDate: string
  checkedInAt: string
  method: 'scan' | 'code' | 'recorded'
}

/** The person's check-ins in the programme, newest first. */
export async function checkInsOf(db: Queryable, personId: string, programmeId: string): Promise<CheckIn[]> {
  const rows = await db
    .selectFrom('check_ins')
    .select(['id', 'service_id', 'service_name', 'session_date', 'checked_in_at', 'method'])
    .where('person_id', '=', personId)
    .where('programme_id', '=', programmeId)
    .orderBy('checked_in_at', 'desc')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    serviceId: row.service_id,
    serviceName: row.service_name,
    sessionDate: row.session_date,
    checkedInAt: row.checked_in_at,
    method: row.method,
  }))
}

export interface PrescriptionAttendance {
  /** Sessions attended at the prescribed service between its start and end. */
  attended: number
  expected: number | null
  /** attended ÷ expected, when sessions are expected. */
  share: number | null
  sessions: string[]
}

/**
 * Attendance against a prescription: the person's check-ins with their card of the prescribing
 * programme at the prescribed service from its start to its end (or to now when it has no end),
 * against the sessions expected. Check-ins with another programme's card are that programme's.
 */
export async function attendanceOfPrescription(
  db: Queryable,
  prescription: {
    personId: string
    programmeId: string
    serviceId: string
    start: string
    end: string | null
    expectedSessions: number | null
  },
): Promise<PrescriptionAttendance> {
  let query = db
    .selectFrom('check_ins')
    .select('session_date')
    .where('person_id', '=', prescription.personId)
    .where('programme_id', '=', prescription.programmeId)
    .where('service_id', '=', prescription.serviceId)
    .where('session_date', '>=', prescription.start.slice(0, 10))
  if (prescription.end) query = query.where('session_date', '<=', prescription.end.slice(0, 10))
  const rows = await query.orderBy('session_date').execute()
  const expected = prescription.expectedSessions
  return {
    attended: rows.length,
    expected,
    share: expected ? rows.length / expected : null,
    sessions: rows.map((row) => row.session_date),
  }
}

/**
 * A person's records merged: their cards and check-ins go to the record kept. Where
 * both held a working card for a programme, the merged record's is replaced (the kept one's card
 * goes on working); a check-in both records have for one session is kept once.
 */
export async function movePersonAttendance(db: Queryable, from: string, into: string): Promise<void> {
  const kept = await db
    .selectFrom('attendance_cards')
    .select('programme_id')
    .where('person_id', '=', into)
    .where('status', '=', 'active')
    .execute()
  if (kept.length > 0)
    await db
      .updateTable('attendance_cards')
      .set({ status: 'replaced', ended_at: nowIso(), ended_by_user_id: null })
      .where('person_id', '=', from)
      .where('status', '=', 'active')
      .where(
        'programme_id',
        'in',
        kept.map((card) => card.programme_id),
      )
      .execute()
  await db.updateTable('attendance_cards').set({ person_id: into }).where('person_id', '=', from).execute()
  const sessions = await db
    .selectFrom('check_ins')
    .select(['service_id', 'session_date'])
    .where('person_id', '=', into)
    .execute()
  const seen = new Set(sessions.map((s) => `${s.service_id}\u0000${s.session_date}`))
  const moving = await db
    .selectFrom('check_ins')
    .select(['id', 'service_id', 'session_date'])
    .where('person_id', '=', from)
    .execute()
  const twice = moving.filter((s) => seen.has(`${s.service_id}\u0000${s.session_date}`)).map((s) => s.id)
  if (twice.length > 0) await db.deleteFrom('check_ins').where('id', 'in', twice).execute()
  await db.updateTable('check_ins').set({ person_id: into }).where('person_id', '=', from).execute()
}

export interface CheckInFact {
  personId: string
  programmeId: string
  serviceId: string
  sessionDate: string
}

/** The check-ins of these people from one London date to another (both included): for reports. */
export async function checkInsOfPeople(
  db: Queryable,
  personIds: readonly string[],
  days: { from: string; to: string },
): Promise<CheckInFact[]> {
  const found: CheckInFact[] = []
  const unique = [...new Set(personIds)]
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('check_ins')
      .select(['person_id', 'programme_id', 'service_id', 'session_date'])
      .where('person_id', 'in', unique.slice(i, i + 500))
      .where('session_date', '>=', days.from)
      .where('session_date', '<=', days.to)
      .execute()
    for (const row of rows)
      found.push({
        personId: row.person_id,
        programmeId: row.programme_id,
        serviceId: row.service_id,
        sessionDate: row.session_date,
      })
  }
  return found
}
