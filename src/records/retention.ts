// How long a person's records are kept (decision 0017), and the job that erases them when that
// time has passed. A record is kept while it is in use (an open referral or case) and then for
// the period the NHS Records Management Code of Practice gives its kind of record, counted from
// the last activity on it:
//
// - an adult's: `adultYears` (8) after the last activity ("adult health records not covered by
//   any other section");
// - a child's (under 18 at the last activity): until their 25th birthday, or 26th if they were 17
//   at the end ("children's records"), or the adult period if that ends later.
//
// Erasing is audited: the audit log keeps that it happened, by which rule, not what was erased.

import { type Actor, audit } from '../access/audit.ts'
import { DEFAULT_RETENTION, type RetentionPolicy } from '../config.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import { peopleForRetention, personIdentity } from '../people/personal-data.ts'
import type { PersonRecordPart } from './parts.ts'

export type RetentionRule = 'adult' | 'child'

export const RULE_LABELS: Record<RetentionRule, string> = {
  adult: 'Adult: kept for a number of years after the last activity',
  child: 'Child: kept until the 25th birthday (26th if 17 at the end)',
}

export interface Retention {
  personId: string
  rule: RetentionRule
  /** The last activity on any of the person's records; null when there is none. */
  lastActivityAt: string | null
  /** Still in use: an open referral or case. Nothing in use is due. */
  inUse: boolean
  /** The day the records may be erased; null while in use. */
  dueAt: string | null
}

function addYears(iso: string, years: number): Date {
  const date = new Date(iso)
  date.setUTCFullYear(date.getUTCFullYear() + years)
  return date
}

/** Whole years between a date of birth and a moment. */
export function ageAt(dateOfBirth: string, at: string): number {
  const birth = new Date(`${dateOfBirth.slice(0, 10)}T00:00:00.000Z`)
  const moment = new Date(at)
  let age = moment.getUTCFullYear() - birth.getUTCFullYear()
  const birthday = new Date(birth)
  birthday.setUTCFullYear(moment.getUTCFullYear())
  if (moment < birthday) age--
  return age
}

/** When a person's records may be erased, by the rule their age at the last activity decides. */
export function retentionOf(
  person: { id: string; dateOfBirth: string },
  activity: { lastAt: string | null; open: boolean },
  policy: RetentionPolicy = DEFAULT_RETENTION,
): Retention {
  const last = activity.lastAt
  const age = last ? ageAt(person.dateOfBirth, last) : 99
  const rule: RetentionRule = age < 18 ? 'child' : 'adult'
  let dueAt: string | null = null
  if (!activity.open && last) {
    let due = addYears(last, policy.adultYears)
    if (rule === 'child') {
      const birthday = addYears(
        `${person.dateOfBirth.slice(0, 10)}T00:00:00.000Z`,
        policy.childUntilAge + (age === 17 ? 1 : 0),
      )
      if (birthday > due) due = birthday
    }
    dueAt = due.toISOString()
  }
  return { personId: person.id, rule, lastActivityAt: last, inUse: activity.open, dueAt }
}

/** A person's activity across every part: the latest time, and whether any is in use. */
export async function activityOf(
  db: Queryable,
  parts: readonly PersonRecordPart[],
  personId: string,
): Promise<{ lastAt: string | null; open: boolean }> {
  let lastAt: string | null = null
  let open = false
  for (const part of parts) {
    const activity = await part.activity(db, personId)
    if (activity.lastAt && (lastAt === null || activity.lastAt > lastAt)) lastAt = activity.lastAt
    open ||= activity.open
  }
  return { lastAt, open }
}

/** Every person whose records are past their retention at `now`, the longest overdue first. */
export async function dueForErasure(
  db: Queryable,
  parts: readonly PersonRecordPart[],
  policy: RetentionPolicy,
  now: Date,
): Promise<Retention[]> {
  const due: Retention[] = []
  for (const person of await peopleForRetention(db)) {
    const retention = retentionOf(person, await activityOf(db, parts, person.id), policy)
    if (retention.dueAt && retention.dueAt <= now.toISOString()) due.push(retention)
  }
  return due.sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''))
}

/** Deletes every part's rows about the person, in the parts' order, in the caller's transaction. */
export async function eraseParts(
  trx: Queryable,
  parts: readonly PersonRecordPart[],
  personId: string,
): Promise<number> {
  let rows = 0
  for (const part of [...parts].sort((a, b) => a.eraseOrder - b.eraseOrder))
    rows += await part.erase(trx, personId)
  return rows
}

const RETENTION_ACTOR: Actor = { userId: null, ip: 'scheduler' }

/**
 * The retention job: erases the records of everyone past their retention, each person in one
 * transaction that checks again that they are still due (a referral made since would keep them),
 * audited with the rule. Returns how many people were erased.
 */
export async function applyRetention(
  db: Queryable,
  parts: readonly PersonRecordPart[],
  policy: RetentionPolicy,
  now: Date,
): Promise<number> {
  let erased = 0
  for (const candidate of await dueForErasure(db, parts, policy, now)) {
    const done = await inTransaction(db, async (trx) => {
      const person = await personIdentity(trx, candidate.personId)
      if (!person) return false
      const retention = retentionOf(person, await activityOf(trx, parts, person.id), policy)
      if (!retention.dueAt || retention.dueAt > now.toISOString()) return false
      await eraseParts(trx, parts, person.id)
      await audit(trx, RETENTION_ACTOR, {
        action: 'person.erase',
        recordType: 'person',
        recordId: person.id,
        detail: {
          ground: 'retention',
          rule: retention.rule,
          lastActivityOn: retention.lastActivityAt?.slice(0, 10),
        },
      })
      return true
    })
    if (done) erased++
  }
  return erased
}
