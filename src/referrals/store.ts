// Referrals: the only place their SQL lives.

import {
  type ExpressionBuilder,
  type RawBuilder,
  type Selectable,
  type SelectQueryBuilder,
  sql,
} from 'kysely'
import { dialectOf } from '../db/database.ts'
import { unindexed } from '../db/dialect.ts'
import { newId } from '../db/ids.ts'
import type { Queryable, Tables } from '../db/schema.ts'
import { type Found, inTimeRanges, type Paging, type PersonIdQuery, type TimeRange } from '../db/search.ts'
import { AWAITING_REPLY, type ReferralStatus } from './lifecycle.ts'
import type { ReferralEventTable, ReferralTable } from './tables.ts'

export type ReferralRow = Selectable<ReferralTable>
export type ReferralEventRow = Selectable<ReferralEventTable>

export async function insertReferral(db: Queryable, row: ReferralRow): Promise<void> {
  await db.insertInto('referrals').values(row).execute()
}

export async function insertEvent(db: Queryable, event: Omit<ReferralEventRow, 'id'>): Promise<string> {
  const id = newId(new Date(event.at).getTime())
  await db
    .insertInto('referral_events')
    .values({ id, ...event })
    .execute()
  return id
}

export async function getReferralRow(db: Queryable, id: string): Promise<ReferralRow | undefined> {
  return db.selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function referralIdBySubmissionKey(db: Queryable, key: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('referrals')
    .select('id')
    .where('submission_key', '=', key)
    .executeTakeFirst()
  return row?.id
}

/** Moves the referral from `from` to `to` only if it is still `from`: false when someone else changed it first. */
export async function updateStatus(
  db: Queryable,
  id: string,
  from: ReferralStatus,
  set: Partial<
    Pick<
      ReferralRow,
      'status' | 'decision_reason' | 'decision_note' | 'first_reply_at' | 'first_reply' | 'updated_at'
    >
  >,
): Promise<boolean> {
  const result = await db
    .updateTable('referrals')
    .set(set)
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function markNudged(db: Queryable, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('referrals')
    .set({ nudged_at: at })
    .where('id', '=', id)
    .where('nudged_at', 'is', null)
    .where('status', 'in', [...AWAITING_REPLY])
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function eventsOf(db: Queryable, referralId: string): Promise<ReferralEventRow[]> {
  return db
    .selectFrom('referral_events')
    .selectAll()
    .where('referral_id', '=', referralId)
    .orderBy('at')
    .orderBy('id')
    .execute()
}

export interface ReferralFilter {
  referrerUserId?: string
  personId?: string
  /**
   * Referrals to these programmes, or to services received by these organisations, or to services
   * run for the programmes in `linkWorkerProgrammeIds` (any of them).
   */
  receiving?: {
    programmeIds: readonly string[]
    organisationIds: readonly string[]
    linkWorkerProgrammeIds?: readonly string[]
  }
  /** Every referral of the programme: to it, and to the services run for it (decision 0106). */
  programmeId?: string
  statuses?: readonly ReferralStatus[]
  limit?: number
}

type ReferralsWhere = ExpressionBuilder<Tables, 'referrals'>
type ReferralColumn =
  | 'programme_id'
  | 'service_id'
  | 'receiving_organisation_id'
  | 'referrer_user_id'
  | 'status'
/** How a condition names a column: as it is, or kept from SQLite's choice of index (dialect.ts `unindexed`). */
type Column = (column: ReferralColumn) => ReferralColumn | RawBuilder<string>

const asItIs: Column = (column) => column

/** Referrals a team receives: to its programmes, to services of its organisations or run for its programmes. */
function receivedBy(
  eb: ReferralsWhere,
  receiving: NonNullable<ReferralFilter['receiving']>,
  column: Column = asItIs,
) {
  const { programmeIds, organisationIds } = receiving
  const linkWorkerProgrammeIds = receiving.linkWorkerProgrammeIds ?? []
  const toService = eb(column('service_id'), 'is not', null)
  return eb.or([
    ...(programmeIds.length > 0
      ? [eb.and([eb(column('service_id'), 'is', null), eb(column('programme_id'), 'in', [...programmeIds])])]
      : []),
    ...(linkWorkerProgrammeIds.length > 0
      ? [eb.and([toService, eb(column('programme_id'), 'in', [...linkWorkerProgrammeIds])])]
      : []),
    ...(organisationIds.length > 0
      ? [eb.and([toService, eb(column('receiving_organisation_id'), 'in', [...organisationIds])])]
      : []),
  ])
}

export async function listReferralRows(db: Queryable, filter: ReferralFilter): Promise<ReferralRow[]> {
  let query = db.selectFrom('referrals').selectAll()
  if (filter.referrerUserId) query = query.where('referrer_user_id', '=', filter.referrerUserId)
  if (filter.personId) query = query.where('person_id', '=', filter.personId)
  if (filter.programmeId) query = query.where('programme_id', '=', filter.programmeId)
  if (filter.receiving) {
    const { programmeIds, organisationIds } = filter.receiving
    const linkWorkerProgrammeIds = filter.receiving.linkWorkerProgrammeIds ?? []
    if (programmeIds.length === 0 && organisationIds.length === 0 && linkWorkerProgrammeIds.length === 0)
      return []
    const receiving = filter.receiving
    query = query.where((eb) => receivedBy(eb, receiving))
  }
  if (filter.statuses) query = query.where('status', 'in', [...filter.statuses])
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 200)
    .execute()
}

/** Whose referrals a user reaches: as the receiving team, as overseer of a programme's services, as referrer. */
export interface ReferralReach {
  receiving: NonNullable<ReferralFilter['receiving']>
  /** Programmes whose services' referrals the user oversees (a manager of the programme's owner). */
  overseenProgrammeIds: readonly string[]
  /** The user's own referrals too; left out when only those whose person's record they see count. */
  referrerUserId?: string
}

export interface ReferralSearch extends Paging {
  reach: ReferralReach
  personId?: string
  ids?: readonly string[]
  statuses?: readonly ReferralStatus[]
  updated?: readonly TimeRange[]
}

function reached(eb: ReferralsWhere, reach: ReferralReach, column: Column = asItIs) {
  const overseen = reach.overseenProgrammeIds
  return eb.or([
    receivedBy(eb, reach.receiving, column),
    ...(overseen.length > 0
      ? [eb.and([eb(column('service_id'), 'is not', null), eb(column('programme_id'), 'in', [...overseen])])]
      : []),
    ...(reach.referrerUserId ? [eb(column('referrer_user_id'), '=', reach.referrerUserId)] : []),
  ])
}

/**
 * The referrals a user reaches that match, last changed first (then by id, newest first), one
 * page of them, and how many match in all. The page's ids and the count come from the index
 * `referrals_by_change` alone; only the page's rows are read.
 */
export async function searchReferralRows(db: Queryable, search: ReferralSearch): Promise<Found<ReferralRow>> {
  if (search.ids?.length === 0 || search.statuses?.length === 0) return { rows: [], total: 0 }
  // Who the user is and the status are tested on the index's own columns as it is scanned in
  // order; a person or ids, when given, are looked up by their own index.
  const column: Column = (name) => unindexed(db, name)
  let query = db.selectFrom('referrals').where((eb) => reached(eb, search.reach, column))
  if (search.personId !== undefined) query = query.where('person_id', '=', search.personId)
  if (search.ids) query = query.where('id', 'in', [...search.ids])
  if (search.statuses) query = query.where(column('status'), 'in', [...search.statuses])
  if (search.updated) query = query.where(inTimeRanges('updated_at', search.updated))
  const [page, count] = await Promise.all([
    query
      .select('id')
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(search.limit)
      .offset(search.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirst(),
  ])
  const ids = page.map((row) => row.id)
  const rows =
    ids.length > 0 ? await db.selectFrom('referrals').selectAll().where('id', 'in', ids).execute() : []
  const byId = new Map(rows.map((row) => [row.id, row]))
  return {
    rows: ids.flatMap((id) => byId.get(id) ?? []),
    total: Number(count?.total ?? 0),
  }
}

/** The people referred to whom the user reaches, as a query of person ids. */
export function referredPeople(db: Queryable, reach: ReferralReach): PersonIdQuery {
  return db
    .selectFrom('referrals')
    .select('person_id')
    .where((eb) => reached(eb, reach, (name) => unindexed(db, name)))
}

export async function insertCodedEntry(
  db: Queryable,
  entry: {
    referralId: string
    personId: string
    code: string
    display: string
    at: string
    userId: string | null
  },
): Promise<void> {
  await db
    .insertInto('referral_coded_entries')
    .values({
      id: newId(new Date(entry.at).getTime()),
      referral_id: entry.referralId,
      person_id: entry.personId,
      code: entry.code,
      display: entry.display,
      recorded_at: entry.at,
      recorded_by_user_id: entry.userId,
    })
    .execute()
}

export async function codedEntriesOf(db: Queryable, referralId: string) {
  return db
    .selectFrom('referral_coded_entries')
    .select(['code', 'display', 'recorded_at as recordedAt'])
    .where('referral_id', '=', referralId)
    .orderBy('recorded_at')
    .execute()
}

/** Referrals still waiting for a reply whose automatic decline is due. */
export async function dueForDecline(db: Queryable, at: string, limit = 500): Promise<ReferralRow[]> {
  return db
    .selectFrom('referrals')
    .selectAll()
    .where('status', 'in', [...AWAITING_REPLY])
    .where('decline_due_at', '<=', at)
    .orderBy('decline_due_at')
    .limit(limit)
    .execute()
}

/** Referrals still waiting for a reply, not yet nudged, whose nudge is due. */
export async function dueForNudge(db: Queryable, at: string, limit = 500): Promise<ReferralRow[]> {
  return db
    .selectFrom('referrals')
    .selectAll()
    .where('status', 'in', [...AWAITING_REPLY])
    .where('nudge_due_at', '<=', at)
    .where('nudged_at', 'is', null)
    .orderBy('nudge_due_at')
    .limit(limit)
    .execute()
}

/** The first replies to referrals to a service (or a programme): when sent, when answered, and how. */
/**
 * Which referrals a statistic covers: each list restricts (null: no restriction), and the period
 * (UTC instants, `to` exclusive) is when the referral was made.
 */
export interface ReferralScope {
  serviceIds?: readonly string[] | null
  /** Referrals to these programmes and to the services run for them (decision 0106). */
  programmeIds?: readonly string[] | null
  receivingOrganisationIds?: readonly string[] | null
  practiceOdsCodes?: readonly string[] | null
  period?: { from: string; to: string } | null
}

export interface ReferralFact {
  createdAt: string
  firstReplyAt: string | null
  firstReply: 'accepted' | 'rejected' | 'no-reply' | null
  decisionReason: string | null
  referrerKind: string
  status: ReferralStatus
}

type ReferralQuery<O> = SelectQueryBuilder<Tables, 'referrals', O>

/** The referrals in scope, or undefined when an empty list in the scope matches none. */
function inScope<O>(query: ReferralQuery<O>, scope: ReferralScope): ReferralQuery<O> | undefined {
  const lists = [
    ['service_id', scope.serviceIds],
    ['programme_id', scope.programmeIds],
    ['receiving_organisation_id', scope.receivingOrganisationIds],
    ['practice_ods_code', scope.practiceOdsCodes],
  ] as const
  if (lists.some(([, ids]) => ids && ids.length === 0)) return undefined
  for (const [column, ids] of lists) if (ids) query = query.where(column, 'in', [...ids])
  if (scope.period)
    query = query.where('created_at', '>=', scope.period.from).where('created_at', '<', scope.period.to)
  return query
}

/** The facts of every referral in scope that the statistics count: no one's details. */
export async function referralFacts(db: Queryable, scope: ReferralScope): Promise<ReferralFact[]> {
  const query = inScope(
    db
      .selectFrom('referrals')
      .select([
        'created_at as createdAt',
        'first_reply_at as firstReplyAt',
        'first_reply as firstReply',
        'decision_reason as decisionReason',
        'referrer_kind as referrerKind',
        'status',
      ]),
    scope,
  )
  return query ? query.execute() : []
}

/** How many referrals in scope share a first reply, decline reason, source, status and month. */
export interface ReferralCount {
  firstReply: 'accepted' | 'rejected' | 'no-reply' | null
  decisionReason: string | null
  referrerKind: string
  status: ReferralStatus
  /** `2026-04`: the UTC month the referral was made in. */
  month: string
  count: number
}

/** The referrals in scope counted in the database, one row per combination that occurs. */
export async function referralCounts(db: Queryable, scope: ReferralScope): Promise<ReferralCount[]> {
  const month = sql<string>`substr(created_at, 1, 7)`
  const query = inScope(
    db
      .selectFrom('referrals')
      .select([
        'first_reply as firstReply',
        'decision_reason as decisionReason',
        'referrer_kind as referrerKind',
        'status',
        month.as('month'),
        (eb) => eb.fn.countAll<number | string>().as('count'),
      ])
      .groupBy(['first_reply', 'decision_reason', 'referrer_kind', 'status', month]),
    scope,
  )
  if (!query) return []
  return (await query.execute()).map((row) => ({ ...row, count: Number(row.count) }))
}

/**
 * The middle of the times, in milliseconds, from sending to first reply of the referrals in scope
 * that have had one: one value when their number is odd, the two either side of the middle when
 * it is even, none when there are none; with their number. The database sorts; two rows leave it.
 */
export async function middleReplyTimes(
  db: Queryable,
  scope: ReferralScope,
): Promise<{ replies: number; middle: number[] }> {
  // Whole milliseconds, as the difference of the two instants in JavaScript would give.
  const ms =
    dialectOf(db) === 'postgres'
      ? sql<number>`round(extract(epoch from (first_reply_at::timestamptz - created_at::timestamptz)) * 1000)::bigint`
      : sql<number>`cast(round((julianday(first_reply_at) - julianday(created_at)) * 86400000) as integer)`
  const query = inScope(
    db
      .selectFrom('referrals')
      .select([ms.as('ms')])
      .where('first_reply', 'is not', null)
      .where('first_reply_at', 'is not', null),
    scope,
  )
  if (!query) return { replies: 0, middle: [] }
  const { rows } = await sql<{ ms: number | string; n: number | string }>`
    select ms, n from (
      select ms, row_number() over (order by ms) as k, count(*) over () as n from ${query} as times
    ) as ranked
    where k in ((n + 1) / 2, (n + 2) / 2) order by ms`.execute(db)
  return { replies: rows.length === 0 ? 0 : Number(rows[0]!.n), middle: rows.map((row) => Number(row.ms)) }
}

/** A person's records merged: their referrals and coded entries go to the record kept. */
export async function movePersonReferrals(db: Queryable, from: string, into: string): Promise<void> {
  await db.updateTable('referrals').set({ person_id: into }).where('person_id', '=', from).execute()
  await db
    .updateTable('referral_coded_entries')
    .set({ person_id: into })
    .where('person_id', '=', from)
    .execute()
}

/** When each referral given was made, by id: for reports' waiting times. */
export async function referralTimes(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  const times = new Map<string, string>()
  const unique = [...new Set(ids)]
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('referrals')
      .select(['id', 'created_at'])
      .where('id', 'in', unique.slice(i, i + 500))
      .execute()
    for (const row of rows) times.set(row.id, row.created_at)
  }
  return times
}

/** The people referred to a programme or to a service run for it, in these statuses, as a query of person ids. */
export function peopleReferredToProgramme(
  db: Queryable,
  programmeId: string,
  statuses: readonly ReferralStatus[],
): PersonIdQuery {
  return db
    .selectFrom('referrals')
    .select('person_id')
    .where('programme_id', '=', programmeId)
    .where('status', 'in', [...statuses])
}
