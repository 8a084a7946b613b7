import type { Kysely } from 'kysely'

// An appointment moved to another time keeps its id (and what was recorded against it); each
// move is a row here with the times, mode and place before and after, why, who moved it and
// what the mover confirmed (outside the working pattern, a clash), so both times stay in the
// record (decision 0403).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('case_appointment_moves')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('appointment_id', 'text', (c) => c.notNull().references('case_appointments.id'))
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('from_starts_at', 'text', (c) => c.notNull())
    .addColumn('from_ends_at', 'text', (c) => c.notNull())
    .addColumn('from_mode', 'text', (c) => c.notNull())
    .addColumn('from_place', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('to_starts_at', 'text', (c) => c.notNull())
    .addColumn('to_ends_at', 'text', (c) => c.notNull())
    .addColumn('to_mode', 'text', (c) => c.notNull())
    .addColumn('to_place', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    // JSON array of the warnings the mover confirmed.
    .addColumn('warnings', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('moved_at', 'text', (c) => c.notNull())
    .addColumn('moved_by_user_id', 'text', (c) => c.references('users.id'))
    .execute()
  await db.schema
    .createIndex('case_appointment_moves_case')
    .on('case_appointment_moves')
    .columns(['case_id', 'moved_at'])
    .execute()
  await db.schema
    .createIndex('case_appointment_moves_appointment')
    .on('case_appointment_moves')
    .columns(['appointment_id', 'moved_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_appointment_moves').execute()
}
