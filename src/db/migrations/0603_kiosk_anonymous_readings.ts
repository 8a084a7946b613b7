import { type Kysely, sql } from 'kysely'
import { floatType } from '../dialect.ts'

// Readings taken at a kiosk without a card (decision 0602): linked to a person found by their date
// of birth and postcode, or kept anonymously (no person, no programme) to be counted. They have a
// table of their own rather than `kiosk_readings` with its card made optional: SQLite cannot
// drop a column's NOT NULL without rebuilding the table, and a reading with a card keeps its card.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('kiosk_cardless_readings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'text', (c) => c.references('people.id').onDelete('cascade'))
    .addColumn('programme_id', 'text', (c) => c.references('programmes.id'))
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('recorded_by_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('systolic', 'integer')
    .addColumn('diastolic', 'integer')
    .addColumn('weight_kg', floatType(db))
    .addColumn('height_cm', floatType(db))
    .addColumn('bmi', floatType(db))
    // Linked means a person in a programme; anonymous means neither.
    .addCheckConstraint(
      'kiosk_cardless_readings_linked',
      sql`(person_id is null and programme_id is null) or (person_id is not null and programme_id is not null)`,
    )
    .execute()
  await db.schema
    .createIndex('kiosk_cardless_readings_person')
    .on('kiosk_cardless_readings')
    .columns(['person_id', 'taken_at'])
    .execute()
  // The counts for reports: readings of a practice over a period, with a card and without.
  await db.schema
    .createIndex('kiosk_cardless_readings_practice')
    .on('kiosk_cardless_readings')
    .columns(['organisation_id', 'taken_at'])
    .execute()
  await db.schema
    .createIndex('kiosk_readings_practice')
    .on('kiosk_readings')
    .columns(['organisation_id', 'taken_at'])
    .execute()
  // The kiosk finds a person by date of birth and postcode (people's postcodes are stored
  // normalised, `EX15 1FE`).
  await db.schema
    .createIndex('people_birth_postcode')
    .on('people')
    .columns(['date_of_birth', 'postcode'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('people_birth_postcode').execute()
  await db.schema.dropIndex('kiosk_readings_practice').execute()
  await db.schema.dropTable('kiosk_cardless_readings').execute()
}
