// Many person records at once, for the demo's year of activity and for report fixtures: invented
// people with a name, a date of birth and a registered practice, written in a few statements.

import { newId, nowIso } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { nameKey } from './person.ts'

export interface BulkPerson {
  givenName: string
  familyName: string
  dateOfBirth: string
  registeredPracticeId: string | null
}

export async function insertPeople(db: Queryable, people: readonly BulkPerson[]): Promise<string[]> {
  const at = nowIso()
  const rows = people.map((person) => ({
    id: newId(),
    nhs_number: null,
    given_name: person.givenName,
    family_name: person.familyName,
    given_name_key: nameKey(person.givenName),
    family_name_key: nameKey(person.familyName),
    date_of_birth: person.dateOfBirth,
    sex_or_gender: null,
    address_lines: '[]',
    postcode: null,
    phone: null,
    email: null,
    contact_methods: '[]',
    may_leave_messages: 0,
    registered_practice_id: person.registeredPracticeId,
    created_at: at,
    updated_at: at,
  }))
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('people')
      .values(rows.slice(i, i + 500))
      .execute()
  return rows.map((row) => row.id)
}
