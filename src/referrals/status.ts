// Changing a referral's status: one transaction with its history entry, its audit event, its
// SNOMED CT codes, the referrer's notice and, on acceptance, the handlers (casework opens a case);
// and the reply deadlines, a nudge then an automatic decline.

import { type Actor, audit, refused } from '../access/audit.ts'
import type { CurrentUser } from '../access/users.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import { getService } from '../directory/index.ts'
import { notify } from '../interop/notifications.ts'
import { getProgramme } from '../programmes/store.ts'
import { badRequest, conflict, notFound, Problem } from '../web/problem.ts'
import {
  type DeclineReason,
  isDeclineReason,
  type Party,
  type ReferralStatus,
  SNOMED,
  STATUS_NOTICES,
  transitionProblem,
} from './lifecycle.ts'
import { partiesOf, type Referral, receivingTeam, referralOf } from './reading.ts'
import {
  dueForDecline,
  dueForNudge,
  getReferralRow,
  insertCodedEntry,
  insertEvent,
  markNudged,
  updateStatus,
} from './store.ts'

/** What casework is told when a referral is accepted. */
export interface AcceptedReferral {
  id: string
  personId: string
  programmeId: string | null
  serviceId: string | null
  practiceOdsCode: string | null
  receivingOrganisationId: string
  /** Need ids. */
  needs: string[]
  whatMatters: string
  goals: string[]
  referrerUserId: string | null
  sourceCaseId: string | null
  /** When it was accepted (ISO 8601, UTC). */
  acceptedAt: string
}

/** Runs inside the acceptance transaction: a case opens with the acceptance, or neither happens. */
export type ReferralAcceptedHandler = (
  trx: Queryable,
  referral: AcceptedReferral,
  actor: Actor,
) => Promise<void>

export interface StatusChange {
  to: ReferralStatus
  /** Why: required when declining (one of DECLINE_REASONS). */
  reason?: string | null
  note?: string | null
}

/**
 * Who makes the change: a signed-in user, or Kith itself (automatic decline). `forTeam`: the
 * caller (casework closing the case the referral opened) has checked the user acts for the
 * receiving team.
 */
export type ChangedBy = { user: CurrentUser; forTeam?: true } | { system: true }

/**
 * Moves a referral on in its lifecycle, in one transaction: checks the change is allowed and
 * the user may make it, records the history entry and the audit event, records SNOMED CT codes
 * for a link-worker programme, tells the referrer, and on acceptance runs the handlers (casework
 * opens a case). Throws 404 when the user may not see it, 409 when the lifecycle forbids the change.
 */
export async function changeReferralStatus(
  db: Queryable,
  actor: Actor,
  id: string,
  change: StatusChange,
  by: ChangedBy,
  options: { now?: Date; onAccepted?: readonly ReferralAcceptedHandler[] } = {},
): Promise<Referral> {
  const now = options.now ?? new Date()
  const at = now.toISOString()
  const note = change.note?.trim() || null
  if (note && note.length > 2000)
    throw badRequest('The note is too long.', [
      { field: 'note', message: 'The note must be 2,000 characters or fewer' },
    ])
  return inTransaction(db, async (trx) => {
    const row = await getReferralRow(trx, id)
    if (!row) throw notFound()
    const referral = referralOf(row)
    const parties: Party[] =
      'system' in by ? ['system'] : by.forTeam ? ['receiver'] : await partiesOf(trx, by.user, referral)
    if (parties.length === 0)
      throw refused({ recordType: 'referral', recordId: id, detail: { attempted: `status:${change.to}` } })
    const problem = transitionProblem(row.status, change.to, parties)
    if (problem) throw conflict(problem)
    let reason: DeclineReason | null = null
    if (change.to === 'rejected' || change.to === 'failed') {
      if (
        !change.reason ||
        !isDeclineReason(change.reason) ||
        (change.reason === 'no-reply' && !('system' in by))
      ) {
        if (change.to === 'rejected')
          throw badRequest('Choose why the referral is declined.', [
            { field: 'reason', message: 'Choose why the referral is declined' },
          ])
      } else reason = change.reason
      if (reason === 'other' && !note)
        throw badRequest('Say why the referral is declined.', [
          { field: 'note', message: 'Enter the reason, as you chose another reason' },
        ])
    }
    if (change.to === 'completed' && row.service_id && !note && !('system' in by) && !by.forTeam)
      // A provider finishing a direct referral says what happened: the referrer reads it as the outcome.
      throw badRequest('Say what happened: the referrer reads this as the outcome.', [
        {
          field: 'note',
          message: 'Enter the outcome: what the person did and how it ended (the referrer reads this)',
        },
      ])
    const firstReply =
      row.first_reply === null && (change.to === 'accepted' || change.to === 'rejected')
        ? {
            first_reply: (reason === 'no-reply' ? 'no-reply' : change.to) as
              | 'accepted'
              | 'rejected'
              | 'no-reply',
            first_reply_at: reason === 'no-reply' ? null : at,
          }
        : {}
    const changed = await updateStatus(trx, id, row.status, {
      status: change.to,
      updated_at: at,
      ...firstReply,
      ...(change.to === 'rejected' || change.to === 'failed' || change.to === 'cancelled'
        ? { decision_reason: reason, decision_note: note }
        : {}),
    })
    if (!changed)
      throw conflict('Someone else changed this referral first. Look at it again before changing it.')
    const actorName = 'system' in by ? 'Kith (automatic)' : by.user.name
    await insertEvent(trx, {
      referral_id: id,
      from_status: row.status,
      to_status: change.to,
      at,
      actor_user_id: 'system' in by ? null : by.user.id,
      actor_name: actorName,
      reason,
      note,
    })
    await audit(trx, actor, {
      action: 'referral.status-change',
      recordType: 'referral',
      recordId: id,
      detail: { from: row.status, to: change.to, ...(reason ? { reason } : {}) },
    })
    if (change.to === 'accepted' || reason === 'person-declined') {
      // Only referrals to a link worker are coded: a link-worker programme, or a link-worker service.
      const toLinkWorker = row.programme_id
        ? (await getProgramme(trx, row.programme_id))?.pathway === 'link_worker'
        : row.service_id
          ? (await getService(trx, row.service_id))?.kind === 'link_worker'
          : false
      if (toLinkWorker) {
        const concept =
          change.to === 'accepted' ? SNOMED.referralToSocialPrescribing : SNOMED.socialPrescribingDeclined
        await insertCodedEntry(trx, {
          referralId: id,
          personId: row.person_id,
          code: concept.code,
          display: concept.display,
          at,
          userId: actor.userId,
        })
      }
    }
    if (row.referrer_user_id && row.referrer_user_id !== actor.userId) {
      const notice = STATUS_NOTICES[change.to]
      await notify(
        trx,
        {
          userId: row.referrer_user_id,
          kind: `referral.${change.to}`,
          subject: notice.subject,
          body: `${notice.body} Sign in to Kith to see it.`,
          link: `/referrals/${id}`,
        },
        now,
      )
    }
    if (change.to === 'accepted') {
      const accepted: AcceptedReferral = {
        id,
        personId: row.person_id,
        programmeId: row.programme_id,
        serviceId: row.service_id,
        practiceOdsCode: row.practice_ods_code,
        receivingOrganisationId: row.receiving_organisation_id,
        needs: referral.needs,
        whatMatters: referral.whatMatters,
        goals: referral.goals,
        referrerUserId: row.referrer_user_id,
        sourceCaseId: row.source_case_id,
        acceptedAt: now.toISOString(),
      }
      for (const handler of options.onAccepted ?? []) await handler(trx, accepted, actor)
    }
    const updated = await getReferralRow(trx, id)
    return referralOf(updated ?? row)
  })
}

// ---------------------------------------------------------------------------------------------
// Reply deadlines: a nudge, then an automatic decline

const SYSTEM: Actor = { userId: null, ip: null }

/**
 * Declines every referral whose decline is due and nudges the receiving team of every one whose
 * nudge is due. Each referral is its own transaction with a conditional update, so two processes
 * running this at once cannot decline or nudge one referral twice.
 */
export async function applyReplyDeadlines(
  db: Queryable,
  now: Date,
): Promise<{ declined: number; nudged: number }> {
  const at = now.toISOString()
  let declined = 0
  let nudged = 0
  for (const row of await dueForDecline(db, at)) {
    try {
      await changeReferralStatus(
        db,
        SYSTEM,
        row.id,
        { to: 'rejected', reason: 'no-reply', note: 'No reply came before the deadline.' },
        { system: true },
        { now },
      )
      declined++
    } catch (error) {
      // Someone replied in the meantime: nothing to do.
      if (!(error instanceof Problem && error.status === 409)) throw error
    }
  }
  for (const row of await dueForNudge(db, at)) {
    await inTransaction(db, async (trx) => {
      if (!(await markNudged(trx, row.id, at))) return
      for (const userId of await receivingTeam(trx, row)) {
        await notify(
          trx,
          {
            userId,
            kind: 'referral.reminder',
            subject: 'A referral is waiting for a reply',
            body: 'A referral to your team has had no reply. It will be declined automatically if no one replies.',
            link: `/referrals/${row.id}`,
          },
          now,
        )
      }
      await audit(trx, SYSTEM, { action: 'referral.nudge', recordType: 'referral', recordId: row.id })
      nudged++
    })
  }
  return { declined, nudged }
}
