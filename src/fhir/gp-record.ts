// The summary into the GP record, as GP Connect Send Document does it: when a case ends, and at
// the points its programme chose besides (the initial assessment done, a prescription ended), a
// message for the person's registered practice goes in the outbox (channel `mesh`, addressed by
// the practice's ODS code), in the transaction that records the point; each point once. When the
// delivery job sends it, the summary is read then (audited as a read by Kith itself), made a FHIR
// document naming its point, and sent through MESH to the mailbox MESH's look-up gives for the
// practice and the workflow. Without MESH configured the messages stay in the outbox, visible to
// administrators.

import type { Actor } from '../access/audit.ts'
import { getOrganisation } from '../access/store.ts'
import {
  type CaseClosedHandler,
  type CaseMilestoneHandler,
  type CaseRef,
  caseById,
  caseSummary,
  gpSummaryText,
} from '../casework/index.ts'
import type { MeshConfig } from '../config.ts'
import { newId } from '../db/ids.ts'
import type { Db, Queryable } from '../db/schema.ts'
import { type OutgoingMessage, type Sender, SendFailure } from '../interop/delivery.ts'
import { MeshClient, MeshError } from '../interop/mesh.ts'
import { notify } from '../interop/notifications.ts'
import { getProgramme } from '../programmes/store.ts'
import type { CaseSummarySection } from '../web/context.ts'
import { type DocumentPoint, gpDocument } from './document.ts'
import { codesOnlyFor, isPoint, summaryPointsOf } from './sharing.ts'

const KITH: Actor = { userId: null, ip: null }

/** Puts a message for the case's practice in the outbox; its id, or undefined with no practice to send to. */
async function queueFor(
  trx: Queryable,
  kase: CaseRef,
  userId: string,
  body: string,
): Promise<string | undefined> {
  const practice = kase.practiceOrganisationId
    ? await getOrganisation(trx, kase.practiceOrganisationId)
    : undefined
  if (!practice?.odsCode) return undefined
  const { messageIds } = await notify(trx, {
    userId,
    kind: 'case.gp-summary',
    subject: 'Summary sent to the GP practice',
    body,
    link: `/casework/cases/${kase.id}`,
    channels: ['mesh'],
    addresses: { mesh: practice.odsCode },
  })
  return messageIds[0]
}

/** On a case's end: the summary for the person's practice goes in the outbox. */
export const queueGpSummary: CaseClosedHandler = async (trx, closed, ctx) => {
  await queueFor(
    trx,
    closed,
    ctx.user.id,
    'The summary of the case you closed is on its way to the person’s GP practice by MESH.',
  )
}

const POINT_NOTICES = {
  'initial-assessment':
    'The summary after the initial assessment is on its way to the person’s GP practice by MESH.',
  'prescription-ended':
    'The summary after the social prescription’s end is on its way to the person’s GP practice by MESH.',
} as const

/**
 * At a point of a case its programme chose: the summary for the person's practice goes in the
 * outbox, once for each point (the case's initial assessment, each prescription's end), however
 * often the point is recorded again.
 */
export const queueGpSummaryAtPoint: CaseMilestoneHandler = async (trx, milestone, ctx) => {
  if (!(await summaryPointsOf(trx, milestone.case.programmeId)).includes(milestone.point)) return
  // Claim the point first: a second request recording the same point at the same time waits on the
  // claim's unique key and then finds it taken, instead of failing.
  const claim = newId()
  const claimed = await trx
    .insertInto('gp_summaries_queued')
    .values({
      message_id: claim,
      case_id: milestone.case.id,
      point: milestone.point,
      point_key: milestone.key,
      point_at: milestone.at,
      created_at: new Date().toISOString(),
    })
    .onConflict((oc) => oc.columns(['point', 'point_key']).doNothing())
    .executeTakeFirst()
  if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return
  const messageId = await queueFor(trx, milestone.case, ctx.user.id, POINT_NOTICES[milestone.point])
  if (messageId)
    await trx
      .updateTable('gp_summaries_queued')
      .set({ message_id: messageId })
      .where('message_id', '=', claim)
      .execute()
  else await trx.deleteFrom('gp_summaries_queued').where('message_id', '=', claim).execute()
}

/** The point an outbox message's summary is for: the case's end unless it was queued at another. */
export async function pointOfMessage(
  db: Queryable,
  messageId: string,
  closedAt: string | null,
): Promise<DocumentPoint | undefined> {
  const row = await db
    .selectFrom('gp_summaries_queued')
    .select(['point', 'point_at'])
    .where('message_id', '=', messageId)
    .executeTakeFirst()
  if (row && isPoint(row.point)) return { code: row.point, at: row.point_at }
  return closedAt ? { code: 'case-closed', at: closedAt } : undefined
}

/** The summary of the case as a FHIR document, read now, as Kith itself. */
export async function gpDocumentOfCase(
  db: Db,
  base: string,
  caseId: string,
  sections: readonly CaseSummarySection[],
  messageId?: string,
): Promise<{ json: string; practiceId: string | null } | undefined> {
  const kase = await caseById(db, caseId)
  const programme = kase ? await getProgramme(db, kase.programmeId) : undefined
  if (!kase || !programme) return undefined
  const summary = await caseSummary(db, KITH, kase, programme, sections, 'gp-record.mesh')
  const codesOnly = kase.practiceOrganisationId
    ? await codesOnlyFor(db, programme.id, kase.practiceOrganisationId)
    : false
  const point = messageId ? await pointOfMessage(db, messageId, kase.closedAt) : undefined
  const document = gpDocument(summary, {
    base,
    text: gpSummaryText(summary),
    codesOnly,
    ...(point ? { point } : {}),
  })
  return { json: JSON.stringify(document), practiceId: kase.practiceOrganisationId }
}

/** Sends GP summaries through MESH. */
export function meshSender(
  db: Db,
  config: MeshConfig,
  options: { base: string; sections: readonly CaseSummarySection[]; chunkSize?: number },
): Sender {
  return {
    channels: ['mesh'],
    async send(message: OutgoingMessage) {
      const caseId = message.link?.match(/^\/casework\/cases\/([0-9a-f-]{36})$/)?.[1]
      const document = caseId
        ? await gpDocumentOfCase(db, options.base, caseId, options.sections, message.id)
        : undefined
      if (!document) throw new SendFailure('The message is about no case Kith holds', null, false)
      const client = new MeshClient(config, options.chunkSize ? { chunkSize: options.chunkSize } : {})
      try {
        const to = await client.lookup(message.address, config.workflowId)
        if (!to)
          throw new SendFailure(
            `MESH has no mailbox for ${message.address} and ${config.workflowId}`,
            404,
            false,
          )
        const id = await client.send({
          to,
          workflowId: config.workflowId,
          body: Buffer.from(document.json),
          subject: 'Social prescribing summary',
          localId: message.id,
          filename: 'social-prescribing-summary.json',
          contentType: 'application/fhir+json',
        })
        return { providerId: id }
      } catch (error) {
        if (error instanceof MeshError) throw new SendFailure(error.message, error.status, error.retryable)
        throw error
      } finally {
        client.close()
      }
    },
  }
}
