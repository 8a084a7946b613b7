// The tables Kysely knows about.
//
// Each capability declares its own tables in its `tables.ts` by merging into `Tables`:
//
//   declare module '../db/schema.ts' {
//     interface Tables { services: ServiceTable }
//   }
//
// so the capability owns its schema and this file never needs to change.

import type { Kysely, Transaction } from 'kysely'

// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging from each capability.
export interface Tables {}

export type Db = Kysely<Tables>
export type Tx = Transaction<Tables>
/** A connection or a transaction: what store functions take. */
export type Queryable = Kysely<Tables>
