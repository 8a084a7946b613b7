// What each practice takes of the summaries a programme sends it: the whole document, or its codes
// only (some practices want the codes without the free text). A programme's choice per practice.

import type { Queryable } from '../db/schema.ts'
import './tables.ts'

export async function codesOnlyFor(db: Queryable, programmeId: string, practiceId: string): Promise<boolean> {
  const row = await db
    .selectFrom('gp_sharing')
    .select('codes_only')
    .where('programme_id', '=', programmeId)
    .where('practice_organisation_id', '=', practiceId)
    .executeTakeFirst()
  return row?.codes_only === 1
}

export async function setCodesOnly(
  db: Queryable,
  programmeId: string,
  practiceId: string,
  codesOnly: boolean,
  now = new Date(),
): Promise<void> {
  await db
    .insertInto('gp_sharing')
    .values({
      programme_id: programmeId,
      practice_organisation_id: practiceId,
      codes_only: codesOnly ? 1 : 0,
      updated_at: now.toISOString(),
    })
    .onConflict((oc) =>
      oc
        .columns(['programme_id', 'practice_organisation_id'])
        .doUpdateSet({ codes_only: codesOnly ? 1 : 0, updated_at: now.toISOString() }),
    )
    .execute()
}

/** The practices of the programme that take codes only. */
export async function codesOnlyPractices(db: Queryable, programmeId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('gp_sharing')
    .select('practice_organisation_id')
    .where('programme_id', '=', programmeId)
    .where('codes_only', '=', 1)
    .execute()
  return rows.map((row) => row.practice_organisation_id)
}
