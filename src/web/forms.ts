// Validation shared by HTML forms and the JSON API: a zod schema decides what is valid; its
// messages become the NHS error summary and inline messages on a page, or the `errors` of a
// problem document.

import type { z } from 'zod'
import { badRequest, type FieldProblem, type Problem } from './problem.ts'

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] }

export function parse<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input)
  if (result.success) return { ok: true, value: result.data }
  const problems: FieldProblem[] = []
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.')
    // One message per field: the first is the one to fix first.
    if (!problems.some((problem) => problem.field === field)) problems.push({ field, message: issue.message })
  }
  return { ok: false, problems }
}

/** Parses or throws a 400 problem: for JSON endpoints. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  detail = 'The request is not valid.',
): z.output<S> {
  const parsed = parse(schema, input)
  if (!parsed.ok) throw badRequest(detail, parsed.problems)
  return parsed.value
}

export interface FormErrors {
  /** For the error summary: each links to its field. */
  list: { text: string; href: string }[]
  /** For inline messages: `errorMessage: errors.byField.email`. */
  byField: Record<string, { text: string }>
}

/** The id of a field's input: dots become dashes, as the templates name them. */
export function fieldId(field: string): string {
  return field.replace(/\./g, '-')
}

export function formErrors(problems: FieldProblem[], anchors: Record<string, string> = {}): FormErrors {
  return {
    list: problems.map((problem) => ({
      text: problem.message,
      href: `#${anchors[problem.field] ?? fieldId(problem.field)}`,
    })),
    byField: Object.fromEntries(problems.map((problem) => [problem.field, { text: problem.message }])),
  }
}

export function problemErrors(problem: Problem): FormErrors {
  return formErrors(
    problem.errors.length > 0 ? problem.errors : [{ field: '', message: problem.detail ?? problem.title }],
  )
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

/** `YYYY-MM-DD` from the three boxes of an NHS date input, or what was typed when it is not a date. */
export function dateFrom(body: Record<string, unknown>, name: string): string {
  const day = text(body[`${name}-day`])
  const month = text(body[`${name}-month`])
  const year = text(body[`${name}-year`])
  if (!day && !month && !year) return ''
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year))
    return `${year}-${month}-${day}`
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
}
