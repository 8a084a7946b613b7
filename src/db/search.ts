// What a search over a capability's records shares, whoever asks (the FHIR API among them): time
// ranges on an ISO text column, a page, and the query of person ids that says whose records a
// user reaches. Each capability builds its own conditions; these only carry them.

import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from 'kysely'
import type { Tables } from './schema.ts'

/** Instants from `from` (inclusive) to `before` (exclusive), either open; `outside` keeps the rest. */
export interface TimeRange {
  from?: string
  before?: string
  outside?: boolean
}

/** A page of a search, newest first: `limit` rows after `offset`. */
export interface Paging {
  limit: number
  offset: number
}

export interface Found<T> {
  rows: T[]
  /** How many match in all, on every page. */
  total: number
}

/**
 * The ids of people whose records some rule opens to a user, as a query: used inside another
 * query (`where person_id in (...)`), so no list of ids is ever carried over.
 */
export type PersonIdQuery = SelectQueryBuilder<Tables, any, { person_id: string }>

/** The first of the columns that is not null (`coalesce`), for `inTimeRanges`. */
export const firstOf = (...columns: string[]): Expression<unknown> =>
  sql`coalesce(${sql.join(columns.map((column) => sql.ref(column)))})`

/** Whether the column (ISO UTC text) lies in every range; true when there are none. */
export function inTimeRanges(
  column: string | Expression<unknown>,
  ranges: readonly TimeRange[],
): Expression<SqlBool> {
  if (ranges.length === 0) return sql<SqlBool>`1 = 1`
  const at = typeof column === 'string' ? sql.ref(column) : column
  const parts = ranges.map((range) => {
    const bounds = [
      ...(range.from !== undefined ? [sql`${at} >= ${range.from}`] : []),
      ...(range.before !== undefined ? [sql`${at} < ${range.before}`] : []),
    ]
    const inside = bounds.length > 0 ? sql`(${sql.join(bounds, sql` and `)})` : sql`(${at} is not null)`
    return range.outside ? sql`(${at} is not null and not ${inside})` : inside
  })
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`
}
