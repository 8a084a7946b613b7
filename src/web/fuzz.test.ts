// Malformed requests to every route: no answer is a server error, and a refused request writes
// nothing.
//
// The demo data is loaded and one person per role (and someone not signed in) follows the links
// from every page they may use, which finds real ids and the real forms. Each form is then sent
// in malformed variants (fields repeated, nested, missing, huge, hostile; choices not offered;
// ids that do not exist; JSON or text instead of a form), every JSON operation in the OpenAPI
// document gets bodies of the wrong shape, and addresses get ids that do not exist and hostile
// queries. The choices are made by a seeded generator: KITH_FUZZ_SEED=<n> repeats a run.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { DEMO_ORGANISATIONS } from '../access/demo.ts'
import type { Access } from '../access/permissions.ts'
import { SESSION_COOKIE } from '../access/plugin.ts'
import type { Role } from '../access/roles.ts'
import { createApiToken } from '../access/tokens.ts'
import { buildApp } from '../app.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { type Demo, seedDemo } from '../demo.ts'
import {
  crawl,
  describeOutcome,
  exampleOf,
  type Fields,
  FuzzClient,
  type FuzzRequest,
  fillPath,
  fingerprinter,
  formVariants,
  jsonVariants,
  mayUse,
  missingIds,
  type Outcome,
  type Person,
  queryVariants,
  Random,
  Sender,
} from './fuzzing.ts'
import { testConfig } from './testing.ts'

const SEED = Number(process.env.KITH_FUZZ_SEED ?? 20261130)

/** One demo account per role, in one area (Luton) where the demo has cases, readings and check-ins. */
const PEOPLE: [Role | 'public', string | undefined][] = [
  ['public', undefined],
  ['administrator', 'admin@kith.example'],
  ['programme_manager', 'manager.luton@kith.example'],
  ['link_worker', 'navigator.luton@kith.example'],
  ['provider', 'provider.luton@kith.example'],
  ['referrer', 'gp.luton@kith.example'],
  ['kiosk', 'kiosk.culm@kith.example'],
]

/** Pages each person's crawl visits at most, and how many addresses of one route it opens. */
const PAGES_PER_PERSON = 100
const VISITS_PER_ROUTE = 3
/** Real forms of one route that are sent malformed. */
const FORMS_PER_ROUTE = 2
/**
 * How many variants are sent: of a route's first form (always those of issue 16: repeated,
 * nested, JSON, U+0000), of another form of the route, of a JSON operation, of a query.
 */
const CORE_VARIANTS = new Set(['repeated fields', 'nested fields', 'JSON with objects', 'U+0000 in values'])
const FIRST_FORM_VARIANTS = 5
const OTHER_FORM_VARIANTS = 1
const JSON_VARIANTS = 16
const QUERY_VARIANTS = 2
/** Routes whose malformed forms go last: when one succeeds it ends or removes something. */
const ENDING = /\/(remove|revoke|deactivate|reactivate|exit|merge|sign-out|assign|password)$/

/**
 * Bodies each JSON operation accepts (or nearly), and who sends them, keyed by the OpenAPI method
 * and path; their variants reach the checks behind the schema. An operation not here is sent
 * bodies made from its schema.
 */
function plausibleBodies(
  demo: Demo,
  realId: (key: string) => string,
): Record<string, { as: Role; bodies: unknown[] }> {
  const luton = demo.programmes.programmes.luton!
  const exercise = demo.directory.services['luton.exercise']!
  const practiceId = demo.access.organisations['luton.mersey']!
  const odsCode = DEMO_ORGANISATIONS.find((o) => o.key === 'luton.mersey')!.odsCode!
  const now = new Date().toISOString()
  const person = {
    givenName: 'Fuzz',
    familyName: 'Testperson',
    dateOfBirth: '1960-05-01',
    registeredPracticeId: practiceId,
  }
  // The same person each time: they are someone new (not the one the first request made).
  const referral = {
    createNewPerson: true,
    referrerKind: 'gp_practice',
    referrerContact: '01632 960 100',
    consent: { givenBy: 'person', method: 'verbal', givenAt: now },
    answers: {},
    needs: [],
  }
  return {
    'post /eligibility-checks': {
      as: 'referrer',
      bodies: [
        {
          programmeId: luton,
          person: { dateOfBirth: '1960-05-01', practiceOdsCode: odsCode, conditions: [] },
          referrerKind: 'gp_practice',
          answers: {},
          goals: [],
        },
        { serviceId: exercise, person: { dateOfBirth: '1960-05-01' }, answers: {} },
      ],
    },
    'post /referrals': {
      as: 'referrer',
      bodies: [
        { programmeId: luton, person, ...referral },
        { serviceId: exercise, person, ...referral },
        { programmeId: luton, personId: realId('people:personId'), ...referral },
        { programmeId: luton, person, ...referral, sourceCaseId: realId('cases:id') },
        { programmeId: luton, person, ...referral, consent: undefined, consentId: realId('consents:id') },
      ],
    },
    'post /referrals/{id}/status': {
      as: 'link_worker',
      bodies: [{ status: 'received' }, { status: 'rejected', reason: 'not-eligible', note: 'Fuzzing' }],
    },
    'post /programmes/{programmeId}/people/{personId}/outcome-readings': {
      as: 'link_worker',
      bodies: [
        {
          instrumentId: realId('record:instrumentId'),
          stage: 'baseline',
          answers: { 'life-satisfaction': 5, worthwhile: 5, happiness: 5, anxiety: 5 },
          takenAt: now,
        },
      ],
    },
    'post /check-ins': {
      as: 'provider',
      bodies: [{ programmeId: luton, serviceId: exercise, code: '000000' }],
    },
  }
}

describeEachDatabase('malformed requests', (database) => {
  it('are never answered with a server error, and a refused one changes nothing', async (t) => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await buildApp(testConfig(), { db })
    const sender = new Sender(app, await fingerprinter(db))
    await app.ready()
    t.after(() => app.close())
    const started = performance.now()
    const random = new Random(SEED)

    const people: Person[] = PEOPLE.map(([role, email]) => {
      const userId = email ? demo.access.users[email] : undefined
      assert.ok(!email || userId, `the demo has ${email}`)
      return { role, client: new FuzzClient(app, email ?? 'someone not signed in', userId) }
    })
    const ourIds = people.map((p) => p.client.userId).filter((id): id is string => id !== undefined)
    // A token each, for the form that revokes one.
    for (const id of ourIds) await createApiToken(db, id, 'spare')
    const { seen, forms, queries, visited, pages } = await crawl(app, people, {
      pagesPerPerson: PAGES_PER_PERSON,
      visitsPerRoute: VISITS_PER_ROUTE,
      formsPerRoute: FORMS_PER_ROUTE,
      protectedIds: ourIds,
    })
    const crawled = performance.now()

    const realIds = (key: string) => (seen.get(key) ?? []).filter((id) => !ourIds.includes(id))
    const realId = (key: string) => (realIds(key).length > 0 ? random.pick(realIds(key)) : random.uuid())
    /** A real id or, now and then, one that does not exist. */
    const someId = (key: string) => random.pick([...realIds(key), ...missingIds(random).slice(0, 2)])
    const personFor = (access: Access | undefined) =>
      people.find((p) => p.role !== 'public' && mayUse(access, p.role)) ?? people[0]!
    const send = async (person: Person, request: FuzzRequest) => {
      const response = await sender.send(person, request)
      // A session or token the fuzzing ended (signing out, say) is made again for what follows.
      if (response.statusCode === 401 && person.client.userId) {
        person.client.cookies.delete(SESSION_COOKIE)
        if (person.client.bearer) person.client.bearer = undefined
      }
    }
    const withToken = async (person: Person) => {
      if (person.client.userId && !person.client.bearer) {
        person.client.bearer = (await createApiToken(db, person.client.userId, 'fuzzing')).token
        sender.forget()
      }
      return person
    }

    // Forms: the real ones found, and one made up for a form route no page offered.
    const notOffered: string[] = []
    for (const route of app.routeTable) {
      if (route.method !== 'POST' || route.url.startsWith('/api/') || forms.has(route.url)) continue
      notOffered.push(route.url)
      const person = personFor(route.access)
      const page = await person.client.send({
        method: 'GET',
        url: person.role === 'public' ? '/sign-in' : '/account',
      })
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? ''
      const action = fillPath(route.url, (_, key) => someId(key))
      const fields: Fields = [
        ['_csrf', token],
        ['name', 'x'],
      ]
      forms.set(route.url, [{ person, form: { method: 'POST', action, fields, choices: new Map() } }])
    }
    const formRoutes = [...forms.entries()].sort(
      ([a], [b]) => Number(ENDING.test(a)) - Number(ENDING.test(b)),
    )
    for (const [, list] of formRoutes) {
      for (const [index, { person, form }] of list.entries()) {
        const variants = formVariants(form, random)
        const chosen =
          index === 0
            ? random.sample(variants, FIRST_FORM_VARIANTS, (v) => CORE_VARIANTS.has(v.label))
            : random.sample(variants, OTHER_FORM_VARIANTS)
        for (const request of chosen) await send(person, request)
      }
    }

    // JSON operations, from the OpenAPI document: bodies that pass, then wrong ones.
    const document = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: object }> } }>>
    }
    const plausible = plausibleBodies(demo, realId)
    for (const [path, operations] of Object.entries(document.paths)) {
      const url = `/api/v1${path.replace(/\{(\w+)\}/g, ':$1')}`
      const route = app.routeTable.find((r) => r.url === url)
      for (const [method, operation] of Object.entries(operations)) {
        const known = plausible[`${method} ${path}`]
        const person = await withToken(
          (known && people.find((p) => p.role === known.as)) ?? personFor(route?.access),
        )
        const concrete = fillPath(url, (_, key) => realId(key))
        const missing = fillPath(url, () => random.pick(missingIds(random)))
        const verb = method.toUpperCase()
        if (missing !== url && (verb === 'GET' || verb === 'DELETE'))
          await send(person, { label: 'ids that do not exist', method: verb, url: missing })
        if (verb === 'GET') {
          for (const request of random.sample(queryVariants(concrete, [], random), QUERY_VARIANTS))
            await send(person, request)
        }
        if (verb !== 'POST' && verb !== 'PUT' && verb !== 'PATCH') continue
        const schema = (operation.requestBody?.content['application/json']?.schema ?? {}) as Record<
          string,
          unknown
        >
        const bases = known?.bodies ?? [
          exampleOf(schema, random, (name) =>
            someId(name === 'personId' ? 'people:personId' : `${name.replace(/Id$/, '')}s:id`),
          ),
        ]
        const variants = jsonVariants(concrete, bases, random).map((v) => ({ ...v, method: verb }))
        if (missing !== url)
          variants.push({ ...variants[0]!, label: 'path ids that do not exist', url: missing })
        const chosen = random.sample(variants, JSON_VARIANTS, (v) =>
          /^plausible|does not exist$|U\+0000/.test(v.label),
        )
        for (const request of chosen) await send(await withToken(person), request)
      }
    }

    // Pages: ids that do not exist, and the queries of links and search forms, malformed.
    for (const route of app.routeTable) {
      if (route.method !== 'GET' || route.url.startsWith('/api/') || route.url.includes('*')) continue
      if (route.url.includes(':')) {
        const url = fillPath(route.url, () => random.pick(missingIds(random)))
        await send(personFor(route.access), { label: 'ids that do not exist', method: 'GET', url })
      }
      const found = queries.get(route.url)?.[0]
      if (!found) continue
      for (const request of random.sample(queryVariants(found.path, found.query, random), QUERY_VARIANTS))
        await send(found.person, request)
    }

    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
    t.diagnostic(
      `${sender.sent} malformed requests in ${seconds(performance.now() - crawled)} after ${pages} pages crawled ` +
        `in ${seconds(crawled - started)} (seed ${SEED}); answers ${JSON.stringify(Object.fromEntries(sender.statuses))}`,
    )
    const unvisited = app.routeTable.filter(
      (r) => r.method === 'GET' && !/[:*]|^\/api\//.test(r.url) && !visited.has(r.url),
    )
    if (unvisited.length > 0) t.diagnostic(`pages no one opened: ${unvisited.map((r) => r.url).join(', ')}`)
    if (notOffered.length > 0)
      t.diagnostic(`form routes no page offered (sent made-up forms): ${notOffered.join(', ')}`)
    const report = (outcomes: Outcome[], what: string) =>
      outcomes.length === 0 ? [] : [`${outcomes.length} ${what}:`, ...outcomes.map(describeOutcome)]
    assert.deepEqual(
      [
        ...report(sender.failures, 'requests were answered with a server error'),
        ...report(sender.partial, 'refused requests changed the database'),
      ],
      [],
    )
  })
})
