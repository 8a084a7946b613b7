// The caseload page: the open (or closed) cases of a link worker, or of the programmes a manager
// manages, filtered and sorted, with the notices other capabilities add. Its JSON twin is in
// api-routes.ts.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { audit } from '../access/audit.ts'
import type { Queryable } from '../db/schema.ts'
import { readPersonSummaries } from '../people/records.ts'
import { listProgrammes, programmesOfUser } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { type Body, items, VIEW } from './route-kit.ts'
import { addDays, daysBetween, ENDING_SOON_DAYS, londonDate, overran } from './rules.ts'
import { homeVisitsOf, listCaseload } from './store.ts'

const SHOW = ['all', 'waiting', 'overdue', 'ending', 'unassigned', 'closed'] as const
const SORT = ['waiting', 'name', 'next'] as const
const SHOW_LABELS: Record<(typeof SHOW)[number], string> = {
  all: 'All open cases',
  waiting: 'Waiting for first contact',
  overdue: 'Reviews overdue',
  ending: 'Prescriptions ending soon',
  unassigned: 'Not assigned',
  closed: 'Closed cases',
}
const SORT_LABELS: Record<(typeof SORT)[number], string> = {
  waiting: 'Longest waiting first',
  name: 'Name',
  next: 'Next appointment',
}

type CaseloadQuery = { show?: unknown; sort?: unknown; programme?: unknown }
/** One transaction: the reads and their audit events commit together (one sync on SQLite). */
export const caseload = (context: AppContext, request: FastifyRequest, query: CaseloadQuery) =>
  context.db.transaction().execute((trx) => caseloadIn(context, trx, request, query))

async function caseloadIn(
  context: AppContext,
  trx: Queryable,
  request: FastifyRequest,
  query: CaseloadQuery,
) {
  const user = request.user!
  const now = context.now()
  const today = londonDate(now)
  const show = SHOW.find((s) => s === query.show) ?? 'all'
  const sort = SORT.find((s) => s === query.sort) ?? 'waiting'
  const programmes = await programmesOfUser(trx, user)
  const managed = programmes.filter((p) => p.manages)
  const programmeFilter =
    typeof query.programme === 'string' && programmes.some((p) => p.id === query.programme)
      ? query.programme
      : undefined
  const base = {
    status: show === 'closed' ? ('closed' as const) : ('open' as const),
    now: now.toISOString(),
    today,
    endingBy: addDays(today, ENDING_SOON_DAYS),
  }
  // A manager sees their programmes' cases; a link worker the cases assigned to them.
  const rows = [
    ...(managed.length
      ? await listCaseload(trx, {
          ...base,
          programmeIds: managed.map((p) => p.id).filter((id) => !programmeFilter || id === programmeFilter),
          unassigned: show === 'unassigned',
        })
      : []),
    ...(show !== 'unassigned' && programmes.some((p) => p.linkWorker)
      ? await listCaseload(trx, { ...base, linkWorkerUserId: user.id })
      : []),
    // The cases the user is named to support (decision 0106), in any programme.
    ...(show !== 'unassigned' ? await listCaseload(trx, { ...base, supportingUserId: user.id }) : []),
  ]
  const seen = new Set<string>()
  const mine = rows.filter((row) => {
    if (seen.has(row.id)) return false
    seen.add(row.id)
    if (programmeFilter && row.programmeId !== programmeFilter) return false
    if (show === 'waiting') return row.firstContactAt === null
    if (show === 'overdue') return row.overdueReviews > 0
    if (show === 'ending') return row.endingSoon > 0
    return true
  })
  const people = new Map(
    (
      await readPersonSummaries(
        trx,
        request.actor,
        mine.map((r) => r.personId),
        { via: 'caseload' },
      )
    ).map((p) => [p.id, p]),
  )
  const names = new Map(programmes.map((p) => [p.id, p.name]))
  if (mine.some((row) => !names.has(row.programmeId)))
    for (const p of await listProgrammes(trx)) if (!names.has(p.id)) names.set(p.id, p.name)
  const cases = mine.map((row) => {
    const person = people.get(row.personId)
    return {
      ...row,
      name: person ? `${person.givenName} ${person.familyName}` : 'Unknown',
      sortName: person ? `${person.familyName} ${person.givenName}`.toLowerCase() : '',
      nhsNumber: person?.nhsNumber ?? null,
      programmeName: names.get(row.programmeId) ?? '',
      supportedByMe: row.supportingUserId === user.id,
      waitingDays: row.firstContactAt ? null : daysBetween(row.openedAt, now),
    }
  })
  cases.sort((a, b) =>
    sort === 'name'
      ? a.sortName.localeCompare(b.sortName)
      : sort === 'next'
        ? (a.nextAppointmentAt ?? '9').localeCompare(b.nextAppointmentAt ?? '9')
        : (b.waitingDays ?? -1) - (a.waitingDays ?? -1) || a.openedAt.localeCompare(b.openedAt),
  )
  await audit(trx, request.actor, {
    action: 'case.list',
    recordType: 'case',
    detail: { count: cases.length, show },
  })
  return {
    cases,
    show,
    sort,
    programmes,
    programmeFilter,
    manages: managed.length > 0,
    supporting: cases.some((c) => c.supportingUserId !== null),
  }
}

export function caseloadRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

  app.get('/casework', { config: { access: VIEW } }, async (request, reply) => {
    const view = await caseload(context, request, request.query as Body)
    // A manager sees, first, any home visit that has overrun (lone working).
    const now = context.now()
    const overruns = view.manages
      ? (
          await homeVisitsOf(
            db,
            view.programmes.filter((p) => p.manages).map((p) => p.id),
            addDays(londonDate(now), -2),
          )
        ).filter((visit) => overran(visit, now)).length
      : 0
    const notices = []
    for (const notice of context.caseloadNotices) {
      const shown = await notice.load(db, request.user!, londonDate(now))
      if (shown) notices.push(shown)
    }
    return reply.view('casework/views/caseload.njk', {
      pageTitle: 'Caseload',
      ...view,
      overruns,
      notices,
      showItems: items(SHOW, SHOW_LABELS, view.show),
      sortItems: items(SORT, SORT_LABELS, view.sort),
      programmeItems: [
        { value: '', text: 'All programmes', selected: !view.programmeFilter },
        ...view.programmes.map((p) => ({
          value: p.id,
          text: p.name,
          selected: p.id === view.programmeFilter,
        })),
      ],
      counts: {
        waiting: view.cases.filter((c) => c.waitingDays !== null).length,
        overdue: view.cases.filter((c) => c.overdueReviews > 0).length,
        ending: view.cases.filter((c) => c.endingSoon > 0).length,
      },
    })
  })
}
