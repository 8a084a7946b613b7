// What a report covers: a period (two London dates) and a scope (a programme, an organisation, a
// practice, a network of practices), checked against what the user may see. Administrators see
// everything; a programme manager sees the programmes their organisations run, the practices and
// networks those programmes cover, and their own organisations (with those below them).

import { z } from 'zod'
import { listOrganisations, type Organisation } from '../access/store.ts'
import { type CurrentUser, hasRole, organisationsWhere } from '../access/users.ts'
import type { CaseScope, Period } from '../casework/index.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import {
  getProgramme,
  listProgrammes,
  type ProgrammeSummary,
  programmesManagedBy,
} from '../programmes/store.ts'
import type { ReferralScope } from '../referrals/index.ts'
import { londonDate } from '../web/format.ts'
import type { FieldProblem } from '../web/problem.ts'

export const REPORTS = [
  {
    name: 'activity',
    title: 'Activity',
    summary: 'Clients, their needs, onward referrals and signposts (the Tower Hamlets report).',
  },
  {
    name: 'referrals',
    title: 'Referrals',
    summary: 'Referrals received, accepted, declined and withdrawn, by source, and how fast teams reply.',
  },
  {
    name: 'outcomes',
    title: 'Outcomes',
    summary: 'Change on each outcome measure, the share who improved meaningfully, and outcome payments due.',
  },
  {
    name: 'prescriptions',
    title: 'Prescriptions and attendance',
    summary: 'Prescriptions started, completed and ended early, and attendance week by week.',
  },
  {
    name: 'caseload',
    title: 'Caseload and capacity',
    summary: 'Open cases per link worker, waiting times, appointments by mode and against the cap.',
  },
] as const
export type ReportName = (typeof REPORTS)[number]['name']

export function isReportName(value: string): value is ReportName {
  return REPORTS.some((report) => report.name === value)
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false
  const [year, month, day] = value.split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

const dateField = (name: string) =>
  z
    .string()
    .trim()
    .refine((value) => DATE.test(value), `Enter the ${name} date as year, month and day, like 2026-04-01`)
    .refine((value) => !DATE.test(value) || isCalendarDate(value), `The ${name} date must be a real date`)

const optionalId = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined))

export const filterSchema = z
  .object({
    from: dateField('start'),
    to: dateField('end'),
    programme: optionalId,
    organisation: optionalId,
    practice: optionalId,
    network: optionalId,
  })
  .refine((f) => !isCalendarDate(f.from) || !isCalendarDate(f.to) || f.to >= f.from, {
    path: ['to'],
    message: 'The end date must be the same as or after the start date',
  })
export type Filters = z.output<typeof filterSchema>

/** The first day of the twelve months that end on `to`. */
export function yearBefore(to: string): string {
  const [year, month, day] = to.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(year - 1, month - 1, day + 1)).toISOString().slice(0, 10)
}

/** The last twelve months to today, when a report is asked for without dates. */
export function defaultDates(now: Date): { from: string; to: string } {
  const to = londonDate(now)
  return { from: yearBefore(to), to }
}

/** The UTC instant at which a London calendar date begins. */
export function londonMidnight(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  const guess = Date.UTC(year, month - 1, day)
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(guess))
  const londonHour = Number(parts.find((part) => part.type === 'hour')?.value ?? 0)
  return new Date(guess - londonHour * 3_600_000).toISOString()
}

export function nextDay(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10)
}

/** What a user may choose as a scope. */
export interface Visible {
  everything: boolean
  programmes: ProgrammeSummary[]
  organisations: Organisation[]
  practices: Organisation[]
  networks: Organisation[]
}

export async function visibleScopes(db: Queryable, user: CurrentUser): Promise<Visible> {
  const organisations = await listOrganisations(db)
  if (hasRole(user, 'administrator')) {
    return {
      everything: true,
      programmes: await listProgrammes(db),
      organisations: organisations.filter((o) => o.kind !== 'practice' && o.kind !== 'pcn'),
      practices: organisations.filter((o) => o.kind === 'practice'),
      networks: organisations.filter((o) => o.kind === 'pcn'),
    }
  }
  const programmes = await programmesManagedBy(db, user)
  const practiceIds = new Set<string>()
  for (const summary of programmes) {
    const programme = await getProgramme(db, summary.id)
    for (const practice of programme?.practices ?? []) practiceIds.add(practice.organisationId)
  }
  const own = new Set(organisationsWhere(user, 'programme_manager'))
  // Organisations below one of the user's own, however deep.
  const byId = new Map(organisations.map((o) => [o.id, o]))
  const below = (o: Organisation) => {
    for (let at: Organisation | undefined = o, depth = 0; at && depth < 20; depth++) {
      if (own.has(at.id)) return true
      at = at.parentId ? byId.get(at.parentId) : undefined
    }
    return false
  }
  const practices = organisations.filter((o) => practiceIds.has(o.id))
  const networkIds = new Set(practices.map((p) => p.parentId).filter((id) => id !== null))
  return {
    everything: false,
    programmes,
    organisations: organisations.filter((o) => o.kind !== 'practice' && o.kind !== 'pcn' && below(o)),
    practices,
    networks: organisations.filter((o) => o.kind === 'pcn' && networkIds.has(o.id)),
  }
}

/** A report's filters, checked and resolved into what each capability's queries take. */
export interface ResolvedScope {
  filters: Filters
  /** UTC instants: from inclusive, to exclusive. */
  period: Period
  /** London dates: from inclusive, to exclusive (for prescriptions, which are dated). */
  days: { from: string; to: string }
  cases: CaseScope
  referrals: ReferralScope
  /** The programmes covered (null: every programme, for an administrator without a programme). */
  programmeIds: string[] | null
  /** What the report is for, in words: "Tower Hamlets social prescribing, Bromley by Bow Centre". */
  description: string
}

export type Resolved = { ok: true; scope: ResolvedScope } | { ok: false; problems: FieldProblem[] }

const notAllowed = (field: string, what: string): FieldProblem => ({
  field,
  message: `Select a ${what} you may see reports for`,
})

/** Checks the filters against what the user may see and resolves them. */
export async function resolveScope(
  visible: Visible,
  input: Record<string, unknown>,
  now: Date,
): Promise<Resolved> {
  const given = (value: unknown) => (value === undefined || value === '' ? undefined : value)
  const to = given(input.to) ?? defaultDates(now).to
  const from =
    given(input.from) ??
    (typeof to === 'string' && isCalendarDate(to) ? yearBefore(to) : defaultDates(now).from)
  const parsed = filterSchema.safeParse({
    from,
    to,
    programme: input.programme,
    organisation: input.organisation,
    practice: input.practice,
    network: input.network,
  })
  if (!parsed.success) {
    const problems: FieldProblem[] = []
    for (const issue of parsed.error.issues) {
      const field = issue.path.map(String).join('.')
      if (!problems.some((p) => p.field === field)) problems.push({ field, message: issue.message })
    }
    return { ok: false, problems }
  }
  const filters = parsed.data
  const problems: FieldProblem[] = []
  const find = <T extends { id: string }>(
    list: readonly T[],
    id: string | undefined,
    field: string,
    what: string,
  ) => {
    if (id === undefined) return undefined
    const found = isId(id) ? list.find((item) => item.id === id) : undefined
    if (!found) problems.push(notAllowed(field, what))
    return found
  }
  const programme = find(visible.programmes, filters.programme, 'programme', 'programme')
  const organisation = find(visible.organisations, filters.organisation, 'organisation', 'organisation')
  const practice = find(visible.practices, filters.practice, 'practice', 'practice')
  const network = find(visible.networks, filters.network, 'network', 'network of practices')
  if (problems.length > 0) return { ok: false, problems }

  const programmeIds = programme
    ? [programme.id]
    : visible.everything
      ? null
      : visible.programmes.map((p) => p.id)
  let practiceIds: string[] | null = null
  const allOrganisations = [...visible.practices]
  if (practice) practiceIds = [practice.id]
  if (network) {
    const inNetwork = allOrganisations.filter((o) => o.parentId === network.id).map((o) => o.id)
    practiceIds = practiceIds ? practiceIds.filter((id) => inNetwork.includes(id)) : inNetwork
  }
  const organisationIds = organisation
    ? [
        organisation.id,
        ...visible.organisations.filter((o) => o.parentId === organisation.id).map((o) => o.id),
      ]
    : null
  const odsCodes = practiceIds
    ? allOrganisations.filter((o) => practiceIds.includes(o.id) && o.odsCode).map((o) => o.odsCode as string)
    : null
  const days = { from: filters.from, to: nextDay(filters.to) }
  const period = { from: londonMidnight(days.from), to: londonMidnight(days.to) }
  const names = [programme?.name, organisation?.name, network?.name, practice?.name].filter(Boolean)
  return {
    ok: true,
    scope: {
      filters,
      period,
      days,
      programmeIds,
      cases: { programmeIds, organisationIds, practiceIds },
      referrals: {
        programmeIds,
        receivingOrganisationIds: organisationIds,
        practiceOdsCodes: odsCodes,
        period,
      },
      description:
        names.length > 0 ? names.join(', ') : visible.everything ? 'Every programme' : 'All your programmes',
    },
  }
}
