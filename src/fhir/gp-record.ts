// The summary into the GP record, as GP Connect Send Document does it: when a case ends, a
// message for the person's registered practice goes in the outbox (channel `mesh`, addressed by
// the practice's ODS code), in the transaction that closes the case. When the delivery job sends
// it, the summary is read then (audited as a read by Kith itself), made a FHIR document, and sent
// through MESH to the mailbox MESH's look-up gives for the practice and the workflow. Without
// MESH configured the messages stay in the outbox, visible to administrators.

import type { Actor } from '../access/audit.ts'
import { getOrganisation } from '../access/store.ts'
import { type CaseClosedHandler, caseById, caseSummary, gpSummaryText } from '../casework/index.ts'
import type { MeshConfig } from '../config.ts'
import type { Db } from '../db/schema.ts'
import { type OutgoingMessage, type Sender, SendFailure } from '../interop/delivery.ts'
import { MeshClient, MeshError } from '../interop/mesh.ts'
import { notify } from '../interop/notifications.ts'
import { getProgramme } from '../programmes/store.ts'
import type { CaseSummarySection } from '../web/context.ts'
import { gpDocument } from './document.ts'
import { codesOnlyFor } from './sharing.ts'

const KITH: Actor = { userId: null, ip: null }

/** On a case's end: the summary for the person's practice goes in the outbox. */
export const queueGpSummary: CaseClosedHandler = async (trx, closed, ctx) => {
  const practice = closed.practiceOrganisationId
    ? await getOrganisation(trx, closed.practiceOrganisationId)
    : undefined
  if (!practice?.odsCode) return
  await notify(trx, {
    userId: ctx.user.id,
    kind: 'case.gp-summary',
    subject: 'Summary sent to the GP practice',
    body: 'The summary of the case you closed is on its way to the person’s GP practice by MESH.',
    link: `/casework/cases/${closed.id}`,
    channels: ['mesh'],
    addresses: { mesh: practice.odsCode },
  })
}

/** The summary of the case as a FHIR document, read now, as Kith itself. */
export async function gpDocumentOfCase(
  db: Db,
  base: string,
  caseId: string,
  sections: readonly CaseSummarySection[],
): Promise<{ json: string; practiceId: string | null } | undefined> {
  const kase = await caseById(db, caseId)
  const programme = kase ? await getProgramme(db, kase.programmeId) : undefined
  if (!kase || !programme) return undefined
  const summary = await caseSummary(db, KITH, kase, programme, sections, 'gp-record.mesh')
  const codesOnly = kase.practiceOrganisationId
    ? await codesOnlyFor(db, programme.id, kase.practiceOrganisationId)
    : false
  const document = gpDocument(summary, { base, text: gpSummaryText(summary), codesOnly })
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
      const document = caseId ? await gpDocumentOfCase(db, options.base, caseId, options.sections) : undefined
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
