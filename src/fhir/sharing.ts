// What a programme sends the GP practices it covers, chosen by its managers: the points besides a
// case's end at which the summary goes (the initial assessment done, a prescription ended), and,
// per practice, the whole document or its codes only (some practices want the codes without the
// free text).

import type { CaseMilestone } from '../casework/index.ts'
import type { Queryable } from '../db/schema.ts'
import './tables.ts'

/** The points besides a case's end at which a programme may send the summary. */
export const GP_SUMMARY_POINTS = [
  'initial-assessment',
  'prescription-ended',
] as const satisfies readonly CaseMilestone['point'][]
export type GpSummaryPoint = (typeof GP_SUMMARY_POINTS)[number]

export const GP_SUMMARY_POINT_LABELS: Record<GpSummaryPoint, string> = {
  'initial-assessment': 'When the initial assessment is done',
  'prescription-ended': 'When a social prescription ends',
}

export const GP_SUMMARY_POINT_HINTS: Record<GpSummaryPoint, string> = {
  'initial-assessment': 'The initial appointment is recorded as attended',
  'prescription-ended': 'Its review ends it, on its last day or early, rather than extending it',
}

export const isPoint = (value: unknown): value is GpSummaryPoint =>
  (GP_SUMMARY_POINTS as readonly unknown[]).includes(value)

/** The points the programme sends the summary at, besides the case's end (none unless chosen). */
export async function summaryPointsOf(db: Queryable, programmeId: string): Promise<GpSummaryPoint[]> {
  const row = await db
    .selectFrom('gp_summary_points')
    .select('points')
    .where('programme_id', '=', programmeId)
    .executeTakeFirst()
  const stored: unknown = row ? JSON.parse(row.points) : []
  return Array.isArray(stored) ? GP_SUMMARY_POINTS.filter((point) => stored.includes(point)) : []
}

export async function setSummaryPoints(
  db: Queryable,
  programmeId: string,
  points: readonly GpSummaryPoint[],
  now = new Date(),
): Promise<void> {
  const value = JSON.stringify(GP_SUMMARY_POINTS.filter((point) => points.includes(point)))
  await db
    .insertInto('gp_summary_points')
    .values({ programme_id: programmeId, points: value, updated_at: now.toISOString() })
    .onConflict((oc) =>
      oc.column('programme_id').doUpdateSet({ points: value, updated_at: now.toISOString() }),
    )
    .execute()
}

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

/** A programme's practice and what it takes. */
export interface PracticeSharing {
  organisationId: string
  name: string
  odsCode: string | null
  codesOnly: boolean
}

export interface GpSharing {
  points: GpSummaryPoint[]
  practices: PracticeSharing[]
}

interface ProgrammeWithPractices {
  id: string
  practices: readonly { organisationId: string; name: string; odsCode: string | null }[]
}

/** What the programme sends its practices: its points, and each practice's choice. */
export async function gpSharingOf(db: Queryable, programme: ProgrammeWithPractices): Promise<GpSharing> {
  const codesOnly = new Set(await codesOnlyPractices(db, programme.id))
  return {
    points: await summaryPointsOf(db, programme.id),
    practices: programme.practices.map((p) => ({
      organisationId: p.organisationId,
      name: p.name,
      odsCode: p.odsCode,
      codesOnly: codesOnly.has(p.organisationId),
    })),
  }
}

/**
 * Saves the programme's points and its practices' choices (practices not named keep theirs); what
 * changed, for the audit: `points`, and the practices whose choice changed.
 */
export async function saveGpSharing(
  db: Queryable,
  programme: ProgrammeWithPractices,
  change: { points: readonly GpSummaryPoint[]; codesOnly: ReadonlyMap<string, boolean> },
  now = new Date(),
): Promise<{ points: boolean; practices: string[] }> {
  const before = await gpSharingOf(db, programme)
  const points = GP_SUMMARY_POINTS.filter((point) => change.points.includes(point))
  const pointsChanged = points.join() !== before.points.join()
  if (pointsChanged) await setSummaryPoints(db, programme.id, points, now)
  const practices: string[] = []
  for (const practice of before.practices) {
    const codesOnly = change.codesOnly.get(practice.organisationId)
    if (codesOnly === undefined || codesOnly === practice.codesOnly) continue
    await setCodesOnly(db, programme.id, practice.organisationId, codesOnly, now)
    practices.push(practice.organisationId)
  }
  return { points: pointsChanged, practices }
}
