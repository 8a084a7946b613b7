// BaRS response messages out: each change of a referral that came by BaRS goes back to the FHIR
// messaging endpoint it came from, through the outbox (at least once, retried, every attempt
// recorded). The outbox message holds no personal data, only the referral's link: the message is
// built when it is sent, from the referral, and carries the Task (status and reason) and no
// details of the person.

import type { Bundle, MessageHeader } from '@medplum/fhirtypes'
import { newId } from '../db/ids.ts'
import type { Db } from '../db/schema.ts'
import { type OutgoingMessage, type Sender, SendFailure } from '../interop/delivery.ts'
import { getReferral } from '../referrals/index.ts'
import { BARS_EVENTS, REFERRAL_RESPONSE } from './bars.ts'
import { type FhirContext, UK_CORE, withMeta } from './context.ts'
import { taskOf } from './resources/referrals.ts'

/** The BaRS message telling the sender where their referral stands. */
export async function statusMessage(
  db: Db,
  base: string,
  referralId: string,
  destination: string,
): Promise<Bundle | undefined> {
  const referral = await getReferral(db, referralId)
  if (!referral) return undefined
  const ctx = { base } as FhirContext
  const task = taskOf(ctx, { referral, parties: ['referrer'] })
  const headerId = newId()
  const header: MessageHeader = withMeta(
    {
      resourceType: 'MessageHeader',
      id: headerId,
      eventCoding: { system: BARS_EVENTS, code: REFERRAL_RESPONSE },
      destination: [{ endpoint: destination }],
      source: { endpoint: base, software: 'Kith' },
      focus: [{ reference: `${base}/Task/${task.id}` }],
    },
    null,
    UK_CORE.MessageHeader,
  )
  return {
    resourceType: 'Bundle',
    id: newId(),
    meta: { profile: [UK_CORE.Bundle] },
    type: 'message',
    timestamp: new Date().toISOString(),
    entry: [
      { fullUrl: `urn:uuid:${headerId}`, resource: header },
      { fullUrl: `${base}/Task/${task.id}`, resource: task },
    ],
  }
}

/** Sends BaRS response messages by HTTP POST, to the endpoints configured (BARS_ENDPOINTS) only. */
export function fhirMessageSender(
  db: Db,
  options: { base: string; allowed: readonly string[]; timeoutMs?: number },
): Sender {
  return {
    channels: ['fhir-message'],
    async send(message: OutgoingMessage) {
      const endpoint = message.address
      if (!options.allowed.some((prefix) => endpoint.startsWith(prefix)))
        throw new SendFailure(`The endpoint is not one BARS_ENDPOINTS allows`, null, false)
      const referralId = message.link?.match(/^\/referrals\/([0-9a-f-]{36})$/)?.[1]
      const bundle = referralId ? await statusMessage(db, options.base, referralId, endpoint) : undefined
      if (!bundle) throw new SendFailure('The message is about no referral Kith holds', null, false)
      let response: Response
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json', 'x-request-id': message.id },
          body: JSON.stringify(bundle),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        })
      } catch (error) {
        throw new SendFailure(`No answer from the endpoint (${(error as Error).message})`, null, true)
      }
      if (!response.ok)
        throw new SendFailure(
          `The endpoint answered ${response.status}`,
          response.status,
          response.status >= 500 || response.status === 429 || response.status === 408,
        )
      return { providerId: bundle.id ?? message.id }
    },
  }
}
