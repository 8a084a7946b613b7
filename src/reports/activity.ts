// The Activity report (Tower Hamlets): clients, the needs they present with, onward referrals and
// signposts, the services and organisations reached, and the share of clients given three or
// more; for the whole scope, and by social prescriber, practice and network of practices.

import { listOrganisations, userNames } from '../access/store.ts'
import { type ActivityCounts, activityCountsByEach } from '../casework/index.ts'
import type { Queryable } from '../db/schema.ts'
import { providersOfServices } from '../directory/index.ts'
import type { Need } from '../programmes/config.ts'
import { getProgramme, listProgrammes, type Programme } from '../programmes/store.ts'
import { barChart } from './charts.ts'
import {
  type Figure,
  publishCount,
  publishShare,
  type ReportTable,
  showCount,
  showShare,
  table,
} from './present.ts'
import type { ResolvedScope } from './scope.ts'

/** Each figure's definition, shown on the page beside it. */
export const ACTIVITY_DEFINITIONS = {
  clients: 'Distinct people with a case open at any time in the period.',
  needs:
    'For each need, the share of clients with that need recorded on their case; a person with two needs counts in both, so the shares need not add up to 100%.',
  onwardReferrals: 'Onward referrals to a service made from a case in the period.',
  signposts: 'Signposts (information given, not a request to a provider) made from a case in the period.',
  together: 'Onward referrals and signposts together.',
  services: 'Distinct services (activities) the onward referrals and signposts went to.',
  organisations: 'Distinct organisations providing those services.',
  threeOrMoreShare:
    'Of the clients who received at least one onward referral or signpost in the period, the share who were given three or more.',
} as const

export interface NeedFigure {
  id: string
  label: string
  clients: number
  /** A fraction from 0 to 1; null when there are no clients. */
  share: number | null
}

export interface ActivityFigures {
  clients: number
  needs: NeedFigure[]
  onwardReferrals: number
  signposts: number
  services: number
  organisations: number
  /** A fraction from 0 to 1; null when no client received any. */
  threeOrMoreShare: number | null
  /** Clients who received at least one onward referral or signpost (the share's denominator). */
  clientsReached: number
  clientsGivenThreeOrMore: number
}

export interface ActivityGroup extends ActivityFigures {
  id: string | null
  name: string
}

export interface PracticeGroup extends ActivityGroup {
  /** The practice's named social prescriber, or else its cases' usual link worker. */
  socialPrescriber: { id: string; name: string; named: boolean } | null
}

export interface ActivityReport extends ActivityFigures {
  bySocialPrescriber: ActivityGroup[]
  byPractice: PracticeGroup[]
  byNetwork: ActivityGroup[]
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)

/** The programmes in scope (every programme when the scope names none), each read once. */
async function programmesInScope(
  db: Queryable,
  programmeIds: readonly string[] | null,
): Promise<Programme[]> {
  const ids = programmeIds ?? (await listProgrammes(db)).map((p) => p.id)
  const programmes: Programme[] = []
  for (const id of ids) {
    const programme = await getProgramme(db, id)
    if (programme) programmes.push(programme)
  }
  return programmes
}

/** The needs the programmes record, each once, in the programmes' own order. */
function needsOf(programmes: readonly Programme[]): Need[] {
  const needs: Need[] = []
  for (const programme of programmes)
    for (const need of programme.needs) if (!needs.some((n) => n.id === need.id)) needs.push(need)
  return needs
}

/** The report's figures from the counts casework's database gives for one group. */
function figuresOf(counts: ActivityCounts | undefined, needs: readonly Need[]): ActivityFigures {
  const clients = counts?.clients ?? 0
  const reached = counts?.clientsReached ?? 0
  const three = counts?.clientsGivenThreeOrMore ?? 0
  return {
    clients,
    needs: needs.map((need) => {
      const count = counts?.needs.get(need.id) ?? 0
      return { id: need.id, label: need.label, clients: count, share: clients === 0 ? null : count / clients }
    }),
    onwardReferrals: counts?.onwardReferrals ?? 0,
    signposts: counts?.signposts ?? 0,
    services: counts?.services ?? 0,
    organisations: counts?.organisations ?? 0,
    threeOrMoreShare: reached === 0 ? null : three / reached,
    clientsReached: reached,
    clientsGivenThreeOrMore: three,
  }
}

export async function activityReport(db: Queryable, scope: ResolvedScope): Promise<ActivityReport> {
  const programmes = await programmesInScope(db, scope.programmeIds)
  const needs = needsOf(programmes)
  const needIds = needs.map((need) => need.id)
  // A network is a practice's parent, when that is a primary care network.
  const organisations = new Map((await listOrganisations(db)).map((o) => [o.id, o]))
  const networkOf = new Map<string, string>()
  for (const o of organisations.values()) {
    const parent = o.parentId ? organisations.get(o.parentId) : undefined
    if (o.kind === 'practice' && parent?.kind === 'pcn') networkOf.set(o.id, parent.id)
  }
  // Every grouping counted together, so the cases in scope are read once; the directory names
  // the organisation providing each service reached.
  const {
    groups: [totals = [], workers = [], practices = [], networks = []],
    holdings,
  } = await activityCountsByEach(
    db,
    scope.cases,
    scope.period,
    needIds,
    (serviceIds) => providersOfServices(db, serviceIds),
    [{ by: 'none' }, { by: 'link-worker' }, { by: 'practice' }, { by: 'practice-group', groups: networkOf }],
  )
  const total = totals[0]

  // By social prescriber: the case's link worker.
  const names = await userNames(
    db,
    workers.flatMap((w) => (w.key === null ? [] : [w.key])),
  )
  const bySocialPrescriber = workers.map((w) => ({
    id: w.key,
    name: w.key ? (names.get(w.key) ?? 'Unknown') : 'No link worker',
    ...figuresOf(w, needs),
  }))

  // By practice, with its named social prescriber (or else the link worker of most of its cases).
  const named = new Map<string, { id: string; name: string }>()
  for (const programme of programmes) {
    for (const practice of programme.practices)
      if (practice.namedLinkWorker && !named.has(practice.organisationId))
        named.set(practice.organisationId, {
          id: practice.namedLinkWorker.userId,
          name: practice.namedLinkWorker.name,
        })
  }
  const usual = new Map<string | null, { id: string; cases: number }>()
  for (const holding of holdings) {
    if (holding.linkWorkerUserId === null) continue
    const known = usual.get(holding.practiceId)
    if (
      !known ||
      holding.cases > known.cases ||
      (holding.cases === known.cases && holding.linkWorkerUserId < known.id)
    )
      usual.set(holding.practiceId, { id: holding.linkWorkerUserId, cases: holding.cases })
  }
  const missing = [...usual.values()].map((u) => u.id).filter((id) => !names.has(id))
  for (const [id, name] of await userNames(db, missing)) names.set(id, name)
  const byPractice: PracticeGroup[] = practices.map((p) => {
    let socialPrescriber: PracticeGroup['socialPrescriber'] = null
    const namedWorker = p.key ? named.get(p.key) : undefined
    const usualWorker = usual.get(p.key)
    if (namedWorker) socialPrescriber = { ...namedWorker, named: true }
    else if (usualWorker)
      socialPrescriber = { id: usualWorker.id, name: names.get(usualWorker.id) ?? 'Unknown', named: false }
    return {
      id: p.key,
      name: p.key ? (organisations.get(p.key)?.name ?? 'Unknown practice') : 'No practice recorded',
      socialPrescriber,
      ...figuresOf(p, needs),
    }
  })

  // By network.
  const byNetwork = networks.map((n) => ({
    id: n.key,
    name: n.key ? (organisations.get(n.key)?.name ?? 'Unknown network') : 'No network recorded',
    ...figuresOf(n, needs),
  }))

  return {
    ...figuresOf(total, needs),
    bySocialPrescriber: bySocialPrescriber.sort(byName),
    byPractice: byPractice.sort(byName),
    byNetwork: byNetwork.sort(byName),
  }
}

// Publishing ---------------------------------------------------------------------------------

function publishFigures(figures: ActivityFigures) {
  return {
    clients: publishCount(figures.clients),
    needs: figures.needs.map((need) => ({
      id: need.id,
      label: need.label,
      clients: publishCount(need.clients),
      share: publishShare(need.share, need.clients, figures.clients),
    })),
    onwardReferrals: publishCount(figures.onwardReferrals),
    signposts: publishCount(figures.signposts),
    services: publishCount(figures.services),
    organisations: publishCount(figures.organisations),
    threeOrMoreShare: publishShare(
      figures.threeOrMoreShare,
      figures.clientsGivenThreeOrMore,
      figures.clientsReached,
    ),
  }
}

/** The report as the API gives it: these top-level fields exactly, small numbers suppressed. */
export function activityJson(report: ActivityReport) {
  const group = (g: ActivityGroup) => ({ id: g.id, name: g.name, ...publishFigures(g) })
  return {
    ...publishFigures(report),
    byPractice: report.byPractice.map((p) => ({
      ...group(p),
      socialPrescriber: p.socialPrescriber,
    })),
    byNetwork: report.byNetwork.map(group),
    bySocialPrescriber: report.bySocialPrescriber.map(group),
  }
}

const groupColumns = [
  ['Clients', 'number'],
  ['Onward referrals', 'number'],
  ['Signposts', 'number'],
  ['Together', 'number'],
  ['Services', 'number'],
  ['Organisations', 'number'],
  ['Given 3 or more', 'number'],
] as const

function groupCells(g: ActivityFigures): string[] {
  return [
    showCount(g.clients),
    showCount(g.onwardReferrals),
    showCount(g.signposts),
    showCount(g.onwardReferrals + g.signposts),
    showCount(g.services),
    showCount(g.organisations),
    showShare(g.threeOrMoreShare, g.clientsGivenThreeOrMore, g.clientsReached),
  ]
}

export function activityView(report: ActivityReport) {
  const d = ACTIVITY_DEFINITIONS
  const figures: Figure[] = [
    { label: 'Clients', value: showCount(report.clients), definition: d.clients },
    { label: 'Onward referrals', value: showCount(report.onwardReferrals), definition: d.onwardReferrals },
    { label: 'Signposts', value: showCount(report.signposts), definition: d.signposts },
    {
      label: 'Onward referrals and signposts',
      value: showCount(report.onwardReferrals + report.signposts),
      definition: d.together,
    },
    { label: 'Services reached', value: showCount(report.services), definition: d.services },
    { label: 'Organisations reached', value: showCount(report.organisations), definition: d.organisations },
    {
      label: 'Given three or more',
      value: showShare(report.threeOrMoreShare, report.clientsGivenThreeOrMore, report.clientsReached),
      definition: d.threeOrMoreShare,
    },
  ]
  const needs = table(
    'needs',
    'Needs clients presented with',
    [
      ['Need', 'text'],
      ['Clients', 'number'],
      ['Share of clients', 'number'],
    ],
    report.needs.map((need) => [
      need.label,
      showCount(need.clients),
      showShare(need.share, need.clients, report.clients),
    ]),
  )
  const chart = barChart(
    'Share of clients with each need',
    report.needs.map((need) => {
      const share = publishShare(need.share, need.clients, report.clients)
      return { label: need.label, value: share, text: showShare(share) }
    }),
    { max: 1 },
  )
  const tables: ReportTable[] = [
    needs,
    table(
      'by-social-prescriber',
      'By social prescriber',
      [['Social prescriber', 'text'], ...groupColumns],
      report.bySocialPrescriber.map((g) => [g.name, ...groupCells(g)]),
    ),
    table(
      'by-practice',
      'By practice',
      [['Practice', 'text'], ['Social prescriber', 'text'], ...groupColumns],
      report.byPractice.map((g) => [
        g.name,
        g.socialPrescriber ? `${g.socialPrescriber.name}${g.socialPrescriber.named ? ' (named)' : ''}` : '–',
        ...groupCells(g),
      ]),
    ),
    table(
      'by-network',
      'By network of practices',
      [['Network', 'text'], ...groupColumns],
      report.byNetwork.map((g) => [g.name, ...groupCells(g)]),
    ),
  ]
  return {
    figures,
    tables,
    charts: [{ tableId: 'needs', chart }],
    notes: [d.needs],
  }
}
