// One error type travels from a store or a domain rule to HTTP, where it becomes a problem
// document (RFC 9457) for the API or a page in the NHS style for people.

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
