// Several writers' transactions made as one on PostgreSQL, with their rows written together.
//
// Each work runs at the same time as the others on one shared transaction. What it reads goes to
// the database at once (an identical read made by another work of the same batch is asked only
// once); the plain inserts it makes are held back. When every work has finished, the inserts of
// those that succeeded go out as one multi-row statement per table and column list, and the batch
// commits. A work that fails leaves nothing: its held inserts are dropped. Sixty-four referrals,
// which would each make a dozen statements, so make a few statements in all (decision 0304).
//
// The works see the database as concurrent transactions would: none sees another's held inserts.
// Where a batch cannot stand as one, `runTogether` rolls it back and says so, and the caller runs
// the works again one at a time: when a statement fails (PostgreSQL then refuses the rest of the
// transaction), when a work that failed had already sent a write that could not be held back, or
// when the combined inserts are refused (a unique key two works both claimed, say).

import {
  type CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type Driver,
  InsertQueryNode,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  PrimitiveValueListNode,
  type QueryResult,
  RawNode,
  SelectQueryNode,
  ValuesNode,
} from 'kysely'
import type { Db, Queryable, Tables } from './schema.ts'

/** At most this many parameters in one statement (PostgreSQL's protocol allows 65,535). */
const MAX_PARAMETERS = 60_000

interface HeldInsert {
  /** The table and its columns: inserts with the same key go out in one statement. */
  key: string
  node: InsertQueryNode
  rows: readonly PrimitiveValueListNode[]
}

/** A plain `insert … values` of simple values, returning nothing: one that can wait. */
function heldInsertOf(node: CompiledQuery['query']): HeldInsert | undefined {
  if (!InsertQueryNode.is(node)) return undefined
  const { into, columns, values } = node
  if (!into || !columns || !values || !ValuesNode.is(values)) return undefined
  if (
    node.returning ||
    node.onConflict ||
    node.onDuplicateKey ||
    node.with ||
    node.orAction ||
    node.replace ||
    node.explain ||
    node.defaultValues ||
    node.endModifiers?.length ||
    node.top ||
    node.output
  )
    return undefined
  const rows = values.values
  if (!rows.every((row) => PrimitiveValueListNode.is(row))) return undefined
  const table = `${into.table.schema?.name ?? ''}.${into.table.identifier.name}`
  return { key: `${table}(${columns.map((column) => column.column.name).join(',')})`, node, rows }
}

/**
 * A statement that only reads: `shared` when works asking the same may share its answer, `alone`
 * when each must ask (a locking read; hand-written SQL, which may call a function with effects).
 */
function readOnly(compiled: CompiledQuery): 'shared' | 'alone' | false {
  const { query } = compiled
  if (RawNode.is(query)) return /^\s*select\b/i.test(compiled.sql) ? 'alone' : false
  if (!SelectQueryNode.is(query)) return false
  return /\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b/i.test(compiled.sql) ? 'alone' : 'shared'
}

class Batch {
  readonly #trx: Queryable
  readonly #reads = new Map<string, Promise<QueryResult<unknown>>>()
  /** The held inserts of each work that succeeded, in the order they finished. */
  readonly held: HeldInsert[][] = []
  /** Set when the batch can no longer commit as one (see the top of this file). */
  broken = false

  constructor(trx: Queryable) {
    this.#trx = trx
  }

  async execute<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.#trx.executeQuery<R>(compiled)
    } catch (error) {
      this.broken = true
      throw error
    }
  }

  async read<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    let key: string
    try {
      key = `${compiled.sql}\u0000${JSON.stringify(compiled.parameters)}`
    } catch {
      // Parameters JSON cannot hold (a bigint, say): asked on their own.
      return this.execute(compiled)
    }
    let result = this.#reads.get(key)
    if (!result) {
      result = this.execute(compiled)
      this.#reads.set(key, result)
    }
    const { rows, ...rest } = (await result) as QueryResult<R>
    // Each work gets rows of its own to change as it likes.
    return { ...rest, rows: rows.map((row) => ({ ...row })) }
  }

  /** A write went out: what was read before it may have changed. */
  wrote(): void {
    this.#reads.clear()
  }

  /** Sends `inserts` as one statement per table and column list, in the order each first came. */
  async insert(inserts: HeldInsert[]): Promise<void> {
    const groups = new Map<string, { node: InsertQueryNode; rows: PrimitiveValueListNode[] }>()
    for (const insert of inserts) {
      const group = groups.get(insert.key)
      if (group) group.rows.push(...insert.rows)
      else groups.set(insert.key, { node: insert.node, rows: [...insert.rows] })
    }
    const executor = this.#trx.getExecutor()
    for (const { node, rows } of groups.values()) {
      const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / (node.columns?.length ?? 1)))
      for (let start = 0; start < rows.length; start += perStatement) {
        const values = ValuesNode.create(rows.slice(start, start + perStatement))
        const combined = InsertQueryNode.cloneWith(node, { values })
        await this.execute(executor.compileQuery(combined, createQueryId()))
      }
    }
  }
}

/** One work's connection: holds its plain inserts, sends everything else to the shared transaction. */
class WorkConnection implements DatabaseConnection {
  readonly #batch: Batch
  #held: HeldInsert[] = []
  /** A write that could not be held went to the database. */
  wroteOut = false

  constructor(batch: Batch) {
    this.#batch = batch
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const insert = heldInsertOf(compiled.query)
    if (insert) {
      this.#held.push(insert)
      return { rows: [], numAffectedRows: BigInt(insert.rows.length) }
    }
    // The work reads or writes after inserting: it must see its own rows, so they go first.
    if (this.#held.length > 0) await this.#writeOut(() => this.#batch.insert(this.#takeHeld()))
    const read = readOnly(compiled)
    if (read === 'shared') return this.#batch.read<R>(compiled)
    if (read === 'alone') return this.#batch.execute<R>(compiled)
    return this.#writeOut(() => this.#batch.execute<R>(compiled))
  }

  async #writeOut<T>(write: () => Promise<T>): Promise<T> {
    this.wroteOut = true
    this.#batch.wrote()
    return write()
  }

  #takeHeld(): HeldInsert[] {
    const held = this.#held
    this.#held = []
    return held
  }

  commit(): void {
    this.#batch.held.push(this.#takeHeld())
  }

  rollback(): void {
    this.#held = []
    if (this.wroteOut) this.#batch.broken = true
  }

  // biome-ignore lint/correctness/useYield: streaming is refused in a batch, before anything is read
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Reading in a stream is not supported in a batch of writes')
  }
}

class BatchDriver implements Driver {
  readonly #batch: Batch
  constructor(batch: Batch) {
    this.#batch = batch
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new WorkConnection(this.#batch)
  }
  async beginTransaction(): Promise<void> {}
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    ;(connection as WorkConnection).commit()
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    ;(connection as WorkConnection).rollback()
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

/**
 * Runs `works` together in one transaction of `db` (PostgreSQL), writing their inserts together,
 * and commits. Resolves with each work's outcome once the commit has succeeded; with `undefined`,
 * having rolled everything back, when the batch could not stand as one and the works should be
 * run again one at a time. Rejects when the commit itself failed.
 */
export async function runTogether<T>(
  db: Db,
  works: readonly ((trx: Queryable) => Promise<T>)[],
): Promise<PromiseSettledResult<T>[] | undefined> {
  const trx = await db.startTransaction().execute()
  const batch = new Batch(trx)
  const batchDb = new Kysely<Tables>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new BatchDriver(batch),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  })
  const settled = await Promise.allSettled(works.map((work) => batchDb.transaction().execute(work)))
  if (!batch.broken) {
    try {
      await batch.insert(batch.held.flat())
    } catch {
      batch.broken = true
    }
  }
  if (batch.broken) {
    await trx
      .rollback()
      .execute()
      .catch(() => undefined)
    return undefined
  }
  try {
    await trx.commit().execute()
  } catch (error) {
    await trx
      .rollback()
      .execute()
      .catch(() => undefined)
    throw error
  }
  return settled
}
