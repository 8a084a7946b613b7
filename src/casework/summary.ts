// A case's summary for the GP record and for the professional who referred: gathers what the
// case holds (and what other capabilities add through `context.caseSummarySections`) and shapes
// it with gp-summary.ts. Reading it reads the person's record, so it is audited, with why.

import type { Actor } from '../access/audit.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import { readPerson } from '../people/records.ts'
import type { Programme } from '../programmes/store.ts'
import { getReferral } from '../referrals/index.ts'
import { STATUS_COLOURS, STATUS_LABELS } from '../referrals/lifecycle.ts'
import type { CaseSummarySection } from '../web/context.ts'
import { notFound } from '../web/problem.ts'
import { type GpSummary, gpSummary } from './gp-summary.ts'
import { type ClosureReason, NOTE_TYPE_LABELS, NOTE_TYPES, type NoteType } from './rules.ts'
import {
  appointmentsOfCase,
  type CaseRow,
  getPlan,
  goalsOfCase,
  notesOfCase,
  prescriptionsWhere,
  type Signpost,
  signpostsOfCase,
} from './store.ts'

const needLabel = (programme: Programme, id: string | null) =>
  id ? (programme.needs.find((n) => n.id === id)?.label ?? id) : null

/** Whether an onward referral was taken up, from its status: null while the provider has not answered. */
function takenUpFrom(status: string): boolean | null {
  if (status === 'accepted' || status === 'in-progress' || status === 'completed') return true
  if (status === 'rejected' || status === 'cancelled' || status === 'failed') return false
  return null
}

/**
 * Signposts and onward referrals with whether each was taken up: a signpost as the link worker
 * recorded it, an onward referral from its status, which the provider sets.
 */
export async function withTakeUp(
  db: Queryable,
  signposts: Signpost[],
): Promise<
  (Signpost & { status: string | null; statusColour: string | null; providerNote: string | null })[]
> {
  const replies = await withProviderReplies(
    db,
    signposts.map((s) => ({ ...s, referralId: s.kind === 'referral' ? s.referralId : null })),
  )
  return Promise.all(
    replies.map(async (s) => {
      if (!s.referralId) return s
      const referral = await getReferral(db, s.referralId)
      return { ...s, takenUp: referral ? takenUpFrom(referral.status) : null }
    }),
  )
}

/** Prescriptions with their referral's status, and what the provider last wrote on it. */
export async function withProviderReplies<P extends { referralId: string | null }>(
  db: Queryable,
  prescriptions: P[],
): Promise<(P & { status: string | null; statusColour: string | null; providerNote: string | null })[]> {
  return Promise.all(
    prescriptions.map(async (p) => {
      const referral = p.referralId ? await getReferral(db, p.referralId) : undefined
      if (!referral) return { ...p, status: null, statusColour: null, providerNote: null }
      const noted = [...referral.history]
        .reverse()
        .find((e) => e.note && e.actorUserId !== referral.referrer.userId)
      return {
        ...p,
        status: STATUS_LABELS[referral.status],
        statusColour: STATUS_COLOURS[referral.status],
        providerNote: noted ? `${noted.reasonLabel ? `${noted.reasonLabel}: ` : ''}${noted.note}` : null,
      }
    }),
  )
}

/**
 * The summary of the case, read for `via` (`gp-summary` for the case's team, `referrer` for the
 * professional who referred). Audits the read of the person's record in the same transaction.
 */
export async function caseSummary(
  db: Queryable,
  actor: Actor,
  kase: CaseRow,
  programme: Programme,
  sections: readonly CaseSummarySection[],
  via: string,
  /**
   * For a referrer outside the case's team: the person as they gave them, shown instead of the
   * record's demographics and conditions (decision 0305).
   */
  asGiven?: {
    nhsNumber: string | null
    givenName: string
    familyName: string
    dateOfBirth: string
    postcode: string | null
    practice: { name: string; odsCode: string | null } | null
  },
): Promise<GpSummary> {
  return inTransaction(db, async (trx) => {
    const record = await readPerson(trx, actor, kase.personId, { via, caseId: kase.id })
    if (!record) throw notFound()
    const person = asGiven
      ? { ...asGiven, sexOrGender: null, conditions: [] }
      : { ...record, practice: record.registeredPractice }
    const [plan, goals, appointments, prescriptions, signposts, notes] = await Promise.all([
      getPlan(trx, kase.id),
      goalsOfCase(trx, kase.id),
      appointmentsOfCase(trx, kase.id),
      prescriptionsWhere(trx, 'case_id', kase.id),
      signpostsOfCase(trx, kase.id),
      notesOfCase(trx, kase.id),
    ])
    const onward = await withTakeUp(trx, signposts)
    const added = []
    for (const section of [...sections].sort((a, b) => a.order - b.order)) {
      const found = await section.load(trx, {
        caseId: kase.id,
        personId: kase.personId,
        programmeId: kase.programmeId,
        actor,
      })
      if (found) added.push(found)
    }
    const interventions = NOTE_TYPES.filter(
      (type) => type !== 'general' && type !== 'contact' && notes.some((n) => n.type === type),
    ).map((type) => NOTE_TYPE_LABELS[type])
    return gpSummary({
      person,
      programme,
      linkWorkerName: kase.linkWorkerName,
      openedAt: kase.openedAt,
      firstContactAt: kase.firstContactAt,
      closedAt: kase.closedAt,
      closureReason: kase.closureReason as ClosureReason | null,
      exitPlan: kase.exitPlan,
      needs: kase.needs.map((n) => needLabel(programme, n) ?? n),
      whatMatters: plan.whatMatters,
      goals,
      appointments: {
        attended: appointments.filter((a) => a.status === 'attended').length,
        didNotAttend: appointments.filter((a) => a.status === 'did_not_attend').length,
      },
      prescriptions,
      signposts: onward.map((s) => ({
        kind: s.kind,
        serviceName: s.serviceName,
        need: needLabel(programme, s.need),
        takenUp: s.takenUp,
        status: s.status,
      })),
      interventions,
      notesForGpRecord: notes
        .filter((n) => n.forGpRecord)
        .reverse()
        .map((n) => ({
          date: n.createdAt.slice(0, 10),
          type: NOTE_TYPE_LABELS[n.type as NoteType] ?? n.type,
          text: n.text,
        })),
      sections: added,
    })
  })
}
