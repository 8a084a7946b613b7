// The parts every page shares: static files, the values the layout needs, the 404 page and the
// error handler that turns any error into a problem document or an NHS-style page.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PUBLIC } from '../access/permissions.ts'
import { type Asset, type Assets, chooseEncoding } from './assets.ts'
import type { AppContext } from './context.ts'
import { isApiPath } from './paths.ts'
import { Problem, RETRY_AFTER_SECONDS, storageProblemOf } from './problem.ts'

declare module 'fastify' {
  interface FastifyReply {
    /** Values every template receives (set by @fastify/view's reply decorator). */
    locals: Record<string, unknown>
  }
}

/**
 * Assets from memory, compressed once at start (assets.ts): the form the browser accepts, with
 * Vary so caches keep each form apart. Fingerprinted files are kept for a year; the NHS.UK
 * images under fixed names for a week, then revalidated by their ETag.
 */
export async function registerStatic(app: FastifyInstance, assets: Assets) {
  const send = async (request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string) => {
    reply.header('cache-control', cacheControl).header('etag', asset.etag).type(asset.type)
    if (asset.compressible) reply.header('vary', 'Accept-Encoding')
    const known = (request.headers['if-none-match'] ?? '')
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
    if (known.includes(asset.etag)) return reply.status(304).send()
    const encoded = await asset.encoded()
    const encoding = chooseEncoding(request.headers['accept-encoding'], encoded)
    if (encoding) reply.header('content-encoding', encoding)
    return reply.send(encoding ? encoded[encoding] : asset.body)
  }

  // Compression is done already: the per-response compression of pages leaves these alone.
  app.get('/static/:file', { config: { access: PUBLIC }, compress: false }, async (request, reply) => {
    const { file } = request.params as { file: string }
    const asset = assets.byFile(file)
    if (!asset) throw new Problem(404, 'Not found')
    return send(request, reply, asset, 'public, max-age=31536000, immutable')
  })

  // The NHS.UK frontend's images and icons, which its stylesheet and page template ask for by fixed names.
  app.get('/assets/*', { config: { access: PUBLIC }, compress: false }, async (request, reply) => {
    const asset = assets.byPath((request.params as { '*': string })['*'])
    if (!asset) throw new Problem(404, 'Not found')
    return send(request, reply, asset, 'public, max-age=604800')
  })
}

/** The values the layout reads on every page. */
export function registerPageLocals(app: FastifyInstance, context: AppContext) {
  app.addHook('preHandler', async (request, reply) => {
    if (isApiPath(request.url)) return
    const user = request.user
    // Signed in: what the user's roles give them. Not signed in: the public pages.
    const navigation = context.navigation
      .filter((item) =>
        user
          ? user.memberships.some((membership) => item.roles.includes(membership.role))
          : item.public === true,
      )
      .sort((a, b) => a.order - b.order)
      .map((item) => ({
        text: item.text,
        href: item.href,
        current: request.url === item.href,
        active: request.url !== item.href && request.url.startsWith(`${item.href}/`),
      }))
    reply.locals = {
      ...reply.locals,
      cspNonce: reply.cspNonce?.script,
      csrfToken: reply.generateCsrf(),
      currentUser: user,
      navigation,
    }
  })
}

const PAGE_TEXT: Record<number, { heading: string; paragraphs: string[] }> = {
  400: {
    heading: 'There is a problem with what was sent',
    paragraphs: ['Nothing was changed. Go back, check the form and try again.'],
  },
  401: { heading: 'Sign in to continue', paragraphs: ['Nothing was changed.'] },
  403: {
    heading: 'You cannot do this',
    paragraphs: ['Your account does not give you access to this page or action.'],
  },
  404: {
    heading: 'Page not found',
    paragraphs: [
      'If you typed the web address, check it is correct.',
      'If you pasted the web address, check you copied the entire address.',
    ],
  },
  413: {
    heading: 'What you sent is too large',
    paragraphs: ['Nothing was changed. Send a smaller file or form and try again.'],
  },
  415: { heading: 'There is a problem with what was sent', paragraphs: ['Nothing was changed.'] },
  429: { heading: 'Too many requests', paragraphs: ['Wait a minute and try again.'] },
  500: {
    heading: 'Sorry, there is a problem with the service',
    paragraphs: [
      'Try again later. If you were saving something, check whether it was saved before trying again.',
    ],
  },
}

interface Described {
  status: number
  title: string
  detail: string | undefined
  errors: { field: string; message: string }[]
  /** What a page says instead of the status's usual text. */
  page?: { heading: string; paragraphs: readonly string[] }
}

function describe(error: FastifyError | Problem): Described {
  if (error instanceof Problem) {
    return { status: error.status, title: error.title, detail: error.detail, errors: error.errors }
  }
  // The database is out of reach or cannot store changes: say so, and that it will pass.
  const storage = storageProblemOf(error)
  if (storage) {
    return {
      status: 503,
      title: storage.title,
      detail: storage.sentences.join(' '),
      errors: [],
      page: { heading: `Sorry, ${storage.title}`, paragraphs: storage.sentences },
    }
  }
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
  if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
    return {
      status: 403,
      title: 'Form expired',
      detail:
        'The form could not be accepted because it was not sent from a current Kith page. Nothing was changed.',
      errors: [],
    }
  }
  if (error.validation) {
    return {
      status: 400,
      title: 'Your request has a problem',
      detail: 'The request is not valid.',
      errors: error.validation.map((issue) => ({
        field:
          issue.instancePath.replace(/^\//, '').replaceAll('/', '.') ||
          String(issue.params?.missingProperty ?? ''),
        message: issue.message ?? 'is not valid',
      })),
    }
  }
  if (status >= 500) return { status, title: 'Internal server error', detail: undefined, errors: [] }
  // Fastify's own 4xx messages (body too large, unsupported media type) are safe to show.
  return { status, title: PAGE_TEXT[status]?.heading ?? 'Request failed', detail: error.message, errors: [] }
}

export async function renderProblem(request: FastifyRequest, reply: FastifyReply, described: Described) {
  if (described.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS))
  if (isApiPath(request.url)) {
    return reply
      .status(described.status)
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title: described.title,
        status: described.status,
        ...(described.detail ? { detail: described.detail } : {}),
        ...(described.errors.length > 0
          ? {
              errors: described.errors.map((e) => ({
                pointer: `#/${e.field.replaceAll('.', '/')}`,
                detail: e.message,
              })),
            }
          : {}),
      })
  }
  const text =
    described.page ?? PAGE_TEXT[described.status] ?? PAGE_TEXT[described.status >= 500 ? 500 : 400]!
  const paragraphs =
    described.detail && described.status < 500 && !described.page ? [described.detail] : text.paragraphs
  return reply.status(described.status).view('web/views/error.njk', {
    pageTitle: text.heading,
    heading:
      described.status === 403 && described.title === 'Form expired' ? 'This form has expired' : text.heading,
    paragraphs,
    status: described.status,
  })
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setNotFoundHandler(async (request, reply) => {
    return renderProblem(request, reply, { status: 404, title: 'Not found', detail: undefined, errors: [] })
  })

  app.setErrorHandler(async (error: FastifyError | Problem, request, reply) => {
    const described = describe(error)
    if (described.status >= 500) request.log.error({ err: error }, 'request failed')
    if (reply.sent) return
    // The page locals may not be set when the error came before the handler.
    if (!isApiPath(request.url) && !reply.locals?.csrfToken) {
      try {
        reply.locals = {
          ...reply.locals,
          cspNonce: reply.cspNonce?.script,
          csrfToken: reply.generateCsrf(),
          currentUser: request.user,
          navigation: [],
        }
      } catch {
        // Render without them.
      }
    }
    try {
      return await renderProblem(request, reply, described)
    } catch (renderError) {
      request.log.error({ err: renderError }, 'error page failed')
      return reply
        .status(described.status)
        .type('text/plain; charset=utf-8')
        .send(described.page?.heading ?? PAGE_TEXT[500]!.heading)
    }
  })
}
