// Volunteering pages. Providers publish their opportunities and, as hosts, see their placements
// and confirm the hours logged; a project officer records what a person on a case looks for,
// chooses among Kith's proposals, moves the placement on and logs hours, and sees who has stalled.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { audit, refused } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import type { CurrentUser } from '../access/users.ts'
import { organisationsWhere } from '../access/users.ts'
import { type CaseForUser, caseForUser, getCaseForUser } from '../casework/index.ts'
import { isId } from '../db/ids.ts'
import { inTransaction } from '../db/transactions.ts'
import { getService } from '../directory/index.ts'
import { readPersonSummaries } from '../people/records.ts'
import type { AppContext, CasePanel } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { dateFrom, formErrors, parse } from '../web/forms.ts'
import { type FieldProblem, notFound, Problem } from '../web/problem.ts'
import {
  DBS_LABELS,
  hoursSchema,
  OPPORTUNITY_NEEDS,
  opportunitySchema,
  PLACEMENT_MOVES,
  profileSchema,
  proposeSchema,
  SUITS_LABELS,
  statusSchema,
} from './forms.ts'
import { DAY_LABELS, RECOVERY_LABELS, STAGE_LABELS } from './matching.ts'
import {
  confirmHours,
  getHoursEntry,
  getOpportunity,
  getPlacement,
  getProfile,
  hoursOf,
  type Opportunity,
  opportunitiesOfHosts,
  type Placement,
  placementsWhere,
} from './store.ts'
import {
  logHours,
  matchesFor,
  movePlacement,
  proposePlacement,
  publishOpportunity,
  recordProfile,
  reviseOpportunity,
  stalled,
  visiblePlacements,
} from './volunteering.ts'

const PROVIDER = rolesAccess('provider')
const OFFICER = rolesAccess('link_worker', 'programme_manager')
const OPPORTUNITY_FORM = { access: PROVIDER, listFields: ['days', 'suits', 'stages', 'needs'] }
const PROFILE_FORM = { access: OFFICER, listFields: ['days'] }

type Body = Record<string, unknown>

export const volunteeringPath = (caseId: string) => `/community/cases/${caseId}/volunteering`

const STATUS_LABELS = { proposed: 'Proposed', introduced: 'Introduced', started: 'Started', ended: 'Ended' }
const STATUS_TAGS = {
  proposed: 'nhsuk-tag--grey',
  introduced: 'nhsuk-tag--blue',
  started: 'nhsuk-tag--green',
  ended: 'nhsuk-tag--white',
}
const MOVE_LABELS = { introduced: 'Introduced to the host', started: 'Started volunteering', ended: 'Ended' }
const NEXT_MOVES: Record<Placement['status'], readonly string[]> = {
  proposed: ['introduced', 'ended'],
  introduced: ['started', 'ended'],
  started: ['ended'],
  ended: [],
}
const NEED_LABELS = Object.fromEntries(
  OPPORTUNITY_NEEDS.map((code) => [code, `${code[0]!.toUpperCase()}${code.slice(1).replaceAll('-', ' ')}`]),
)

const checked = (values: unknown, value: string) =>
  Array.isArray(values) ? values.includes(value) : values === value

function items(options: Record<string, string>, values: unknown, multiple = true) {
  return Object.entries(options).map(([value, text]) => ({
    value,
    text,
    checked: multiple ? checked(values, value) : values === value,
  }))
}

/** The values a form shows for an opportunity (its form's field names). */
function opportunityValues(service: { name: string; postcode: string | null }, o: Opportunity): Body {
  return {
    name: service.name,
    role: o.role,
    involves: o.involves,
    skillsGained: o.skillsGained.join(', '),
    interests: o.interests.join(', '),
    times: o.times,
    days: o.days,
    accessibility: o.accessibility,
    dbsLevel: o.dbsLevel,
    referencesNeeded: String(o.referencesNeeded),
    placesAvailable: String(o.placesAvailable),
    suits: o.suits,
    stages: o.stages,
    needs: o.needs,
    postcode: service.postcode ?? '',
    active: o.active ? 'yes' : 'no',
  }
}

export function volunteeringRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  const now = () => context.now()
  const today = () => londonDate(context.now())

  context.navigation.push(
    { text: 'Volunteering', href: '/community/opportunities', roles: ['provider'], order: 45 },
    { text: 'Placements', href: '/community/placements', roles: ['link_worker'], order: 46 },
  )
  context.homeCards.push(
    {
      roles: ['provider'],
      heading: 'Volunteering opportunities',
      description: 'Publish and update your volunteering roles, see your placements and confirm hours.',
      href: '/community/opportunities',
      order: 25,
    },
    {
      roles: ['link_worker', 'programme_manager'],
      heading: 'Volunteering placements',
      description: 'People in volunteering placements, and who has logged no hours lately.',
      href: '/community/placements',
      order: 45,
    },
  )

  // Opportunities, for their hosts ------------------------------------------------------------

  const hostsOf = (user: CurrentUser) => organisationsWhere(user, 'provider')

  function formView(user: CurrentUser, values: Body, extra: Record<string, unknown> = {}) {
    const hosts = user.memberships.filter((m) => m.role === 'provider')
    return {
      values,
      hostItems: hosts.map((m) => ({
        value: m.organisationId,
        text: m.organisationName,
        selected: values.hostOrganisationId === m.organisationId,
      })),
      dayItems: items(DAY_LABELS, values.days),
      suitsItems: items(SUITS_LABELS, values.suits),
      stageItems: items(STAGE_LABELS, values.stages),
      needItems: items(NEED_LABELS, values.needs),
      dbsItems: items(DBS_LABELS, values.dbsLevel ?? 'none', false),
      activeItems: [
        { value: 'yes', text: 'Open: show it in the directory', checked: values.active !== 'no' },
        { value: 'no', text: 'Closed: hide it for now', checked: values.active === 'no' },
      ],
      ...extra,
    }
  }

  app.get('/community/opportunities', { config: { access: PROVIDER } }, async (request, reply) => {
    const opportunities = await opportunitiesOfHosts(db, hostsOf(request.user!))
    const rows = []
    for (const o of opportunities) {
      const service = await getService(db, o.serviceId)
      if (service) rows.push({ ...o, name: service.name })
    }
    const saved = (request.query as { saved?: string }).saved
    return reply.view('community/views/opportunities.njk', {
      pageTitle: 'Volunteering opportunities',
      rows,
      flash:
        saved === 'published'
          ? 'The opportunity is published.'
          : saved
            ? 'The opportunity is updated.'
            : undefined,
    })
  })

  app.get('/community/opportunities/new', { config: { access: PROVIDER } }, async (request, reply) =>
    reply.view('community/views/opportunity-form.njk', {
      pageTitle: 'Publish a volunteering opportunity',
      action: '/community/opportunities',
      back: { href: '/community/opportunities', text: 'Volunteering opportunities' },
      ...formView(request.user!, { referencesNeeded: '0', placesAvailable: '1' }),
    }),
  )

  app.post('/community/opportunities', { config: OPPORTUNITY_FORM }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const hosts = hostsOf(request.user!)
    const host =
      typeof body.hostOrganisationId === 'string' && hosts.includes(body.hostOrganisationId)
        ? body.hostOrganisationId
        : hosts[0]!
    const parsed = parse(opportunitySchema, body)
    if (!parsed.ok)
      return reply.status(400).view('community/views/opportunity-form.njk', {
        pageTitle: 'Publish a volunteering opportunity',
        action: '/community/opportunities',
        ...formView(request.user!, body, { errors: formErrors(parsed.problems) }),
      })
    await publishOpportunity(db, request.actor, host, parsed.value, today())
    return reply.redirect('/community/opportunities?saved=published', 303)
  })

  /** The opportunity, if one of the user's organisations hosts it; a 404 otherwise. */
  async function hostedBy(user: CurrentUser, id: string) {
    const opportunity = isId(id) ? await getOpportunity(db, id) : undefined
    const service = opportunity && (await getService(db, opportunity.serviceId))
    if (!opportunity || !service || !hostsOf(user).includes(opportunity.hostOrganisationId))
      throw notFound('There is no opportunity of yours here.')
    return { opportunity, service }
  }

  app.get('/community/opportunities/:id/edit', { config: { access: PROVIDER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const { opportunity, service } = await hostedBy(request.user!, id)
    return reply.view('community/views/opportunity-form.njk', {
      pageTitle: `Update ${service.name}`,
      action: `/community/opportunities/${id}`,
      editing: true,
      back: { href: '/community/opportunities', text: 'Volunteering opportunities' },
      ...formView(request.user!, opportunityValues(service, opportunity)),
    })
  })

  app.post('/community/opportunities/:id', { config: OPPORTUNITY_FORM }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const { opportunity, service } = await hostedBy(request.user!, id)
    const body = (request.body ?? {}) as Body
    const parsed = parse(opportunitySchema, body)
    if (!parsed.ok)
      return reply.status(400).view('community/views/opportunity-form.njk', {
        pageTitle: `Update ${service.name}`,
        action: `/community/opportunities/${id}`,
        editing: true,
        ...formView(request.user!, body, { errors: formErrors(parsed.problems) }),
      })
    await reviseOpportunity(db, request.actor, id, opportunity.hostOrganisationId, parsed.value, today())
    return reply.redirect('/community/opportunities?saved=updated', 303)
  })

  // A person on a case: what they look for, proposals, placements -------------------------------

  async function caseView(
    kase: CaseForUser,
    request: FastifyRequest,
    extra: { errors?: ReturnType<typeof formErrors>; values?: Body; flash?: string } = {},
  ) {
    const profile = await getProfile(db, kase.case.id)
    const [person] = await readPersonSummaries(db, request.actor, [kase.case.personId], {
      page: 'volunteering',
    })
    const placements = await placementsWhere(db, 'case_id', [kase.case.id])
    const hours = await hoursOf(
      db,
      placements.map((p) => p.id),
    )
    const matches = await matchesFor(db, kase)
    const values: Body =
      extra.values ??
      (profile
        ? {
            interests: profile.interests.join(', '),
            skills: profile.skills.join(', '),
            days: profile.days,
            postcode: profile.postcode ?? '',
            travelKm: String(profile.travelKm),
            recovery: profile.recovery,
            stage: profile.stage,
            dbsLevel: profile.dbsLevel,
            'dbsCheckedOn-day': profile.dbsCheckedOn?.slice(8, 10) ?? '',
            'dbsCheckedOn-month': profile.dbsCheckedOn?.slice(5, 7) ?? '',
            'dbsCheckedOn-year': profile.dbsCheckedOn?.slice(0, 4) ?? '',
            referencesReceived: String(profile.referencesReceived),
          }
        : { travelKm: '5', recovery: 'none', stage: 'stable', dbsLevel: 'none', referencesReceived: '0' })
    const named = []
    for (const p of placements) {
      const service = await getService(db, p.opportunityId)
      named.push({
        ...p,
        name: service?.name ?? 'Opportunity',
        hostName: service?.providerName ?? '',
        statusLabel: STATUS_LABELS[p.status],
        tag: STATUS_TAGS[p.status],
        moveItems: PLACEMENT_MOVES.filter((m) => NEXT_MOVES[p.status].includes(m)).map((m) => ({
          value: m,
          text: MOVE_LABELS[m],
        })),
        hours: hours.filter((h) => h.placementId === p.id),
        totalHours: p.hours,
      })
    }
    return {
      pageTitle: 'Volunteering',
      back: { href: `/casework/cases/${kase.case.id}`, text: 'Back to the case' },
      caseId: kase.case.id,
      action: volunteeringPath(kase.case.id),
      person,
      programme: kase.programme,
      profile,
      matches,
      matchItems: (matches ?? []).map((m) => ({
        value: m.candidate.id,
        text: `${m.name}, ${m.hostName}`,
        checked: (extra.values as Body | undefined)?.opportunityId === m.candidate.id,
        hint: {
          text: `${m.reason} ${m.candidate.placesLeft} ${m.candidate.placesLeft === 1 ? 'place' : 'places'} left.`,
        },
      })),
      placements: named,
      values,
      dayItems: items(DAY_LABELS, values.days),
      recoveryItems: items(RECOVERY_LABELS, values.recovery, false),
      stageItems: items(STAGE_LABELS, values.stage, false),
      dbsItems: items({ ...DBS_LABELS, none: 'None recorded' }, values.dbsLevel, false),
      supportItems: [
        {
          value: '',
          text: kase.case.supportingName ? `${kase.case.supportingName} (supports the case)` : 'No one',
        },
        ...kase.programme.linkWorkers
          .filter((w) => w.userId !== kase.case.supportingUserId)
          .map((w) => ({ value: w.userId, text: w.name })),
      ],
      errors: extra.errors,
      flash: extra.flash,
    }
  }

  const FLASHES: Record<string, string> = {
    profile: 'What they look for is saved. The proposals below use it.',
    proposed: 'The placement is proposed.',
    moved: 'The placement is updated.',
    hours: 'The hours are logged. The host confirms them.',
  }

  async function showWithErrors(
    request: FastifyRequest,
    reply: FastifyReply,
    kase: CaseForUser,
    problems: FieldProblem[],
  ) {
    return reply
      .status(400)
      .view(
        'community/views/case.njk',
        await caseView(kase, request, { errors: formErrors(problems), values: request.body as Body }),
      )
  }

  /** The problems of a refusal with fields, for the page; anything else is thrown on. */
  const problemsOf = (error: unknown): FieldProblem[] => {
    if (error instanceof Problem && error.status === 400 && error.errors.length > 0) return error.errors
    throw error
  }

  app.get('/community/cases/:id/volunteering', { config: { access: OFFICER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const kase = await caseForUser(db, request.user!, request.actor, id, { audit: 'volunteering.read' })
    const saved = (request.query as { saved?: string }).saved
    return reply.view(
      'community/views/case.njk',
      await caseView(kase, request, { flash: saved ? FLASHES[saved] : undefined }),
    )
  })

  app.post('/community/cases/:id/volunteering/profile', { config: PROFILE_FORM }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const kase = await caseForUser(db, request.user!, request.actor, id, { open: true })
    const body = (request.body ?? {}) as Body
    const parsed = parse(profileSchema, { ...body, dbsCheckedOn: dateFrom(body, 'dbsCheckedOn') })
    if (!parsed.ok) return showWithErrors(request, reply, kase, parsed.problems)
    await recordProfile(db, { user: request.user!, actor: request.actor }, kase, parsed.value)
    return reply.redirect(`${volunteeringPath(id)}?saved=profile`, 303)
  })

  app.post('/community/cases/:id/placements', { config: { access: OFFICER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const kase = await caseForUser(db, request.user!, request.actor, id, { open: true })
    const parsed = parse(proposeSchema, request.body)
    if (!parsed.ok) return showWithErrors(request, reply, kase, parsed.problems)
    const match = (await matchesFor(db, kase, 50))?.find((m) => m.candidate.id === parsed.value.opportunityId)
    try {
      await proposePlacement(db, { user: request.user!, actor: request.actor }, kase, {
        opportunityId: parsed.value.opportunityId,
        supportingUserId: parsed.value.supportingUserId || null,
        reason: match?.reason ?? 'Chosen by the project officer.',
        at: now().toISOString(),
      })
    } catch (error) {
      return showWithErrors(request, reply, kase, problemsOf(error))
    }
    return reply.redirect(`${volunteeringPath(id)}?saved=proposed`, 303)
  })

  /** The case and one of its placements, or the audited 404. */
  /** Placements as table rows: the person's name (a read of them, audited as `page`), the opportunity and its status. */
  async function placementRows(request: FastifyRequest, placements: Placement[], page: string) {
    const people = await readPersonSummaries(
      db,
      request.actor,
      placements.map((p) => p.personId),
      { page },
    )
    const rows = []
    for (const p of placements) {
      const person = people.find((x) => x.id === p.personId)
      const service = await getService(db, p.opportunityId)
      rows.push({
        ...p,
        personName: person ? `${person.givenName} ${person.familyName}` : 'Unknown',
        name: service?.name ?? 'Opportunity',
        statusLabel: STATUS_LABELS[p.status],
        tag: STATUS_TAGS[p.status],
      })
    }
    return rows
  }

  async function placementOfCase(request: FastifyRequest) {
    const { id, placementId } = request.params as { id: string; placementId: string }
    const kase = await caseForUser(db, request.user!, request.actor, id)
    const placement = isId(placementId) ? await getPlacement(db, placementId) : undefined
    if (!placement || placement.caseId !== kase.case.id)
      throw notFound('There is no such placement on this case.')
    return { kase, placement }
  }

  app.post(
    '/community/cases/:id/placements/:placementId/status',
    { config: { access: OFFICER } },
    async (request, reply) => {
      const { kase, placement } = await placementOfCase(request)
      const parsed = parse(statusSchema, request.body)
      if (!parsed.ok)
        return showWithErrors(
          request,
          reply,
          kase,
          parsed.problems.map((p) => ({ ...p, field: `${p.field}-${placement.id}` })),
        )
      await movePlacement(
        db,
        { user: request.user!, actor: request.actor },
        placement,
        parsed.value.status,
        parsed.value.endReason,
        now().toISOString(),
      )
      return reply.redirect(`${volunteeringPath(kase.case.id)}?saved=moved`, 303)
    },
  )

  app.post(
    '/community/cases/:id/placements/:placementId/hours',
    { config: { access: OFFICER } },
    async (request, reply) => {
      const { kase, placement } = await placementOfCase(request)
      const body = (request.body ?? {}) as Body
      const withField = (problems: FieldProblem[]) =>
        problems.map((p) => ({ ...p, field: `${p.field}-${placement.id}` }))
      const parsed = parse(hoursSchema, {
        workedOn: dateFrom(body, `workedOn-${placement.id}`),
        hours: body.hours,
      })
      if (!parsed.ok) return showWithErrors(request, reply, kase, withField(parsed.problems))
      try {
        await logHours(db, { user: request.user!, actor: request.actor }, placement, {
          ...parsed.value,
          today: today(),
          at: now().toISOString(),
        })
      } catch (error) {
        return showWithErrors(request, reply, kase, withField(problemsOf(error)))
      }
      return reply.redirect(`${volunteeringPath(kase.case.id)}?saved=hours`, 303)
    },
  )

  // The officer's overview: placements of the cases they see, and who has stalled ----------------

  app.get('/community/placements', { config: { access: OFFICER } }, async (request, reply) => {
    const query = request.query as { weeks?: string }
    const weeks = /^\d{1,2}$/.test(query.weeks ?? '') && Number(query.weeks) > 0 ? Number(query.weeks) : 3
    const placements = await visiblePlacements(db, request.user!)
    const quiet = new Set(stalled(placements, today(), weeks).map((p) => p.id))
    const rows = (await placementRows(request, placements, 'placements')).map((row) => ({
      ...row,
      stalled: quiet.has(row.id),
      href: volunteeringPath(row.caseId),
    }))
    return reply.view('community/views/placements.njk', {
      pageTitle: 'Volunteering placements',
      weeks,
      stalledRows: rows.filter((r) => r.stalled),
      rows,
    })
  })

  // The host: its placements and the hours to confirm -------------------------------------------

  app.get('/community/host/placements', { config: { access: PROVIDER } }, async (request, reply) => {
    const placements = await placementsWhere(db, 'host_organisation_id', hostsOf(request.user!))
    const hours = await hoursOf(
      db,
      placements.map((p) => p.id),
    )
    const rows = (await placementRows(request, placements, 'host-placements')).map((row) => ({
      ...row,
      toConfirm: hours.filter((h) => h.placementId === row.id && !h.confirmedAt),
    }))
    const saved = (request.query as { saved?: string }).saved
    return reply.view('community/views/host.njk', {
      pageTitle: 'Your volunteers',
      rows,
      flash: saved ? 'The hours are confirmed.' : undefined,
    })
  })

  app.post('/community/host/hours/confirm', { config: { access: PROVIDER } }, async (request, reply) => {
    const { hoursId } = (request.body ?? {}) as { hoursId?: string }
    const entry = isId(hoursId) ? await getHoursEntry(db, hoursId) : undefined
    const placement = entry && (await getPlacement(db, entry.placementId))
    if (!entry || !placement || !hostsOf(request.user!).includes(placement.hostOrganisationId))
      throw refused({
        recordType: 'person',
        recordId: entry?.personId ?? String(hoursId ?? ''),
        detail: { attempted: 'placement-hours.confirm' },
      })
    await inTransaction(db, async (trx) => {
      await confirmHours(trx, entry.id, request.user!.id, now().toISOString())
      await audit(trx, request.actor, {
        action: 'placement-hours.confirm',
        recordType: 'person',
        recordId: entry.personId,
        detail: { placementId: placement.id },
      })
    })
    return reply.redirect('/community/host/placements?saved=confirmed', 303)
  })
}

export const volunteeringPanel: CasePanel = {
  order: 35,
  async load(db, view) {
    const placements = await placementsWhere(db, 'case_id', [view.caseId])
    const kase = await getCaseForUser(db, view.user, view.caseId)
    if (kase?.programme.pathway !== 'volunteering') return undefined
    return {
      template: 'community/views/panel.njk',
      data: {
        href: volunteeringPath(view.caseId),
        placements: placements.map((p) => ({ status: STATUS_LABELS[p.status], hours: p.hours })),
      },
    }
  },
}
