// What each capability holds on one person, as it tells it: for a subject access request, for
// retention and for erasure. Each capability that keeps rows about people registers one part
// (`context.personRecordParts.push(…)` in its routes function) and reads and erases only its own
// tables; the records capability puts the parts together and never reads a table of theirs.

import type { Queryable } from '../db/schema.ts'

/** A value as it is shown and exported. */
export type Value = string | number | null

/** A list of like rows: "Referrals", "Case notes". */
export interface Section {
  title: string
  rows: Record<string, Value>[]
}

export interface PersonRecordPart {
  /** The capability, in words: "Referrals", "Casework". */
  name: string
  /**
   * Parts are erased in this order, lowest first: a part whose rows point at another part's rows
   * goes before it (casework's prescriptions point at referrals; referrals at consents).
   */
  eraseOrder: number
  /** Everything the capability holds on the person, and the ids of its records about them. */
  read(db: Queryable, personId: string): Promise<{ sections: Section[]; recordIds: string[] }>
  /** When the capability last wrote about the person, and whether its care is still going on. */
  activity(db: Queryable, personId: string): Promise<{ lastAt: string | null; open: boolean }>
  /** Deletes every row the capability holds on the person; returns how many. */
  erase(trx: Queryable, personId: string): Promise<number>
}

/** Rows as plain values: every column kept, as the database holds it. */
export function plainRows(rows: readonly object[]): Record<string, Value>[] {
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        value === null || value === undefined
          ? null
          : typeof value === 'number' || typeof value === 'string'
            ? value
            : String(value),
      ]),
    ),
  )
}

/** The latest of some ISO times, ignoring missing ones. */
export function latest(...times: (string | null | undefined)[]): string | null {
  let last: string | null = null
  for (const time of times) if (time && (last === null || time > last)) last = time
  return last
}

/** The number of rows a delete removed. */
export function deleted(result: { numDeletedRows: bigint } | undefined): number {
  return Number(result?.numDeletedRows ?? 0)
}

declare module '../web/context.ts' {
  interface AppContext {
    /** What each capability holds on a person (subject access, retention, erasure). */
    personRecordParts: PersonRecordPart[]
  }
}
