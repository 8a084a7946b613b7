// Every difference between SQLite and PostgreSQL that Kith relies on lives here.
//
// Conventions that need no difference at all: ids are text (UUIDs), times are ISO-8601 UTC text
// (`2026-11-22T09:30:00.000Z`, which sorts as time does), dates are `YYYY-MM-DD` text, flags are
// integers 0/1, and structured values are JSON text.

import {
  type ColumnDataType,
  type ControlledTransaction,
  type Expression,
  type Kysely,
  type RawBuilder,
  sql,
} from 'kysely'
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

/**
 * PostgreSQL's English stop words (tsearch_data/english.stop): PostgreSQL leaves them out of a
 * text search, so SQLite does too, and a search reads the same on both.
 */
const STOP_WORDS = new Set([
  'i',
  'me',
  'my',
  'myself',
  'we',
  'our',
  'ours',
  'ourselves',
  'you',
  'your',
  'yours',
  'yourself',
  'yourselves',
  'he',
  'him',
  'his',
  'himself',
  'she',
  'her',
  'hers',
  'herself',
  'it',
  'its',
  'itself',
  'they',
  'them',
  'their',
  'theirs',
  'themselves',
  'what',
  'which',
  'who',
  'whom',
  'this',
  'that',
  'these',
  'those',
  'am',
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'being',
  'have',
  'has',
  'had',
  'having',
  'do',
  'does',
  'did',
  'doing',
  'a',
  'an',
  'the',
  'and',
  'but',
  'if',
  'or',
  'because',
  'as',
  'until',
  'while',
  'of',
  'at',
  'by',
  'for',
  'with',
  'about',
  'against',
  'between',
  'into',
  'through',
  'during',
  'before',
  'after',
  'above',
  'below',
  'to',
  'from',
  'up',
  'down',
  'in',
  'out',
  'on',
  'off',
  'over',
  'under',
  'again',
  'further',
  'then',
  'once',
  'here',
  'there',
  'when',
  'where',
  'why',
  'how',
  'all',
  'any',
  'both',
  'each',
  'few',
  'more',
  'most',
  'other',
  'some',
  'such',
  'no',
  'nor',
  'not',
  'only',
  'own',
  'same',
  'so',
  'than',
  'too',
  'very',
  's',
  't',
  'can',
  'will',
  'just',
  'don',
  'should',
  'now',
])

/**
 * The words of a free-text search: letters and digits only, so no query syntax gets through,
 * without stop words ("help with benefits" looks for help and benefits).
 */
export function searchWords(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  )
    .filter((word) => !STOP_WORDS.has(word))
    .slice(0, 20)
}

/**
 * A condition that the service's search document holds every word (by stem), every one of `all`,
 * at least one of `any`, and at least one of each of `anyOf` (internal tokens: letters and digits
 * only). `services` must be in the query under that name. Undefined when there is nothing to match.
 */
export function serviceTextMatches(
  db: Kysely<any>,
  text: string,
  tokens: { all?: string[]; any?: string[]; anyOf?: string[][] } = {},
): RawBuilder<boolean> | undefined {
  const words = searchWords(text)
  const token = (t: string) => t.replace(/[^a-z0-9]/gi, '')
  const all = (tokens.all ?? []).map(token).filter(Boolean)
  const groups = [tokens.any ?? [], ...(tokens.anyOf ?? [])]
    .map((group) => group.map(token).filter(Boolean))
    .filter((group) => group.length > 0)
  if (words.length === 0 && all.length === 0 && groups.length === 0) return undefined
  if (dialectOf(db) === 'postgres') {
    const parts = [...all, ...groups.map((group) => `(${group.join(' | ')})`)]
    const wordQuery = words.length > 0 ? sql`plainto_tsquery('english', ${words.join(' ')})` : undefined
    const tokenQuery = parts.length > 0 ? sql`to_tsquery('english', ${parts.join(' & ')})` : undefined
    const query = wordQuery && tokenQuery ? sql`(${wordQuery} && ${tokenQuery})` : (wordQuery ?? tokenQuery)
    return sql<boolean>`services.search_vector @@ ${query}`
  }
  const parts = [
    ...words.map((word) => `"${word}"`),
    ...all.map((t) => `"${t}"`),
    ...groups.map((group) => `(${group.map((t) => `"${t}"`).join(' OR ')})`),
  ]
  return sql<boolean>`services.rowid in (select rowid from services_fts where services_fts match ${parts.join(' AND ')})`
}

/**
 * PostgreSQL's GIN index gathers new entries in a pending list that every search scans until a
 * vacuum merges it; after many writes that made a search ten times slower. The directory is
 * read far more than written, so its entries go straight into the index.
 */
export async function tuneServiceTextSearch(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') await sql`alter index services_search set (fastupdate = off)`.execute(db)
}

/**
 * The column, kept from SQLite's choice of index for the condition it is in (SQLite's unary `+`):
 * for a query better served by scanning a covering index in order than by looking up rows by an
 * index on this column, which SQLite, keeping no statistics, would otherwise prefer. PostgreSQL
 * plans by its statistics: the column as it is.
 */
export function unindexed(db: Kysely<any>, column: string): RawBuilder<string> {
  return dialectOf(db) === 'postgres' ? sql<string>`${sql.ref(column)}` : sql<string>`+${sql.ref(column)}`
}

/**
 * Runs a large read (a report's counting) with room to sort and hash in memory. PostgreSQL's
 * `work_mem` (4 MB by default) is what each sort, hash and common table expression may hold
 * before it spills to disk; the reports' statements hold tens of megabytes at a borough's scale,
 * so they get `megabytes` for the one transaction (`set local`: other statements keep the
 * server's setting). With `parallel`, they also share the work with parallel workers more
 * readily: a statement that reads millions of rows and hands on a few thousand groups, which the
 * planner's default costs (1,000 to start workers, 0.1 a row handed on) make look dearer than
 * reading alone (not for every statement: the Outcomes report's gathering of each person's
 * readings was slower in parallel). Already in a transaction, the settings last to its end.
 * SQLite keeps its temporary tables and sorts in memory always (`temp_store`, src/db/sqlite.ts).
 */
export async function withRoomToCount<T>(
  db: Kysely<any>,
  megabytes: number,
  read: (db: Kysely<any>) => Promise<T>,
  options: { parallel?: boolean } = {},
): Promise<T> {
  if (dialectOf(db) !== 'postgres') return read(db)
  const room = async (trx: Kysely<any>) => {
    await giveRoom(trx, megabytes, options)
    return read(trx)
  }
  return db.isTransaction ? room(db) : db.transaction().execute(room)
}

/** `withRoomToCount`'s settings, for the rest of a PostgreSQL transaction. */
async function giveRoom(trx: Kysely<any>, megabytes: number, options: { parallel?: boolean }): Promise<void> {
  await sql`select set_config('work_mem', ${`${Math.trunc(megabytes)}MB`}, true)`.execute(trx)
  if (options.parallel)
    await sql`select set_config('parallel_setup_cost', '100', true), set_config('parallel_tuple_cost', '0.01', true)`.execute(
      trx,
    )
}

/**
 * Runs several large reads as `withRoomToCount` does, all seeing the database as it was at one
 * moment. On PostgreSQL each read has a connection of its own and they run side by side: the
 * first transaction exports its snapshot (`pg_export_snapshot`) and the others take it up
 * (`set transaction snapshot`), as pg_dump's parallel workers do, so no change made meanwhile is
 * seen by one read and not another. On SQLite, which has one connection, or inside a caller's
 * transaction, they run one after another in one transaction, which holds one snapshot too.
 */
export async function readTogether<T extends unknown[]>(
  db: Kysely<any>,
  megabytes: number,
  reads: { [K in keyof T]: (db: Kysely<any>) => Promise<T[K]> },
  options: { parallel?: boolean } = {},
): Promise<T> {
  const inTurn = async (trx: Kysely<any>) => {
    const results: unknown[] = []
    for (const read of reads) results.push(await withRoomToCount(trx, megabytes, read, options))
    return results as T
  }
  if (dialectOf(db) !== 'postgres' || db.isTransaction || reads.length < 2)
    return db.isTransaction ? inTurn(db) : db.transaction().execute(inTurn)
  const open: ControlledTransaction<any>[] = []
  try {
    const first = await db.startTransaction().setIsolationLevel('repeatable read').execute()
    open.push(first)
    const { rows } = await sql<{ snapshot: string }>`select pg_export_snapshot() as snapshot`.execute(first)
    const snapshot = rows[0]!.snapshot
    await giveRoom(first, megabytes, options)
    for (let i = 1; i < reads.length; i++) {
      const other = await db.startTransaction().setIsolationLevel('repeatable read').execute()
      open.push(other)
      await sql`set transaction snapshot ${sql.lit(snapshot)}`.execute(other)
      await giveRoom(other, megabytes, options)
    }
    const results = await Promise.all(reads.map((read, i) => read(open[i]!)))
    while (open.length > 0) await open.shift()!.commit().execute()
    return results as T
  } finally {
    for (const trx of open)
      await trx
        .rollback()
        .execute()
        .catch(() => undefined)
  }
}
