// The community capability's queries for link workers' training and supervision.

import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { TrainingRecord } from './training.ts'
import './tables.ts'

export async function trainingOf(db: Queryable, userIds: readonly string[]): Promise<TrainingRecord[]> {
  if (userIds.length === 0) return []
  const rows = await db
    .selectFrom('training_records')
    .selectAll()
    .where('user_id', 'in', [...userIds])
    .orderBy('completed_on', 'desc')
    .orderBy('id')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    course: r.course,
    provider: r.provider,
    completedOn: r.completed_on,
    expiresOn: r.expires_on,
  }))
}

export async function insertTraining(
  db: Queryable,
  input: Omit<TrainingRecord, 'id'>,
  recordedBy: string | null,
): Promise<string> {
  const id = newId()
  await db
    .insertInto('training_records')
    .values({
      id,
      user_id: input.userId,
      course: input.course,
      provider: input.provider,
      completed_on: input.completedOn,
      expires_on: input.expiresOn,
      recorded_by_user_id: recordedBy,
      created_at: nowIso(),
    })
    .execute()
  return id
}

export interface SupervisionSession {
  id: string
  userId: string
  supervisor: string
  heldOn: string
}

export async function supervisionOf(
  db: Queryable,
  userIds: readonly string[],
): Promise<SupervisionSession[]> {
  if (userIds.length === 0) return []
  const rows = await db
    .selectFrom('supervision_sessions')
    .selectAll()
    .where('user_id', 'in', [...userIds])
    .orderBy('held_on', 'desc')
    .execute()
  return rows.map((r) => ({ id: r.id, userId: r.user_id, supervisor: r.supervisor, heldOn: r.held_on }))
}

export async function insertSupervision(
  db: Queryable,
  input: Omit<SupervisionSession, 'id'>,
  recordedBy: string | null,
): Promise<string> {
  const id = newId()
  await db
    .insertInto('supervision_sessions')
    .values({
      id,
      user_id: input.userId,
      supervisor: input.supervisor,
      held_on: input.heldOn,
      recorded_by_user_id: recordedBy,
      created_at: nowIso(),
    })
    .execute()
  return id
}

export async function requiredTrainingOf(db: Queryable, programmeIds: readonly string[]) {
  if (programmeIds.length === 0) return []
  const rows = await db
    .selectFrom('required_training')
    .selectAll()
    .where('programme_id', 'in', [...programmeIds])
    .orderBy('course')
    .execute()
  return rows.map((r) => ({ programmeId: r.programme_id, course: r.course }))
}

export async function setRequiredTraining(db: Queryable, programmeId: string, courses: readonly string[]) {
  await db.deleteFrom('required_training').where('programme_id', '=', programmeId).execute()
  if (courses.length > 0)
    await db
      .insertInto('required_training')
      .values(courses.map((course) => ({ programme_id: programmeId, course })))
      .execute()
}
