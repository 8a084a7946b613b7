// The cases behind a report's figure, for the team that holds them: the programme's managers. A
// row of a report (a link worker's open cases, a practice's clients, the prescriptions ended early)
// links to the list of its cases, each linking to the case. Unlike the report, the list names
// people: it is a read of each of them, audited as such with the list itself.

import type { Actor } from '../access/audit.ts'
import { audit } from '../access/audit.ts'
import { userNames } from '../access/store.ts'
import { casesOpenIn, prescriptionsStartedIn } from '../casework/index.ts'
import type { Queryable } from '../db/schema.ts'
import { readPersonSummaries } from '../people/records.ts'
import type { ReportView } from './catalogue.ts'
import type { ReportName, ResolvedScope } from './scope.ts'

/** The reports whose figures open a list of cases. */
export const DRILLABLE = ['activity', 'caseload', 'prescriptions'] as const
export type DrillableReport = (typeof DRILLABLE)[number]

export function isDrillable(name: string): name is DrillableReport {
  return (DRILLABLE as readonly string[]).includes(name)
}

/** The prescriptions a Prescriptions report's figures count, by what became of them. */
export const PRESCRIPTION_GROUPS = {
  started: 'Prescriptions started',
  completed: 'Prescriptions completed',
  'ended-early': 'Prescriptions ended early',
  'in-progress': 'Prescriptions not yet reviewed',
} as const
export type PrescriptionGroup = keyof typeof PRESCRIPTION_GROUPS

/** What, within the report's scope, a list narrows to: a link worker (or none), a group. */
export interface Drill {
  /** A link worker's user id, `none` for cases without one, or undefined for every case. */
  worker?: string
  group?: PrescriptionGroup
}

export function drillOf(query: Record<string, unknown>): Drill {
  const worker = typeof query.worker === 'string' && query.worker !== '' ? query.worker : undefined
  const group =
    typeof query.group === 'string' && query.group in PRESCRIPTION_GROUPS
      ? (query.group as PrescriptionGroup)
      : undefined
  return { ...(worker ? { worker } : {}), ...(group ? { group } : {}) }
}

export interface DrillCase {
  caseId: string
  personId: string
  name: string
  nhsNumber: string | null
  practiceName: string | null
  linkWorkerName: string | null
  openedAt: string
  closedAt: string | null
}

export interface DrillDown {
  heading: string
  cases: DrillCase[]
}

/**
 * The cases behind a figure, read and audited in one go: each person as read (`person.read`, via
 * the report) and the list itself (`case.list`). Run it in a transaction so the reads and their
 * events commit together.
 */
export async function casesBehind(
  db: Queryable,
  actor: Actor,
  name: DrillableReport,
  scope: ResolvedScope,
  drill: Drill,
  practiceNames: ReadonlyMap<string, string>,
): Promise<DrillDown> {
  const open = await casesOpenIn(db, scope.cases, scope.period)
  let chosen = open
  let heading: string
  if (name === 'prescriptions') {
    const group = drill.group ?? 'started'
    const prescriptions = (await prescriptionsStartedIn(db, scope.cases, scope.days)).filter((p) =>
      group === 'completed'
        ? p.reviewedAt !== null && !p.endedEarly
        : group === 'ended-early'
          ? p.reviewedAt !== null && p.endedEarly
          : group === 'in-progress'
            ? p.reviewedAt === null
            : true,
    )
    const ids = new Set(prescriptions.map((p) => p.caseId))
    chosen = open.filter((c) => ids.has(c.caseId))
    heading = PRESCRIPTION_GROUPS[group]
  } else if (name === 'caseload') {
    chosen = open.filter((c) => c.closedAt === null || c.closedAt >= scope.period.to)
    heading = 'Cases open at the end of the period'
  } else {
    heading = 'Clients with a case open in the period'
  }
  if (drill.worker)
    chosen = chosen.filter((c) =>
      drill.worker === 'none' ? c.linkWorkerUserId === null : c.linkWorkerUserId === drill.worker,
    )
  const workers = await userNames(
    db,
    chosen.flatMap((c) => (c.linkWorkerUserId ? [c.linkWorkerUserId] : [])),
  )
  if (drill.worker)
    heading +=
      drill.worker === 'none' ? ', with no link worker' : `, ${workers.get(drill.worker) ?? 'link worker'}`
  const people = new Map(
    (
      await readPersonSummaries(
        db,
        actor,
        chosen.map((c) => c.personId),
        { via: 'report', report: name },
      )
    ).map((p) => [p.id, p]),
  )
  await audit(db, actor, {
    action: 'case.list',
    recordType: 'case',
    detail: { via: 'report', report: name, count: chosen.length },
  })
  const cases = chosen
    .map((c) => {
      const person = people.get(c.personId)
      return {
        caseId: c.caseId,
        personId: c.personId,
        name: person ? `${person.givenName} ${person.familyName}` : 'Unknown',
        sortName: person ? `${person.familyName} ${person.givenName}`.toLowerCase() : '',
        nhsNumber: person?.nhsNumber ?? null,
        practiceName: c.practiceId ? (practiceNames.get(c.practiceId) ?? null) : null,
        linkWorkerName: c.linkWorkerUserId ? (workers.get(c.linkWorkerUserId) ?? null) : null,
        openedAt: c.openedAt,
        closedAt: c.closedAt,
      }
    })
    .sort((a, b) => a.sortName.localeCompare(b.sortName) || a.openedAt.localeCompare(b.openedAt))
    .map(({ sortName: _, ...c }) => c)
  return { heading, cases }
}

/** Where a report's rows and figures lead, for the programme's managers: hrefs by table row and figure. */
export interface DrillLinks {
  rows: Record<string, (string | null)[]>
  figures: Record<string, string>
}

/**
 * The drill-down links of a report shown for one programme: the table rows and figures that count
 * cases, each to the list of them. `filters` is the report's query string without the programme.
 */
export function drillLinks(
  name: ReportName,
  view: ReportView,
  programmeId: string,
  filters: URLSearchParams,
): DrillLinks {
  const links: DrillLinks = { rows: {}, figures: {} }
  if (!isDrillable(name)) return links
  const href = (extra: Record<string, string> = {}) => {
    const params = new URLSearchParams(filters)
    for (const [key, value] of Object.entries(extra)) params.set(key, value)
    const query = params.toString()
    return `/reports/${name}/programmes/${programmeId}/cases${query ? `?${query}` : ''}`
  }
  const json = view.json as Record<string, unknown>
  const ids = (key: string) => (Array.isArray(json[key]) ? (json[key] as { id: string | null }[]) : [])
  if (name === 'caseload') {
    links.figures['Open cases'] = href()
    links.rows['by-link-worker'] = ids('byLinkWorker').map((w) => href({ worker: w.id ?? 'none' }))
  }
  if (name === 'activity') {
    links.figures.Clients = href()
    links.rows['by-social-prescriber'] = ids('bySocialPrescriber').map((w) =>
      href({ worker: w.id ?? 'none' }),
    )
    // A practice or a network narrows the report's own scope; cases without one cannot be chosen.
    links.rows['by-practice'] = ids('byPractice').map((p) => (p.id ? href({ practice: p.id }) : null))
    links.rows['by-network'] = ids('byNetwork').map((n) => (n.id ? href({ network: n.id }) : null))
  }
  if (name === 'prescriptions') {
    links.figures.Started = href({ group: 'started' })
    links.figures.Completed = href({ group: 'completed' })
    links.figures['Ended early'] = href({ group: 'ended-early' })
    links.figures['Not yet reviewed'] = href({ group: 'in-progress' })
  }
  return links
}
