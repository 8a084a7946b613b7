// Who is asking, and may they? Resolves the session cookie (pages) or the bearer token (API),
// then applies the route's access declaration before any body is read. State-changing page
// requests must also carry the form's CSRF token.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.ts'
import type { Db } from '../db/schema.ts'
import { isApiPath } from '../web/paths.ts'
import { forbidden, Problem, unauthorised } from '../web/problem.ts'
import type { Actor } from './audit.ts'
import { decide } from './permissions.ts'
import { resumeSession, type SessionPolicy } from './sessions.ts'
import { loadCurrentUser } from './store.ts'
import { userForToken } from './tokens.ts'
import type { CurrentUser } from './users.ts'

export const SESSION_COOKIE = 'kith_session'

declare module 'fastify' {
  interface FastifyRequest {
    user: CurrentUser | null
    /** Who is acting and from where, for the audit log. */
    actor: Actor
  }
}

export function sessionPolicy(config: Config): SessionPolicy {
  return { idleMinutes: config.sessionIdleMinutes, maxHours: config.sessionMaxHours }
}

export function sessionCookieOptions(config: Config) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    // Browsers accept Secure cookies from http://localhost, so only development on other hosts needs them off.
    secure: config.env !== 'development',
  }
}

/**
 * Looks up bearer tokens, sharing a lookup between requests that carry the same token while it is
 * in flight. An integration sends many requests at once with one token; each would otherwise ask
 * the database the same question at the same moment. A request that joins a lookup gets the answer
 * the database gave during it, as it would have by asking then: a revocation committed after the
 * lookup began is seen by the next one. Each request gets its own copy of the user.
 */
function tokenLookups(db: Db) {
  const inFlight = new Map<string, Promise<CurrentUser | undefined>>()
  return async (token: string): Promise<CurrentUser | undefined> => {
    let lookup = inFlight.get(token)
    if (!lookup) {
      lookup = userForToken(db, token).finally(() => inFlight.delete(token))
      inFlight.set(token, lookup)
    }
    const user = await lookup
    return user && { ...user, memberships: user.memberships.map((m) => ({ ...m })) }
  }
}

async function identify(
  db: Db,
  config: Config,
  request: FastifyRequest,
  reply: FastifyReply,
  userFor: (token: string) => Promise<CurrentUser | undefined>,
) {
  if (isApiPath(request.url)) {
    const header = request.headers.authorization
    const match = header?.match(/^Bearer\s+(\S+)$/i)
    if (!match?.[1]) return null
    return (await userFor(match[1])) ?? null
  }
  const secret = request.cookies[SESSION_COOKIE]
  if (!secret) return null
  const userId = await resumeSession(db, secret, sessionPolicy(config))
  const user = userId ? await loadCurrentUser(db, userId) : undefined
  if (!user) {
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(config))
    request.sessionEnded = true
    return null
  }
  return user
}

declare module 'fastify' {
  interface FastifyRequest {
    /** True when the request carried a session that has since ended. */
    sessionEnded?: boolean
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

async function authentication(app: FastifyInstance, options: { db: Db; config: Config }) {
  const { db, config } = options
  app.decorateRequest('user', null)
  app.decorateRequest('actor', {
    getter(this: FastifyRequest): Actor {
      return { userId: this.user?.id ?? null, ip: this.ip }
    },
  })

  const userForBearer = tokenLookups(db)
  app.addHook('onRequest', async (request, reply) => {
    request.user = await identify(db, config, request, reply, userForBearer)
    if (request.is404) return
    const decision = decide(request.routeOptions.config.access, request.user)
    if (decision === 'allow') return
    if (decision === 'forbid') throw request.user ? forbidden() : new Problem(404, 'Not found')
    if (isApiPath(request.url)) throw unauthorised('Send a valid API token: Authorization: Bearer <token>.')
    if (request.method === 'GET' || request.method === 'HEAD') {
      const next = encodeURIComponent(request.url)
      return reply.redirect(`/sign-in?next=${next}${request.sessionEnded ? '&ended=1' : ''}`, 303)
    }
    throw unauthorised(
      request.sessionEnded
        ? 'Your session ended, so nothing was saved. Sign in and try again.'
        : 'Sign in to continue. Nothing was saved.',
    )
  })

  app.addHook('preHandler', (request, reply, done) => {
    if (!UNSAFE_METHODS.has(request.method) || isApiPath(request.url)) return done()
    app.csrfProtection(request, reply, done)
  })
}

export default fp(authentication, {
  name: 'kith-authentication',
  dependencies: ['@fastify/cookie', '@fastify/csrf-protection'],
})
