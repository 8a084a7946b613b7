// Two records that are one person become one: the kept record gains the other's referrals,
// cases, consents, conditions, readings, cards and check-ins, and the other is deleted. Each
// capability moves its own rows (a handler on `context.personMerged`), all in one transaction
// with the audit events, so a merge happens whole or not at all.

import { type Actor, audit } from '../access/audit.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import { badRequest, notFound } from '../web/problem.ts'
import { foldPersonInto, getPerson } from './store.ts'

/** Moves a capability's rows of person `from` to person `into`, inside the merge's transaction. */
export type PersonMergedHandler = (trx: Queryable, from: string, into: string) => Promise<void>

export async function mergePersonRecords(
  db: Queryable,
  actor: Actor,
  records: { keepId: string; mergeId: string },
  handlers: readonly PersonMergedHandler[],
): Promise<void> {
  const { keepId, mergeId } = records
  if (keepId === mergeId)
    throw badRequest('Choose two different records.', [
      { field: 'keepId', message: 'Choose two different records' },
    ])
  await inTransaction(db, async (trx) => {
    const keep = await getPerson(trx, keepId)
    const merge = await getPerson(trx, mergeId)
    if (!keep || !merge) throw notFound('There is no such person.')
    if (keep.nhsNumber && merge.nhsNumber && keep.nhsNumber !== merge.nhsNumber) {
      const message =
        'These records have different NHS numbers, so they are different people. Nothing was merged'
      throw badRequest(`${message}.`, [{ field: 'keepId', message }])
    }
    for (const handler of handlers) await handler(trx, mergeId, keepId)
    await foldPersonInto(trx, mergeId, keepId, keep.nhsNumber ? null : merge.nhsNumber)
    await audit(trx, actor, {
      action: 'person.merge',
      recordType: 'person',
      recordId: keepId,
      detail: { mergedId: mergeId },
    })
    await audit(trx, actor, {
      action: 'person.merged-into',
      recordType: 'person',
      recordId: mergeId,
      detail: { keptId: keepId },
    })
  })
}
