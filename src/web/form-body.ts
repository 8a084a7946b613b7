// What a page's route reads from a form is strings: this is the one place that makes it so.
//
// The body parser turns `name=a&name=b` into an array, and a JSON body can carry objects, numbers
// and nulls, none of which a route or a template expects where a person typed text. Before any
// page route sees a request (in `preValidation`, ahead of the CSRF check and the handler):
//
// - A page route takes a form (application/x-www-form-urlencoded) or no body at all; any other
//   body (JSON, plain text) is refused with 415 and nothing is changed.
// - Every field becomes one string: a field sent more than once keeps its first value.
// - A field the route declares a list (`config: { listFields: ['needs'] }`, for checkboxes)
//   becomes an array of strings, `[]` when it was not sent. A declared name ending in `*` is
//   every field starting with what comes before the star (`stages.*`); those are lists when sent.
// - Names stay flat strings: `name[x]=1` is the field called `name[x]`, never an object.
// - U+0000 is removed from names and values: no one types it and PostgreSQL cannot store it.
//
// Queries of page routes are treated the same way. JSON interfaces (/api, /openreferral, /fhir)
// validate their own bodies with schemas; here they are only refused a string holding U+0000,
// with the field at fault, since no database column can hold one.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isApiPath } from './paths.ts'
import { badRequest, Problem } from './problem.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The form (or query) fields of a page route that are lists, such as a group of checkboxes. */
    listFields?: readonly string[]
  }
}

/** A form as a page route receives it. */
export type FormBody = Record<string, string | string[] | undefined>

const FORM_TYPE = 'application/x-www-form-urlencoded'
const NUL = '\u0000'

function isList(name: string, lists: readonly string[]): boolean {
  return lists.some((list) => (list.endsWith('*') ? name.startsWith(list.slice(0, -1)) : list === name))
}

function strings(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value]
  return items
    .filter((item): item is string => typeof item === 'string')
    .map((item) => item.replaceAll(NUL, ''))
}

/**
 * `raw` (what the parser made of a form or a query) as strings: one per field, or an array for
 * the fields in `lists`. Anything that is not a string (an object, a number) is left out.
 */
export function normaliseForm(raw: unknown, lists: readonly string[] = []): FormBody {
  const form: FormBody = {}
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw)) {
      const name = key.replaceAll(NUL, '')
      if (name === '__proto__' || Object.hasOwn(form, name)) continue
      const given = strings(value)
      if (isList(name, lists)) form[name] = given
      else if (given[0] !== undefined) form[name] = given[0]
    }
  }
  for (const list of lists) if (!list.endsWith('*') && !Object.hasOwn(form, list)) form[list] = []
  return form
}

/** The path to the first string in a JSON value that holds U+0000, if one does. */
export function nulAt(value: unknown, path: string[] = [], depth = 0): string[] | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path : undefined
  if (value === null || typeof value !== 'object' || depth > 64) return undefined
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes(NUL)) return [...path, key]
    const found = nulAt(inner, [...path, key], depth + 1)
    if (found) return found
  }
  return undefined
}

function hasBody(request: FastifyRequest): boolean {
  return request.body !== undefined && request.body !== null && request.body !== ''
}

export function registerFormBodies(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    if (isApiPath(request.url)) {
      const at = nulAt(request.body)
      if (at) {
        throw badRequest('The request is not valid.', [
          { field: at.join('.'), message: 'must not contain the character U+0000' },
        ])
      }
      return
    }
    const lists = request.routeOptions.config?.listFields ?? []
    request.query = normaliseForm(request.query, lists)
    if (request.method === 'GET' || request.method === 'HEAD') return
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    if (hasBody(request) && type !== FORM_TYPE) {
      throw new Problem(415, 'Unsupported media type', {
        detail:
          'Send the form from its page: a form is sent as application/x-www-form-urlencoded. Nothing was changed.',
      })
    }
    request.body = normaliseForm(request.body, lists)
  })
}
