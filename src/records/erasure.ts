// Erasing a person's records when they ask and the law allows (UK GDPR Article 17): the
// administrator gives the ground and the reason, confirms whose record it is by typing the
// person's family name, and Kith refuses while the record is in use (an open referral or case).
// Every part is erased in one transaction with the audit event, which keeps the ground and the
// reason: that it happened, not what was erased.

import { type Actor, audit } from '../access/audit.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import { personIdentity } from '../people/personal-data.ts'
import { type FieldProblem, notFound, Problem } from '../web/problem.ts'
import type { PersonRecordPart } from './parts.ts'
import { activityOf, eraseParts } from './retention.ts'

export const ERASURE_GROUNDS = {
  'consent-withdrawn': 'The person withdrew their consent, and there is no other reason to keep the record',
  objection: 'The person objected, and there is no overriding reason to keep the record',
  unlawful: 'The record was held unlawfully',
  'made-in-error': 'The record was made in error: Kith should never have held it',
} as const

export type ErasureGround = keyof typeof ERASURE_GROUNDS

export interface ErasureRequest {
  ground: string
  reason: string
  /** The person's family name, typed by the administrator to confirm whose record it is. */
  confirmName: string
  /** The administrator has checked that the law allows erasure. */
  lawAllows: boolean
}

const isGround = (value: string): value is ErasureGround => Object.hasOwn(ERASURE_GROUNDS, value)

/** Erases everything Kith holds on the person; a 400 naming the field when the request cannot stand. */
export async function erasePersonOnRequest(
  db: Queryable,
  actor: Actor,
  parts: readonly PersonRecordPart[],
  personId: string,
  request: ErasureRequest,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const person = await personIdentity(trx, personId)
    if (!person) throw notFound('There is no such person.')
    const problems: FieldProblem[] = []
    if (!isGround(request.ground))
      problems.push({ field: 'ground', message: 'Select why the record is erased' })
    const reason = request.reason.trim()
    if (reason === '')
      problems.push({ field: 'reason', message: 'Enter the reason, as recorded in the request' })
    else if (reason.length > 500)
      problems.push({ field: 'reason', message: 'Reason must be 500 characters or fewer' })
    if (request.confirmName.trim().toLowerCase() !== person.familyName.trim().toLowerCase())
      problems.push({
        field: 'confirmName',
        message: "Type the person's family name as it is shown, to confirm whose record this is",
      })
    if (!request.lawAllows)
      problems.push({ field: 'lawAllows', message: 'Confirm that the law allows this record to be erased' })
    if (problems.length === 0 && (await activityOf(trx, parts, personId)).open)
      problems.push({
        field: 'ground',
        message:
          'The record is in use: an open referral or case still needs it. Close them first, or keep the record',
      })
    if (problems.length > 0)
      throw new Problem(400, 'Your request has a problem', {
        detail: 'Nothing was erased.',
        errors: problems,
      })
    await eraseParts(trx, parts, personId)
    await audit(trx, actor, {
      action: 'person.erase',
      recordType: 'person',
      recordId: personId,
      detail: { ground: request.ground, reason },
    })
  })
}
