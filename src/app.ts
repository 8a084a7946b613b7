// Builds the Kith web application from its configuration and dependencies. `kith serve` and
// every test call this one function.
//
// Cross-cutting parts are added in a fixed order: logging, security headers, compression, cookies,
// body parsing (pages' forms made strings: web/form-body.ts), rate limits, CSRF, views,
// authentication (which also applies each route's access declaration), page values, static files,
// the capabilities' routes, then not-found and errors.

import { constants as zlib } from 'node:zlib'
import compress from '@fastify/compress'
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import view from '@fastify/view'
import Fastify, { type FastifyInstance, LogController } from 'fastify'
import { adminRoutes } from './access/admin-routes.ts'
import { type Access, PUBLIC } from './access/permissions.ts'
import authentication from './access/plugin.ts'
import { databaseStore } from './access/rate-limits.ts'
import { accessRoutes } from './access/routes.ts'
import { teamRoutes } from './access/team-routes.ts'
import { attendanceRoutes } from './attendance/routes.ts'
import { caseworkRoutes } from './casework/routes.ts'
import { communityRoutes } from './community/routes.ts'
import type { Config } from './config.ts'
import type { Db } from './db/schema.ts'
import { directoryRoutes } from './directory/routes.ts'
import { fhirRoutes } from './fhir/routes.ts'
import { gpSharingRoutes } from './fhir/sharing-routes.ts'
import { notificationRoutes } from './interop/routes.ts'
import { kioskRoutes } from './kiosk/routes.ts'
import { outcomeRoutes } from './outcomes/routes.ts'
import { peopleRoutes } from './people/routes.ts'
import { programmeRoutes } from './programmes/routes.ts'
import { recordsRoutes } from './records/routes.ts'
import { referralRoutes } from './referrals/routes.ts'
import { reportRoutes } from './reports/routes.ts'
import { JobRegistry } from './scheduler/registry.ts'
import { schedulerRoutes } from './scheduler/routes.ts'
import { loadAssets } from './web/assets.ts'
import type { AppContext } from './web/context.ts'
import { registerFormBodies } from './web/form-body.ts'
import { ApiDescription } from './web/openapi.ts'
import { registerErrorHandling, registerPageLocals, registerStatic } from './web/plugin.ts'
import { webRoutes } from './web/routes.ts'
import { viewOptions } from './web/views.ts'

export interface AppDeps {
  db: Db
  /** The current time; tests pass a fixed clock. */
  now?: () => Date
}

export interface RouteEntry {
  method: string
  url: string
  access: Access | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, with its access declaration: the route-declaration test reads it. */
    routeTable: RouteEntry[]
    kith: AppContext
  }
}

/** The capabilities' routes, in the order their navigation appears. */
const capabilities: ((app: FastifyInstance, context: AppContext) => void | Promise<void>)[] = [
  webRoutes,
  accessRoutes,
  adminRoutes,
  teamRoutes,
  peopleRoutes,
  recordsRoutes,
  programmeRoutes,
  directoryRoutes,
  referralRoutes,
  caseworkRoutes,
  schedulerRoutes,
  notificationRoutes,
  outcomeRoutes,
  attendanceRoutes,
  kioskRoutes,
  reportRoutes,
  communityRoutes,
  fhirRoutes,
  gpSharingRoutes,
]

export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const production = config.env === 'production'
  const app = Fastify({
    // Requests are logged once each, below, by route pattern: never a body, a query or a cookie.
    logger: { level: config.logLevel },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    // Behind a reverse proxy, the person's address comes from X-Forwarded-For (config TRUST_PROXY).
    ...(config.trustProxy?.length ? { trustProxy: config.trustProxy } : {}),
  })

  const routeTable: RouteEntry[] = []
  app.decorate('routeTable', routeTable)
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) routeTable.push({ method, url: route.url, access: route.config?.access })
  })

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? '(not found)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    )
  })

  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'https://assets.nhs.uk'],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'", 'blob:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  })
  // Pages and JSON compressed as the browser accepts; assets were compressed once (decision 0015).
  await app.register(compress, {
    encodings: ['br', 'gzip'],
    threshold: 1024,
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } },
    zlibOptions: { level: 6 },
    globalDecompression: false,
  })
  await app.register(cookie, { secret: config.sessionSecret })
  await app.register(formbody)
  registerFormBodies(app)
  // Counted in the database, so the limits hold across every process (access/rate-limits.ts).
  await app.register(rateLimit, { global: false, store: databaseStore(deps.db) })
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'kith_csrf',
    cookieOpts: {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure: config.env !== 'development',
      path: '/',
    },
  })
  const assets = await loadAssets()
  await app.register(view, viewOptions(assets, production, config.env === 'development'))

  await app.register(authentication, { db: deps.db, config })

  const context: AppContext = {
    config,
    db: deps.db,
    navigation: [],
    homeCards: [],
    startSections: [],
    api: new ApiDescription(),
    jobs: new JobRegistry(),
    referralAccepted: [],
    personMerged: [],
    personRecordParts: [],
    now: deps.now ?? (() => new Date()),
    casePanels: [],
    caseloadNotices: [],
    caseSummarySections: [],
    referralOutcomeSections: [],
    senders: [],
    caseClosed: [],
    caseMilestone: [],
    writeReferral: (work) => work(deps.db),
  }
  app.decorate('kith', context)
  registerPageLocals(app, context)
  await registerStatic(app, assets)

  for (const register of capabilities) await register(app, context)

  app.get('/api/v1/openapi.json', { config: { access: PUBLIC } }, async () => context.api.document())

  registerErrorHandling(app)
  return app
}
