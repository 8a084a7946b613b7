// Programmes (schemes): the only place their SQL lives.

import type { CurrentUser } from '../access/users.ts'
import { organisationsWhere } from '../access/users.ts'
import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'

export interface Programme {
  id: string
  name: string
  ownerOrganisationId: string
}

const columns = ['id', 'name', 'owner_organisation_id as ownerOrganisationId'] as const

export async function createProgramme(
  db: Queryable,
  input: { name: string; ownerOrganisationId: string },
): Promise<string> {
  const id = newId()
  const now = nowIso()
  await db
    .insertInto('programmes')
    .values({
      id,
      name: input.name,
      owner_organisation_id: input.ownerOrganisationId,
      created_at: now,
      updated_at: now,
    })
    .execute()
  return id
}

export async function getProgramme(db: Queryable, id: string): Promise<Programme | undefined> {
  return db.selectFrom('programmes').select(columns).where('id', '=', id).executeTakeFirst()
}

export async function listProgrammes(db: Queryable): Promise<Programme[]> {
  return db.selectFrom('programmes').select(columns).orderBy('name').execute()
}

/** The programmes a user manages: those owned by an organisation where they are a programme manager. */
export async function programmesManagedBy(db: Queryable, user: CurrentUser): Promise<Programme[]> {
  const organisations = organisationsWhere(user, 'programme_manager')
  if (organisations.length === 0) return []
  return db
    .selectFrom('programmes')
    .select(columns)
    .where('owner_organisation_id', 'in', organisations)
    .orderBy('name')
    .execute()
}
