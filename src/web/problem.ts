// One error type travels from a store or a domain rule to HTTP, where it becomes a problem
// document (RFC 9457) for the API or a page in the NHS style for people.

import { storageFailureOf } from '../db/failures.ts'

export interface FieldProblem {
  /** The field at fault, as a path into the submitted data (`person.dateOfBirth`). */
  field: string
  message: string
}

export class Problem extends Error {
  readonly status: number
  readonly title: string
  readonly detail: string | undefined
  readonly errors: FieldProblem[]

  constructor(status: number, title: string, options: { detail?: string; errors?: FieldProblem[] } = {}) {
    super(options.detail ?? title)
    this.status = status
    this.title = title
    this.detail = options.detail
    this.errors = options.errors ?? []
  }
}

export const badRequest = (detail: string, errors: FieldProblem[] = []) =>
  new Problem(400, 'Your request has a problem', { detail, errors })
export const unauthorised = (detail = 'Sign in to continue.') =>
  new Problem(401, 'Sign in required', { detail })
export const forbidden = (detail = 'You do not have permission to do this.') =>
  new Problem(403, 'Forbidden', { detail })
export const notFound = (detail?: string) => new Problem(404, 'Not found', detail ? { detail } : {})
export const conflict = (detail: string) => new Problem(409, 'Conflict', { detail })

// The database is out of reach, cannot store changes, or is held by another writer (see
// db/failures.ts): a 503 that says
// so, rather than a bare 500. Pages show the sentences as paragraphs; the API joins them.
export const CANNOT_SAVE_CHANGES = {
  title: 'Kith cannot save changes just now',
  sentences: [
    'Kith cannot save changes just now: the storage on its server is full or cannot be written to.',
    'Nothing was changed.',
    'Try again later. If this goes on, tell whoever runs Kith for your organisation.',
  ],
} as const
export const DATABASE_UNAVAILABLE = {
  title: 'Kith cannot reach its database just now',
  sentences: [
    'Kith cannot reach its database just now.',
    'Try again in a few minutes. If you were saving something, check whether it was saved before trying again.',
  ],
} as const

export const DATABASE_BUSY = {
  title: 'Kith is busy just now',
  sentences: [
    'Kith is busy just now: its database was held by another change for too long.',
    'Nothing was changed.',
    'Try again in a moment.',
  ],
} as const

/** How long a client is asked to wait before trying again after a 503, in seconds. */
export const RETRY_AFTER_SECONDS = 30

/** The 503 for an error that means the database is out of reach or cannot store changes. */
export function storageProblemOf(
  error: unknown,
): typeof CANNOT_SAVE_CHANGES | typeof DATABASE_UNAVAILABLE | typeof DATABASE_BUSY | undefined {
  const failure = storageFailureOf(error)
  if (failure === 'cannot-write') return CANNOT_SAVE_CHANGES
  if (failure === 'unavailable') return DATABASE_UNAVAILABLE
  if (failure === 'busy') return DATABASE_BUSY
  return undefined
}
