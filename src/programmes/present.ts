// How a programme's configuration reads on its pages: plain words for each setting and criterion.

import {
  APPOINTMENT_KIND_LABELS,
  APPOINTMENT_KINDS,
  APPOINTMENT_MODE_LABELS,
  describeAppointmentCap,
  describePrescription,
  GENERATED_CRITERIA,
  PATHWAY_LABELS,
  programmeCriteria,
  WEEKDAY_LABELS,
} from './config.ts'
import { type Criterion, REFERRER_KIND_LABELS } from './criteria.ts'
import type { Programme, ProgrammeLinkWorker } from './store.ts'

export const ROLE_LABELS: Record<Criterion['role'], string> = {
  inclusion: 'Inclusion',
  exclusion: 'Exclusion',
  rule: 'Rule',
  redirect: 'Redirect',
}

function ageBounds(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `Aged ${min} to ${max}`
  if (min !== undefined) return `Aged ${min} or over`
  return `Aged ${max} or under`
}

/** What a criterion checks, in words. */
export function describeCriterion(criterion: Criterion): string {
  switch (criterion.kind) {
    case 'age':
      return ageBounds(criterion.min, criterion.max)
    case 'conditions':
      return `Has any of: ${criterion.anyOf.map((c) => `${c.display} (SNOMED CT ${c.code})`).join(', ')}`
    case 'practice':
      return `Registered at a practice with ODS code ${criterion.odsCodes.join(', ')}`
    case 'referrer':
      return `Referred by: ${criterion.allowed.map((kind) => REFERRER_KIND_LABELS[kind]).join(', ')}`
    case 'consent':
      return criterion.direct
        ? 'The person has given consent to the referral themselves, not someone on their behalf'
        : 'The person has given consent to the referral'
    case 'attestation': {
      // Said by the answer that decides: the one that excludes, or the one that includes.
      const exclusion = criterion.role === 'exclusion'
      const decides = (exclusion ? !criterion.expected : criterion.expected) ? 'yes' : 'no'
      const effect = exclusion ? `a ${decides} excludes the person` : `only a ${decides} includes the person`
      return `Asks “${criterion.question}”: ${effect}; if unanswered, ${criterion.whenUnanswered === 'ineligible' ? 'the referral cannot be made' : 'the referral needs review'}`
    }
    case 'redirect':
      return `A goal mentioning ${criterion.goalKeywords.map((k) => `“${k}”`).join(', ')} is sent to ${criterion.toServiceName}`
  }
}

export function describeDays(worker: ProgrammeLinkWorker, practiceNames: Map<string, string>): string {
  if (worker.days.length === 0) return 'No working pattern set'
  return worker.days
    .map(
      (day) =>
        `${WEEKDAY_LABELS[day.weekday]}: ${day.practiceId ? (practiceNames.get(day.practiceId) ?? 'a practice') : 'away from practices'}`,
    )
    .join('; ')
}

export interface Card {
  id: string
  heading: string
  /** Where a manager changes this part; none for link workers. */
  change?: string
  rows: { key: string; value: string; lines?: string[] }[]
}

/** The programme page as summary cards. */
export function programmeCards(programme: Programme, manages: boolean): Card[] {
  const change = (path: string) => (manages ? `/programmes/${programme.id}/${path}` : undefined)
  const practiceNames = new Map(programme.practices.map((p) => [p.organisationId, p.name]))
  const generated = new Set<string>(Object.values(GENERATED_CRITERIA))
  const criteria = programmeCriteria(programme)
  const cards: Card[] = [
    {
      id: 'details',
      heading: 'Details',
      change: change('details'),
      rows: [
        { key: 'Name', value: programme.name },
        { key: 'Run by', value: programme.ownerOrganisationName },
        { key: 'Description', value: programme.description || 'None given' },
        { key: 'Pathway', value: PATHWAY_LABELS[programme.pathway] },
        { key: 'Link workers are called', value: programme.linkWorkerTitle },
      ],
    },
    {
      id: 'referrals',
      heading: 'Referrals',
      change: change('referrals'),
      rows: [
        {
          key: 'Who can refer',
          value: '',
          lines: programme.referralSources.map((kind) => REFERRER_KIND_LABELS[kind]),
        },
        { key: 'Self-referral', value: programme.selfReferralAllowed ? 'Allowed' : 'Not allowed' },
        {
          key: 'Reply deadlines',
          value: `Remind the team after ${programme.replyDeadlines.nudgeAfterDays} days without a reply; decline automatically after ${programme.replyDeadlines.declineAfterDays} days`,
        },
      ],
    },
    {
      id: 'practices',
      heading: 'Practices covered',
      change: change('practices'),
      rows: [
        {
          key: 'Practices',
          value: programme.practices.length === 0 ? 'None' : '',
          lines: programme.practices.map((p) => (p.odsCode ? `${p.name} (${p.odsCode})` : p.name)),
        },
        {
          key: 'Registration',
          value: programme.practiceRegistrationRequired
            ? 'People must be registered at one of these practices'
            : 'People registered anywhere can be referred',
        },
      ],
    },
    {
      id: 'eligibility',
      heading: 'Eligibility',
      change: manages ? `/programmes/${programme.id}/criteria` : undefined,
      rows:
        criteria.length === 0
          ? [{ key: 'Criteria', value: 'None: everyone referred is eligible' }]
          : criteria.map((criterion) => ({
              key: `${ROLE_LABELS[criterion.role]}: ${criterion.text}`,
              value: `${describeCriterion(criterion)}${
                !generated.has(criterion.id)
                  ? ''
                  : criterion.kind === 'referrer'
                    ? ' (set by who can refer)'
                    : ' (set by the practices covered)'
              }`,
            })),
    },
    {
      id: 'needs',
      heading: 'Needs recorded',
      change: change('needs'),
      rows: [
        {
          key: 'Needs',
          value: programme.needs.length === 0 ? 'None' : '',
          lines: programme.needs.map((need) => need.label),
        },
      ],
    },
    {
      id: 'appointments',
      heading: 'Appointments',
      change: change('appointments'),
      rows: [
        { key: 'How many', value: describeAppointmentCap(programme.appointments) },
        {
          key: 'Usual lengths',
          value: '',
          lines: APPOINTMENT_KINDS.map(
            (kind) => `${APPOINTMENT_KIND_LABELS[kind]}: ${programme.appointments.lengths[kind]} minutes`,
          ),
        },
        {
          key: 'Where',
          value: '',
          lines: programme.appointments.modes.map((mode) => APPOINTMENT_MODE_LABELS[mode]),
        },
        {
          key: `Caseload of one full-time ${programme.linkWorkerTitle.toLowerCase()}`,
          value: programme.appointments.fullTimeCaseload
            ? `${programme.appointments.fullTimeCaseload} open cases`
            : 'Not set',
        },
      ],
    },
    {
      id: 'prescription',
      heading: 'Prescriptions',
      change: change('prescription'),
      rows: [{ key: 'Length', value: describePrescription(programme.prescription) }],
    },
    {
      id: 'link-workers',
      heading: 'Link workers',
      change: change('link-workers'),
      rows: [
        ...(programme.linkWorkers.length === 0
          ? [{ key: programme.linkWorkerTitle, value: 'None yet' }]
          : programme.linkWorkers.map((worker) => ({
              key: worker.name,
              value: describeDays(worker, practiceNames),
            }))),
        ...programme.practices.map((practice) => ({
          key: `Named for ${practice.name}`,
          value: practice.namedLinkWorker?.name ?? 'No one named',
        })),
      ],
    },
  ]
  return cards
}
