// Group pages. Link workers record a group's details and the support they give it, and help
// people start new groups; a group's leader (with an account), its facilitator or its provider
// records its meetings; running groups not met in three months are flagged to their facilitator.

import type { FastifyInstance, FastifyReply } from 'fastify'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { findUserByEmail, getUser, usersWithRoleIn } from '../access/store.ts'
import type { CurrentUser } from '../access/users.ts'
import { organisationsWhere } from '../access/users.ts'
import { isId } from '../db/ids.ts'
import { inTransaction } from '../db/transactions.ts'
import { findServiceByName, getService, getServices, type ServiceSummary } from '../directory/index.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { dateFrom, type FormErrors, formErrors, parse } from '../web/forms.ts'
import { type FieldProblem, notFound } from '../web/problem.ts'
import {
  groupDetailsSchema,
  isQuiet,
  meetingSchema,
  monthsBefore,
  NEW_GROUP_STEPS,
  newGroupSchema,
  SUPPORT_LABELS,
  supportSchema,
} from './groups.ts'
import {
  allGroupDetails,
  type GroupDetails,
  getGroupDetails,
  getNewGroup,
  insertMeeting,
  insertSupport,
  listNewGroups,
  meetingOn,
  meetingsOf,
  saveGroupDetails,
  saveNewGroup,
  supportOf,
} from './groups-store.ts'

const VIEW = rolesAccess('link_worker', 'programme_manager', 'provider')
const LINK_WORKER = rolesAccess('link_worker')
const MEETINGS = rolesAccess('link_worker', 'provider')
const GROUP_KINDS = new Set(['activity_group', 'patient_led_group'])

type Body = Record<string, unknown>

export function groupRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  const today = () => londonDate(context.now())

  context.navigation.push({ text: 'Groups', href: '/community/groups', roles: ['link_worker'], order: 47 })
  context.homeCards.push({
    roles: ['link_worker', 'provider'],
    heading: 'Community groups',
    description:
      'Groups people run themselves: their health, the support they get, and new groups being started.',
    href: '/community/groups',
    order: 46,
  })

  /** The link workers of the user's organisations, as choices of a facilitator. */
  async function facilitatorItems(user: CurrentUser, chosen: unknown) {
    const ids = new Set<string>([user.id])
    for (const org of organisationsWhere(user, 'link_worker', 'programme_manager'))
      for (const id of await usersWithRoleIn(db, org, ['link_worker'])) ids.add(id)
    const people = []
    for (const id of ids) {
      const found = await getUser(db, id)
      if (found) people.push({ value: found.id, text: found.name, selected: chosen === found.id })
    }
    people.sort((a, b) => a.text.localeCompare(b.text))
    return [{ value: '', text: 'No one' }, ...people]
  }

  const mayRecordMeetings = (user: CurrentUser, group: GroupDetails, service: ServiceSummary) =>
    group.leaderUserId === user.id ||
    group.facilitatorUserId === user.id ||
    organisationsWhere(user, 'provider').includes(service.providerOrganisationId)

  // The list, with what needs attention -------------------------------------------------------

  app.get('/community/groups', { config: { access: VIEW } }, async (request, reply) => {
    const user = request.user!
    const groups = await allGroupDetails(db, monthsBefore(today(), 12))
    const services = new Map(
      (
        await getServices(
          db,
          groups.map((g) => g.serviceId),
        )
      ).map((s) => [s.id, s]),
    )
    const rows = groups.flatMap((g) => {
      const service = services.get(g.serviceId)
      return service
        ? [{ ...g, name: service.name, quiet: isQuiet(g, today()), href: `/community/groups/${g.serviceId}` }]
        : []
    })
    rows.sort((a, b) => a.name.localeCompare(b.name))
    const query = request.query as { problem?: string }
    return reply.view('community/views/groups.njk', {
      pageTitle: 'Community groups',
      rows,
      yours: rows.filter((r) => r.quiet && r.facilitatorUserId === user.id),
      linkWorker: organisationsWhere(user, 'link_worker').length > 0,
      ...(query.problem
        ? { errors: formErrors([{ field: 'name', message: 'No group in the directory has this name' }]) }
        : {}),
    })
  })

  app.post('/community/groups', { config: { access: LINK_WORKER } }, async (request, reply) => {
    const { name } = (request.body ?? {}) as { name?: string }
    const service = name?.trim() ? await findServiceByName(db, name.trim()) : undefined
    if (!service || !GROUP_KINDS.has(service.kind))
      return reply.redirect('/community/groups?problem=name', 303)
    return reply.redirect(`/community/groups/${service.id}`, 303)
  })

  // One group --------------------------------------------------------------------------------

  async function groupOf(id: string) {
    const service = isId(id) ? await getService(db, id) : undefined
    if (!service || !GROUP_KINDS.has(service.kind)) throw notFound('There is no group here.')
    return { service, group: await getGroupDetails(db, id, monthsBefore(today(), 12)) }
  }

  async function groupView(
    user: CurrentUser,
    id: string,
    extra: { errors?: FormErrors; values?: Body; flash?: string } = {},
  ) {
    const { service, group } = await groupOf(id)
    const values: Body = extra.values ?? {
      runBy: group?.runBy ?? (service.kind === 'patient_led_group' ? 'members' : 'facilitator'),
      facilitatorUserId: group?.facilitatorUserId ?? '',
      leaderEmail: group?.leaderEmail ?? '',
      meetingPattern: group?.meetingPattern ?? '',
      place: group?.place ?? '',
      contact: group?.contact ?? '',
      forNeed: group?.forNeed ?? '',
      members: group ? String(group.members) : '',
      openToNew: group ? (group.openToNew ? 'yes' : 'no') : 'yes',
      running: group ? (group.running ? 'yes' : 'no') : 'yes',
    }
    const yesNo = (name: string) =>
      ['yes', 'no'].map((v) => ({ value: v, text: v === 'yes' ? 'Yes' : 'No', checked: values[name] === v }))
    return {
      pageTitle: service.name,
      back: { href: '/community/groups', text: 'Community groups' },
      service,
      group,
      quiet: group ? isQuiet(group, today()) : false,
      support: await supportOf(db, id),
      meetings: await meetingsOf(db, id),
      supportLabels: SUPPORT_LABELS,
      supportItems: Object.entries(SUPPORT_LABELS).map(([value, text]) => ({
        value,
        text,
        checked: values.kind === value,
      })),
      runByItems: [
        { value: 'members', text: 'Its members (patient-led)', checked: values.runBy === 'members' },
        { value: 'facilitator', text: 'A facilitator', checked: values.runBy === 'facilitator' },
      ],
      openItems: yesNo('openToNew'),
      runningItems: yesNo('running'),
      facilitators: await facilitatorItems(user, values.facilitatorUserId),
      linkWorker: organisationsWhere(user, 'link_worker').length > 0,
      mayRecord: group ? mayRecordMeetings(user, group, service) : false,
      values,
      errors: extra.errors,
      flash: extra.flash,
    }
  }

  const FLASHES: Record<string, string> = {
    details: 'The group’s details are saved.',
    support: 'The support is recorded.',
    meeting: 'The meeting is recorded.',
  }

  async function showErrors(
    reply: FastifyReply,
    user: CurrentUser,
    id: string,
    problems: FieldProblem[],
    values: Body,
  ) {
    return reply
      .status(400)
      .view('community/views/group.njk', await groupView(user, id, { errors: formErrors(problems), values }))
  }

  app.get('/community/groups/:id', { config: { access: VIEW } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const saved = (request.query as { saved?: string }).saved
    return reply.view(
      'community/views/group.njk',
      await groupView(request.user!, id, { flash: saved ? FLASHES[saved] : undefined }),
    )
  })

  app.post('/community/groups/:id/details', { config: { access: LINK_WORKER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const { group } = await groupOf(id)
    const body = (request.body ?? {}) as Body
    const parsed = parse(groupDetailsSchema, body)
    const problems = parsed.ok ? [] : parsed.problems
    let leaderUserId: string | null = null
    if (parsed.ok && parsed.value.leaderEmail) {
      const leader = await findUserByEmail(db, parsed.value.leaderEmail)
      if (leader) leaderUserId = leader.id
      else
        problems.push({ field: 'leaderEmail', message: 'No one with a Kith account has this email address' })
    }
    const facilitators = await facilitatorItems(request.user!, body.facilitatorUserId)
    if (
      parsed.ok &&
      parsed.value.facilitatorUserId &&
      !facilitators.some((f) => f.value === parsed.value.facilitatorUserId)
    )
      problems.push({ field: 'facilitatorUserId', message: 'Choose a facilitator from the list' })
    if (!parsed.ok || problems.length > 0) return showErrors(reply, request.user!, id, problems, body)
    await inTransaction(db, async (trx) => {
      await saveGroupDetails(trx, {
        serviceId: id,
        runBy: parsed.value.runBy,
        facilitatorUserId: parsed.value.facilitatorUserId || null,
        leaderUserId,
        meetingPattern: parsed.value.meetingPattern,
        place: parsed.value.place,
        contact: parsed.value.contact,
        forNeed: parsed.value.forNeed,
        members: parsed.value.members,
        openToNew: parsed.value.openToNew === 'yes',
        running: parsed.value.running === 'yes',
        recordedOn: group?.recordedOn ?? today(),
      })
      await audit(trx, request.actor, { action: 'group.update', recordType: 'service', recordId: id })
    })
    return reply.redirect(`/community/groups/${id}?saved=details`, 303)
  })

  app.post('/community/groups/:id/support', { config: { access: LINK_WORKER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    await groupOf(id)
    const body = (request.body ?? {}) as Body
    const parsed = parse(supportSchema, { ...body, givenOn: dateFrom(body, 'givenOn') })
    const problems = parsed.ok ? [] : parsed.problems
    if (parsed.ok && parsed.value.givenOn > today())
      problems.push({ field: 'givenOn', message: 'The day must be today or in the past' })
    if (!parsed.ok || problems.length > 0) return showErrors(reply, request.user!, id, problems, body)
    await inTransaction(db, async (trx) => {
      await insertSupport(trx, { serviceId: id, ...parsed.value, userId: request.user!.id })
      await audit(trx, request.actor, { action: 'group-support.create', recordType: 'service', recordId: id })
    })
    return reply.redirect(`/community/groups/${id}?saved=support`, 303)
  })

  app.post('/community/groups/:id/meetings', { config: { access: MEETINGS } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const { service, group } = await groupOf(id)
    if (!group || !mayRecordMeetings(request.user!, group, service))
      throw notFound('There is no group of yours here.')
    const body = (request.body ?? {}) as Body
    const parsed = parse(meetingSchema, { ...body, metOn: dateFrom(body, 'metOn') })
    const problems = parsed.ok ? [] : parsed.problems
    if (parsed.ok && parsed.value.metOn > today())
      problems.push({ field: 'metOn', message: 'The day the group met must be today or in the past' })
    else if (parsed.ok && (await meetingOn(db, id, parsed.value.metOn)))
      problems.push({ field: 'metOn', message: 'A meeting on this day is already recorded' })
    if (!parsed.ok || problems.length > 0) return showErrors(reply, request.user!, id, problems, body)
    await inTransaction(db, async (trx) => {
      await insertMeeting(trx, { serviceId: id, ...parsed.value, userId: request.user!.id })
      await audit(trx, request.actor, { action: 'group-meeting.create', recordType: 'service', recordId: id })
    })
    return reply.redirect(`/community/groups/${id}?saved=meeting`, 303)
  })

  // Starting a new group ----------------------------------------------------------------------

  const NEW_GROUP_FORM = { access: LINK_WORKER, listFields: ['stepsDone'] }

  async function newGroupView(user: CurrentUser, values: Body, extra: Record<string, unknown> = {}) {
    const done = Array.isArray(values.stepsDone) ? values.stepsDone : []
    return {
      values,
      stepItems: NEW_GROUP_STEPS.map(([value, text]) => ({ value, text, checked: done.includes(value) })),
      facilitators: await facilitatorItems(user, values.facilitatorUserId),
      ...extra,
    }
  }

  function newGroupInput(body: Body) {
    return parse(newGroupSchema, { ...body, firstMeetingOn: dateFrom(body, 'firstMeetingOn') })
  }

  app.get('/community/new-groups', { config: { access: LINK_WORKER } }, async (request, reply) => {
    const groups = await listNewGroups(db)
    return reply.view('community/views/new-groups.njk', {
      pageTitle: 'Starting new groups',
      back: { href: '/community/groups', text: 'Community groups' },
      groups: groups.map((g) => ({ ...g, of: NEW_GROUP_STEPS.length })),
      action: '/community/new-groups',
      ...(await newGroupView(request.user!, { interested: '0' })),
    })
  })

  /** A new group's form, with its facilitator checked against those offered (a made-up id is refused). */
  async function parseNewGroup(user: CurrentUser, body: Body) {
    const parsed = newGroupInput(body)
    if (!parsed.ok || !parsed.value.facilitatorUserId) return parsed
    const facilitators = await facilitatorItems(user, body.facilitatorUserId)
    return facilitators.some((f) => f.value === parsed.value.facilitatorUserId)
      ? parsed
      : {
          ok: false as const,
          problems: [{ field: 'facilitatorUserId', message: 'Choose a facilitator from the list' }],
        }
  }

  app.post('/community/new-groups', { config: NEW_GROUP_FORM }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const parsed = await parseNewGroup(request.user!, body)
    if (!parsed.ok)
      return reply.status(400).view('community/views/new-groups.njk', {
        pageTitle: 'Starting new groups',
        groups: [],
        action: '/community/new-groups',
        ...(await newGroupView(request.user!, body, { errors: formErrors(parsed.problems) })),
      })
    const id = await inTransaction(db, async (trx) => {
      const created = await saveNewGroup(
        trx,
        {
          ...parsed.value,
          facilitatorUserId: parsed.value.facilitatorUserId || null,
          firstMeetingOn: parsed.value.firstMeetingOn || null,
        },
        request.user!.id,
      )
      await audit(trx, request.actor, {
        action: 'new-group.create',
        recordType: 'new-group',
        recordId: created,
      })
      return created
    })
    return reply.redirect(`/community/new-groups/${id}`, 303)
  })

  async function newGroupOf(id: string) {
    const found = isId(id) ? await getNewGroup(db, id) : undefined
    if (!found) throw notFound('There is no such new group.')
    return found
  }

  app.get('/community/new-groups/:id', { config: { access: LINK_WORKER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const group = await newGroupOf(id)
    return reply.view('community/views/new-group.njk', {
      pageTitle: group.name,
      back: { href: '/community/new-groups', text: 'Starting new groups' },
      action: `/community/new-groups/${id}`,
      group,
      ...(await newGroupView(request.user!, {
        ...group,
        interested: String(group.interested),
        'firstMeetingOn-day': group.firstMeetingOn?.slice(8, 10) ?? '',
        'firstMeetingOn-month': group.firstMeetingOn?.slice(5, 7) ?? '',
        'firstMeetingOn-year': group.firstMeetingOn?.slice(0, 4) ?? '',
      })),
    })
  })

  app.post('/community/new-groups/:id', { config: NEW_GROUP_FORM }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const group = await newGroupOf(id)
    const body = (request.body ?? {}) as Body
    const parsed = await parseNewGroup(request.user!, body)
    if (!parsed.ok)
      return reply.status(400).view('community/views/new-group.njk', {
        pageTitle: group.name,
        action: `/community/new-groups/${id}`,
        group,
        ...(await newGroupView(request.user!, body, { errors: formErrors(parsed.problems) })),
      })
    await inTransaction(db, async (trx) => {
      await saveNewGroup(
        trx,
        {
          ...parsed.value,
          facilitatorUserId: parsed.value.facilitatorUserId || null,
          firstMeetingOn: parsed.value.firstMeetingOn || null,
        },
        request.user!.id,
        id,
      )
      await audit(trx, request.actor, { action: 'new-group.update', recordType: 'new-group', recordId: id })
    })
    return reply.redirect(`/community/new-groups/${id}`, 303)
  })
}
