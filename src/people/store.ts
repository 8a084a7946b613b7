// People: the only place their SQL lives. These functions do not audit: callers go through
// records.ts, which reads and changes a person's record and writes the audit event together.

import { unindexed } from '../db/dialect.ts'
import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import {
  type Found,
  firstOf,
  inTimeRanges,
  type Paging,
  type PersonIdQuery,
  type TimeRange,
} from '../db/search.ts'
import { conditionsByCode } from './conditions.ts'
import {
  type Consent,
  type ConsentInput,
  type ContactMethod,
  nameKey,
  type Person,
  type PersonInput,
  type PersonSummary,
} from './person.ts'
import type { PersonConsentTable } from './tables.ts'

function personColumns(input: PersonInput) {
  return {
    nhs_number: input.nhsNumber,
    given_name: input.givenName,
    family_name: input.familyName,
    given_name_key: nameKey(input.givenName),
    family_name_key: nameKey(input.familyName),
    date_of_birth: input.dateOfBirth,
    sex_or_gender: input.sexOrGender,
    address_lines: JSON.stringify(input.addressLines),
    postcode: input.postcode,
    phone: input.phone,
    email: input.email,
    contact_methods: JSON.stringify(input.contactMethods),
    may_leave_messages: input.mayLeaveMessages ? 1 : 0,
    registered_practice_id: input.registeredPracticeId,
  }
}

/** Sets the person's conditions to `codes`; `isNew` for a person just inserted, who has none yet. */
async function setConditions(
  db: Queryable,
  personId: string,
  codes: readonly string[],
  isNew = false,
): Promise<void> {
  const current = isNew
    ? []
    : (
        await db.selectFrom('person_conditions').select('code').where('person_id', '=', personId).execute()
      ).map((row) => row.code)
  const removed = current.filter((code) => !codes.includes(code))
  const added = conditionsByCode(codes.filter((code) => !current.includes(code)))
  if (removed.length > 0) {
    await db
      .deleteFrom('person_conditions')
      .where('person_id', '=', personId)
      .where('code', 'in', removed)
      .execute()
  }
  if (added.length > 0) {
    const now = nowIso()
    await db
      .insertInto('person_conditions')
      .values(added.map((c) => ({ person_id: personId, code: c.code, display: c.display, recorded_at: now })))
      .execute()
  }
}

/** Inserts a person. Call inside a transaction: the conditions are written alongside. */
export async function createPerson(db: Queryable, input: PersonInput, id = newId()): Promise<string> {
  const now = nowIso()
  await db
    .insertInto('people')
    .values({ id, ...personColumns(input), created_at: now, updated_at: now })
    .execute()
  await setConditions(db, id, input.conditions, true)
  return id
}

/** Replaces a person's details and conditions; false when there is no such person. */
export async function updatePerson(db: Queryable, id: string, input: PersonInput): Promise<boolean> {
  const result = await db
    .updateTable('people')
    .set({ ...personColumns(input), updated_at: nowIso() })
    .where('id', '=', id)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) return false
  await setConditions(db, id, input.conditions)
  return true
}

function consentOf(row: PersonConsentTable): Consent {
  return {
    id: row.id,
    about: row.about,
    givenBy:
      row.given_by === 'representative'
        ? {
            kind: 'representative',
            name: row.representative_name ?? '',
            relationship: row.representative_relationship ?? '',
          }
        : { kind: 'person' },
    method: row.method,
    givenAt: row.given_at,
    relatedRecordType: row.related_record_type,
    relatedRecordId: row.related_record_id,
    recordedByUserId: row.recorded_by_user_id,
    recordedAt: row.recorded_at,
    withdrawnAt: row.withdrawn_at,
  }
}

/** The person with their practice, conditions and consents. Does not audit: use records.ts `readPerson`. */
export async function getPerson(db: Queryable, id: string): Promise<Person | undefined> {
  return (await getPeople(db, [id]))[0]
}

/** These people's records, in the order asked; ids with no person are left out. Does not audit. */
export async function getPeople(db: Queryable, ids: readonly string[]): Promise<Person[]> {
  if (ids.length === 0) return []
  const unique = [...new Set(ids)]
  const [rows, conditions, consents] = await Promise.all([
    db
      .selectFrom('people')
      .leftJoin('organisations', 'organisations.id', 'people.registered_practice_id')
      .selectAll('people')
      .select(['organisations.name as practice_name', 'organisations.ods_code as practice_ods_code'])
      .where('people.id', 'in', unique)
      .execute(),
    db
      .selectFrom('person_conditions')
      .select(['person_id', 'code', 'display'])
      .where('person_id', 'in', unique)
      .execute(),
    db
      .selectFrom('person_consents')
      .selectAll()
      .where('person_id', 'in', unique)
      .orderBy('given_at', 'desc')
      .orderBy('id', 'desc')
      .execute(),
  ])
  const byId = new Map(rows.map((row) => [row.id, row]))
  return unique.flatMap((id) => {
    const row = byId.get(id)
    if (!row) return []
    const own = conditions.filter((c) => c.person_id === id)
    const order = conditionsByCode(own.map((c) => c.code)).map((c) => c.code)
    const person: Person = {
      id: row.id,
      nhsNumber: row.nhs_number,
      givenName: row.given_name,
      familyName: row.family_name,
      dateOfBirth: row.date_of_birth,
      sexOrGender: row.sex_or_gender,
      addressLines: JSON.parse(row.address_lines) as string[],
      postcode: row.postcode,
      phone: row.phone,
      email: row.email,
      contactPreferences: {
        methods: JSON.parse(row.contact_methods) as ContactMethod[],
        mayLeaveMessages: row.may_leave_messages === 1,
      },
      registeredPractice:
        row.registered_practice_id && row.practice_name
          ? { id: row.registered_practice_id, name: row.practice_name, odsCode: row.practice_ods_code }
          : null,
      // Stored display text is kept as recorded; the order follows Kith's list.
      conditions: own
        .map((c) => ({ code: c.code, display: c.display }))
        .sort((a, b) => order.indexOf(a.code) - order.indexOf(b.code)),
      consents: consents.filter((c) => c.person_id === id).map(consentOf),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }
    return [person]
  })
}

function summaryQuery(db: Queryable) {
  return db
    .selectFrom('people')
    .leftJoin('organisations', 'organisations.id', 'people.registered_practice_id')
    .select([
      'people.id',
      'people.nhs_number as nhsNumber',
      'people.given_name as givenName',
      'people.family_name as familyName',
      'people.date_of_birth as dateOfBirth',
      'people.postcode',
      'organisations.name as registeredPracticeName',
    ])
}

/** Summaries of these people, by family then given name. Does not audit: use records.ts `readPersonSummaries`. */
export async function getPersonSummaries(db: Queryable, ids: readonly string[]): Promise<PersonSummary[]> {
  if (ids.length === 0) return []
  const rows = await summaryQuery(db)
    .where('people.id', 'in', [...new Set(ids)])
    .orderBy('people.family_name_key')
    .orderBy('people.given_name_key')
    .orderBy('people.id')
    .execute()
  return rows.map((row) => ({ ...row }))
}

export interface DuplicateCandidate {
  nhsNumber?: string | null
  givenName: string
  familyName: string
  dateOfBirth: string
}

export interface PossibleDuplicate {
  person: PersonSummary
  /** Why they may be the same person: the NHS number, or the same names and date of birth. */
  match: 'nhs-number' | 'name-and-date-of-birth'
}

/**
 * People who may be the candidate: the same NHS number, or the same family name, given name and
 * date of birth (accents and case set aside). NHS number matches come first. Does not audit:
 * use records.ts `findPossibleDuplicates`.
 */
export async function findDuplicates(
  db: Queryable,
  candidate: DuplicateCandidate,
  options: { excludingId?: string } = {},
): Promise<PossibleDuplicate[]> {
  const family = nameKey(candidate.familyName)
  const given = nameKey(candidate.givenName)
  let query = summaryQuery(db)
    .where((eb) => {
      const byName = eb.and([
        eb('people.family_name_key', '=', family),
        eb('people.date_of_birth', '=', candidate.dateOfBirth),
        eb('people.given_name_key', '=', given),
      ])
      return candidate.nhsNumber ? eb.or([eb('people.nhs_number', '=', candidate.nhsNumber), byName]) : byName
    })
    .orderBy('people.family_name_key')
    .orderBy('people.id')
    .limit(50)
  if (options.excludingId) query = query.where('people.id', '!=', options.excludingId)
  const rows = await query.execute()
  const found = rows.map((person) => ({
    person: { ...person },
    match: (candidate.nhsNumber && person.nhsNumber === candidate.nhsNumber
      ? 'nhs-number'
      : 'name-and-date-of-birth') as PossibleDuplicate['match'],
  }))
  return [
    ...found.filter((found) => found.match === 'nhs-number'),
    ...found.filter((found) => found.match !== 'nhs-number'),
  ]
}

export async function personExists(db: Queryable, id: string): Promise<boolean> {
  return (await db.selectFrom('people').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
}

export async function personIdByNhsNumber(db: Queryable, nhsNumber: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('people')
    .select('id')
    .where('nhs_number', '=', nhsNumber)
    .executeTakeFirst()
  return row?.id
}

export async function addConsent(
  db: Queryable,
  personId: string,
  input: ConsentInput,
  recordedByUserId: string | null,
): Promise<string> {
  const id = newId()
  await db
    .insertInto('person_consents')
    .values({
      id,
      person_id: personId,
      about: input.about,
      given_by: input.givenBy,
      representative_name: input.givenBy === 'representative' ? input.representativeName : null,
      representative_relationship:
        input.givenBy === 'representative' ? input.representativeRelationship : null,
      method: input.method,
      given_at: input.givenAt,
      related_record_type: input.relatedRecordType,
      related_record_id: input.relatedRecordId,
      recorded_by_user_id: recordedByUserId,
      recorded_at: nowIso(),
      withdrawn_at: null,
    })
    .execute()
  return id
}

/** Marks a consent withdrawn; false when there is no such consent of this person or it is already withdrawn. */
export async function markConsentWithdrawn(
  db: Queryable,
  personId: string,
  consentId: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('person_consents')
    .set({ withdrawn_at: at })
    .where('id', '=', consentId)
    .where('person_id', '=', personId)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Pairs of records that may be one person: the same names and date of birth (accents and case
 * aside), and not two different NHS numbers. The older record first; oldest pairs first.
 */
export async function duplicatePairs(
  db: Queryable,
  limit = 100,
): Promise<{ olderId: string; newerId: string }[]> {
  return db
    .selectFrom('people as a')
    .innerJoin('people as b', (join) =>
      join
        .onRef('b.family_name_key', '=', 'a.family_name_key')
        .onRef('b.date_of_birth', '=', 'a.date_of_birth')
        .onRef('b.given_name_key', '=', 'a.given_name_key')
        .onRef('b.id', '>', 'a.id'),
    )
    .select(['a.id as olderId', 'b.id as newerId'])
    .where((eb) =>
      eb.or([
        eb('a.nhs_number', 'is', null),
        eb('b.nhs_number', 'is', null),
        eb('a.nhs_number', '=', eb.ref('b.nhs_number')),
      ]),
    )
    .orderBy('a.id')
    .orderBy('b.id')
    .limit(limit)
    .execute()
}

/**
 * Moves what the people capability keeps about person `from` to person `into`: consents, and the
 * conditions `into` does not have already; then deletes `from`, and gives `into` its NHS number
 * when it had none. Other capabilities' rows must have moved first (their foreign keys refuse the
 * delete otherwise).
 */
export async function foldPersonInto(
  db: Queryable,
  from: string,
  into: string,
  nhsNumber: string | null,
): Promise<void> {
  await db.updateTable('person_consents').set({ person_id: into }).where('person_id', '=', from).execute()
  const held = await db.selectFrom('person_conditions').select('code').where('person_id', '=', into).execute()
  const codes = held.map((row) => row.code)
  let moving = db.updateTable('person_conditions').set({ person_id: into }).where('person_id', '=', from)
  if (codes.length > 0) moving = moving.where('code', 'not in', codes)
  await moving.execute()
  await db.deleteFrom('person_conditions').where('person_id', '=', from).execute()
  await db.deleteFrom('people').where('id', '=', from).execute()
  if (nhsNumber)
    await db
      .updateTable('people')
      .set({ nhs_number: nhsNumber, updated_at: nowIso() })
      .where('id', '=', into)
      .where('nhs_number', 'is', null)
      .execute()
}

/**
 * The people born on `dateOfBirth` (`YYYY-MM-DD`) whose postcode is `postcode`, normalised as
 * person.ts `normalisePostcode` stores it (`EX15 1FE`); at most `limit`. For the self-care kiosk,
 * which links a reading to a person in its practice's programmes. Does not audit: the caller
 * audits each record it reads.
 */
export async function personIdsByBirthAndPostcode(
  db: Queryable,
  dateOfBirth: string,
  postcode: string,
  limit = 20,
): Promise<string[]> {
  const rows = await db
    .selectFrom('people')
    .select('id')
    .where('date_of_birth', '=', dateOfBirth)
    .where('postcode', '=', postcode)
    .orderBy('id')
    .limit(limit)
    .execute()
  return rows.map((row) => row.id)
}

export interface PeopleSearch extends Paging {
  /** Whose records the user reaches, one query of person ids per rule: anyone in any of them. */
  among: readonly PersonIdQuery[]
  ids?: readonly string[]
  nhsNumber?: string
  updated?: readonly TimeRange[]
}

/** The ids of the people in reach that match, last changed first (then by id), one page. */
export async function searchPeopleIds(db: Queryable, search: PeopleSearch): Promise<Found<string>> {
  if (search.among.length === 0 || search.ids?.length === 0) return { rows: [], total: 0 }
  let query = db
    .selectFrom('people')
    // Each rule's ids are gathered once and each person tested against them, not looked up id by id.
    .where((eb) => eb.or(search.among.map((ids) => eb(unindexed(db, 'people.id'), 'in', ids))))
  if (search.ids) query = query.where('people.id', 'in', [...search.ids])
  if (search.nhsNumber !== undefined) query = query.where('people.nhs_number', '=', search.nhsNumber)
  if (search.updated) query = query.where(inTimeRanges('people.updated_at', search.updated))
  const [rows, count] = await Promise.all([
    query
      .select('people.id')
      .orderBy('people.updated_at', 'desc')
      .orderBy('people.id')
      .limit(search.limit)
      .offset(search.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirst(),
  ])
  return { rows: rows.map((row) => row.id), total: Number(count?.total ?? 0) }
}

export interface ConsentSearch extends Paging {
  among: readonly PersonIdQuery[]
  personId?: string
  ids?: readonly string[]
  /** Consents in force (true), or withdrawn (false). */
  active?: boolean
  /** On when the consent was withdrawn, else recorded. */
  updated?: readonly TimeRange[]
}

/** The consents of the people in reach that match, last changed first (then by id), one page. */
export async function searchConsents(
  db: Queryable,
  search: ConsentSearch,
): Promise<Found<{ id: string; personId: string }>> {
  if (search.among.length === 0 || search.ids?.length === 0) return { rows: [], total: 0 }
  let query = db
    .selectFrom('person_consents')
    .where((eb) =>
      eb.or(search.among.map((ids) => eb(unindexed(db, 'person_consents.person_id'), 'in', ids))),
    )
  if (search.personId !== undefined) query = query.where('person_consents.person_id', '=', search.personId)
  if (search.ids) query = query.where('person_consents.id', 'in', [...search.ids])
  if (search.active !== undefined)
    query = query.where('person_consents.withdrawn_at', search.active ? 'is' : 'is not', null)
  if (search.updated)
    query = query.where(
      inTimeRanges(firstOf('person_consents.withdrawn_at', 'person_consents.recorded_at'), search.updated),
    )
  const [rows, count] = await Promise.all([
    query
      .select([
        'person_consents.id',
        'person_consents.person_id as personId',
        (eb) => eb.fn.coalesce('person_consents.withdrawn_at', 'person_consents.recorded_at').as('at'),
      ])
      .orderBy('at', 'desc')
      .orderBy('person_consents.id')
      .limit(search.limit)
      .offset(search.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirst(),
  ])
  return { rows: rows.map(({ id, personId }) => ({ id, personId })), total: Number(count?.total ?? 0) }
}
