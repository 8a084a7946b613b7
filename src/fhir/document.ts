// The summary for the GP record as a FHIR document: a Bundle of type `document` whose Composition
// has the PRSB social prescribing minimum dataset's sections (demographics, needs and concerns,
// support offered, outcomes), each with its readable text and, where there is one, its coded
// entries: the referral to social prescribing or its decline (871731000000106, 871711000000103)
// and the person's long-term conditions, SNOMED CT codes from the verified reference only. Built
// from casework's GP summary, the same content as its page and text. Codes only (a practice's
// choice): the sections keep their coded entries and lose their free text. The Composition names
// the point of the case it was sent at (its end, the initial assessment, a prescription's end) in
// its title and its event, with the point's date.

import type {
  Bundle,
  BundleEntry,
  Composition,
  CompositionSection,
  Condition,
  Narrative,
  Observation,
  Organization,
  Patient,
  Procedure,
  Resource,
} from '@medplum/fhirtypes'
import type { GpSummary } from '../casework/index.ts'
import { newId } from '../db/ids.ts'
import { SYSTEMS, UK_CORE } from './context.ts'

const DECLINED = '871711000000103'

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function narrative(lines: string[]): Narrative {
  const body =
    lines.length > 0 ? lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('') : '<p>None recorded.</p>'
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${body}</div>` }
}

const yesNo = (value: boolean | null) =>
  value === null ? 'not known yet' : value ? 'taken up' : 'not taken up'

/** The points a summary is sent at; the document names its point. */
export const DOCUMENT_POINTS = {
  'case-closed': 'Case closed',
  'initial-assessment': 'Initial assessment done',
  'prescription-ended': 'Social prescription ended',
} as const

export interface DocumentPoint {
  code: keyof typeof DOCUMENT_POINTS
  /** When it happened (ISO). */
  at: string
}

export interface DocumentOptions {
  /** Kith's FHIR base: the section codes are in its own code system. */
  base: string
  /** The readable text of the whole summary (casework's `gpSummaryText`). */
  text: string
  codesOnly?: boolean
  /** The point of the case it is sent at: the Composition's title and event name it. */
  point?: DocumentPoint
  now?: Date
}

export function gpDocument(summary: GpSummary, options: DocumentOptions): Bundle {
  const u = () => `urn:uuid:${crypto.randomUUID()}`
  const patientUrl = u()
  const authorUrl = u()
  const demographics = summary.demographics
  const patient: Patient = {
    resourceType: 'Patient',
    meta: { profile: [UK_CORE.Patient] },
    ...(demographics.nhsNumber
      ? { identifier: [{ system: SYSTEMS.nhsNumber, value: demographics.nhsNumber }] }
      : {}),
    name: [{ text: demographics.name }],
    birthDate: demographics.dateOfBirth,
    ...(demographics.postcode ? { address: [{ postalCode: demographics.postcode }] } : {}),
    ...(demographics.registeredPractice?.odsCode
      ? {
          generalPractitioner: [
            {
              identifier: { system: SYSTEMS.ods, value: demographics.registeredPractice.odsCode },
              display: demographics.registeredPractice.name,
            },
          ],
        }
      : {}),
  }
  const author: Organization = {
    resourceType: 'Organization',
    meta: { profile: [UK_CORE.Organization] },
    name: summary.supportOffered.provider,
  }
  const subject = { reference: patientUrl }
  const entries: BundleEntry[] = []
  const add = (resource: Resource) => {
    const fullUrl = u()
    entries.push({ fullUrl, resource })
    return { reference: fullUrl }
  }

  const coded = summary.coded.map((c) =>
    c.code === DECLINED
      ? add({
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: c.system, code: c.code, display: c.display }] },
          subject,
          ...(options.codesOnly ? {} : { note: [{ text: c.reason }] }),
        } satisfies Observation)
      : add({
          resourceType: 'Procedure',
          status: 'completed',
          code: { coding: [{ system: c.system, code: c.code, display: c.display }] },
          subject,
          ...(options.codesOnly ? {} : { note: [{ text: c.reason }] }),
        } satisfies Procedure),
  )
  const conditions = summary.needsAndConcerns.longTermConditions.map((c) =>
    add({
      resourceType: 'Condition',
      code: { coding: [{ system: c.system, code: c.code, display: c.display }] },
      subject,
    } satisfies Condition),
  )

  const code = (value: string, display: string) => ({
    coding: [{ system: `${options.base}/CodeSystem/gp-summary-section`, code: value, display }],
  })
  const support = summary.supportOffered
  const outcomeLines = [
    ...summary.outcomes.goals.map((g) => `Goal: ${g.goal} (${g.progress})`),
    ...(summary.outcomes.closed
      ? [`Closed ${summary.outcomes.closed}: ${summary.outcomes.closureReason ?? ''}`]
      : []),
    ...(summary.outcomes.exitPlan ? [`Exit plan: ${summary.outcomes.exitPlan}`] : []),
    ...Object.values(summary.sections).flatMap((s) => [s.heading, ...s.lines]),
  ]
  const sections: (CompositionSection & { freeText: boolean })[] = [
    {
      title: 'Referral',
      code: code('referral', 'Referral'),
      text: narrative(summary.coded.map((c) => `${c.display} (SNOMED CT ${c.code})`)),
      ...(coded.length > 0 ? { entry: coded } : {}),
      freeText: false,
    },
    {
      title: 'Needs and concerns',
      code: code('needs-and-concerns', 'Needs and concerns'),
      text: narrative([
        ...summary.needsAndConcerns.needs.map((n) => `Need: ${n}`),
        ...(summary.needsAndConcerns.whatMattersToMe
          ? [`What matters to me: ${summary.needsAndConcerns.whatMattersToMe}`]
          : []),
        ...summary.needsAndConcerns.longTermConditions.map((c) => `${c.display} (SNOMED CT ${c.code})`),
      ]),
      ...(conditions.length > 0 ? { entry: conditions } : {}),
      freeText: true,
    },
    {
      title: 'Support offered',
      code: code('support-offered', 'Support offered'),
      text: narrative([
        `${support.programme} (${support.provider})${support.linkWorker ? `, ${support.linkWorkerTitle}: ${support.linkWorker}` : ''}`,
        `Opened ${support.opened}${support.firstContact ? `, first contact ${support.firstContact}` : ''}`,
        `Appointments attended: ${support.appointmentsAttended}; not attended: ${support.appointmentsNotAttended}`,
        ...support.prescriptions.map(
          (p) =>
            `Social prescription: ${p.service}, ${p.weeks} weeks from ${p.start} to ${p.end}${p.continuedAfterEnd ? ', continued after' : ''}`,
        ),
        ...support.onwardReferrals.map(
          (r) =>
            `Onward referral: ${r.service}${r.need ? ` for ${r.need}` : ''} (${r.status ?? yesNo(r.takenUp)})`,
        ),
        ...support.signposts.map(
          (s) => `Signposted: ${s.service}${s.need ? ` for ${s.need}` : ''} (${yesNo(s.takenUp)})`,
        ),
        ...support.interventions.map((i) => `Help given: ${i}`),
        ...summary.notesForGpRecord.map((n) => `${n.date} ${n.type}: ${n.text}`),
      ]),
      freeText: true,
    },
    {
      title: 'Outcomes',
      code: code('outcomes', 'Outcomes'),
      text: narrative(outcomeLines),
      freeText: true,
    },
  ]
  const kept = sections
    .filter((s) => !options.codesOnly || s.entry)
    .map(({ freeText, ...section }) =>
      options.codesOnly && freeText
        ? {
            ...section,
            text: narrative(['Codes only: the practice takes the coded entries without the text.']),
          }
        : section,
    )

  const now = (options.now ?? new Date()).toISOString()
  const composition: Composition = {
    resourceType: 'Composition',
    meta: { profile: [UK_CORE.Composition] },
    ...(options.codesOnly
      ? {}
      : { text: narrative(options.text.split('\n').filter((line) => line.trim() !== '')) }),
    status: 'final',
    type: code('social-prescribing-summary', 'Social prescribing summary'),
    subject,
    date: now,
    author: [{ reference: authorUrl, display: support.provider }],
    title: options.point
      ? `Social prescribing summary: ${DOCUMENT_POINTS[options.point.code].toLowerCase()}`
      : 'Social prescribing summary',
    ...(options.point
      ? {
          event: [
            {
              code: [
                {
                  coding: [
                    {
                      system: `${options.base}/CodeSystem/gp-summary-point`,
                      code: options.point.code,
                      display: DOCUMENT_POINTS[options.point.code],
                    },
                  ],
                },
              ],
              period: { start: options.point.at },
            },
          ],
        }
      : {}),
    section: kept,
  }
  return {
    resourceType: 'Bundle',
    meta: { profile: [UK_CORE.Bundle] },
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${newId()}` },
    type: 'document',
    timestamp: now,
    entry: [
      { fullUrl: u(), resource: composition },
      { fullUrl: patientUrl, resource: patient },
      { fullUrl: authorUrl, resource: author },
      ...entries,
    ],
  }
}
