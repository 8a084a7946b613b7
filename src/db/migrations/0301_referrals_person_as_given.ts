import type { Kysely } from 'kysely'

// What the referrer typed about the person, kept on the referral (decision 0305). A referrer who
// is not in the receiving team reads this, never the person's record, which may hold what other
// organisations recorded. Referrals made before this read back their person's record as it is now.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('referrals').addColumn('person_as_given', 'text').execute()
  const rows = await db
    .selectFrom('referrals')
    .innerJoin('people', 'people.id', 'referrals.person_id')
    .select([
      'referrals.id as id',
      'people.nhs_number as nhsNumber',
      'people.given_name as givenName',
      'people.family_name as familyName',
      'people.date_of_birth as dateOfBirth',
      'people.postcode as postcode',
      'people.phone as phone',
      'people.email as email',
      'people.registered_practice_id as registeredPracticeId',
      'people.address_lines as addressLines',
    ])
    .execute()
  for (const row of rows) {
    const { id, addressLines, ...given } = row
    await db
      .updateTable('referrals')
      .set({ person_as_given: JSON.stringify({ ...given, addressLines: JSON.parse(addressLines) }) })
      .where('id', '=', id)
      .execute()
  }
}
