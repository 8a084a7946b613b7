// What casework's page modules share: who may use them, reading form fields, select and radio
// items, and running a change whose 400 becomes the form's errors.

import { z } from 'zod'
import { rolesAccess } from '../access/permissions.ts'
import type { Programme } from '../programmes/store.ts'
import type { FieldProblem } from '../web/problem.ts'
import { Problem } from '../web/problem.ts'
import { NeedsConfirmation } from './cases.ts'

export const VIEW = rolesAccess('link_worker', 'programme_manager')
export type Body = Record<string, unknown>

export const text = (max: number, message: string) => z.string().trim().max(max, message)
export const str = (value: unknown) => (typeof value === 'string' ? value : '')
export const list = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v) => typeof v === 'string')
    : typeof value === 'string' && value
      ? [value]
      : []

export const items = <K extends string>(keys: readonly K[], labels: Record<K, string>, selected?: unknown) =>
  keys.map((key) => ({
    value: key,
    text: labels[key],
    selected: key === selected,
    checked: key === selected,
  }))

export const needLabel = (programme: Programme, id: string | null) =>
  id ? (programme.needs.find((n) => n.id === id)?.label ?? id) : null

/**
 * Runs a change; a 400 or 409 from it becomes the form's errors (nothing was changed), and a
 * booking or move that needs confirming (NeedsConfirmation) its warnings.
 */
export async function attempt<T>(
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; problems: FieldProblem[]; warnings?: string[] }> {
  try {
    return { ok: true, value: await work() }
  } catch (error) {
    if (error instanceof NeedsConfirmation) return { ok: false, problems: [], warnings: error.warnings }
    if (error instanceof Problem && (error.status === 400 || error.status === 409)) {
      return {
        ok: false,
        problems: error.errors.length ? error.errors : [{ field: '', message: error.detail ?? error.title }],
      }
    }
    throw error
  }
}
