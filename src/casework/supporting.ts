// The supporting worker of a case (decision 0106): in a volunteering programme the project
// officer holds the case and a community navigator or a recovery support officer is named on it
// to support. Whoever may see the case may name one, change them or take them off; the one named
// sees the case (cases.ts `maySee`) and has it in their caseload.

import { type Actor, audit } from '../access/audit.ts'
import { getUser, membershipsOf, usersWithRoleIn } from '../access/store.ts'
import type { CurrentUser } from '../access/users.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import type { Programme } from '../programmes/store.ts'
import { badRequest } from '../web/problem.ts'
import { caseForUser } from './cases.ts'
import { addEvent, type CaseRow, setCaseSupporter } from './store.ts'

export interface SupportingCandidate {
  userId: string
  name: string
  /** Their title, such as Recovery support officer. */
  title: string | null
}

/**
 * Who may be named to support a case: the programme's link workers and the link workers of the
 * organisation that runs it, except the case's own worker. So the CVS's recovery support officer
 * can be named on a mental-health case, and sees that case only.
 */
export async function supportingCandidates(
  db: Queryable,
  programme: Programme,
  kase: Pick<CaseRow, 'linkWorkerUserId'>,
): Promise<SupportingCandidate[]> {
  const ids = new Set(programme.linkWorkers.map((w) => w.userId))
  for (const id of await usersWithRoleIn(db, programme.ownerOrganisationId, ['link_worker'])) ids.add(id)
  if (kase.linkWorkerUserId) ids.delete(kase.linkWorkerUserId)
  const memberships = await membershipsOf(db, [...ids])
  const candidates: SupportingCandidate[] = []
  for (const userId of ids) {
    const user = await getUser(db, userId)
    if (!user?.active) continue
    const titles = memberships.filter((m) => m.userId === userId && m.role === 'link_worker')
    const title =
      titles.find((m) => m.organisationId === programme.ownerOrganisationId)?.title ??
      titles[0]?.title ??
      null
    candidates.push({ userId, name: user.name, title })
  }
  return candidates.sort((a, b) => a.name.localeCompare(b.name))
}

/** Names the case's supporting worker, or no one with null; on the timeline and audited. */
export async function setSupportingWorker(
  db: Queryable,
  ctx: { user: CurrentUser; actor: Actor },
  caseId: string,
  userId: string | null,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const { case: kase, programme } = await caseForUser(trx, ctx.user, ctx.actor, caseId, { open: true })
    let name: string | null = null
    if (userId !== null) {
      const candidate = (await supportingCandidates(trx, programme, kase)).find((c) => c.userId === userId)
      if (!candidate) {
        const message = 'Select one of the workers listed, or no one'
        throw badRequest(message, [{ field: 'userId', message }])
      }
      name = candidate.name
    }
    if (userId === kase.supportingUserId) return
    await setCaseSupporter(trx, caseId, userId)
    await addEvent(trx, caseId, {
      kind: 'assigned',
      summary: name
        ? `${kase.supportingUserId ? 'Now supported by' : 'Supported by'} ${name}`
        : `${kase.supportingName ?? 'The supporting worker'} no longer supports the case`,
      userId: ctx.user.id,
    })
    await audit(trx, ctx.actor, {
      action: 'case.supporter',
      recordType: 'case',
      recordId: caseId,
      detail: { from: kase.supportingUserId, to: userId },
    })
  })
}
