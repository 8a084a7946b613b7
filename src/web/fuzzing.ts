// Support for the fuzz test (fuzz.test.ts): a seeded pseudo-random generator, a client per
// person that keeps cookies, a crawler that follows links to find real ids and real forms, the
// malformed variants of a form, a query and a JSON body, and a fingerprint of the database to
// show that a refused request wrote nothing.

import { createHash, randomUUID } from 'node:crypto'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import type { Access } from '../access/permissions.ts'
import { SESSION_COOKIE } from '../access/plugin.ts'
import type { Role } from '../access/roles.ts'
import { createSession } from '../access/sessions.ts'
import type { RouteEntry } from '../app.ts'
import type { Db } from '../db/schema.ts'

// ---- A seeded generator, so a failure reproduces --------------------------------------------

export class Random {
  #state: number

  constructor(seed: number) {
    this.#state = seed >>> 0
  }

  /** mulberry32: a float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  int(below: number): number {
    return Math.floor(this.next() * below)
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  /** `count` of the items, in their order: those `always` keeps, then others chosen at random. */
  sample<T>(items: readonly T[], count: number, always: (item: T) => boolean = () => false): T[] {
    const kept = new Set(items.filter(always))
    const others = items.filter((item) => !kept.has(item))
    while (kept.size < count && others.length > 0) kept.add(others.splice(this.int(others.length), 1)[0]!)
    return items.filter((item) => kept.has(item))
  }

  /** A version 4 shaped id made from this generator, so ids that do not exist reproduce too. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(16).toString(16)).join('')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`
  }
}

// ---- Routes ---------------------------------------------------------------------------------

export interface MatchedRoute {
  route: RouteEntry
  params: Record<string, string>
}

/** Finds the route a concrete path belongs to, as Fastify would: literal segments before parameters. */
export class RouteMatcher {
  readonly #routes: { route: RouteEntry; pattern: RegExp; names: string[]; literal: number }[]

  constructor(routes: readonly RouteEntry[]) {
    this.#routes = routes
      .filter((route) => route.method !== 'HEAD')
      .map((route) => {
        const names: string[] = []
        const source = route.url
          .split('/')
          .map((segment) => {
            if (segment === '*') {
              names.push('*')
              return '(.*)'
            }
            // A parameter may be a whole segment or follow literal text (`:id.txt` is not used).
            return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, name: string) => {
              names.push(name)
              return '([^/]+)'
            })
          })
          .join('/')
        const literal = route.url.split('/').filter((s) => s && !s.includes(':') && s !== '*').length
        return { route, pattern: new RegExp(`^${source}$`), names, literal }
      })
      .sort((a, b) => b.literal - a.literal || a.names.length - b.names.length)
  }

  match(method: string, path: string): MatchedRoute | undefined {
    for (const { route, pattern, names } of this.#routes) {
      if (route.method !== method) continue
      const found = pattern.exec(path)
      if (!found) continue
      const params: Record<string, string> = {}
      names.forEach((name, index) => {
        params[name] = found[index + 1]!
      })
      return { route, params }
    }
    return undefined
  }
}

/** The path's parameters, each named by the literal segment before it (`cases` for /casework/cases/:id). */
export function paramKeys(url: string): { name: string; key: string }[] {
  const segments = url.split('/')
  const keys: { name: string; key: string }[] = []
  segments.forEach((segment, index) => {
    if (!segment.startsWith(':')) return
    let before = index - 1
    while (before > 0 && segments[before]!.startsWith(':')) before--
    keys.push({ name: segment.slice(1), key: `${segments[before] ?? ''}:${segment.slice(1)}` })
  })
  return keys
}

/** A route's path with its parameters filled in. */
export function fillPath(url: string, value: (name: string, key: string) => string): string {
  const keys = new Map(paramKeys(url).map((k) => [k.name, k.key]))
  return url.replace(/:(\w+)/g, (_, name: string) => value(name, keys.get(name) ?? name))
}

// ---- Clients --------------------------------------------------------------------------------

/** One person's browser (or API client): keeps cookies and re-creates the session if one ends. */
export class FuzzClient {
  readonly app: FastifyInstance
  readonly name: string
  readonly userId: string | undefined
  readonly cookies = new Map<string, string>()
  bearer: string | undefined

  constructor(app: FastifyInstance, name: string, userId?: string) {
    this.app = app
    this.name = name
    this.userId = userId
  }

  async signIn(): Promise<void> {
    if (!this.userId) return
    const secret = await createSession(this.app.kith.db, this.userId, { idleMinutes: 30, maxHours: 12 })
    this.cookies.set(SESSION_COOKIE, secret)
  }

  async send(options: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
    if (this.userId && !this.cookies.has(SESSION_COOKIE)) await this.signIn()
    const headers: Record<string, string> = { ...(options.headers as Record<string, string>) }
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
    if (this.bearer && options.url.startsWith('/api/')) headers.authorization = `Bearer ${this.bearer}`
    const response = await this.app.inject({ ...options, headers })
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
    return response
  }
}

// ---- Pages: links and forms -----------------------------------------------------------------

export type Fields = [string, string][]

export interface FoundForm {
  method: 'GET' | 'POST'
  /** The path and query the form is sent to. */
  action: string
  fields: Fields
  /** Every value offered for a radio, checkbox or select field. */
  choices: Map<string, string[]>
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X'))
      return String.fromCodePoint(parseInt(entity.slice(2), 16))
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)))
    return ENTITIES[entity.toLowerCase()] ?? whole
  })
}

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {}
  for (const match of tag.matchAll(/([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    found[match[1]!.toLowerCase()] = decode(match[2] ?? match[3] ?? match[4] ?? '')
  }
  return found
}

/** Links within the site, as paths with their queries. */
export function linksOf(html: string): string[] {
  const links = new Set<string>()
  for (const match of html.matchAll(/\bhref="([^"]*)"/g)) {
    const href = decode(match[1]!)
    if (href.startsWith('/') && !href.startsWith('//')) links.add(href.split('#')[0]!)
  }
  return [...links].filter(Boolean)
}

/** The forms on a page, with the values a person would send without changing anything. */
export function formsOf(html: string, pageUrl: string): FoundForm[] {
  const forms: FoundForm[] = []
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attrs = attributes(match[1]!)
    const body = match[2]!
    const fields: Fields = []
    const choices = new Map<string, string[]>()
    const offer = (name: string, value: string) => {
      const list = choices.get(name) ?? []
      if (!list.includes(value)) list.push(value)
      choices.set(name, list)
    }
    for (const element of body.matchAll(
      /<input\b([^>]*)>|<textarea\b([^>]*)>([\s\S]*?)<\/textarea>|<select\b([^>]*)>([\s\S]*?)<\/select>|<button\b([^>]*)>/g,
    )) {
      if (element[1] !== undefined) {
        const input = attributes(element[1])
        if (!input.name || 'disabled' in input) continue
        const type = (input.type ?? 'text').toLowerCase()
        if (type === 'submit' || type === 'button' || type === 'image' || type === 'reset' || type === 'file')
          continue
        if (type === 'checkbox' || type === 'radio') {
          offer(input.name, input.value ?? 'on')
          if ('checked' in input) fields.push([input.name, input.value ?? 'on'])
        } else fields.push([input.name, input.value ?? ''])
      } else if (element[2] !== undefined) {
        const textarea = attributes(element[2])
        if (textarea.name && !('disabled' in textarea))
          fields.push([textarea.name, decode(element[3]!.replace(/^\n/, ''))])
      } else if (element[4] !== undefined) {
        const select = attributes(element[4])
        if (!select.name || 'disabled' in select) continue
        let chosen: string | undefined
        let first: string | undefined
        for (const option of element[5]!.matchAll(/<option\b([^>]*)>([\s\S]*?)(?=<option\b|$)/g)) {
          const optionAttrs = attributes(option[1]!)
          const value = optionAttrs.value ?? decode(option[2]!.replace(/<[^>]*>/g, '').trim())
          offer(select.name, value)
          first ??= value
          if ('selected' in optionAttrs) chosen = value
        }
        fields.push([select.name, chosen ?? first ?? ''])
      } else if (element[6] !== undefined) {
        const button = attributes(element[6])
        if (button.name && (button.type ?? 'submit') === 'submit' && !fields.some(([n]) => n === button.name))
          fields.push([button.name, button.value ?? ''])
      }
    }
    const method = (attrs.method ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET'
    const action = attrs.action ? attrs.action : pageUrl.split('?')[0]!
    if (!action.startsWith('/')) continue
    forms.push({ method, action, fields, choices })
  }
  return forms
}

// ---- The crawl: real ids and real forms ----------------------------------------------------

export interface Person {
  role: Role | 'public'
  client: FuzzClient
}

export function mayUse(access: Access | undefined, role: Role | 'public'): boolean {
  if (!access) return false
  if (access.kind === 'public') return true
  if (role === 'public') return false
  return access.kind === 'signed-in' || access.roles.includes(role)
}

export function queryOf(url: string): { path: string; query: Fields } {
  const [path, search] = url.split('?') as [string, string | undefined]
  return { path, query: search ? [...new URLSearchParams(search)] : [] }
}

export interface Crawl {
  /** Values seen for each path parameter, keyed as paramKeys does (`cases:id`). */
  seen: Map<string, string[]>
  /** Real forms, by the route they are sent to, with the person whose page held them. */
  forms: Map<string, { person: Person; form: FoundForm }[]>
  /** Queries of links and search forms, by route. */
  queries: Map<string, { person: Person; path: string; query: Fields }[]>
  /** The GET routes someone opened. */
  visited: Set<string>
  pages: number
}

/**
 * Each person opens the pages they may use, following links (those to a route not opened yet
 * first) and search forms, at most `visitsPerRoute` addresses of a route and `pagesPerPerson` in
 * all. Forms whose address holds one of `protectedIds` (the people fuzzing) are not kept.
 */
export async function crawl(
  app: FastifyInstance,
  people: readonly Person[],
  options: { pagesPerPerson: number; visitsPerRoute: number; formsPerRoute: number; protectedIds: string[] },
): Promise<Crawl> {
  const matcher = new RouteMatcher(app.routeTable)
  const result: Crawl = {
    seen: new Map(),
    forms: new Map(),
    queries: new Map(),
    visited: new Set(),
    pages: 0,
  }
  const remember = (method: string, url: string) => {
    const found = matcher.match(method, queryOf(url).path)
    if (!found) return undefined
    for (const { name, key } of paramKeys(found.route.url)) {
      const value = found.params[name]
      const values = result.seen.get(key) ?? []
      if (value && !values.includes(value)) values.push(value)
      result.seen.set(key, values)
    }
    return found
  }
  const addQuery = (route: string, entry: { person: Person; path: string; query: Fields }) => {
    result.queries.set(route, [...(result.queries.get(route) ?? []), entry])
  }
  for (const person of people) {
    const visits = new Map<string, number>()
    const routeOf = (url: string) => matcher.match('GET', queryOf(url).path)?.route.url
    const fresh: string[] = []
    const later: string[] = []
    const queued = new Set<string>()
    const enqueue = (url: string) => {
      if (queued.has(url)) return
      queued.add(url)
      const route = routeOf(url)
      if (route && !visits.has(route) && !fresh.some((f) => routeOf(f) === route)) fresh.push(url)
      else later.push(url)
    }
    for (const route of app.routeTable) {
      if (route.method !== 'GET' || /[:*]/.test(route.url) || route.url.startsWith('/api/')) continue
      if (mayUse(route.access, person.role)) enqueue(route.url)
    }
    let pages = 0
    while (pages < options.pagesPerPerson) {
      const url = fresh.shift() ?? later.shift()
      if (url === undefined) break
      const found = remember('GET', url)
      if (!found || !mayUse(found.route.access, person.role) || /^\/(static|assets)\//.test(url)) continue
      const count = visits.get(found.route.url) ?? 0
      if (count >= options.visitsPerRoute) continue
      visits.set(found.route.url, count + 1)
      result.visited.add(found.route.url)
      pages++
      const response = await person.client.send({ method: 'GET', url })
      if (response.statusCode >= 500)
        throw new Error(`${url} as ${person.client.name}: ${response.statusCode}`)
      if (!String(response.headers['content-type'] ?? '').startsWith('text/html')) continue
      if (url.includes('?')) addQuery(found.route.url, { person, ...queryOf(url) })
      for (const link of linksOf(response.body)) enqueue(link)
      for (const form of formsOf(response.body, url)) {
        const target = remember(form.method, form.action)
        if (!target) continue
        if (form.method === 'GET') {
          addQuery(target.route.url, { person, path: queryOf(form.action).path, query: form.fields })
          // Followed too, with the first choice where none is made (a criterion's kind, say).
          const fields = [...form.fields]
          for (const [name, values] of form.choices)
            if (!fields.some(([n]) => n === name) && values[0] !== undefined) fields.push([name, values[0]])
          enqueue(`${queryOf(form.action).path}?${new URLSearchParams(fields)}`)
          continue
        }
        if (options.protectedIds.some((id) => form.action.includes(id))) continue
        const list = result.forms.get(target.route.url) ?? []
        if (list.length < options.formsPerRoute && !list.some((f) => f.form.action === form.action))
          list.push({ person, form })
        result.forms.set(target.route.url, list)
      }
    }
    result.pages += pages
  }
  return result
}

// ---- Malformed values -----------------------------------------------------------------------

export const INJECTIONS = [
  "' or '1'='1",
  "'; drop table people; --",
  '" onmouseover="alert(1)',
  '<script>alert(1)</script>',
  '{{ 7 * 7 }}',
  '{% raw %}',
  // A template placeholder, as text: nothing may evaluate it.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the string is the point
  '${process.exit(1)}',
  '../../../../etc/passwd',
  'nul\u0000in the middle',
  '\u0000',
  '%00',
  '\ud800',
  '🙂'.repeat(300),
  '\u202eRTL',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '99999999999999999999999',
  '-99999999999999999999999',
  '0x7fffffff',
  '٣',
  '2026-02-30',
  '0000-00-00',
  '99999-12-31',
  '25:99',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  ' ',
  '\r\n\t',
]

/** Values that are not ids of anything: a random id, and strings shaped nothing like one. */
export function missingIds(random: Random): string[] {
  return [random.uuid(), randomUUID(), '0', 'not-an-id', '%27%20or%201%3D1--', '%00', 'a'.repeat(300)]
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function looksLikeId(value: string): boolean {
  return UUID.test(value)
}

export interface FuzzRequest {
  label: string
  method: string
  url: string
  headers?: Record<string, string>
  payload?: string
}

function encodeForm(fields: Fields): string {
  const body = new URLSearchParams()
  for (const [name, value] of fields) body.append(name, value)
  return body.toString()
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const JSON_TYPE = { 'content-type': 'application/json' }

/**
 * The malformed variants of a real form: fields repeated, nested, missing, huge, hostile, ids
 * that do not exist, choices not offered, the same fields as JSON, and bodies of the wrong kind.
 * The CSRF token stays valid unless a variant is about the token.
 */
export function formVariants(form: FoundForm, random: Random): FuzzRequest[] {
  const csrf = form.fields.filter(([name]) => name === '_csrf')
  const own = form.fields.filter(([name]) => name !== '_csrf')
  const names = [...new Set([...own.map(([n]) => n), ...form.choices.keys()])]
  const post = (label: string, fields: Fields, url = form.action): FuzzRequest => ({
    label,
    method: 'POST',
    url,
    headers: FORM,
    payload: encodeForm(fields),
  })
  const variants: FuzzRequest[] = []

  // Every field twice, the second time with another value (and the token twice as well).
  variants.push(
    post('repeated fields', [
      ...own.flatMap(
        ([n, v]): Fields => [
          [n, v],
          [n, random.pick([v, `${v}x`, '', random.pick(INJECTIONS)])],
        ],
      ),
      ...csrf,
      ...csrf,
    ]),
  )
  // Nested names: `name[x]` instead of `name`, `name[]` beside it.
  variants.push(
    post('nested fields', [
      ...own.flatMap(
        ([n, v], index): Fields =>
          index % 2 === 0
            ? [[`${n}[x]`, v]]
            : [
                [n, v],
                [`${n}[]`, v],
                [`${n}[a][b]`, '1'],
              ],
      ),
      ...csrf,
    ]),
  )
  // The same fields as JSON, with objects, arrays, numbers and nulls where strings belong.
  const json: Record<string, unknown> = {}
  for (const [n, v] of own) {
    json[n] = random.pick<unknown>([{ x: v }, [v, v], [{ a: [] }], 12, true, null, { toString: 'x' }, v])
  }
  for (const [n, v] of csrf) json[n] = v
  variants.push({
    label: 'JSON with objects',
    method: 'POST',
    url: form.action,
    headers: JSON_TYPE,
    payload: JSON.stringify(json),
  })
  // Some fields left out.
  variants.push(post('missing fields', [...own.filter(() => random.chance(0.5)), ...csrf]))
  // One field huge, the rest long.
  if (own.length > 0) {
    const huge = random.int(own.length)
    variants.push(
      post('huge values', [
        ...own.map(([n], index): [string, string] => [
          n,
          index === huge ? 'x'.repeat(300_000) : 'y'.repeat(3_000),
        ]),
        ...csrf,
      ]),
    )
  }
  // Hostile strings in every field, alone or after the real value.
  variants.push(
    post('injection strings', [
      ...own.map(([n, v]): [string, string] => [
        n,
        `${random.chance(0.5) ? v : ''}${random.pick(INJECTIONS)}`,
      ]),
      ...csrf,
    ]),
  )
  // U+0000 after each typed value (choices kept), so the form is otherwise as sent: no
  // PostgreSQL column can store one.
  variants.push(
    post('U+0000 in values', [
      ...own.map(([n, v]): [string, string] => [n, form.choices.has(n) ? v : `${v}\u0000`]),
      ...csrf,
    ]),
  )
  // Choices the form does not offer, and every offered choice at once.
  if (form.choices.size > 0) {
    const fields: Fields = own.filter(([n]) => !form.choices.has(n))
    for (const [n, values] of form.choices) {
      if (random.chance(0.5)) for (const value of values) fields.push([n, value])
      else fields.push([n, random.pick(['not-offered', random.uuid(), ...INJECTIONS])])
    }
    variants.push(post('choices not offered', [...fields, ...csrf]))
  }
  // Ids that do not exist, in the fields and in the path.
  const ids = missingIds(random)
  const url = form.action.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, () =>
    random.pick(ids),
  )
  const idFields = own.map(([n, v]): [string, string] => [n, looksLikeId(v) ? random.uuid() : v])
  if (url !== form.action || own.some(([, v]) => looksLikeId(v)))
    variants.push(post('ids that do not exist', [...idFields, ...csrf], url))
  // Bodies that are not a form: plain text, and a form with broken percent-encoding.
  variants.push({
    label: 'plain text body',
    method: 'POST',
    url: form.action,
    headers: { 'content-type': 'text/plain' },
    payload: `${names[0] ?? 'name'}=x&_csrf=${encodeURIComponent(csrf[0]?.[1] ?? '')}`,
  })
  variants.push({
    label: 'broken encoding',
    method: 'POST',
    url: form.action,
    headers: FORM,
    payload: `${names.map((n) => `${encodeURIComponent(n)}=%E0%A4%A&%%%=1`).join('&')}&${encodeForm(csrf)}`,
  })
  return variants
}

/** The malformed variants of a GET address: its query repeated, nested, hostile and huge. */
export function queryVariants(path: string, query: Fields, random: Random): FuzzRequest[] {
  const get = (label: string, fields: Fields): FuzzRequest => ({
    label,
    method: 'GET',
    url: fields.length > 0 ? `${path}?${encodeForm(fields)}` : path,
  })
  const names = query.length > 0 ? query.map(([n]) => n) : ['q']
  return [
    get(
      'repeated query',
      names.flatMap(
        (n): Fields => [
          [n, 'a'],
          [n, 'b'],
        ],
      ),
    ),
    get(
      'nested query',
      names
        .map((n): [string, string] => [`${n}[x]`, '1'])
        .concat(names.map((n): [string, string] => [n, ''])),
    ),
    get(
      'hostile query',
      names.map((n): [string, string] => [n, random.pick(INJECTIONS)]),
    ),
    get(
      'long query',
      names.map((n): [string, string] => [n, 'z'.repeat(4_000)]),
    ),
  ]
}

// ---- JSON bodies from the OpenAPI document --------------------------------------------------

type Schema = Record<string, unknown>

/** A plausible value for a JSON schema: ids from what was crawled, enums picked, the rest simple. */
export function exampleOf(
  schema: Schema,
  random: Random,
  idFor: (name: string) => string,
  name = '',
): unknown {
  if (Array.isArray(schema.enum)) return random.pick(schema.enum)
  if (Array.isArray(schema.anyOf)) return exampleOf(schema.anyOf[0] as Schema, random, idFor, name)
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      const properties = (schema.properties ?? {}) as Record<string, Schema>
      const required = new Set((schema.required ?? []) as string[])
      for (const [key, property] of Object.entries(properties)) {
        if (required.has(key) || random.chance(0.7)) out[key] = exampleOf(property, random, idFor, key)
      }
      return out
    }
    case 'array':
      return [exampleOf((schema.items ?? {}) as Schema, random, idFor, name)]
    case 'number':
    case 'integer':
      return 1
    case 'boolean':
      return random.chance(0.5)
    case 'string': {
      if (/Id$/.test(name)) return idFor(name)
      if (schema.format === 'date-time') return new Date().toISOString()
      const pattern = String(schema.pattern ?? '')
      if (pattern.includes('\\d{4}-\\d{2}-\\d{2}')) return '1980-02-14'
      if (pattern.includes('\\d{6,18}')) return '44054006'
      if (name === 'nhsNumber') return '9434765919'
      return 'fuzz'
    }
    default:
      return 'fuzz'
  }
}

/** Values of the wrong type, and strings no column should hold. */
export function wrongValues(random: Random): unknown[] {
  let deep: unknown = 'bottom'
  for (let i = 0; i < 200; i++) deep = { a: deep }
  return [
    null,
    12,
    -1,
    1e308,
    true,
    [],
    [null],
    {},
    { x: { y: 'z' } },
    deep,
    'x'.repeat(100_000),
    'nul\u0000',
    random.uuid(),
    random.pick(INJECTIONS),
  ]
}

/** The paths into a JSON value (two levels deep) whose key names an id: `personId`, `person.registeredPracticeId`. */
function idPaths(value: unknown, prefix: string[] = []): string[][] {
  if (!value || typeof value !== 'object' || Array.isArray(value) || prefix.length > 1) return []
  return Object.entries(value).flatMap(([key, inner]) => [
    ...(/Id$/.test(key) ? [[...prefix, key]] : []),
    ...idPaths(inner, [...prefix, key]),
  ])
}

function withValue(value: unknown, path: string[], replacement: unknown): unknown {
  if (path.length === 0) return replacement
  const object = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>
  return { ...object, [path[0]!]: withValue(object[path[0]!], path.slice(1), replacement) }
}

/**
 * The malformed variants of a JSON operation's body, from bodies it accepts (or nearly): each
 * id that does not exist, each field of the wrong type or left out, and bodies of the wrong shape.
 */
export function jsonVariants(url: string, bases: readonly unknown[], random: Random): FuzzRequest[] {
  const send = (
    label: string,
    payload: string,
    headers: Record<string, string> = JSON_TYPE,
  ): FuzzRequest => ({
    label,
    method: 'POST',
    url,
    headers,
    payload,
  })
  const variants: FuzzRequest[] = []
  const wrong = wrongValues(random)
  bases.forEach((base, index) => {
    variants.push(send(`plausible body ${index + 1}`, JSON.stringify(base)))
    for (const path of idPaths(base)) {
      const missing = random.pick([random.uuid(), 'not-an-id', '0'])
      variants.push(
        send(`${path.join('.')} that does not exist`, JSON.stringify(withValue(base, path, missing))),
      )
    }
    if (index > 0) return
    const object = (base && typeof base === 'object' ? base : {}) as Record<string, unknown>
    for (const key of Object.keys(object)) {
      variants.push(send(`wrong type in ${key}`, JSON.stringify({ ...object, [key]: random.pick(wrong) })))
      variants.push(send(`${key} left out`, JSON.stringify({ ...object, [key]: undefined })))
      const inner = object[key]
      if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
        for (const innerKey of Object.keys(inner)) {
          variants.push(
            send(
              `wrong type in ${key}.${innerKey}`,
              JSON.stringify(withValue(object, [key, innerKey], random.pick(wrong))),
            ),
          )
        }
      }
    }
  })
  const withNul = (value: unknown): unknown =>
    typeof value === 'string'
      ? `${value}\u0000`
      : Array.isArray(value)
        ? value.map(withNul)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNul(v)]))
          : value
  variants.push(send('U+0000 in strings', JSON.stringify(withNul(bases[0]))))
  variants.push(send('array body', '[1, 2, 3]'))
  variants.push(send('string body', '"text"'))
  variants.push(send('null body', 'null'))
  variants.push(send('broken JSON', '{"status": '))
  variants.push(send('empty JSON body', ''))
  variants.push(send('deeply nested body', `${'['.repeat(5_000)}${']'.repeat(5_000)}`))
  variants.push(
    send('prototype keys', '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}'),
  )
  variants.push(send('form body to the API', 'status=accepted&status=rejected', FORM))
  variants.push(send('plain text to the API', 'status=accepted', { 'content-type': 'text/plain' }))
  return variants
}

// ---- The database's fingerprint ------------------------------------------------------------

/** Tables whose changes are not writes of a request: sessions, sign-in and request limits, search indexes, migrations. */
const UNCHECKED_TABLES =
  /^(sessions|sign_in_failures|rate_limit_windows|kith_migration.*|services_fts.*|scheduled_jobs)$/
/**
 * Audit events a refused request records by design: reading the page shown again, a refusal
 * (decision 13: `case.access-refused`), a failed sign-in.
 */
const READ_ACTIONS = ['%.read', '%-read', '%.list', '%.access-refused', 'sign-in%']
/** Columns that change on use: the time an API token was last used. */
const USE_COLUMNS = new Set(['last_used_at'])

export type Fingerprint = Map<string, { rows: number; hash: string }>

/**
 * A function that takes the database's fingerprint: each table's rows (but for the changes above)
 * as text, hashed. One query, the same SQL on SQLite and PostgreSQL, so it is quick enough to
 * take around every request.
 */
export async function fingerprinter(db: Db): Promise<() => Promise<Fingerprint>> {
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`
  const tables = (await db.introspection.getTables()).filter((t) => !UNCHECKED_TABLES.test(t.name))
  const selects = tables.map((table) => {
    const columns = table.columns.filter((c) => !USE_COLUMNS.has(c.name))
    const row = columns.map((c) => `coalesce(cast(${quote(c.name)} as text), '~')`).join(` || '|' || `)
    const where =
      table.name === 'audit_events'
        ? ` where ${READ_ACTIONS.map((a) => `action not like '${a}'`).join(' and ')}`
        : ''
    return `select '${table.name}' as t, ${row || "''"} as v from ${quote(table.name)}${where}`
  })
  const query = sql.raw<{ t: string; v: string }>(selects.join(' union all '))
  return async () => {
    const byTable = new Map<string, string[]>(tables.map((t) => [t.name, []]))
    for (const { t, v } of (await query.execute(db)).rows) byTable.get(t)!.push(v)
    const result: Fingerprint = new Map()
    for (const [table, lines] of byTable) {
      lines.sort()
      result.set(table, {
        rows: lines.length,
        hash: createHash('sha1').update(lines.join('\n')).digest('hex'),
      })
    }
    return result
  }
}

/** The tables that differ between two fingerprints, with their row counts. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  const changed: string[] = []
  for (const [table, { rows, hash }] of after) {
    const earlier = before.get(table)
    if (!earlier || earlier.hash !== hash) changed.push(`${table} (${earlier?.rows ?? 0} → ${rows} rows)`)
  }
  return changed
}

// ---- Sending, and what went wrong -----------------------------------------------------------

export interface Outcome {
  request: FuzzRequest
  person: string
  status: number
  /** The error behind a 5xx, from the app's onError hook. */
  error?: string
  /** For a refused request that wrote: the tables it changed. */
  changed?: string[]
}

export function describeOutcome(outcome: Outcome): string {
  const { request } = outcome
  const payload = request.payload === undefined ? '' : ` ${request.payload.slice(0, 300)}`
  return [
    `${outcome.status} ${request.method} ${request.url.slice(0, 200)} (${request.label}, as ${outcome.person})`,
    `    ${request.headers?.['content-type'] ?? ''}${payload}`,
    ...(outcome.error ? [`    error: ${outcome.error.split('\n').slice(0, 3).join(' | ')}`] : []),
    ...(outcome.changed ? [`    changed: ${outcome.changed.join(', ')}`] : []),
  ].join('\n')
}

/**
 * Sends requests one at a time and keeps those answered 5xx, and those refused (4xx) that
 * changed the database: the fingerprint before a write is the one after the request before it,
 * unless that one succeeded, or the test itself wrote (`forget`).
 */
export class Sender {
  readonly failures: Outcome[] = []
  readonly partial: Outcome[] = []
  readonly statuses = new Map<number, number>()
  sent = 0
  readonly #fingerprint: () => Promise<Fingerprint>
  #known: Fingerprint | undefined
  #lastError: string | undefined

  /** Call before `app.ready()`: it adds the hook that sees the errors. */
  constructor(app: FastifyInstance, fingerprint: () => Promise<Fingerprint>) {
    this.#fingerprint = fingerprint
    app.addHook('onError', async (_request, _reply, error) => {
      this.#lastError = error.stack ?? String(error)
    })
  }

  /** The database was changed by the test, not by a request. */
  forget(): void {
    this.#known = undefined
  }

  async send(person: Person, request: FuzzRequest): Promise<LightMyRequestResponse> {
    const writes = request.method !== 'GET'
    if (writes) this.#known ??= await this.#fingerprint()
    this.#lastError = undefined
    const response = await person.client.send({
      method: request.method as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      url: request.url,
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.payload !== undefined ? { payload: request.payload } : {}),
    })
    this.sent++
    this.statuses.set(response.statusCode, (this.statuses.get(response.statusCode) ?? 0) + 1)
    const outcome: Outcome = { request, person: person.client.name, status: response.statusCode }
    if (response.statusCode >= 500)
      this.failures.push({ ...outcome, ...(this.#lastError ? { error: this.#lastError } : {}) })
    if (writes && response.statusCode >= 400 && this.#known) {
      const after = await this.#fingerprint()
      const changed = changedTables(this.#known, after)
      if (changed.length > 0) this.partial.push({ ...outcome, changed })
      this.#known = after
    } else this.#known = undefined
    return response
  }
}
