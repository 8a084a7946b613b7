import type { Kysely } from 'kysely'

// A prescription is a referral in the provider's inbox (decision 0402): the prescription keeps
// its referral, whose status and notes come back to the case.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('case_prescriptions')
    .addColumn('referral_id', 'text', (c) => c.references('referrals.id'))
    .execute()
}
