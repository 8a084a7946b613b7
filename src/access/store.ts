// Organisations, users and memberships: the only place their SQL lives.

import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { OrganisationKind, Role } from './roles.ts'
import type { CurrentUser } from './users.ts'

export interface OrganisationInput {
  name: string
  kind: OrganisationKind
  parentId: string | null
  odsCode: string | null
  postcode: string | null
}

export interface Organisation extends OrganisationInput {
  id: string
}

const organisationColumns = [
  'id',
  'name',
  'kind',
  'parent_id as parentId',
  'ods_code as odsCode',
  'postcode',
] as const

export async function createOrganisation(
  db: Queryable,
  input: OrganisationInput,
  id = newId(),
): Promise<string> {
  const now = nowIso()
  await db
    .insertInto('organisations')
    .values({
      id,
      name: input.name,
      kind: input.kind,
      parent_id: input.parentId,
      ods_code: input.odsCode,
      postcode: input.postcode,
      created_at: now,
      updated_at: now,
    })
    .execute()
  return id
}

export async function updateOrganisation(
  db: Queryable,
  id: string,
  input: OrganisationInput,
): Promise<boolean> {
  const result = await db
    .updateTable('organisations')
    .set({
      name: input.name,
      kind: input.kind,
      parent_id: input.parentId,
      ods_code: input.odsCode,
      postcode: input.postcode,
      updated_at: nowIso(),
    })
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function getOrganisation(db: Queryable, id: string): Promise<Organisation | undefined> {
  return db.selectFrom('organisations').select(organisationColumns).where('id', '=', id).executeTakeFirst()
}

export async function findOrganisationByOdsCode(
  db: Queryable,
  odsCode: string,
): Promise<Organisation | undefined> {
  return db
    .selectFrom('organisations')
    .select(organisationColumns)
    .where('ods_code', '=', odsCode.toUpperCase())
    .executeTakeFirst()
}

export async function findOrganisationByName(db: Queryable, name: string): Promise<Organisation | undefined> {
  return db
    .selectFrom('organisations')
    .select(organisationColumns)
    .where('name', '=', name)
    .executeTakeFirst()
}

export async function listOrganisations(db: Queryable): Promise<Organisation[]> {
  return db.selectFrom('organisations').select(organisationColumns).orderBy('name').execute()
}

/** The organisation and every organisation below it. */
export async function organisationAndDescendants(db: Queryable, id: string): Promise<string[]> {
  const all = await db.selectFrom('organisations').select(['id', 'parent_id']).execute()
  const children = new Map<string, string[]>()
  for (const row of all) {
    if (row.parent_id) children.set(row.parent_id, [...(children.get(row.parent_id) ?? []), row.id])
  }
  const found: string[] = []
  const queue = [id]
  while (queue.length > 0) {
    const next = queue.shift() as string
    if (found.includes(next)) continue
    found.push(next)
    queue.push(...(children.get(next) ?? []))
  }
  return found
}

export interface UserInput {
  email: string
  name: string
  passwordHash: string | null
}

export async function createUser(db: Queryable, input: UserInput, id = newId()): Promise<string> {
  const now = nowIso()
  await db
    .insertInto('users')
    .values({
      id,
      email: input.email.trim().toLowerCase(),
      name: input.name,
      password_hash: input.passwordHash,
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
    })
    .execute()
  return id
}

export async function findUserByEmail(db: Queryable, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'password_hash as passwordHash', 'active'])
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst()
}

export async function getUser(db: Queryable, id: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'active', 'created_at as createdAt', 'last_sign_in_at as lastSignInAt'])
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function updateUser(
  db: Queryable,
  id: string,
  input: { name: string; email: string },
): Promise<void> {
  await db
    .updateTable('users')
    .set({ name: input.name, email: input.email.trim().toLowerCase(), updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

export async function setUserPassword(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

export async function setUserActive(db: Queryable, id: string, active: boolean): Promise<void> {
  await db
    .updateTable('users')
    .set({ active: active ? 1 : 0, updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

export async function recordSignIn(db: Queryable, id: string): Promise<void> {
  await db.updateTable('users').set({ last_sign_in_at: nowIso() }).where('id', '=', id).execute()
}

export async function listUsers(db: Queryable, filter: { text?: string } = {}) {
  let select = db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'active', 'last_sign_in_at as lastSignInAt'])
    .orderBy('name')
  if (filter.text) {
    const pattern = `%${filter.text.toLowerCase()}%`
    select = select.where((eb) =>
      eb.or([eb(eb.fn('lower', ['name']), 'like', pattern), eb('email', 'like', pattern)]),
    )
  }
  return select.execute()
}

export async function membershipsOf(db: Queryable, userIds: string[]) {
  if (userIds.length === 0) return []
  return db
    .selectFrom('memberships')
    .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
    .select([
      'memberships.id',
      'memberships.user_id as userId',
      'memberships.organisation_id as organisationId',
      'organisations.name as organisationName',
      'organisations.kind as organisationKind',
      'memberships.role',
      'memberships.title',
    ])
    .where('memberships.user_id', 'in', userIds)
    .orderBy('organisations.name')
    .orderBy('memberships.role')
    .execute()
}

/** The active users who hold one of the roles in the organisation (a team to tell of a new referral, say). */
export async function usersWithRoleIn(
  db: Queryable,
  organisationId: string,
  roles: readonly Role[],
): Promise<string[]> {
  if (roles.length === 0) return []
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('users.id')
    .distinct()
    .where('memberships.organisation_id', '=', organisationId)
    .where('memberships.role', 'in', [...roles])
    .where('users.active', '=', 1)
    .orderBy('users.id')
    .execute()
  return rows.map((row) => row.id)
}

export async function addMembership(
  db: Queryable,
  input: { userId: string; organisationId: string; role: Role; title: string | null },
): Promise<string> {
  const id = newId()
  await db
    .insertInto('memberships')
    .values({
      id,
      user_id: input.userId,
      organisation_id: input.organisationId,
      role: input.role,
      title: input.title,
      created_at: nowIso(),
    })
    .onConflict((oc) =>
      oc.columns(['user_id', 'organisation_id', 'role']).doUpdateSet({ title: input.title }),
    )
    .execute()
  return id
}

export async function removeMembership(
  db: Queryable,
  userId: string,
  membershipId: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('memberships')
    .where('id', '=', membershipId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

/** The active user with their memberships, as a request sees them. */
export async function loadCurrentUser(db: Queryable, userId: string): Promise<CurrentUser | undefined> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'name'])
    .where('id', '=', userId)
    .where('active', '=', 1)
    .executeTakeFirst()
  if (!user) return undefined
  const memberships = (await membershipsOf(db, [userId])).map(({ userId: _, ...membership }) => membership)
  return { ...user, memberships }
}

export async function countUsers(db: Queryable): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** The members of these organisations, each membership with its person, by organisation then name. */
export async function membersOf(db: Queryable, organisationIds: readonly string[]) {
  if (organisationIds.length === 0) return []
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
    .select([
      'memberships.id',
      'memberships.user_id as userId',
      'users.name',
      'users.email',
      'users.active',
      'users.password_hash as passwordHash',
      'memberships.organisation_id as organisationId',
      'organisations.name as organisationName',
      'memberships.role',
      'memberships.title',
    ])
    .where('memberships.organisation_id', 'in', [...organisationIds])
    .orderBy('organisations.name')
    .orderBy('users.name')
    .orderBy('memberships.role')
    .execute()
}

export async function getMembership(db: Queryable, id: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select([
      'memberships.id',
      'memberships.user_id as userId',
      'users.name',
      'users.email',
      'memberships.organisation_id as organisationId',
      'memberships.role',
      'memberships.title',
    ])
    .where('memberships.id', '=', id)
    .executeTakeFirst()
}

/** Changes a membership's role and title in place. */
export async function changeMembership(
  db: Queryable,
  id: string,
  change: { role: Role; title: string | null },
): Promise<void> {
  await db
    .updateTable('memberships')
    .set({ role: change.role, title: change.title })
    .where('id', '=', id)
    .execute()
}

/** Sets the name and password a person chose on accepting an invitation. */
export async function setNameAndPassword(
  db: Queryable,
  id: string,
  name: string,
  passwordHash: string,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ name, password_hash: passwordHash, updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

/** Users' names by id, for lists and reports. */
export async function userNames(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  const unique = [...new Set(ids)]
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('id', 'in', unique.slice(i, i + 500))
      .execute()
    for (const row of rows) names.set(row.id, row.name)
  }
  return names
}
