// Report pages and the reports API. Programme managers (their programmes) and administrators
// (everything) read them; a report is for a period and a scope from a GET form, so a page can be
// bookmarked. Reading a report writes no audit event per person: reports count people and name
// no one.

import { stringify } from 'csv-stringify/sync'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { auditRefusal } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { isId } from '../db/ids.ts'
import { canManage, getProgramme } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors } from '../web/forms.ts'
import { badRequest, type FieldProblem, notFound } from '../web/problem.ts'
import { buildReport, REPORT_JSON_SCHEMAS, type ReportView } from './catalogue.ts'
import { casesBehind, drillLinks, drillOf, isDrillable } from './drill-down.ts'
import { SMALL_NUMBERS_NOTE } from './present.ts'
import { defaultDates, isReportName, REPORTS, resolveScope, type Visible, visibleScopes } from './scope.ts'

const READ = rolesAccess('programme_manager', 'administrator')
/** The cases behind a figure: for the programme's managers, the team that holds the records. */
const DRILL = rolesAccess('programme_manager')
const FILTERS = ['from', 'to', 'programme', 'organisation', 'practice', 'network'] as const

type Query = Record<string, unknown>

/** The query string of the filters, for links that keep them (CSV downloads, other reports). */
function filterQuery(query: Query): string {
  const text = filterParams(query).toString()
  return text ? `?${text}` : ''
}

function filterParams(query: Query, leaveOut: readonly string[] = []): URLSearchParams {
  const params = new URLSearchParams()
  for (const name of FILTERS) {
    const value = query[name]
    if (typeof value === 'string' && value !== '' && !leaveOut.includes(name)) params.set(name, value)
  }
  return params
}

function csvOf(view: ReportView, tableId?: string): string {
  const tables = tableId ? view.tables.filter((t) => t.id === tableId) : view.tables
  const rows: string[][] = []
  for (const t of tables) {
    if (!tableId) rows.push([t.caption])
    rows.push(t.head, ...t.rows)
    if (!tableId) rows.push([])
  }
  if (!tableId) rows.unshift(['Figure', 'Value'], ...view.figures.map((f) => [f.label, f.value]), [])
  return stringify(rows)
}

function formView(
  visible: Visible,
  query: Query,
  defaults: { from: string; to: string },
  scopeDates?: { from: string; to: string },
) {
  const option = (list: readonly { id: string; name: string }[], chosen: unknown, none: string) => [
    { value: '', text: none },
    ...list.map((item) => ({ value: item.id, text: item.name, selected: item.id === chosen })),
  ]
  return {
    values: {
      from:
        typeof query.from === 'string' && query.from !== ''
          ? query.from
          : (scopeDates?.from ?? defaults.from),
      to: typeof query.to === 'string' && query.to !== '' ? query.to : (scopeDates?.to ?? defaults.to),
    },
    programmes: option(
      visible.programmes,
      query.programme,
      visible.everything ? 'Every programme' : 'All your programmes',
    ),
    organisations: option(visible.organisations, query.organisation, 'Any organisation'),
    practices: option(visible.practices, query.practice, 'Any practice'),
    networks: option(visible.networks, query.network, 'Any network'),
  }
}

export function reportRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

  context.navigation.push({
    text: 'Reports',
    href: '/reports',
    roles: ['programme_manager', 'administrator'],
    order: 80,
  })
  context.homeCards.push({
    roles: ['programme_manager', 'administrator'],
    heading: 'Reports',
    description:
      'Activity, referrals, outcomes, attendance and caseloads for your commissioners, as tables, charts and CSV.',
    href: '/reports',
    order: 45,
  })

  app.get('/reports', { config: { access: READ } }, async (request, reply) => {
    const query = filterQuery(request.query as Query)
    return reply.view('reports/views/index.njk', {
      pageTitle: 'Reports',
      reports: REPORTS.map((r) => ({ ...r, href: `/reports/${r.name}${query}` })),
      smallNumbers: SMALL_NUMBERS_NOTE,
    })
  })

  async function load(request: FastifyRequest, name: string) {
    const query = request.query as Query
    const visible = await visibleScopes(db, request.user!)
    const resolved = await resolveScope(visible, query, context.now())
    return { query, visible, resolved, name }
  }

  app.get('/reports/:name', { config: { access: READ } }, async (request, reply) => {
    const { name } = request.params as { name: string }
    if (!isReportName(name)) return unknownReportPage(reply, name)
    const { query, visible, resolved } = await load(request, name)
    const report = REPORTS.find((r) => r.name === name)!
    const defaults = defaultDates(context.now())
    const form = formView(visible, query, defaults, resolved.ok ? resolved.scope.filters : undefined)
    if (!resolved.ok)
      return reply.status(400).view('reports/views/report.njk', {
        pageTitle: report.title,
        back: { href: '/reports', text: 'Reports' },
        report,
        form,
        errors: formErrors(resolved.problems),
        smallNumbers: SMALL_NUMBERS_NOTE,
      })
    const view = await buildReport(db, name, resolved.scope)
    const suffix = filterQuery(query)
    // The programme's managers may open the cases behind a figure of a report for that programme.
    const only = resolved.scope.programmeIds?.length === 1 ? resolved.scope.programmeIds[0] : undefined
    const managed = visible.programmes.find((p) => p.id === only)
    const links =
      managed && canManage(request.user!, managed)
        ? drillLinks(
            name,
            view,
            managed.id,
            filterParams({ ...query, ...resolved.scope.filters }, ['programme']),
          )
        : undefined
    return reply.view('reports/views/report.njk', {
      pageTitle: report.title,
      back: { href: '/reports', text: 'Reports' },
      report,
      form,
      scope: resolved.scope,
      view,
      figures: view.figures.map((f) => ({ ...f, href: links?.figures[f.label] })),
      drillable: isDrillable(name) && !links,
      tables: view.tables.map((t) => ({
        ...t,
        links: links?.rows[t.id],
        csvHref: `/reports/${name}/csv/${t.id}${suffix}`,
        chart: view.charts.find((c) => c.tableId === t.id)?.chart,
      })),
      csvHref: `/reports/${name}/csv${suffix}`,
      smallNumbers: SMALL_NUMBERS_NOTE,
    })
  })

  // The cases behind a figure: person-level, so each person listed is audited as read, and anyone
  // but the programme's managers gets a 404 audited as a refusal (decision 0013). Ids only in the
  // path; the report's filters and the row chosen in the query.
  app.get(
    '/reports/:name/programmes/:programmeId/cases',
    { config: { access: DRILL } },
    async (request, reply) => {
      const { name, programmeId } = request.params as { name: string; programmeId: string }
      const programme = isId(programmeId) ? await getProgramme(db, programmeId) : undefined
      if (!programme || !canManage(request.user!, programme)) {
        await auditRefusal(db, request.actor, {
          recordType: 'programme',
          recordId: programmeId,
          detail: { attempted: 'report.cases' },
        })
        throw notFound()
      }
      if (!isDrillable(name)) throw notFound()
      const report = REPORTS.find((r) => r.name === name)!
      const query = request.query as Query
      const visible = await visibleScopes(db, request.user!)
      const resolved = await resolveScope(visible, { ...query, programme: programme.id }, context.now())
      const reportHref = `/reports/${name}${filterQuery({ ...query, programme: programme.id })}`
      const back = { href: reportHref, text: report.title }
      if (!resolved.ok)
        return reply.status(400).view('reports/views/cases.njk', {
          pageTitle: `${report.title}: cases`,
          back,
          report,
          programme,
          // The filters are chosen on the report: the summary links there.
          errors: formErrors(resolved.problems, {
            from: 'report',
            to: 'report',
            practice: 'report',
            network: 'report',
            organisation: 'report',
            programme: 'report',
          }),
        })
      const practiceNames = new Map(visible.practices.map((p) => [p.id, p.name]))
      const drill = drillOf(query)
      const found = await db
        .transaction()
        .execute((trx) => casesBehind(trx, request.actor, name, resolved.scope, drill, practiceNames))
      return reply.view('reports/views/cases.njk', {
        pageTitle: `${found.heading}: ${report.title}`,
        back,
        report,
        programme,
        scope: resolved.scope,
        heading: found.heading,
        cases: found.cases,
      })
    },
  )

  async function csvReply(request: FastifyRequest, reply: FastifyReply, name: string, tableId?: string) {
    if (!isReportName(name)) throw notFound()
    const { resolved } = await load(request, name)
    if (!resolved.ok) throw badRequest('The report’s filters are not valid.', resolved.problems)
    const view = await buildReport(db, name, resolved.scope)
    if (tableId && !view.tables.some((t) => t.id === tableId)) throw notFound()
    const file = `${name}${tableId ? `-${tableId}` : ''}-${resolved.scope.filters.from}-to-${resolved.scope.filters.to}.csv`
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${file}"`)
      .send(csvOf(view, tableId))
  }

  app.get('/reports/:name/csv', { config: { access: READ } }, async (request, reply) => {
    const { name } = request.params as { name: string }
    return csvReply(request, reply, name)
  })

  app.get('/reports/:name/csv/:table', { config: { access: READ } }, async (request, reply) => {
    const { name, table } = request.params as { name: string; table: string }
    return csvReply(request, reply, name, table)
  })

  // The API ----------------------------------------------------------------------------------

  for (const report of REPORTS) {
    context.api.add({
      method: 'get',
      path: `/api/v1/reports/${report.name}`,
      summary: `The ${report.title} report for a period and a scope (JSON, or CSV with Accept: text/csv). Counts from 1 to 4 are null, as are shares worked out from them.`,
      tags: ['Reports'],
      response: REPORT_JSON_SCHEMAS[report.name],
      parameters: [
        { name: 'from', in: 'query', description: 'First day, YYYY-MM-DD (default: a year before `to`)' },
        { name: 'to', in: 'query', description: 'Last day, YYYY-MM-DD (default: today)' },
        { name: 'programme', in: 'query', description: 'A programme id' },
        {
          name: 'organisation',
          in: 'query',
          description: 'An organisation id (the link workers’ or the receiving team’s)',
        },
        { name: 'practice', in: 'query', description: 'A GP practice (organisation id)' },
        { name: 'network', in: 'query', description: 'A primary care network (organisation id)' },
      ],
    })
  }

  app.get('/api/v1/reports/:name', { config: { access: READ } }, async (request, reply) => {
    const { name } = request.params as { name: string }
    if (!isReportName(name))
      throw badRequest(`There is no report called “${name.slice(0, 40)}”.`, [
        { field: 'name', message: `The report must be one of ${REPORTS.map((r) => r.name).join(', ')}` },
      ])
    const { resolved } = await load(request, name)
    if (!resolved.ok) throw badRequest('The report’s filters are not valid.', resolved.problems)
    if (wantsCsv(request)) {
      const view = await buildReport(db, name, resolved.scope)
      return reply.type('text/csv; charset=utf-8').send(csvOf(view))
    }
    const view = await buildReport(db, name, resolved.scope)
    return view.json
  })
}

function wantsCsv(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? ''
  return /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept.split('text/csv')[0] ?? '')
}

function unknownReportPage(reply: FastifyReply, name: string) {
  const problems: FieldProblem[] = [
    { field: 'name', message: `There is no report called “${name.slice(0, 40)}”` },
  ]
  return reply.status(400).view('reports/views/index.njk', {
    pageTitle: 'Reports',
    reports: REPORTS.map((r) => ({ ...r, href: `/reports/${r.name}` })),
    unknown: problems[0]?.message,
    errors: { list: problems.map((p) => ({ text: p.message, href: '#reports' })), byField: {} },
    smallNumbers: SMALL_NUMBERS_NOTE,
  })
}
