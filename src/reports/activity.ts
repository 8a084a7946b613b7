// The Activity report (Tower Hamlets): clients, the needs they present with, onward referrals and
// signposts, the services and organisations reached, and the share of clients given three or
// more; for the whole scope, and by social prescriber, practice and network of practices.

import { getOrganisation, userNames } from '../access/store.ts'
import { type CaseFact, casesOpenIn, type SignpostFact, signpostsMadeIn } from '../casework/index.ts'
import type { Queryable } from '../db/schema.ts'
import { providersOfServices } from '../directory/index.ts'
import type { Need } from '../programmes/config.ts'
import { getProgramme, listProgrammes } from '../programmes/store.ts'
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

const serviceKey = (signpost: SignpostFact) =>
  signpost.serviceId ?? `name:${signpost.serviceName.trim().toLowerCase()}`

/** The figures over a set of cases and the signposts made from them. Pure. */
export function activityFigures(
  cases: readonly CaseFact[],
  signpostsByCase: ReadonlyMap<string, readonly SignpostFact[]>,
  providers: ReadonlyMap<string, string>,
  needs: readonly Need[],
): ActivityFigures {
  const needsOf = new Map<string, Set<string>>()
  const givenTo = new Map<string, number>()
  let onwardReferrals = 0
  let signposts = 0
  const services = new Set<string>()
  const organisations = new Set<string>()
  for (const kase of cases) {
    const personNeeds = needsOf.get(kase.personId) ?? new Set<string>()
    for (const need of kase.needs) personNeeds.add(need)
    needsOf.set(kase.personId, personNeeds)
    for (const signpost of signpostsByCase.get(kase.caseId) ?? []) {
      if (signpost.kind === 'referral') onwardReferrals++
      else signposts++
      givenTo.set(kase.personId, (givenTo.get(kase.personId) ?? 0) + 1)
      services.add(serviceKey(signpost))
      const provider = signpost.serviceId ? providers.get(signpost.serviceId) : undefined
      if (provider) organisations.add(provider)
    }
  }
  const clients = needsOf.size
  const needFigures = needs.map((need) => {
    let count = 0
    for (const personNeeds of needsOf.values()) if (personNeeds.has(need.id)) count++
    return { id: need.id, label: need.label, clients: count, share: clients === 0 ? null : count / clients }
  })
  const clientsReached = givenTo.size
  const clientsGivenThreeOrMore = [...givenTo.values()].filter((n) => n >= 3).length
  return {
    clients,
    needs: needFigures,
    onwardReferrals,
    signposts,
    services: services.size,
    organisations: organisations.size,
    threeOrMoreShare: clientsReached === 0 ? null : clientsGivenThreeOrMore / clientsReached,
    clientsReached,
    clientsGivenThreeOrMore,
  }
}

function groupBy<K>(cases: readonly CaseFact[], key: (kase: CaseFact) => K): Map<K, CaseFact[]> {
  const groups = new Map<K, CaseFact[]>()
  for (const kase of cases) {
    const k = key(kase)
    const list = groups.get(k)
    if (list) list.push(kase)
    else groups.set(k, [kase])
  }
  return groups
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)

/** The needs the programmes in scope record, each once, in the programmes' own order. */
export async function needsInScope(db: Queryable, programmeIds: readonly string[] | null): Promise<Need[]> {
  const ids = programmeIds ?? (await listProgrammes(db)).map((p) => p.id)
  const needs: Need[] = []
  for (const id of ids) {
    const programme = await getProgramme(db, id)
    for (const need of programme?.needs ?? []) if (!needs.some((n) => n.id === need.id)) needs.push(need)
  }
  return needs
}

export async function activityReport(db: Queryable, scope: ResolvedScope): Promise<ActivityReport> {
  const [cases, signposts, needs] = await Promise.all([
    casesOpenIn(db, scope.cases, scope.period),
    signpostsMadeIn(db, scope.cases, scope.period),
    needsInScope(db, scope.programmeIds),
  ])
  const signpostsByCase = new Map<string, SignpostFact[]>()
  for (const signpost of signposts) {
    const list = signpostsByCase.get(signpost.caseId)
    if (list) list.push(signpost)
    else signpostsByCase.set(signpost.caseId, [signpost])
  }
  // Every signpost in the period was made from a case open then, so all are counted below.
  const providers = await providersOfServices(
    db,
    signposts.flatMap((s) => (s.serviceId ? [s.serviceId] : [])),
  )
  const figures = (subset: readonly CaseFact[]) => activityFigures(subset, signpostsByCase, providers, needs)

  // By social prescriber: the case's link worker.
  const workers = groupBy(cases, (kase) => kase.linkWorkerUserId)
  const names = await userNames(
    db,
    [...workers.keys()].filter((id) => id !== null),
  )
  const bySocialPrescriber = [...workers].map(([id, subset]) => ({
    id,
    name: id ? (names.get(id) ?? 'Unknown') : 'No link worker',
    ...figures(subset),
  }))

  // By practice, with its named social prescriber (or else the link worker of most of its cases).
  const named = new Map<string, { id: string; name: string }>()
  for (const programmeId of new Set(cases.map((kase) => kase.programmeId))) {
    const programme = await getProgramme(db, programmeId)
    for (const practice of programme?.practices ?? [])
      if (practice.namedLinkWorker)
        named.set(practice.organisationId, {
          id: practice.namedLinkWorker.userId,
          name: practice.namedLinkWorker.name,
        })
  }
  const practices = groupBy(cases, (kase) => kase.practiceId)
  const practiceOrganisations = new Map<string, { name: string; parentId: string | null }>()
  for (const id of practices.keys()) {
    if (!id) continue
    const organisation = await getOrganisation(db, id)
    if (organisation)
      practiceOrganisations.set(id, { name: organisation.name, parentId: organisation.parentId })
  }
  const byPractice: PracticeGroup[] = []
  for (const [id, subset] of practices) {
    let socialPrescriber: PracticeGroup['socialPrescriber'] = null
    const namedWorker = id ? named.get(id) : undefined
    if (namedWorker) socialPrescriber = { ...namedWorker, named: true }
    else {
      const counts = groupBy(subset, (kase) => kase.linkWorkerUserId)
      const usual = [...counts]
        .filter(([worker]) => worker !== null)
        .sort((a, b) => b[1].length - a[1].length)[0]
      if (usual?.[0])
        socialPrescriber = { id: usual[0], name: names.get(usual[0]) ?? 'Unknown', named: false }
    }
    byPractice.push({
      id,
      name: id ? (practiceOrganisations.get(id)?.name ?? 'Unknown practice') : 'No practice recorded',
      socialPrescriber,
      ...figures(subset),
    })
  }

  // By network: the practice's parent, when that is a primary care network.
  const networkOf = new Map<string, { id: string; name: string }>()
  for (const [practiceId, practice] of practiceOrganisations) {
    if (!practice.parentId) continue
    const parent = await getOrganisation(db, practice.parentId)
    if (parent?.kind === 'pcn') networkOf.set(practiceId, { id: parent.id, name: parent.name })
  }
  const networks = groupBy(cases, (kase) =>
    kase.practiceId ? (networkOf.get(kase.practiceId)?.id ?? null) : null,
  )
  const networkNames = new Map([...networkOf.values()].map((n) => [n.id, n.name]))
  const byNetwork = [...networks].map(([id, subset]) => ({
    id,
    name: id ? (networkNames.get(id) ?? 'Unknown network') : 'No network recorded',
    ...figures(subset),
  }))

  return {
    ...figures(cases),
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
