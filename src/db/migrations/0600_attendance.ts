import type { Kysely } from 'kysely'
import { floatType } from '../dialect.ts'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('attendance_cards')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_digest', 'text', (c) => c.notNull().unique())
    .addColumn('code_digest', 'text', (c) => c.notNull().unique())
    .addColumn('code_hint', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('programme_id', 'text', (c) => c.notNull().references('programmes.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('issued_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('ended_at', 'text')
    .addColumn('ended_by_user_id', 'text', (c) => c.references('users.id'))
    .execute()
  await db.schema
    .createIndex('attendance_cards_person')
    .on('attendance_cards')
    .columns(['person_id', 'programme_id'])
    .execute()

  await db.schema
    .createTable('check_ins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('card_id', 'text', (c) => c.notNull().references('attendance_cards.id').onDelete('cascade'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('programme_id', 'text', (c) => c.notNull().references('programmes.id'))
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('service_name', 'text', (c) => c.notNull())
    .addColumn('session_date', 'text', (c) => c.notNull())
    .addColumn('checked_in_at', 'text', (c) => c.notNull())
    .addColumn('recorded_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .execute()
  // One check-in per person, activity and session: a second scan is a duplicate.
  await db.schema
    .createIndex('check_ins_session')
    .unique()
    .on('check_ins')
    .columns(['person_id', 'service_id', 'session_date'])
    .execute()

  await db.schema
    .createTable('kiosk_readings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('card_id', 'text', (c) => c.notNull().references('attendance_cards.id').onDelete('cascade'))
    .addColumn('person_id', 'text', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('programme_id', 'text', (c) => c.notNull().references('programmes.id'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('recorded_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('systolic', 'integer')
    .addColumn('diastolic', 'integer')
    .addColumn('weight_kg', floatType(db))
    .addColumn('height_cm', floatType(db))
    .addColumn('bmi', floatType(db))
    .execute()
  await db.schema
    .createIndex('kiosk_readings_person')
    .on('kiosk_readings')
    .columns(['person_id', 'taken_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('kiosk_readings').execute()
  await db.schema.dropTable('check_ins').execute()
  await db.schema.dropTable('attendance_cards').execute()
}
