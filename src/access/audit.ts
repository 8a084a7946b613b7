// The audit log: who did what to which record, when, and from where. Every read and change of a
// person's record writes one, in the same transaction as the change it records.

import type { FastifyInstance } from 'fastify'
import { isId, newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { Problem } from '../web/problem.ts'

export interface Actor {
  userId: string | null
  ip: string | null
}

export interface AuditEvent {
  /** What happened, as `record-type.verb` (`person.read`, `referral.update`) or an access event (`sign-in`). */
  action: string
  recordType?: string
  recordId?: string
  /** Facts about the event that are not personal data (field names changed, a count, a reason code). */
  detail?: Record<string, unknown>
}

export async function audit(db: Queryable, actor: Actor, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      id: newId(),
      at: nowIso(),
      actor_user_id: actor.userId,
      action: event.action,
      record_type: event.recordType ?? null,
      record_id: event.recordId ?? null,
      ip: actor.ip,
      detail: event.detail ? JSON.stringify(event.detail) : null,
    })
    .execute()
}

/** What a signed-in user was refused: the record's type and id, and what they tried. */
export interface Refusal {
  /** The record refused, as in its events' actions: `person`, `case`, `referral`, `attendance-card`. */
  recordType: string
  recordId?: string
  /** What was tried and why it was refused, never personal data: `{ attempted: 'outcomes.read' }`. */
  detail?: Record<string, unknown>
}

/** The action every refusal is recorded under: `<record type>.access-refused`. */
export const REFUSED_SUFFIX = '.access-refused'

/**
 * Records that a signed-in user was refused a person-level record (answered 404). Repeated
 * refusals are a signal an auditor looks for. Write it with the connection, not inside a
 * transaction the refusal rolls back, or the event is lost with it: where the refusal is decided
 * inside a transaction, throw `refused(...)` instead, and the event is written after the rollback.
 * Do one or the other, not both.
 */
export async function auditRefusal(db: Queryable, actor: Actor, refusal: Refusal): Promise<void> {
  await audit(db, actor, {
    action: `${refusal.recordType}${REFUSED_SUFFIX}`,
    recordType: refusal.recordType,
    // Only an identifier Kith could have made: what a user typed in a URL is not recorded.
    ...(refusal.recordId && isId(refusal.recordId) ? { recordId: refusal.recordId } : {}),
    ...(refusal.detail ? { detail: refusal.detail } : {}),
  })
}

/** A 404 that says nothing to the user and is audited as a refusal once the request ends. */
export class Refused extends Problem {
  readonly refusal: Refusal
  constructor(refusal: Refusal) {
    super(404, 'Not found')
    this.refusal = refusal
  }
}

/** The 404 for a record the user may not have: thrown, it is audited as a refusal (`auditRefusals`). */
export function refused(refusal: Refusal): Refused {
  return new Refused(refusal)
}

/**
 * Audits every `Refused` a route throws, with the route's pattern (never its URL, which holds
 * identifiers), after any transaction it was thrown in has rolled back. Registered once.
 */
export function auditRefusals(app: FastifyInstance, db: Queryable): void {
  app.addHook('onError', async (request, _reply, error) => {
    if (!(error instanceof Refused) || !request.user) return
    try {
      await auditRefusal(db, request.actor, {
        ...error.refusal,
        detail: { ...error.refusal.detail, route: `${request.method} ${request.routeOptions.url ?? ''}` },
      })
    } catch (failure) {
      request.log.error({ err: failure }, 'refusal not audited')
    }
  })
}

/** Several events in one statement (a caseload's people read at once). */
export async function auditMany(db: Queryable, actor: Actor, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return
  const at = nowIso()
  for (let start = 0; start < events.length; start += 500) {
    await db
      .insertInto('audit_events')
      .values(
        events.slice(start, start + 500).map((event) => ({
          id: newId(),
          at,
          actor_user_id: actor.userId,
          action: event.action,
          record_type: event.recordType ?? null,
          record_id: event.recordId ?? null,
          ip: actor.ip,
          detail: event.detail ? JSON.stringify(event.detail) : null,
        })),
      )
      .execute()
  }
}

export interface AuditQuery {
  recordType?: string
  recordId?: string
  actorUserId?: string
  action?: string
  /** Only refusals (`*.access-refused`). */
  refusals?: boolean
  limit?: number
  before?: string
}

export async function listAuditEvents(db: Queryable, query: AuditQuery = {}) {
  let select = db
    .selectFrom('audit_events')
    .leftJoin('users', 'users.id', 'audit_events.actor_user_id')
    .select([
      'audit_events.id',
      'audit_events.at',
      'audit_events.action',
      'audit_events.record_type',
      'audit_events.record_id',
      'audit_events.ip',
      'audit_events.detail',
      'audit_events.actor_user_id',
      'users.name as actor_name',
    ])
  if (query.recordType) select = select.where('audit_events.record_type', '=', query.recordType)
  if (query.recordId) select = select.where('audit_events.record_id', '=', query.recordId)
  if (query.actorUserId) select = select.where('audit_events.actor_user_id', '=', query.actorUserId)
  if (query.action) select = select.where('audit_events.action', '=', query.action)
  if (query.refusals) select = select.where('audit_events.action', 'like', `%${REFUSED_SUFFIX}`)
  if (query.before) select = select.where('audit_events.at', '<', query.before)
  return select
    .orderBy('audit_events.at', 'desc')
    .orderBy('audit_events.id', 'desc')
    .limit(query.limit ?? 100)
    .execute()
}

/**
 * Every audit event about any of `recordIds` (a person's record and their referrals, cases and
 * cards), oldest first, with the name of whoever acted: for a subject access request, which
 * includes who read the record.
 */
export async function auditOfRecords(db: Queryable, recordIds: readonly string[]) {
  if (recordIds.length === 0) return []
  const rows = []
  // In slices, so a person with many records stays within any database's limit on parameters.
  for (let i = 0; i < recordIds.length; i += 500) {
    rows.push(
      ...(await db
        .selectFrom('audit_events')
        .leftJoin('users', 'users.id', 'audit_events.actor_user_id')
        .select([
          'audit_events.at',
          'audit_events.action',
          'audit_events.record_type as recordType',
          'audit_events.record_id as recordId',
          'users.name as actorName',
        ])
        .where('audit_events.record_id', 'in', recordIds.slice(i, i + 500))
        .execute()),
    )
  }
  return rows.sort((a, b) => a.at.localeCompare(b.at))
}
