// Signing in and out, the home page, the account page and the /api/v1/me endpoint.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { isId } from '../db/ids.ts'
import type { AppContext } from '../web/context.ts'
import { formatTime } from '../web/format.ts'
import { formErrors, parse } from '../web/forms.ts'
import { notFound } from '../web/problem.ts'
import { audit } from './audit.ts'
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.ts'
import { PUBLIC, SIGNED_IN } from './permissions.ts'
import { SESSION_COOKIE, sessionCookieOptions, sessionPolicy } from './plugin.ts'
import { ROLE_LABELS, ROLES, type Role } from './roles.ts'
import { createSession, endSession } from './sessions.ts'
import { clearAccountFailures, LOCK_MINUTES, recordSignInFailure, signInGate } from './sign-in-limits.ts'
import { findUserByEmail, recordSignIn, setUserPassword } from './store.ts'
import { createApiToken, listApiTokens, revokeApiToken } from './tokens.ts'
import { rolesOf } from './users.ts'

/** Only a path on this site: never `//elsewhere` or a full URL. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/'
}

const signInSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'Enter your email address')
    .email('Enter an email address in the correct format, like name@example.nhs.uk'),
  password: z.string().min(1, 'Enter your password'),
  next: z.string().optional(),
})

const ROLE_SUMMARIES: Record<Role, string> = {
  referrer:
    'Find a service, check whether someone fits it, refer them with their consent and follow each referral to its outcome.',
  link_worker:
    'See your caseload, book appointments, write care and support plans with people, prescribe activities, refer on and record outcomes.',
  provider:
    'Keep your services and their access criteria up to date, accept or decline referrals and record attendance.',
  programme_manager: "Set your programme's rules, accredit providers and services, and read what is working.",
  administrator: 'Manage organisations, user accounts and roles, and read the audit log.',
  kiosk:
    'A shared device in the waiting room where people record their own blood pressure, weight and height.',
}

const passwordSchema = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password'),
    newPassword: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `Enter a new password of at least ${MIN_PASSWORD_LENGTH} characters`),
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The passwords do not match',
  })

const tokenSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name for the token, such as the system that will use it')
    .max(100, 'Name must be 100 characters or fewer'),
})

const meResponse = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  organisations: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.string(),
      roles: z.array(z.object({ role: z.enum(ROLES), title: z.string().nullable() })),
    }),
  ),
})

export function accessRoutes(app: FastifyInstance, context: AppContext) {
  const { db, config } = context

  app.get('/sign-in', { config: { access: PUBLIC } }, async (request, reply) => {
    const query = request.query as { next?: string; ended?: string; signedOut?: string }
    if (request.user) return reply.redirect(safeNext(query.next), 303)
    return reply.view('access/views/sign-in.njk', {
      pageTitle: 'Sign in',
      values: { next: safeNext(query.next) },
      ended: query.ended === '1',
      signedOut: query.signedOut === '1',
    })
  })

  app.post(
    '/sign-in',
    { config: { access: PUBLIC, rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, string>
      const parsed = parse(signInSchema, body)
      const values = { email: body.email ?? '', next: safeNext(body.next) }
      const refuse = (message: string, status = 401) =>
        reply.status(status).view('access/views/sign-in.njk', {
          pageTitle: 'Sign in',
          values,
          errors: formErrors([{ field: 'email', message }]),
        })
      if (!parsed.ok) {
        return reply.status(400).view('access/views/sign-in.njk', {
          pageTitle: 'Sign in',
          values,
          errors: formErrors(parsed.problems),
        })
      }
      const { email, password } = parsed.value
      const gate = await signInGate(db, email, request.ip)
      if (!gate.allowed) {
        await audit(db, request.actor, { action: 'sign-in-refused', detail: { reason: 'locked' } })
        return refuse(
          `There have been too many failed attempts to sign in. For your security, signing in is paused until ${formatTime(gate.until)}. Try again then.`,
          429,
        )
      }
      const user = await findUserByEmail(db, email)
      const passwordMatches = await verifyPassword(password, user?.passwordHash)
      if (!user || !passwordMatches || user.active !== 1) {
        await recordSignInFailure(db, email, request.ip)
        await audit(db, request.actor, {
          action: 'sign-in-failed',
          ...(user ? { recordType: 'user', recordId: user.id } : {}),
        })
        return refuse(
          `Enter a correct email address and password. After 5 failed attempts, signing in is paused for ${LOCK_MINUTES} minutes.`,
        )
      }
      // A new session id at every sign-in; any session the browser had before is ended.
      const previous = request.cookies[SESSION_COOKIE]
      if (previous) await endSession(db, previous)
      const secret = await createSession(db, user.id, sessionPolicy(config))
      await clearAccountFailures(db, email)
      await recordSignIn(db, user.id)
      await audit(
        db,
        { userId: user.id, ip: request.ip },
        { action: 'sign-in', recordType: 'user', recordId: user.id },
      )
      reply.setCookie(SESSION_COOKIE, secret, sessionCookieOptions(config))
      return reply.redirect(values.next, 303)
    },
  )

  app.post('/sign-out', { config: { access: SIGNED_IN } }, async (request, reply) => {
    const secret = request.cookies[SESSION_COOKIE]
    if (secret) await endSession(db, secret)
    await audit(db, request.actor, { action: 'sign-out', recordType: 'user', recordId: request.user?.id })
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(config))
    return reply.redirect('/sign-in?signedOut=1', 303)
  })

  // Signed in: the home page of the user's roles. Not signed in: the public start page, which
  // leads to the directory, to self-referral and to signing in.
  app.get('/', { config: { access: PUBLIC } }, async (request, reply) => {
    const user = request.user
    if (!user) {
      const sections = []
      for (const section of [...context.startSections].sort((a, b) => a.order - b.order)) {
        const loaded = await section.load(db)
        if (loaded) sections.push(loaded)
      }
      return reply.view('access/views/start.njk', {
        pageTitle: 'Help from your community for your health and wellbeing',
        sections,
      })
    }
    const sections = rolesOf(user)
      .sort((a, b) => ROLES.indexOf(a) - ROLES.indexOf(b))
      .map((role) => ({
        role,
        heading: user.memberships.find((m) => m.role === role && m.title)?.title ?? ROLE_LABELS[role],
        organisations: user.memberships.filter((m) => m.role === role).map((m) => m.organisationName),
        summary: ROLE_SUMMARIES[role],
        cards: context.homeCards
          .filter((card) => card.roles.includes(role))
          .sort((a, b) => a.order - b.order),
      }))
    return reply.view('access/views/home.njk', { pageTitle: 'Home', sections })
  })

  async function accountPage(request: FastifyRequest, extra: Record<string, unknown> = {}) {
    const user = request.user!
    const tokens = await listApiTokens(db, user.id)
    return {
      pageTitle: 'Your account',
      memberships: user.memberships,
      tokens,
      roleLabels: ROLE_LABELS,
      ...extra,
    }
  }

  app.get('/account', { config: { access: SIGNED_IN } }, async (request, reply) => {
    return reply.view('access/views/account.njk', await accountPage(request))
  })

  app.post('/account/password', { config: { access: SIGNED_IN } }, async (request, reply) => {
    const user = request.user!
    const parsed = parse(passwordSchema, request.body ?? {})
    if (!parsed.ok) {
      return reply
        .status(400)
        .view('access/views/account.njk', await accountPage(request, { errors: formErrors(parsed.problems) }))
    }
    const stored = await findUserByEmail(db, user.email)
    if (!(await verifyPassword(parsed.value.currentPassword, stored?.passwordHash))) {
      return reply.status(400).view(
        'access/views/account.njk',
        await accountPage(request, {
          errors: formErrors([{ field: 'currentPassword', message: 'Your current password is not correct' }]),
        }),
      )
    }
    await setUserPassword(db, user.id, await hashPassword(parsed.value.newPassword))
    await audit(db, request.actor, { action: 'user.password-change', recordType: 'user', recordId: user.id })
    return reply.view(
      'access/views/account.njk',
      await accountPage(request, { flash: 'Your password has been changed.' }),
    )
  })

  app.post('/account/tokens', { config: { access: SIGNED_IN } }, async (request, reply) => {
    const user = request.user!
    const parsed = parse(tokenSchema, request.body ?? {})
    if (!parsed.ok) {
      return reply
        .status(400)
        .view('access/views/account.njk', await accountPage(request, { errors: formErrors(parsed.problems) }))
    }
    const created = await createApiToken(db, user.id, parsed.value.name)
    await audit(db, request.actor, {
      action: 'api-token.create',
      recordType: 'api-token',
      recordId: created.id,
    })
    return reply.view('access/views/account.njk', await accountPage(request, { newToken: created.token }))
  })

  app.post('/account/tokens/:id/revoke', { config: { access: SIGNED_IN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!isId(id) || !(await revokeApiToken(db, request.user!.id, id))) throw notFound()
    await audit(db, request.actor, { action: 'api-token.revoke', recordType: 'api-token', recordId: id })
    return reply.view(
      'access/views/account.njk',
      await accountPage(request, { flash: 'The token has been revoked.' }),
    )
  })

  context.api.add({
    method: 'get',
    path: '/api/v1/me',
    summary: 'The user the token belongs to, with their organisations and roles',
    tags: ['Access'],
    response: meResponse,
  })
  app.get('/api/v1/me', { config: { access: SIGNED_IN } }, async (request) => {
    const user = request.user!
    const organisations = new Map<string, z.infer<typeof meResponse>['organisations'][number]>()
    for (const m of user.memberships) {
      const entry = organisations.get(m.organisationId) ?? {
        id: m.organisationId,
        name: m.organisationName,
        kind: m.organisationKind,
        roles: [],
      }
      entry.roles.push({ role: m.role, title: m.title })
      organisations.set(m.organisationId, entry)
    }
    return { id: user.id, email: user.email, name: user.name, organisations: [...organisations.values()] }
  })
}
