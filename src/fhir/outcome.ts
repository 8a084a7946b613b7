// Errors in FHIR: every refusal or fault becomes an OperationOutcome with its HTTP status, and
// says which element is wrong when one is (`expression`, a FHIRPath into what was sent).

import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes'

export type IssueCode = OperationOutcomeIssue['code']

export class FhirError extends Error {
  readonly status: number
  readonly issues: OperationOutcomeIssue[]

  constructor(status: number, code: IssueCode, diagnostics: string, expression?: string[]) {
    super(diagnostics)
    this.status = status
    this.issues = [{ severity: 'error', code, diagnostics, ...(expression ? { expression } : {}) }]
  }
}

export const fhirNotFound = (what = 'No such resource, or you may not see it.') =>
  new FhirError(404, 'not-found', what)
export const fhirInvalid = (diagnostics: string, expression?: string[]) =>
  new FhirError(400, expression ? 'invalid' : 'processing', diagnostics, expression)
export const fhirNotSupported = (diagnostics: string, expression?: string[]) =>
  new FhirError(400, 'not-supported', diagnostics, expression)

export function operationOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues }
}

/** The OperationOutcome and status for any error: FHIR's own, Kith's problem documents, or a fault. */
export function outcomeOf(error: unknown): { status: number; body: OperationOutcome } | undefined {
  if (error instanceof FhirError) return { status: error.status, body: operationOutcome(error.issues) }
  const problem = error as { status?: unknown; title?: unknown; detail?: unknown; errors?: unknown }
  if (typeof problem?.status === 'number' && typeof problem.title === 'string') {
    const status = problem.status
    const code: IssueCode =
      status === 404
        ? 'not-found'
        : status === 401
          ? 'login'
          : status === 403
            ? 'forbidden'
            : status === 409
              ? 'conflict'
              : status >= 500
                ? 'transient'
                : 'invalid'
    const fields = Array.isArray(problem.errors)
      ? (problem.errors as { field: string; message: string }[])
      : []
    const detail = typeof problem.detail === 'string' ? problem.detail : problem.title
    const issues: OperationOutcomeIssue[] =
      fields.length > 0
        ? fields.map((field) => ({
            severity: 'error',
            code,
            diagnostics: `${detail} ${field.message}.`,
            expression: [field.field],
          }))
        : [{ severity: 'error', code, diagnostics: detail }]
    return { status, body: operationOutcome(issues) }
  }
  return undefined
}
