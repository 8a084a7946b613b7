// Every difference between SQLite and PostgreSQL that Kith relies on lives here.
//
// Conventions that need no difference at all: ids are text (UUIDs), times are ISO-8601 UTC text
// (`2026-11-22T09:30:00.000Z`, which sorts as time does), dates are `YYYY-MM-DD` text, flags are
// integers 0/1, and structured values are JSON text.

import { type ColumnDataType, type Expression, type Kysely, type RawBuilder, sql } from 'kysely'
import { dialectOf } from './database.ts'

/** Column type for a floating-point number. */
export function floatType(db: Kysely<any>): ColumnDataType {
  return dialectOf(db) === 'postgres' ? 'double precision' : 'real'
}

/** Case-insensitive substring match (`ilike` on PostgreSQL, `like` on SQLite, which ignores ASCII case). */
export function containsInsensitive(
  db: Kysely<any>,
  column: Expression<unknown>,
  text: string,
): RawBuilder<boolean> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return dialectOf(db) === 'postgres'
    ? sql<boolean>`${column} ilike ${pattern} escape '\\'`
    : sql<boolean>`${column} like ${pattern} escape '\\'`
}

/** Flags are stored as integers on both databases. */
export function flag(value: boolean): 0 | 1 {
  return value ? 1 : 0
}
