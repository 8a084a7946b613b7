// Programmes (schemes): the only place their SQL lives.

import { sql } from 'kysely'
import type { CurrentUser } from '../access/users.ts'
import { organisationsWhere } from '../access/users.ts'
import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import {
  defaultSettings,
  type Pathway,
  type ProgrammeSettings,
  programmeSettingsSchema,
  selfReferralAllowed,
  WEEKDAYS,
  type Weekday,
} from './config.ts'
import type { ProgrammeTable } from './tables.ts'

/** A programme as a list shows it. */
export interface ProgrammeSummary {
  id: string
  name: string
  ownerOrganisationId: string
  ownerOrganisationName: string
  pathway: Pathway
  /** When it was retired (closed to new referrals); null while it runs. */
  retiredAt: string | null
}

export interface ProgrammePractice {
  organisationId: string
  name: string
  odsCode: string | null
  /** The link worker named for the practice (Tower Hamlets: one per practice). */
  namedLinkWorker: { userId: string; name: string } | null
}

export interface WorkingDay {
  weekday: Weekday
  /** The practice they are at that day; null when away from practices (home visits, say). */
  practiceId: string | null
}

export interface ProgrammeLinkWorker {
  userId: string
  name: string
  email: string
  /** Their working pattern in this programme, Monday first. */
  days: WorkingDay[]
}

/** A programme with its full configuration. */
export interface Programme extends ProgrammeSettings {
  id: string
  ownerOrganisationId: string
  ownerOrganisationName: string
  /** Whether people may refer themselves: `self` is among the referral sources. */
  selfReferralAllowed: boolean
  /** The practices it covers, by name. */
  practices: ProgrammePractice[]
  /** Its link workers, by name. */
  linkWorkers: ProgrammeLinkWorker[]
  updatedAt: string
  /** When it was retired (closed to new referrals); null while it runs. */
  retiredAt: string | null
}

function settingsColumns(settings: ProgrammeSettings) {
  return {
    name: settings.name,
    description: settings.description,
    pathway: settings.pathway,
    referral_sources: JSON.stringify(settings.referralSources),
    practice_registration_required: settings.practiceRegistrationRequired ? 1 : 0,
    criteria: JSON.stringify(settings.criteria),
    needs: JSON.stringify(settings.needs),
    link_worker_title: settings.linkWorkerTitle,
    appointment_rules: JSON.stringify(settings.appointments),
    prescription: settings.prescription ? JSON.stringify(settings.prescription) : null,
    nudge_after_days: settings.replyDeadlines.nudgeAfterDays,
    decline_after_days: settings.replyDeadlines.declineAfterDays,
  }
}

/** Reads the stored settings through their schemas, so a programme is always well-formed. */
function settingsOf(row: ProgrammeTable): ProgrammeSettings {
  return programmeSettingsSchema.parse({
    name: row.name,
    description: row.description,
    pathway: row.pathway,
    referralSources: JSON.parse(row.referral_sources),
    practiceRegistrationRequired: row.practice_registration_required === 1,
    criteria: JSON.parse(row.criteria),
    needs: JSON.parse(row.needs),
    linkWorkerTitle: row.link_worker_title,
    appointments: JSON.parse(row.appointment_rules),
    prescription: row.prescription ? JSON.parse(row.prescription) : null,
    replyDeadlines: { nudgeAfterDays: row.nudge_after_days, declineAfterDays: row.decline_after_days },
  })
}

export async function createProgramme(
  db: Queryable,
  input: { name: string; ownerOrganisationId: string; settings?: ProgrammeSettings },
): Promise<string> {
  const id = newId()
  const now = nowIso()
  const settings = programmeSettingsSchema.parse(input.settings ?? defaultSettings(input.name))
  await db
    .insertInto('programmes')
    .values({
      id,
      ...settingsColumns(settings),
      owner_organisation_id: input.ownerOrganisationId,
      created_at: now,
      updated_at: now,
    })
    .execute()
  return id
}

/** Replaces the programme's settings (validated again here: nothing invalid is stored). */
export async function updateProgrammeSettings(
  db: Queryable,
  id: string,
  settings: ProgrammeSettings,
): Promise<boolean> {
  const valid = programmeSettingsSchema.parse(settings)
  const result = await db
    .updateTable('programmes')
    .set({ ...settingsColumns(valid), updated_at: nowIso() })
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

function summaries(db: Queryable) {
  return db
    .selectFrom('programmes')
    .innerJoin('organisations', 'organisations.id', 'programmes.owner_organisation_id')
    .select([
      'programmes.id',
      'programmes.name',
      'programmes.owner_organisation_id as ownerOrganisationId',
      'organisations.name as ownerOrganisationName',
      'programmes.pathway',
      'programmes.retired_at as retiredAt',
    ])
    .orderBy('programmes.name')
    .orderBy('programmes.id')
}

/** Rows as plain objects (SQLite's have no prototype), so callers can compare them. */
const plain = <T extends object>(rows: T[]): T[] => rows.map((row) => ({ ...row }))

/** Every programme; `running` leaves out those retired. */
export async function listProgrammes(
  db: Queryable,
  options: { running?: boolean } = {},
): Promise<ProgrammeSummary[]> {
  let query = summaries(db)
  if (options.running) query = query.where('programmes.retired_at', 'is', null)
  return plain(await query.execute())
}

/**
 * A running programme with this name (compared without regard to case or surrounding spaces),
 * other than `exceptId`: names are unique among running programmes, so referrers can tell them
 * apart. A retired programme's name may be used again.
 */
export async function runningProgrammeNamed(
  db: Queryable,
  name: string,
  exceptId?: string,
): Promise<{ id: string; name: string } | undefined> {
  const wanted = name.trim().toLowerCase()
  const rows = await db
    .selectFrom('programmes')
    .select(['id', 'name'])
    .where('retired_at', 'is', null)
    .execute()
  return rows.find((row) => row.id !== exceptId && row.name.trim().toLowerCase() === wanted)
}

/** Retires the programme: closed to new referrals from now on; its referrals and cases are kept. */
export async function retireProgramme(db: Queryable, id: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('programmes')
    .set({ retired_at: at, updated_at: at })
    .where('id', '=', id)
    .where('retired_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** The programme with its full configuration, practices and link workers. */
export async function getProgramme(db: Queryable, id: string): Promise<Programme | undefined> {
  const row = await db
    .selectFrom('programmes')
    .innerJoin('organisations', 'organisations.id', 'programmes.owner_organisation_id')
    .selectAll('programmes')
    .select('organisations.name as owner_name')
    .where('programmes.id', '=', id)
    .executeTakeFirst()
  if (!row) return undefined
  const [practices, workers, days] = await Promise.all([
    db
      .selectFrom('programme_practices')
      .innerJoin('organisations', 'organisations.id', 'programme_practices.organisation_id')
      .leftJoin('users', 'users.id', 'programme_practices.named_link_worker_user_id')
      .select([
        'programme_practices.organisation_id as organisationId',
        'organisations.name',
        'organisations.ods_code as odsCode',
        'users.id as namedUserId',
        'users.name as namedUserName',
      ])
      .where('programme_practices.programme_id', '=', id)
      .orderBy('organisations.name')
      .execute(),
    db
      .selectFrom('programme_link_workers')
      .innerJoin('users', 'users.id', 'programme_link_workers.user_id')
      .select(['users.id as userId', 'users.name', 'users.email'])
      .where('programme_link_workers.programme_id', '=', id)
      .orderBy('users.name')
      .execute(),
    db
      .selectFrom('programme_link_worker_days')
      .select(['user_id', 'weekday', 'practice_organisation_id'])
      .where('programme_id', '=', id)
      .execute(),
  ])
  const settings = settingsOf(row)
  return {
    id: row.id,
    ...settings,
    ownerOrganisationId: row.owner_organisation_id,
    ownerOrganisationName: row.owner_name,
    selfReferralAllowed: selfReferralAllowed(settings),
    practices: practices.map((practice) => ({
      organisationId: practice.organisationId,
      name: practice.name,
      odsCode: practice.odsCode,
      namedLinkWorker:
        practice.namedUserId && practice.namedUserName
          ? { userId: practice.namedUserId, name: practice.namedUserName }
          : null,
    })),
    linkWorkers: workers.map((worker) => ({
      userId: worker.userId,
      name: worker.name,
      email: worker.email,
      days: days
        .filter((day) => day.user_id === worker.userId)
        .map((day) => ({ weekday: day.weekday, practiceId: day.practice_organisation_id }))
        .sort((a, b) => WEEKDAYS.indexOf(a.weekday) - WEEKDAYS.indexOf(b.weekday)),
    })),
    updatedAt: row.updated_at,
    retiredAt: row.retired_at,
  }
}

/** What a referral to a programme needs of it: no names of practices or link workers, no working patterns. */
export interface ProgrammeForReferral extends ProgrammeSettings {
  id: string
  ownerOrganisationId: string
  selfReferralAllowed: boolean
  /** The ODS codes of the practices it covers, in the order of their names. */
  practiceOdsCodes: (string | null)[]
  /** Its link workers' user ids, in the order of their names. */
  linkWorkerIds: string[]
  /** When it was retired (closed to new referrals); null while it runs. */
  retiredAt: string | null
}

// Parsed settings by their stored text. Parsing through the schemas is most of the cost of
// reading a programme, and the same text always parses to the same settings, so a settings
// object is parsed once and shared (frozen, so no caller can change it for the others).
const parsedSettings = new Map<string, ProgrammeSettings>()
const PARSED_SETTINGS_MAX = 200

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const item of Object.values(value)) deepFreeze(item)
  }
  return value
}

function sharedSettingsOf(row: ProgrammeTable): ProgrammeSettings {
  // Each column with its length first, so that the key says exactly what each held.
  const key = [
    row.name,
    row.description,
    row.pathway,
    row.referral_sources,
    row.practice_registration_required,
    row.criteria,
    row.needs,
    row.link_worker_title,
    row.appointment_rules,
    row.prescription,
    row.nudge_after_days,
    row.decline_after_days,
  ]
    .map((value) => (value === null ? '-' : `${String(value).length}:${value}`))
    .join('')
  let settings = parsedSettings.get(key)
  if (!settings) {
    settings = deepFreeze(settingsOf(row))
    if (parsedSettings.size >= PARSED_SETTINGS_MAX) parsedSettings.clear()
    parsedSettings.set(key, settings)
  }
  return settings
}

/**
 * The programme as a referral to it sees it, in two queries (getProgramme takes four): read on
 * every referral, so it reads only what a referral uses. The settings are shared and frozen.
 */
export async function getProgrammeForReferral(
  db: Queryable,
  id: string,
): Promise<ProgrammeForReferral | undefined> {
  const row = await db.selectFrom('programmes').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) return undefined
  // The practices' ODS codes and the link workers, in one round trip.
  const members = await db
    .selectFrom('programme_practices')
    .innerJoin('organisations', 'organisations.id', 'programme_practices.organisation_id')
    .select([
      sql<string>`'practice'`.as('kind'),
      'organisations.ods_code as value',
      'organisations.name as name',
    ])
    .where('programme_practices.programme_id', '=', id)
    .unionAll(
      db
        .selectFrom('programme_link_workers')
        .innerJoin('users', 'users.id', 'programme_link_workers.user_id')
        .select([sql<string>`'link-worker'`.as('kind'), 'users.id as value', 'users.name as name'])
        .where('programme_link_workers.programme_id', '=', id),
    )
    .orderBy('kind')
    .orderBy('name')
    .execute()
  const settings = sharedSettingsOf(row)
  return {
    id: row.id,
    ...settings,
    ownerOrganisationId: row.owner_organisation_id,
    selfReferralAllowed: selfReferralAllowed(settings),
    practiceOdsCodes: members.filter((m) => m.kind === 'practice').map((m) => m.value),
    linkWorkerIds: members.filter((m) => m.kind === 'link-worker').map((m) => m.value as string),
    retiredAt: row.retired_at,
  }
}

/**
 * The programme, with its row locked until the transaction ends: call inside a transaction
 * before changing settings that were read. (An UPDATE locks the row on PostgreSQL, and SQLite
 * takes its write lock, so this works alike on both.)
 */
export async function getProgrammeForUpdate(db: Queryable, id: string): Promise<Programme | undefined> {
  await touch(db, id)
  return getProgramme(db, id)
}

/** The programmes a user manages: those owned by an organisation where they are a programme manager. */
export async function programmesManagedBy(db: Queryable, user: CurrentUser): Promise<ProgrammeSummary[]> {
  const organisations = organisationsWhere(user, 'programme_manager')
  if (organisations.length === 0) return []
  return plain(await summaries(db).where('programmes.owner_organisation_id', 'in', organisations).execute())
}

export interface ProgrammeOfUser extends ProgrammeSummary {
  /** They manage it: a programme manager of its owner organisation. */
  manages: boolean
  /** They are one of its link workers. */
  linkWorker: boolean
}

/** The programmes a user works in, as manager or as link worker (or both). */
export async function programmesOfUser(db: Queryable, user: CurrentUser): Promise<ProgrammeOfUser[]> {
  const managed = organisationsWhere(user, 'programme_manager')
  const rows = await summaries(db)
    .leftJoin('programme_link_workers', (join) =>
      join
        .onRef('programme_link_workers.programme_id', '=', 'programmes.id')
        .on('programme_link_workers.user_id', '=', user.id),
    )
    .select('programme_link_workers.user_id as linkWorkerId')
    .where((eb) =>
      eb.or([
        eb('programme_link_workers.user_id', 'is not', null),
        ...(managed.length > 0 ? [eb('programmes.owner_organisation_id', 'in', managed)] : []),
      ]),
    )
    .execute()
  return rows.map(({ linkWorkerId, ...programme }) => ({
    ...programme,
    manages: managed.includes(programme.ownerOrganisationId),
    linkWorker: linkWorkerId !== null,
  }))
}

/** Whether the user manages the programme (a programme manager of its owner organisation). */
export function canManage(user: CurrentUser, programme: { ownerOrganisationId: string }): boolean {
  return organisationsWhere(user, 'programme_manager').includes(programme.ownerOrganisationId)
}

export async function isLinkWorkerOf(db: Queryable, programmeId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('programme_link_workers')
    .select('user_id')
    .where('programme_id', '=', programmeId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row !== undefined
}

/** The programmes that cover a practice (organisation id). */
export async function programmesCoveringPractice(
  db: Queryable,
  practiceId: string,
): Promise<ProgrammeSummary[]> {
  return plain(
    await summaries(db)
      .innerJoin('programme_practices', 'programme_practices.programme_id', 'programmes.id')
      .where('programme_practices.organisation_id', '=', practiceId)
      .execute(),
  )
}

/** The link worker named for a practice in a programme, if the programme names one. */
export async function namedLinkWorkerFor(
  db: Queryable,
  programmeId: string,
  practiceId: string,
): Promise<{ userId: string; name: string } | undefined> {
  const row = await db
    .selectFrom('programme_practices')
    .innerJoin('users', 'users.id', 'programme_practices.named_link_worker_user_id')
    .select(['users.id as userId', 'users.name'])
    .where('programme_practices.programme_id', '=', programmeId)
    .where('programme_practices.organisation_id', '=', practiceId)
    .executeTakeFirst()
  return row ? { userId: row.userId, name: row.name } : undefined
}

/**
 * Sets the practices the programme covers. A practice taken off the list takes its named link
 * worker and the working days spent there with it.
 */
export async function setProgrammePractices(
  db: Queryable,
  programmeId: string,
  organisationIds: readonly string[],
): Promise<{ added: string[]; removed: string[] }> {
  const current = (
    await db
      .selectFrom('programme_practices')
      .select('organisation_id')
      .where('programme_id', '=', programmeId)
      .execute()
  ).map((row) => row.organisation_id)
  const wanted = [...new Set(organisationIds)]
  const added = wanted.filter((id) => !current.includes(id))
  const removed = current.filter((id) => !wanted.includes(id))
  if (removed.length > 0) {
    await db
      .deleteFrom('programme_link_worker_days')
      .where('programme_id', '=', programmeId)
      .where('practice_organisation_id', 'in', removed)
      .execute()
    await db
      .deleteFrom('programme_practices')
      .where('programme_id', '=', programmeId)
      .where('organisation_id', 'in', removed)
      .execute()
  }
  if (added.length > 0) {
    await db
      .insertInto('programme_practices')
      .values(
        added.map((organisationId) => ({
          programme_id: programmeId,
          organisation_id: organisationId,
          named_link_worker_user_id: null,
        })),
      )
      .execute()
  }
  await touch(db, programmeId)
  return { added, removed }
}

/** Names a link worker (or no one, with null) for each practice given. */
export async function setNamedLinkWorkers(
  db: Queryable,
  programmeId: string,
  named: Record<string, string | null>,
): Promise<void> {
  for (const [practiceId, userId] of Object.entries(named)) {
    await db
      .updateTable('programme_practices')
      .set({ named_link_worker_user_id: userId })
      .where('programme_id', '=', programmeId)
      .where('organisation_id', '=', practiceId)
      .execute()
  }
  await touch(db, programmeId)
}

export async function addLinkWorker(db: Queryable, programmeId: string, userId: string): Promise<boolean> {
  if (await isLinkWorkerOf(db, programmeId, userId)) return false
  await db
    .insertInto('programme_link_workers')
    .values({ programme_id: programmeId, user_id: userId, added_at: nowIso() })
    .execute()
  await touch(db, programmeId)
  return true
}

/** Takes a link worker off the programme, with their working days and the practices they were named for. */
export async function removeLinkWorker(db: Queryable, programmeId: string, userId: string): Promise<boolean> {
  await db
    .updateTable('programme_practices')
    .set({ named_link_worker_user_id: null })
    .where('programme_id', '=', programmeId)
    .where('named_link_worker_user_id', '=', userId)
    .execute()
  await db
    .deleteFrom('programme_link_worker_days')
    .where('programme_id', '=', programmeId)
    .where('user_id', '=', userId)
    .execute()
  const result = await db
    .deleteFrom('programme_link_workers')
    .where('programme_id', '=', programmeId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  await touch(db, programmeId)
  return Number(result.numDeletedRows) === 1
}

export interface WorkingDayIn extends WorkingDay {
  programmeId: string
  /** The practice's name, when the programme covers it. */
  practiceName: string | null
}

/** A link worker's working pattern in these programmes, with the practices' names, in one query. */
export async function workingPatternOf(
  db: Queryable,
  userId: string,
  programmeIds: readonly string[],
): Promise<WorkingDayIn[]> {
  if (programmeIds.length === 0) return []
  return db
    .selectFrom('programme_link_worker_days')
    .leftJoin('programme_practices', (join) =>
      join
        .onRef('programme_practices.programme_id', '=', 'programme_link_worker_days.programme_id')
        .onRef(
          'programme_practices.organisation_id',
          '=',
          'programme_link_worker_days.practice_organisation_id',
        ),
    )
    .leftJoin('organisations', 'organisations.id', 'programme_practices.organisation_id')
    .select([
      'programme_link_worker_days.programme_id as programmeId',
      'programme_link_worker_days.weekday',
      'programme_link_worker_days.practice_organisation_id as practiceId',
      'organisations.name as practiceName',
    ])
    .where('programme_link_worker_days.user_id', '=', userId)
    .where('programme_link_worker_days.programme_id', 'in', programmeIds)
    .execute()
}

/** Replaces a link worker's working pattern in the programme. */
export async function setWorkingPattern(
  db: Queryable,
  programmeId: string,
  userId: string,
  days: readonly WorkingDay[],
): Promise<void> {
  await db
    .deleteFrom('programme_link_worker_days')
    .where('programme_id', '=', programmeId)
    .where('user_id', '=', userId)
    .execute()
  if (days.length > 0) {
    await db
      .insertInto('programme_link_worker_days')
      .values(
        days.map((day) => ({
          programme_id: programmeId,
          user_id: userId,
          weekday: day.weekday,
          practice_organisation_id: day.practiceId,
        })),
      )
      .execute()
  }
  await touch(db, programmeId)
}

async function touch(db: Queryable, programmeId: string): Promise<void> {
  await db.updateTable('programmes').set({ updated_at: nowIso() }).where('id', '=', programmeId).execute()
}
