// What the people capability holds on a person (the record itself, conditions, consents), for
// subject access, retention and erasure (records/parts.ts). Erased last: referrals point at its
// consents.

import type { Queryable } from '../db/schema.ts'
import { deleted, latest, type PersonRecordPart, plainRows } from '../records/parts.ts'

export const peoplePersonalData: PersonRecordPart = {
  name: 'Person record',
  eraseOrder: 100,
  async read(db, personId) {
    const person = await db.selectFrom('people').selectAll().where('id', '=', personId).execute()
    const conditions = await db
      .selectFrom('person_conditions')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('recorded_at')
      .execute()
    const consents = await db
      .selectFrom('person_consents')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('recorded_at')
      .execute()
    return {
      sections: [
        { title: 'Person record', rows: plainRows(person) },
        { title: 'Conditions', rows: plainRows(conditions) },
        { title: 'Consents', rows: plainRows(consents) },
      ],
      recordIds: [personId, ...consents.map((c) => c.id)],
    }
  },
  async activity(db, personId) {
    const person = await db
      .selectFrom('people')
      .select(['created_at', 'updated_at'])
      .where('id', '=', personId)
      .executeTakeFirst()
    const consent = await db
      .selectFrom('person_consents')
      .select((eb) => [eb.fn.max('recorded_at').as('recorded'), eb.fn.max('withdrawn_at').as('withdrawn')])
      .where('person_id', '=', personId)
      .executeTakeFirst()
    return {
      lastAt: latest(person?.created_at, person?.updated_at, consent?.recorded, consent?.withdrawn),
      open: false,
    }
  },
  async erase(trx, personId) {
    let rows = deleted(
      await trx.deleteFrom('person_conditions').where('person_id', '=', personId).executeTakeFirst(),
    )
    rows += deleted(
      await trx.deleteFrom('person_consents').where('person_id', '=', personId).executeTakeFirst(),
    )
    rows += deleted(await trx.deleteFrom('people').where('id', '=', personId).executeTakeFirst())
    return rows
  },
}

/** Every person's id and date of birth, for the retention job. */
export async function peopleForRetention(db: Queryable): Promise<{ id: string; dateOfBirth: string }[]> {
  return db.selectFrom('people').select(['id', 'date_of_birth as dateOfBirth']).orderBy('id').execute()
}

/** One person's name, date of birth and NHS number, for an administrator confirming whose record it is. */
export async function personIdentity(db: Queryable, personId: string) {
  return db
    .selectFrom('people')
    .select([
      'id',
      'given_name as givenName',
      'family_name as familyName',
      'date_of_birth as dateOfBirth',
      'nhs_number as nhsNumber',
    ])
    .where('id', '=', personId)
    .executeTakeFirst()
}
