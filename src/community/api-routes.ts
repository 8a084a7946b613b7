// The community capability's JSON API under /api/v1 (in the OpenAPI document) and its CSV
// exports: opportunities, placements and groups. The same operations and checks as the pages.

import { stringify } from 'csv-stringify/sync'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { audit } from '../access/audit.ts'
import { rolesAccess, SIGNED_IN } from '../access/permissions.ts'
import { organisationsWhere } from '../access/users.ts'
import { caseForUser } from '../casework/index.ts'
import { isId } from '../db/ids.ts'
import { inTransaction } from '../db/transactions.ts'
import { getService, getServices } from '../directory/index.ts'
import { readPersonSummaries } from '../people/records.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { parseOrThrow } from '../web/forms.ts'
import { badRequest, notFound } from '../web/problem.ts'
import { hoursSchema, opportunitySchema } from './forms.ts'
import { isQuiet, meetingSchema, monthsBefore } from './groups.ts'
import { allGroupDetails, getGroupDetails, insertMeeting, meetingOn } from './groups-store.ts'
import {
  allOpportunities,
  getOpportunity,
  getPlacement,
  type Opportunity,
  type Placement,
  placementsWhere,
} from './store.ts'
import {
  logHours,
  matchesFor,
  proposePlacement,
  publishOpportunity,
  reviseOpportunity,
  visiblePlacements,
} from './volunteering.ts'

const PROVIDER = rolesAccess('provider')
const OFFICER = rolesAccess('link_worker', 'programme_manager')
const MEETINGS = rolesAccess('link_worker', 'provider')
const TAGS = ['Community']

const opportunityJson = z.object({
  id: z.string(),
  name: z.string(),
  hostOrganisationId: z.string(),
  hostName: z.string(),
  role: z.string(),
  involves: z.string(),
  skillsGained: z.array(z.string()),
  interests: z.array(z.string()),
  times: z.string(),
  days: z.array(z.string()),
  accessibility: z.string(),
  dbsLevel: z.string(),
  referencesNeeded: z.number(),
  placesAvailable: z.number(),
  placesLeft: z.number(),
  suits: z.array(z.string()),
  stages: z.array(z.string()),
  needs: z.array(z.string()),
  active: z.boolean(),
})

const placementJson = z.object({
  id: z.string(),
  caseId: z.string(),
  opportunityId: z.string(),
  hostOrganisationId: z.string(),
  status: z.enum(['proposed', 'introduced', 'started', 'ended']),
  reason: z.string(),
  supportingUserId: z.string().nullable(),
  supportingName: z.string().nullable(),
  proposedAt: z.string(),
  introducedAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  hours: z.number(),
  confirmedHours: z.number(),
  lastWorkedOn: z.string().nullable(),
})

const groupJson = z.object({
  id: z.string(),
  name: z.string(),
  runBy: z.enum(['members', 'facilitator']),
  facilitatorName: z.string().nullable(),
  meetingPattern: z.string(),
  place: z.string(),
  contact: z.string(),
  forNeed: z.string(),
  members: z.number(),
  openToNew: z.boolean(),
  running: z.boolean(),
  meetingsInYear: z.number(),
  lastMetOn: z.string().nullable(),
  notMetInThreeMonths: z.boolean(),
})

const proposeBody = z.object({
  opportunityId: z.string({ error: 'Give the opportunity’s id' }).min(1, 'Give the opportunity’s id'),
  supportingUserId: z.string().nullable().optional(),
})
const apiOpportunityBody = opportunitySchema.extend({
  skillsGained: z.array(z.string()).optional(),
  interests: z.array(z.string()).optional(),
})
const placementsParameter = { name: 'id', in: 'path' as const, description: 'The case’s id' }

function placementOut(p: Placement) {
  const { personId: _p, programmeId: _g, ...rest } = p
  return rest
}

export function communityApiRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  const today = () => londonDate(context.now())

  async function opportunitiesOut(list: Opportunity[]) {
    const services = new Map(
      (
        await getServices(
          db,
          list.map((o) => o.serviceId),
        )
      ).map((s) => [s.id, s]),
    )
    return list.flatMap((o) => {
      const service = services.get(o.serviceId)
      if (!service) return []
      const { serviceId, point: _point, ...rest } = o
      return [{ id: serviceId, name: service.name, hostName: service.providerName, ...rest }]
    })
  }

  // Opportunities ----------------------------------------------------------------------------

  context.api.add({
    method: 'get',
    path: '/api/v1/opportunities',
    summary: 'Volunteering opportunities that are open, with their places left',
    tags: TAGS,
    response: z.object({ opportunities: z.array(opportunityJson) }),
  })
  app.get('/api/v1/opportunities', { config: { access: SIGNED_IN } }, async () => ({
    opportunities: await opportunitiesOut(await allOpportunities(db, { activeOnly: true })),
  }))

  context.api.add({
    method: 'get',
    path: '/api/v1/opportunities/{id}',
    summary: 'One volunteering opportunity',
    tags: TAGS,
    parameters: [{ name: 'id', in: 'path', description: 'The opportunity’s id (its directory service)' }],
    response: opportunityJson,
  })
  app.get('/api/v1/opportunities/:id', { config: { access: SIGNED_IN } }, async (request) => {
    const { id } = request.params as { id: string }
    const found = isId(id) ? await getOpportunity(db, id) : undefined
    const [out] = found ? await opportunitiesOut([found]) : []
    if (!out) throw notFound('No opportunity has this id.')
    return out
  })

  context.api.add({
    method: 'post',
    path: '/api/v1/opportunities',
    summary: 'Publish a volunteering opportunity of your organisation',
    tags: TAGS,
    requestBody: apiOpportunityBody,
    response: opportunityJson,
  })
  app.post('/api/v1/opportunities', { config: { access: PROVIDER } }, async (request, reply) => {
    const input = parseOrThrow(opportunitySchema, request.body)
    const host = organisationsWhere(request.user!, 'provider')[0]!
    const id = await publishOpportunity(db, request.actor, host, input, today())
    const [out] = await opportunitiesOut([(await getOpportunity(db, id))!])
    return reply.status(201).send(out)
  })

  context.api.add({
    method: 'put',
    path: '/api/v1/opportunities/{id}',
    summary: 'Update a volunteering opportunity your organisation hosts',
    tags: TAGS,
    parameters: [{ name: 'id', in: 'path', description: 'The opportunity’s id' }],
    requestBody: apiOpportunityBody,
    response: opportunityJson,
  })
  app.put('/api/v1/opportunities/:id', { config: { access: PROVIDER } }, async (request) => {
    const { id } = request.params as { id: string }
    const found = isId(id) ? await getOpportunity(db, id) : undefined
    if (!found || !organisationsWhere(request.user!, 'provider').includes(found.hostOrganisationId))
      throw notFound('No opportunity of yours has this id.')
    const input = parseOrThrow(opportunitySchema, request.body)
    await reviseOpportunity(db, request.actor, id, found.hostOrganisationId, input, today())
    const [out] = await opportunitiesOut([(await getOpportunity(db, id))!])
    return out
  })

  // Placements -------------------------------------------------------------------------------

  context.api.add({
    method: 'get',
    path: '/api/v1/cases/{id}/placements',
    summary: 'The volunteering placements of a case, with the proposals for the person',
    tags: TAGS,
    parameters: [placementsParameter],
    response: z.object({
      placements: z.array(placementJson),
      proposals: z.array(
        z.object({
          opportunityId: z.string(),
          name: z.string(),
          reason: z.string(),
          distanceKm: z.number().nullable(),
        }),
      ),
    }),
  })
  app.get('/api/v1/cases/:id/placements', { config: { access: OFFICER } }, async (request) => {
    const { id } = request.params as { id: string }
    const kase = await caseForUser(db, request.user!, request.actor, id, { audit: 'volunteering.read' })
    const proposals = (await matchesFor(db, kase)) ?? []
    return {
      placements: (await placementsWhere(db, 'case_id', [id])).map(placementOut),
      proposals: proposals.map((m) => ({
        opportunityId: m.candidate.id,
        name: m.name,
        reason: m.reason,
        distanceKm: m.distanceKm,
      })),
    }
  })

  context.api.add({
    method: 'post',
    path: '/api/v1/cases/{id}/placements',
    summary: 'Propose a placement for the person on the case',
    tags: TAGS,
    parameters: [placementsParameter],
    requestBody: proposeBody,
    response: placementJson,
  })
  app.post('/api/v1/cases/:id/placements', { config: { access: OFFICER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const kase = await caseForUser(db, request.user!, request.actor, id, { open: true })
    const input = parseOrThrow(proposeBody, request.body)
    const match = (await matchesFor(db, kase, 50))?.find((m) => m.candidate.id === input.opportunityId)
    const placementId = await proposePlacement(db, { user: request.user!, actor: request.actor }, kase, {
      opportunityId: input.opportunityId,
      supportingUserId: input.supportingUserId ?? null,
      reason: match?.reason ?? 'Chosen by the project officer.',
      at: context.now().toISOString(),
    })
    return reply.status(201).send(placementOut((await getPlacement(db, placementId))!))
  })

  context.api.add({
    method: 'post',
    path: '/api/v1/cases/{id}/placements/{placementId}/hours',
    summary: 'Log hours the person volunteered on a day',
    tags: TAGS,
    parameters: [placementsParameter, { name: 'placementId', in: 'path', description: 'The placement’s id' }],
    requestBody: hoursSchema,
    response: placementJson,
  })
  app.post(
    '/api/v1/cases/:id/placements/:placementId/hours',
    { config: { access: OFFICER } },
    async (request, reply) => {
      const { id, placementId } = request.params as { id: string; placementId: string }
      const kase = await caseForUser(db, request.user!, request.actor, id)
      const placement = isId(placementId) ? await getPlacement(db, placementId) : undefined
      if (!placement || placement.caseId !== kase.case.id)
        throw notFound('There is no such placement on this case.')
      const input = parseOrThrow(hoursSchema, request.body)
      await logHours(db, { user: request.user!, actor: request.actor }, placement, {
        ...input,
        today: today(),
        at: context.now().toISOString(),
      })
      return reply.status(201).send(placementOut((await getPlacement(db, placementId))!))
    },
  )

  // Groups -----------------------------------------------------------------------------------

  async function groupsOut(ids?: string[]) {
    const all = await allGroupDetails(db, monthsBefore(today(), 12))
    const groups = ids ? all.filter((g) => ids.includes(g.serviceId)) : all
    const services = new Map(
      (
        await getServices(
          db,
          groups.map((g) => g.serviceId),
        )
      ).map((s) => [s.id, s]),
    )
    return groups.flatMap((g) => {
      const service = services.get(g.serviceId)
      return service
        ? [
            {
              id: g.serviceId,
              name: service.name,
              runBy: g.runBy,
              facilitatorName: g.facilitatorName,
              meetingPattern: g.meetingPattern,
              place: g.place,
              contact: g.contact,
              forNeed: g.forNeed,
              members: g.members,
              openToNew: g.openToNew,
              running: g.running,
              meetingsInYear: g.meetingsInYear,
              lastMetOn: g.lastMetOn,
              notMetInThreeMonths: isQuiet(g, today()),
            },
          ]
        : []
    })
  }

  context.api.add({
    method: 'get',
    path: '/api/v1/groups',
    summary: 'Community groups with their details and health',
    tags: TAGS,
    response: z.object({ groups: z.array(groupJson) }),
  })
  app.get('/api/v1/groups', { config: { access: SIGNED_IN } }, async () => ({ groups: await groupsOut() }))

  context.api.add({
    method: 'get',
    path: '/api/v1/groups/{id}',
    summary: 'One community group',
    tags: TAGS,
    parameters: [{ name: 'id', in: 'path', description: 'The group’s id (its directory service)' }],
    response: groupJson,
  })
  app.get('/api/v1/groups/:id', { config: { access: SIGNED_IN } }, async (request) => {
    const { id } = request.params as { id: string }
    const [group] = isId(id) ? await groupsOut([id]) : []
    if (!group) throw notFound('No group has this id.')
    return group
  })

  context.api.add({
    method: 'post',
    path: '/api/v1/groups/{id}/meetings',
    summary: 'Record a meeting of a group you lead, facilitate or provide',
    tags: TAGS,
    parameters: [{ name: 'id', in: 'path', description: 'The group’s id' }],
    requestBody: meetingSchema,
    response: groupJson,
  })
  app.post('/api/v1/groups/:id/meetings', { config: { access: MEETINGS } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const user = request.user!
    const group = isId(id) ? await getGroupDetails(db, id, monthsBefore(today(), 12)) : undefined
    const service = group && (await getService(db, id))
    if (
      !group ||
      !service ||
      !(
        group.leaderUserId === user.id ||
        group.facilitatorUserId === user.id ||
        organisationsWhere(user, 'provider').includes(service.providerOrganisationId)
      )
    )
      throw notFound('No group of yours has this id.')
    const input = parseOrThrow(meetingSchema, request.body)
    if (input.metOn > today())
      throw badRequest('The day is in the future.', [
        { field: 'metOn', message: 'The day the group met must be today or in the past' },
      ])
    if (await meetingOn(db, id, input.metOn))
      throw badRequest('That meeting is already recorded.', [
        { field: 'metOn', message: 'A meeting on this day is already recorded' },
      ])
    await inTransaction(db, async (trx) => {
      await insertMeeting(trx, { serviceId: id, ...input, userId: user.id })
      await audit(trx, request.actor, { action: 'group-meeting.create', recordType: 'service', recordId: id })
    })
    const [out] = await groupsOut([id])
    return reply.status(201).send(out)
  })

  // CSV exports ------------------------------------------------------------------------------

  const csv = (name: string) => ({
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}-${today()}.csv"`,
    'cache-control': 'no-store',
  })

  app.get('/community/placements.csv', { config: { access: OFFICER } }, async (request, reply) => {
    const placements = await visiblePlacements(db, request.user!)
    const people = await readPersonSummaries(
      db,
      request.actor,
      placements.map((p) => p.personId),
      { export: 'placements' },
    )
    const services = new Map(
      (await getServices(db, [...new Set(placements.map((p) => p.opportunityId))])).map((s) => [s.id, s]),
    )
    const rows = placements.map((p) => {
      const person = people.find((x) => x.id === p.personId)
      const service = services.get(p.opportunityId)
      return [
        person ? `${person.givenName} ${person.familyName}` : '',
        service?.name ?? '',
        service?.providerName ?? '',
        p.status,
        p.proposedAt.slice(0, 10),
        p.introducedAt?.slice(0, 10) ?? '',
        p.startedAt?.slice(0, 10) ?? '',
        p.endedAt?.slice(0, 10) ?? '',
        p.endReason ?? '',
        p.supportingName ?? '',
        p.hours,
        p.confirmedHours,
        p.lastWorkedOn ?? '',
      ]
    })
    reply.headers(csv('placements'))
    return stringify(rows, {
      header: true,
      columns: [
        'person',
        'opportunity',
        'host',
        'status',
        'proposed',
        'introduced',
        'started',
        'ended',
        'end_reason',
        'supported_by',
        'hours',
        'hours_confirmed',
        'last_hours_on',
      ],
    })
  })

  app.get(
    '/community/groups.csv',
    { config: { access: rolesAccess('link_worker', 'programme_manager', 'provider') } },
    async (_request, reply) => {
      const groups = await groupsOut()
      reply.headers(csv('groups'))
      return stringify(
        groups.map((g) => [
          g.name,
          g.runBy,
          g.facilitatorName ?? '',
          g.meetingPattern,
          g.place,
          g.forNeed,
          g.members,
          g.openToNew ? 'yes' : 'no',
          g.running ? 'yes' : 'no',
          g.meetingsInYear,
          g.lastMetOn ?? '',
          g.notMetInThreeMonths ? 'yes' : 'no',
        ]),
        {
          header: true,
          columns: [
            'group',
            'run_by',
            'facilitator',
            'meets',
            'place',
            'for',
            'members',
            'open_to_new',
            'running',
            'meetings_last_year',
            'last_met_on',
            'not_met_in_three_months',
          ],
        },
      )
    },
  )
}
