// A programme manager's team, with no administrator: they invite staff by email into their own
// organisation (or referrers into the practices their programmes cover), and change or remove
// the roles of their organisation's members. The invited person accepts on a public page, setting
// their own name and password. Every change is audited.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { isId } from '../db/ids.ts'
import { notify } from '../interop/notifications.ts'
import { getProgramme, programmesManagedBy } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors, parse } from '../web/forms.ts'
import { type FieldProblem, notFound } from '../web/problem.ts'
import { audit } from './audit.ts'
import {
  createInvitation,
  getInvitation,
  INVITATION_DAYS,
  type Invitation,
  invitationByToken,
  invitationsTo,
  markAccepted,
  markWithdrawn,
  pendingInvitation,
  stateOf,
} from './invitations.ts'
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords.ts'
import { PUBLIC, rolesAccess } from './permissions.ts'
import { SESSION_COOKIE, sessionCookieOptions, sessionPolicy } from './plugin.ts'
import { ROLE_LABELS, type Role } from './roles.ts'
import { createSession } from './sessions.ts'
import {
  addMembership,
  changeMembership,
  createUser,
  findUserByEmail,
  getMembership,
  getOrganisation,
  membershipsOf,
  membersOf,
  removeMembership,
  setNameAndPassword,
} from './store.ts'
import { organisationsWhere } from './users.ts'

const MANAGE = rolesAccess('programme_manager')

/** The roles a manager gives in their own organisation: never administrator or kiosk. */
const TEAM_ROLES = ['referrer', 'link_worker', 'provider', 'programme_manager'] as const satisfies Role[]
type TeamRole = (typeof TEAM_ROLES)[number]
const isTeamRole = (value: unknown): value is TeamRole =>
  typeof value === 'string' && (TEAM_ROLES as readonly string[]).includes(value)

type Body = Record<string, unknown>
const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

const emailSchema = z
  .string()
  .trim()
  .min(1, 'Enter their email address')
  .max(254, 'The email address must be 254 characters or fewer')
  .email('Enter an email address in the correct format, like name@example.nhs.uk')

const acceptSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'Enter your full name')
      .max(200, 'Your name must be 200 characters or fewer'),
    newPassword: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `Enter a password of at least ${MIN_PASSWORD_LENGTH} characters`)
      .max(200, 'Your password must be 200 characters or fewer'),
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The passwords do not match',
  })

const FLASHES: Record<string, string> = {
  invited: 'The invitation has been sent. It can be used once, within 7 days.',
  given: 'They already have a Kith account: the role has been given to them.',
  changed: 'The role has been changed.',
  removed: 'The role has been removed.',
  withdrawn: 'The invitation has been withdrawn.',
}

export function teamRoutes(app: FastifyInstance, context: AppContext) {
  const { db, config } = context

  context.navigation.push({ text: 'Your team', href: '/team', roles: ['programme_manager'], order: 45 })
  context.homeCards.push({
    roles: ['programme_manager'],
    heading: 'Your team',
    description: 'Invite link workers, referrers and other staff by email, and change or remove their roles.',
    href: '/team',
    order: 12,
  })

  /**
   * Where the manager may invite people: their own organisations, in any team role, and the
   * practices their programmes cover, as referrers (a GP at a new practice).
   */
  async function invitePlaces(request: FastifyRequest) {
    const user = request.user!
    const own = []
    for (const id of organisationsWhere(user, 'programme_manager')) {
      const organisation = await getOrganisation(db, id)
      if (organisation) own.push({ id, name: organisation.name })
    }
    const practices = new Map<string, string>()
    for (const summary of await programmesManagedBy(db, user)) {
      if (summary.retiredAt) continue
      const programme = await getProgramme(db, summary.id)
      for (const practice of programme?.practices ?? []) practices.set(practice.organisationId, practice.name)
    }
    for (const organisation of own) practices.delete(organisation.id)
    return {
      own,
      practices: [...practices]
        .map(([id, name]) => ({ id, name }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }
  }

  async function teamPage(
    request: FastifyRequest,
    reply: FastifyReply,
    values: Body,
    problems?: FieldProblem[],
  ) {
    const places = await invitePlaces(request)
    const own = places.own.map((o) => o.id)
    const now = context.now()
    const members = (await membersOf(db, own))
      .filter((m) => m.role !== 'kiosk')
      .map((m) => ({
        ...m,
        roleLabel: ROLE_LABELS[m.role],
        // Someone invited who has not yet accepted has no password: shown among the invitations.
        pending: m.passwordHash === null,
        mayChange: m.role !== 'administrator' && m.userId !== request.user!.id,
      }))
      .filter((m) => !m.pending)
    const invitations = (await invitationsTo(db, [...own, ...places.practices.map((p) => p.id)])).map(
      (i: Invitation) => ({
        ...i,
        roleLabel: ROLE_LABELS[i.role],
        state: stateOf(i, now),
      }),
    )
    const organisationId = text(values.organisationId) || places.own[0]?.id
    return reply.status(problems ? 400 : 200).view('access/views/team.njk', {
      pageTitle: 'Your team',
      members,
      invitations: invitations.filter((i) => i.state !== 'accepted').slice(0, 50),
      values: { ...values, organisationId },
      organisations: [
        ...places.own.map((o) => ({ value: o.id, text: o.name, selected: o.id === organisationId })),
        ...places.practices.map((p) => ({
          value: p.id,
          text: `${p.name} (referrers only)`,
          selected: p.id === organisationId,
        })),
      ],
      roles: TEAM_ROLES.map((role) => ({
        value: role,
        text: ROLE_LABELS[role],
        checked: values.role === role,
      })),
      flash: FLASHES[text((request.query as { done?: string }).done)],
      ...(problems ? { errors: formErrors(problems) } : {}),
    })
  }

  app.get('/team', { config: { access: MANAGE } }, async (request, reply) => teamPage(request, reply, {}))

  app.post('/team/invitations', { config: { access: MANAGE } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const problems: FieldProblem[] = []
    const places = await invitePlaces(request)
    const organisationId = text(body.organisationId)
    const own = places.own.some((o) => o.id === organisationId)
    const practice = places.practices.some((p) => p.id === organisationId)
    if (!own && !practice)
      problems.push({ field: 'organisationId', message: 'Select the organisation they will work in' })
    const email = parse(z.object({ email: emailSchema }), { email: text(body.email) })
    if (!email.ok) problems.push(...email.problems)
    const role = body.role
    if (!isTeamRole(role)) problems.push({ field: 'role', message: 'Select their role' })
    else if (practice && role !== 'referrer')
      problems.push({
        field: 'role',
        message: 'At a practice your programme covers, you can invite referrers only',
      })
    const title = text(body.title)
    if (title.length > 100)
      problems.push({ field: 'title', message: 'The title must be 100 characters or fewer' })
    if (problems.length > 0 || !email.ok || !isTeamRole(role)) return teamPage(request, reply, body, problems)
    const address = email.value.email.toLowerCase()
    const now = context.now()
    const chosenTitle = role === 'link_worker' && title !== '' ? title : null
    const existing = await findUserByEmail(db, address)
    const refuse = (message: string) => teamPage(request, reply, body, [{ field: 'email', message }])
    if (existing && existing.active !== 1)
      return refuse('The Kith account with this email address is closed: ask your Kith administrator')
    if (existing?.passwordHash) {
      // Someone already in Kith: the manager gives the role in their organisation at once.
      const members = await membersOf(db, [organisationId])
      if (members.some((m) => m.userId === existing.id && m.role === role))
        return refuse(`${existing.name} already has the ${ROLE_LABELS[role].toLowerCase()} role here`)
      await db.transaction().execute(async (trx) => {
        await addMembership(trx, { userId: existing.id, organisationId, role, title: chosenTitle })
        await audit(trx, request.actor, {
          action: 'membership.add',
          recordType: 'user',
          recordId: existing.id,
          detail: { organisationId, role, by: 'programme_manager' },
        })
        const organisation = await getOrganisation(trx, organisationId)
        await notify(
          trx,
          {
            userId: existing.id,
            kind: 'team.role-given',
            subject: 'You have a new role in Kith',
            body: `You have been given the ${ROLE_LABELS[role].toLowerCase()} role at ${organisation?.name ?? 'an organisation'}.`,
            link: '/account',
          },
          now,
        )
      })
      return reply.redirect('/team?done=given', 303)
    }
    // An account with no password and roles is a device (a kiosk): never one to invite.
    if (existing && (await membershipsOf(db, [existing.id])).length > 0)
      return refuse('This email address belongs to a Kith account that cannot be invited')
    if (existing && (await pendingInvitation(db, existing.id, organisationId, now)))
      return refuse('This email address already has an invitation waiting: withdraw it first to send another')
    await db.transaction().execute(async (trx) => {
      // The account is made now, with no password, so the notifications outbox can reach it.
      const userId =
        existing?.id ?? (await createUser(trx, { email: address, name: address, passwordHash: null }))
      const invitation = await createInvitation(
        trx,
        { userId, organisationId, role, title: chosenTitle, invitedBy: request.user!.id },
        now,
      )
      const organisation = await getOrganisation(trx, organisationId)
      await notify(
        trx,
        {
          userId,
          kind: 'team.invitation',
          subject: 'You are invited to Kith',
          body: `${organisation?.name ?? 'An organisation'} invites you to join Kith as a ${(chosenTitle ?? ROLE_LABELS[role]).toLowerCase()}. Open the link within ${INVITATION_DAYS} days to set your name and password. It works once.`,
          link: `/invitations/${invitation.token}`,
        },
        now,
      )
      await audit(trx, request.actor, {
        action: 'invitation.create',
        recordType: 'user',
        recordId: userId,
        detail: { invitationId: invitation.id, organisationId, role },
      })
    })
    return reply.redirect('/team?done=invited', 303)
  })

  /** An invitation the manager sent to a place they may invite to, or 404. */
  async function invitationFor(request: FastifyRequest) {
    const { id } = request.params as { id: string }
    const invitation = isId(id) ? await getInvitation(db, id) : undefined
    const places = await invitePlaces(request)
    const ids = [...places.own, ...places.practices].map((o) => o.id)
    if (!invitation || !ids.includes(invitation.organisationId)) throw notFound()
    return invitation
  }

  app.post('/team/invitations/:id/withdraw', { config: { access: MANAGE } }, async (request, reply) => {
    const invitation = await invitationFor(request)
    await db.transaction().execute(async (trx) => {
      if (await markWithdrawn(trx, invitation.id, context.now()))
        await audit(trx, request.actor, {
          action: 'invitation.withdraw',
          recordType: 'user',
          recordId: invitation.userId,
          detail: { invitationId: invitation.id },
        })
    })
    return reply.redirect('/team?done=withdrawn', 303)
  })

  /** A membership of the manager's own organisation that they may change: not their own, not an administrator's. */
  async function memberFor(request: FastifyRequest) {
    const { id } = request.params as { id: string }
    const membership = isId(id) ? await getMembership(db, id) : undefined
    if (
      !membership ||
      !organisationsWhere(request.user!, 'programme_manager').includes(membership.organisationId) ||
      membership.role === 'administrator' ||
      membership.role === 'kiosk' ||
      membership.userId === request.user!.id
    )
      throw notFound()
    return membership
  }

  async function memberPage(
    reply: FastifyReply,
    membership: NonNullable<Awaited<ReturnType<typeof getMembership>>>,
    values: Body,
    problems?: FieldProblem[],
  ) {
    const organisation = await getOrganisation(db, membership.organisationId)
    return reply.status(problems ? 400 : 200).view('access/views/team-member.njk', {
      pageTitle: `Change the role of ${membership.name}`,
      membership,
      organisationName: organisation?.name,
      values,
      roles: TEAM_ROLES.map((role) => ({
        value: role,
        text: ROLE_LABELS[role],
        checked: values.role === role,
      })),
      back: { href: '/team', text: 'Your team' },
      ...(problems ? { errors: formErrors(problems) } : {}),
    })
  }

  app.get('/team/members/:id', { config: { access: MANAGE } }, async (request, reply) => {
    const membership = await memberFor(request)
    return memberPage(reply, membership, { role: membership.role, title: membership.title ?? '' })
  })

  app.post('/team/members/:id', { config: { access: MANAGE } }, async (request, reply) => {
    const membership = await memberFor(request)
    const body = (request.body ?? {}) as Body
    const role = body.role
    const title = text(body.title)
    const problems: FieldProblem[] = []
    if (!isTeamRole(role)) problems.push({ field: 'role', message: 'Select their role' })
    if (title.length > 100)
      problems.push({ field: 'title', message: 'The title must be 100 characters or fewer' })
    if (!isTeamRole(role) || problems.length > 0) return memberPage(reply, membership, body, problems)
    const members = await membersOf(db, [membership.organisationId])
    if (role !== membership.role && members.some((m) => m.userId === membership.userId && m.role === role))
      return memberPage(reply, membership, body, [
        { field: 'role', message: `${membership.name} already has this role here` },
      ])
    await db.transaction().execute(async (trx) => {
      await changeMembership(trx, membership.id, {
        role,
        title: role === 'link_worker' && title !== '' ? title : null,
      })
      await audit(trx, request.actor, {
        action: 'membership.change',
        recordType: 'user',
        recordId: membership.userId,
        detail: { organisationId: membership.organisationId, from: membership.role, to: role },
      })
    })
    return reply.redirect('/team?done=changed', 303)
  })

  app.post('/team/members/:id/remove', { config: { access: MANAGE } }, async (request, reply) => {
    const membership = await memberFor(request)
    await db.transaction().execute(async (trx) => {
      await removeMembership(trx, membership.userId, membership.id)
      await audit(trx, request.actor, {
        action: 'membership.remove',
        recordType: 'user',
        recordId: membership.userId,
        detail: { organisationId: membership.organisationId, role: membership.role },
      })
    })
    return reply.redirect('/team?done=removed', 303)
  })

  // Accepting an invitation: public, reached by the link in the email. The token is in the path,
  // which request logs leave out (they log the route pattern).
  async function invitationOr410(reply: FastifyReply, token: string) {
    const invitation = await invitationByToken(db, token)
    const state = invitation ? stateOf(invitation, context.now()) : undefined
    if (invitation && state === 'pending') return { invitation }
    const message =
      state === 'accepted'
        ? 'This invitation has already been used. Sign in with the password you set.'
        : state === 'expired'
          ? 'This invitation has expired. Ask whoever invited you to send a new one.'
          : state === 'withdrawn'
            ? 'This invitation has been withdrawn. Ask whoever invited you if you should have another.'
            : 'This invitation link is not right. Check you copied all of it, or ask for a new invitation.'
    return {
      page: reply.status(state ? 410 : 404).view('access/views/invitation-unusable.njk', {
        pageTitle: 'Error: this invitation cannot be used',
        message,
      }),
    }
  }

  async function acceptPage(
    reply: FastifyReply,
    invitation: Invitation,
    token: string,
    values: Body,
    problems?: FieldProblem[],
  ) {
    return reply.status(problems ? 400 : 200).view('access/views/invitation.njk', {
      pageTitle: 'Accept your invitation',
      invitation,
      roleLabel: (invitation.title ?? ROLE_LABELS[invitation.role]).toLowerCase(),
      action: `/invitations/${token}`,
      values,
      minLength: MIN_PASSWORD_LENGTH,
      ...(problems ? { errors: formErrors(problems) } : {}),
    })
  }

  app.get('/invitations/:token', { config: { access: PUBLIC } }, async (request, reply) => {
    const { token } = request.params as { token: string }
    const found = await invitationOr410(reply, token)
    if ('page' in found) return found.page
    return acceptPage(reply, found.invitation, token, {})
  })

  app.post(
    '/invitations/:token',
    { config: { access: PUBLIC, rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const { token } = request.params as { token: string }
      const found = await invitationOr410(reply, token)
      if ('page' in found) return found.page
      const { invitation } = found
      const body = (request.body ?? {}) as Body
      const parsed = parse(acceptSchema, {
        name: text(body.name),
        newPassword: typeof body.newPassword === 'string' ? body.newPassword : '',
        confirmPassword: typeof body.confirmPassword === 'string' ? body.confirmPassword : '',
      })
      if (!parsed.ok) return acceptPage(reply, invitation, token, { name: body.name }, parsed.problems)
      const passwordHash = await hashPassword(parsed.value.newPassword)
      const now = context.now()
      const accepted = await db.transaction().execute(async (trx) => {
        // The update is the check: of two requests with one link, one accepts it.
        if (!(await markAccepted(trx, invitation.id, now))) return false
        await setNameAndPassword(trx, invitation.userId, parsed.value.name, passwordHash)
        await addMembership(trx, {
          userId: invitation.userId,
          organisationId: invitation.organisationId,
          role: invitation.role,
          title: invitation.title,
        })
        await audit(
          trx,
          { userId: invitation.userId, ip: request.ip },
          {
            action: 'invitation.accept',
            recordType: 'user',
            recordId: invitation.userId,
            detail: {
              invitationId: invitation.id,
              organisationId: invitation.organisationId,
              role: invitation.role,
            },
          },
        )
        return true
      })
      if (!accepted) {
        const again = await invitationOr410(reply, token)
        return 'page' in again ? again.page : reply.redirect(`/invitations/${token}`, 303)
      }
      // Signed in straight away, with a new session.
      const secret = await createSession(db, invitation.userId, sessionPolicy(config))
      reply.setCookie(SESSION_COOKIE, secret, sessionCookieOptions(config))
      return reply.redirect('/?welcome=1', 303)
    },
  )
}
