// What the referrals capability holds on a person (referrals, their history, coded entries), for
// subject access, retention and erasure (records/parts.ts).

import { deleted, latest, type PersonRecordPart, plainRows } from '../records/parts.ts'
import { OPEN_STATUSES } from './lifecycle.ts'

export const referralsPersonalData: PersonRecordPart = {
  name: 'Referrals',
  eraseOrder: 50,
  async read(db, personId) {
    const referrals = await db
      .selectFrom('referrals')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('created_at')
      .execute()
    const ids = referrals.map((r) => r.id)
    const events =
      ids.length === 0
        ? []
        : await db
            .selectFrom('referral_events')
            .selectAll()
            .where('referral_id', 'in', ids)
            .orderBy('at')
            .execute()
    const coded = await db
      .selectFrom('referral_coded_entries')
      .selectAll()
      .where('person_id', '=', personId)
      .orderBy('recorded_at')
      .execute()
    return {
      sections: [
        { title: 'Referrals', rows: plainRows(referrals) },
        { title: 'Referral history', rows: plainRows(events) },
        { title: 'Coded entries', rows: plainRows(coded) },
      ],
      recordIds: ids,
    }
  },
  async activity(db, personId) {
    const rows = await db
      .selectFrom('referrals')
      .select(['status', 'created_at', 'updated_at'])
      .where('person_id', '=', personId)
      .execute()
    return {
      lastAt: latest(...rows.flatMap((r) => [r.created_at, r.updated_at])),
      open: rows.some((r) => OPEN_STATUSES.includes(r.status)),
    }
  },
  async erase(trx, personId) {
    const ids = (
      await trx.selectFrom('referrals').select('id').where('person_id', '=', personId).execute()
    ).map((r) => r.id)
    let rows = deleted(
      await trx.deleteFrom('referral_coded_entries').where('person_id', '=', personId).executeTakeFirst(),
    )
    if (ids.length > 0) {
      rows += deleted(
        await trx.deleteFrom('referral_events').where('referral_id', 'in', ids).executeTakeFirst(),
      )
      // Another person's referral made from this person's case keeps no link to it.
      await trx.updateTable('referrals').set({ source_case_id: null }).where('id', 'in', ids).execute()
    }
    rows += deleted(await trx.deleteFrom('referrals').where('person_id', '=', personId).executeTakeFirst())
    return rows
  },
}
