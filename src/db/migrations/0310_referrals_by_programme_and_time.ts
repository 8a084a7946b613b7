import type { Kysely } from 'kysely'

// Referral statistics (a directory listing's reply figures, the Referrals report) count the
// referrals to a programme, or to every programme, made in a period, grouped by first reply,
// decline reason, source and status. With those columns in the index the counts are read from
// the index alone (decision 0800).
const COUNTED = ['first_reply', 'first_reply_at', 'decision_reason', 'referrer_kind', 'status']

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('referrals_programme_created')
    .on('referrals')
    .columns(['programme_id', 'created_at', ...COUNTED])
    .execute()
  await db.schema
    .createIndex('referrals_created')
    .on('referrals')
    .columns(['created_at', ...COUNTED])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('referrals_created').execute()
  await db.schema.dropIndex('referrals_programme_created').execute()
}
