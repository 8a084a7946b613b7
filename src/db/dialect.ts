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

/**
 * Full-text search over `services.search_text`, with English word stems. SQLite: an FTS5 index
 * (porter tokenizer) kept in step by triggers. PostgreSQL: a generated `tsvector` column with a
 * GIN index.
 */
export async function createServiceTextSearch(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`alter table services add column search_vector tsvector generated always as (to_tsvector('english', search_text)) stored`.execute(
      db,
    )
    await sql`create index services_search on services using gin (search_vector)`.execute(db)
    return
  }
  await sql`create virtual table services_fts using fts5(search_text, content='services', content_rowid='rowid', tokenize='porter unicode61')`.execute(
    db,
  )
  await sql`create trigger services_fts_insert after insert on services begin
    insert into services_fts(rowid, search_text) values (new.rowid, new.search_text); end`.execute(db)
  await sql`create trigger services_fts_delete after delete on services begin
    insert into services_fts(services_fts, rowid, search_text) values ('delete', old.rowid, old.search_text); end`.execute(
    db,
  )
  await sql`create trigger services_fts_update after update of search_text on services begin
    insert into services_fts(services_fts, rowid, search_text) values ('delete', old.rowid, old.search_text);
    insert into services_fts(rowid, search_text) values (new.rowid, new.search_text); end`.execute(db)
}

/** The words of a free-text search: letters and digits only, so no query syntax gets through. */
export function searchWords(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).slice(0, 20)
}

/**
 * A condition that the service's search document holds every word (by stem), every one of `all`
 * and at least one of `any` (internal tokens: letters and digits only). `services` must be in the
 * query under that name. Undefined when there is nothing to match.
 */
export function serviceTextMatches(
  db: Kysely<any>,
  text: string,
  tokens: { all?: string[]; any?: string[] } = {},
): RawBuilder<boolean> | undefined {
  const words = searchWords(text)
  const token = (t: string) => t.replace(/[^a-z0-9]/gi, '')
  const all = (tokens.all ?? []).map(token).filter(Boolean)
  const any = (tokens.any ?? []).map(token).filter(Boolean)
  if (words.length === 0 && all.length === 0 && any.length === 0) return undefined
  if (dialectOf(db) === 'postgres') {
    const parts = [...all, ...(any.length > 0 ? [`(${any.join(' | ')})`] : [])]
    const wordQuery = words.length > 0 ? sql`plainto_tsquery('english', ${words.join(' ')})` : undefined
    const tokenQuery = parts.length > 0 ? sql`to_tsquery('english', ${parts.join(' & ')})` : undefined
    const query = wordQuery && tokenQuery ? sql`(${wordQuery} && ${tokenQuery})` : (wordQuery ?? tokenQuery)
    return sql<boolean>`services.search_vector @@ ${query}`
  }
  const parts = [
    ...words.map((word) => `"${word}"`),
    ...all.map((t) => `"${t}"`),
    ...(any.length > 0 ? [`(${any.map((t) => `"${t}"`).join(' OR ')})`] : []),
  ]
  return sql<boolean>`services.rowid in (select rowid from services_fts where services_fts match ${parts.join(' AND ')})`
}
