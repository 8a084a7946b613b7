import { type Kysely, sql } from 'kysely'

// At most one working card per person and programme, even when two are issued at the same moment
// (issuing replaces the card held; two transactions at once could each find none to replace).
export async function up(db: Kysely<any>): Promise<void> {
  // Cards issued twice at once before this index: keep the newest of each person's working cards.
  await sql`
    update attendance_cards set status = 'replaced', ended_at = issued_at
    where status = 'active' and exists (
      select 1 from attendance_cards newer
      where newer.person_id = attendance_cards.person_id
        and newer.programme_id = attendance_cards.programme_id
        and newer.status = 'active'
        and newer.id > attendance_cards.id
    )`.execute(db)
  await db.schema
    .createIndex('attendance_cards_one_active')
    .unique()
    .on('attendance_cards')
    .columns(['person_id', 'programme_id'])
    .where(sql.ref('status'), '=', 'active')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('attendance_cards_one_active').execute()
}
