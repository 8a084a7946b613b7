// The summary of a closed (or open) case for the person's GP record, in the shape of the PRSB
// social prescribing minimum dataset's sections: demographics, needs and concerns, support
// offered, outcomes. SNOMED CT codes come only from shared/reference/reference.md: the referral
// to social prescribing (or its decline) and the person's coded long-term conditions.

import {
  CLOSURE_REASON_LABELS,
  type ClosureReason,
  GOAL_PROGRESS_LABELS,
  type GoalProgress,
} from './rules.ts'

const SNOMED = 'http://snomed.info/sct'

/** Verified in shared/reference/reference.md, section 1. */
export const SOCIAL_PRESCRIBING_REFERRAL = {
  code: '871731000000106',
  display: 'Referral to social prescribing service',
}
export const SOCIAL_PRESCRIBING_DECLINED = { code: '871711000000103', display: 'Social prescribing declined' }

export interface SummaryInput {
  person: {
    nhsNumber: string | null
    givenName: string
    familyName: string
    dateOfBirth: string
    sexOrGender: string | null
    postcode: string | null
    practice: { name: string; odsCode: string | null } | null
    conditions: { code: string; display: string }[]
  }
  programme: { name: string; ownerOrganisationName: string; linkWorkerTitle: string }
  linkWorkerName: string | null
  openedAt: string
  firstContactAt: string | null
  closedAt: string | null
  closureReason: ClosureReason | null
  exitPlan: string | null
  needs: string[]
  whatMatters: string
  goals: { text: string; progress: GoalProgress }[]
  appointments: { attended: number; didNotAttend: number }
  prescriptions: { serviceName: string; weeks: number; start: string; end: string; continued: boolean }[]
  /** Signposts and onward referrals, each with whether the person took it up (null: not known yet). */
  signposts: {
    kind: 'signpost' | 'referral'
    serviceName: string
    need: string | null
    takenUp: boolean | null
    /** An onward referral's status, as the provider last set it. */
    status?: string | null
  }[]
  /** The kinds of help given, from the case's typed notes (Merton's interventions). */
  interventions: string[]
  /** The notes the link worker marked for the GP record, oldest first, with their text. */
  notesForGpRecord?: { date: string; type: string; text: string }[]
  /** What other capabilities add: outcome measures, attendance, kiosk readings. */
  sections?: { key: string; heading: string; lines: string[]; data: unknown }[]
}

export interface GpSummary {
  resourceType: 'SocialPrescribingSummary'
  demographics: {
    nhsNumber: string | null
    name: string
    dateOfBirth: string
    sexOrGender: string | null
    postcode: string | null
    registeredPractice: { name: string; odsCode: string | null } | null
  }
  coded: { system: string; code: string; display: string; reason: string }[]
  needsAndConcerns: {
    needs: string[]
    whatMattersToMe: string
    longTermConditions: { system: string; code: string; display: string }[]
  }
  supportOffered: {
    programme: string
    provider: string
    linkWorker: string | null
    linkWorkerTitle: string
    opened: string
    firstContact: string | null
    appointmentsAttended: number
    appointmentsNotAttended: number
    prescriptions: {
      service: string
      weeks: number
      start: string
      end: string
      continuedAfterEnd: boolean
    }[]
    onwardReferrals: {
      service: string
      need: string | null
      status: string | null
      takenUp: boolean | null
    }[]
    signposts: { service: string; need: string | null; takenUp: boolean | null }[]
    interventions: string[]
  }
  /** Notes the link worker wrote for the GP record (Merton's navigator), with their text. */
  notesForGpRecord: { date: string; type: string; text: string }[]
  /** Outcome measures (first and latest scores), attendance and kiosk readings, by section. */
  sections: Record<string, { heading: string; lines: string[]; data: unknown }>
  outcomes: {
    goals: { goal: string; progress: string }[]
    closed: string | null
    closureReason: string | null
    exitPlan: string | null
  }
}

export function gpSummary(input: SummaryInput): GpSummary {
  const declined = input.closureReason === 'declined' && !input.firstContactAt
  const coded = [
    declined
      ? { system: SNOMED, ...SOCIAL_PRESCRIBING_DECLINED, reason: 'The person declined the referral' }
      : { system: SNOMED, ...SOCIAL_PRESCRIBING_REFERRAL, reason: 'First contact in this episode of care' },
  ]
  return {
    resourceType: 'SocialPrescribingSummary',
    demographics: {
      nhsNumber: input.person.nhsNumber,
      name: `${input.person.givenName} ${input.person.familyName}`,
      dateOfBirth: input.person.dateOfBirth,
      sexOrGender: input.person.sexOrGender,
      postcode: input.person.postcode,
      registeredPractice: input.person.practice,
    },
    coded,
    needsAndConcerns: {
      needs: input.needs,
      whatMattersToMe: input.whatMatters,
      longTermConditions: input.person.conditions.map((c) => ({
        system: SNOMED,
        code: c.code,
        display: c.display,
      })),
    },
    supportOffered: {
      programme: input.programme.name,
      provider: input.programme.ownerOrganisationName,
      linkWorker: input.linkWorkerName,
      linkWorkerTitle: input.programme.linkWorkerTitle,
      opened: input.openedAt.slice(0, 10),
      firstContact: input.firstContactAt?.slice(0, 10) ?? null,
      appointmentsAttended: input.appointments.attended,
      appointmentsNotAttended: input.appointments.didNotAttend,
      prescriptions: input.prescriptions.map((p) => ({
        service: p.serviceName,
        weeks: p.weeks,
        start: p.start,
        end: p.end,
        continuedAfterEnd: p.continued,
      })),
      onwardReferrals: input.signposts
        .filter((s) => s.kind === 'referral')
        .map((s) => ({ service: s.serviceName, need: s.need, status: s.status ?? null, takenUp: s.takenUp })),
      signposts: input.signposts
        .filter((s) => s.kind === 'signpost')
        .map((s) => ({ service: s.serviceName, need: s.need, takenUp: s.takenUp })),
      interventions: input.interventions,
    },
    notesForGpRecord: input.notesForGpRecord ?? [],
    sections: Object.fromEntries(
      (input.sections ?? []).map((section) => [
        section.key,
        { heading: section.heading, lines: section.lines, data: section.data },
      ]),
    ),
    outcomes: {
      goals: input.goals.map((g) => ({ goal: g.text, progress: GOAL_PROGRESS_LABELS[g.progress] })),
      closed: input.closedAt?.slice(0, 10) ?? null,
      closureReason: input.closureReason ? CLOSURE_REASON_LABELS[input.closureReason] : null,
      exitPlan: input.exitPlan,
    },
  }
}

const tookUp = (takenUp: boolean | null) =>
  takenUp === true ? 'taken up' : takenUp === false ? 'not taken up' : 'take-up not known yet'

const list = (items: string[], none = 'None recorded') =>
  items.length ? items.map((item) => `  - ${item}`).join('\n') : `  ${none}`

/** The summary as plain text, for pasting into the GP record. */
export function gpSummaryText(summary: GpSummary): string {
  const d = summary.demographics
  const s = summary.supportOffered
  const o = summary.outcomes
  return [
    'SOCIAL PRESCRIBING SUMMARY',
    '',
    'Demographics',
    `  Name: ${d.name}`,
    `  NHS number: ${d.nhsNumber ?? 'not known'}`,
    `  Date of birth: ${d.dateOfBirth}`,
    `  Registered practice: ${d.registeredPractice ? `${d.registeredPractice.name}${d.registeredPractice.odsCode ? ` (${d.registeredPractice.odsCode})` : ''}` : 'not known'}`,
    '',
    'Coded entries (SNOMED CT)',
    list(summary.coded.map((c) => `${c.code} ${c.display}`)),
    '',
    'Needs and concerns',
    list(summary.needsAndConcerns.needs),
    ...(summary.needsAndConcerns.whatMattersToMe
      ? [`  What matters to me: ${summary.needsAndConcerns.whatMattersToMe}`]
      : []),
    ...(summary.needsAndConcerns.longTermConditions.length
      ? [
          `  Long-term conditions: ${summary.needsAndConcerns.longTermConditions.map((c) => `${c.display} (${c.code})`).join(', ')}`,
        ]
      : []),
    '',
    'Support offered',
    `  ${s.programme}, ${s.provider}${s.linkWorker ? `; ${s.linkWorkerTitle.toLowerCase()}: ${s.linkWorker}` : ''}`,
    `  Opened ${s.opened}${s.firstContact ? `; first contact ${s.firstContact}` : '; no contact made'}`,
    `  Appointments attended: ${s.appointmentsAttended}; not attended: ${s.appointmentsNotAttended}`,
    '  Prescriptions:',
    list(
      s.prescriptions.map(
        (p) =>
          `${p.service}, ${p.weeks} weeks from ${p.start} to ${p.end}${p.continuedAfterEnd ? ' (continuing after the end)' : ''}`,
      ),
    ),
    '  Onward referrals:',
    list(
      s.onwardReferrals.map(
        (r) => `${r.service}${r.status ? ` (${r.status.toLowerCase()})` : ''}: ${tookUp(r.takenUp)}`,
      ),
    ),
    '  Signposts:',
    list(s.signposts.map((r) => `${r.service}: ${tookUp(r.takenUp)}`)),
    ...(s.interventions.length ? ['  Help given:', list(s.interventions)] : []),
    '',
    ...Object.values(summary.sections).flatMap((section) => [section.heading, list(section.lines), '']),
    ...(summary.notesForGpRecord.length
      ? [
          'Notes for the GP record',
          ...summary.notesForGpRecord.map(
            (n) => `  ${n.date} ${n.type}: ${n.text.replace(/\s*\n\s*/g, ' ')}`,
          ),
          '',
        ]
      : []),
    'Outcomes',
    list(
      o.goals.map((g) => `${g.goal}: ${g.progress.toLowerCase()}`),
      'No goals recorded',
    ),
    `  ${o.closed ? `Closed ${o.closed}: ${o.closureReason}` : 'The case is open'}`,
    ...(o.exitPlan ? [`  Exit plan: ${o.exitPlan}`] : []),
    '',
  ].join('\n')
}
