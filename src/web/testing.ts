// Helpers for route tests: the real app on a test database, a client that keeps cookies and
// sends CSRF tokens like a browser, and one-line factories for accounts.

import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { hashPassword } from '../access/passwords.ts'
import { SESSION_COOKIE } from '../access/plugin.ts'
import type { OrganisationKind, Role } from '../access/roles.ts'
import { createSession } from '../access/sessions.ts'
import { addMembership, createOrganisation, createUser } from '../access/store.ts'
import { buildApp } from '../app.ts'
import type { Config } from '../config.ts'
import type { Db } from '../db/schema.ts'

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    env: 'test',
    port: 0,
    host: '127.0.0.1',
    dataDir: '/nonexistent',
    databaseUrl: undefined,
    sqliteFile: ':memory:',
    sessionSecret: 'a-test-secret-that-is-at-least-32-characters-long',
    sessionIdleMinutes: 30,
    sessionMaxHours: 12,
    publicUrl: 'http://kith.test',
    logLevel: 'silent',
    notifyApiKey: undefined,
    scheduler: false,
    ...overrides,
  }
}

export async function testApp(
  db: Db,
  overrides: Partial<Config> = {},
  now?: () => Date,
): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(overrides), { db, ...(now ? { now } : {}) })
  await app.ready()
  return app
}

export interface TestAccount {
  userId: string
  organisationId: string
  email: string
  password: string
}

/** An organisation with no parent or postcode: a practice when given an ODS code. */
export function createTestOrganisation(
  db: Db,
  name: string,
  kind: OrganisationKind = 'vcs',
  odsCode: string | null = null,
): Promise<string> {
  return createOrganisation(db, { name, kind, parentId: null, odsCode, postcode: null })
}

let accounts = 0
/** An account with one role in a new organisation (or in `organisationId`). */
export async function createAccount(
  db: Db,
  role: Role,
  options: {
    organisationId?: string
    kind?: OrganisationKind
    title?: string
    password?: string
    name?: string
  } = {},
): Promise<TestAccount> {
  const n = ++accounts
  const password = options.password ?? 'correct horse battery staple'
  const organisationId =
    options.organisationId ?? (await createTestOrganisation(db, `Test organisation ${n}`, options.kind))
  const email = `person${n}.${process.pid}@kith.test`
  const userId = await createUser(db, {
    email,
    name: options.name ?? `Test Person ${n}`,
    passwordHash: await hashPassword(password),
  })
  await addMembership(db, { userId, organisationId, role, title: options.title ?? null })
  return { userId, organisationId, email, password }
}

/** A client for `app.inject` that keeps cookies, as a browser would, and adds the CSRF token to forms. */
export class PageClient {
  readonly app: FastifyInstance
  readonly cookies = new Map<string, string>()
  csrfToken: string | undefined

  constructor(app: FastifyInstance) {
    this.app = app
  }

  /** Signs in by making a session directly, as the browser tests do (one test drives the form). */
  async signInAs(userId: string): Promise<this> {
    const secret = await createSession(this.app.kith.db, userId, { idleMinutes: 30, maxHours: 12 })
    this.cookies.set(SESSION_COOKIE, secret)
    return this
  }

  #cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  #remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as {
      name: string
      value: string
      maxAge?: number
      expires?: Date
    }[]) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now())
      if (expired || cookie.value === '') this.cookies.delete(cookie.name)
      else this.cookies.set(cookie.name, cookie.value)
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)
    if (token) this.csrfToken = token[1]
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: 'GET',
      url,
      headers: { cookie: this.#cookieHeader(), ...headers },
    })
    this.#remember(response)
    return response
  }

  /** Posts a form; fetches a CSRF token first if it has none, unless `csrf: false`. */
  async post(
    url: string,
    form: Record<string, string | string[]>,
    options: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    if (options.csrf !== false && !this.csrfToken && this.cookies.has(SESSION_COOKIE))
      await this.get('/account')
    if (options.csrf !== false && !this.csrfToken) await this.get('/sign-in')
    const body = new URLSearchParams()
    for (const [name, value] of Object.entries(form)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(name, item)
    }
    if (options.csrf !== false && this.csrfToken) body.set('_csrf', this.csrfToken)
    const response = await this.app.inject({
      method: 'POST',
      url,
      headers: {
        cookie: this.#cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
        ...options.headers,
      },
      payload: body.toString(),
    })
    this.#remember(response)
    return response
  }
}

/** The visible text of an HTML page, tags removed and spaces collapsed, for assertions on what people read. */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim()
}
