import type { Kysely } from 'kysely'

// A prescription's review is a record of its own: attendance at the time, the goals' progress
// before and after, the assessment of progress toward self-care, and the next step. A
// prescription extended at its review is reviewed again at its new end, so it may have several
// (decision 0403). `case_prescriptions.reviewed_at` and `continued` stay: the final review sets
// them, and the caseload and reports read them.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('case_prescription_reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('prescription_id', 'text', (c) => c.notNull().references('case_prescriptions.id'))
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('reviewed_at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id'))
    // Set when the review came before the prescription's last day.
    .addColumn('early_reason', 'text')
    .addColumn('sessions_attended', 'integer', (c) => c.notNull())
    .addColumn('sessions_expected', 'integer', (c) => c.notNull())
    // JSON array of { goalId, text, from, to }: each goal's progress before and after.
    .addColumn('goals', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('self_care', 'text', (c) => c.notNull())
    .addColumn('assessment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('next_step', 'text', (c) => c.notNull())
    // An extension: the end before and after.
    .addColumn('previous_end', 'text')
    .addColumn('new_end', 'text')
    .execute()
  await db.schema
    .createIndex('case_prescription_reviews_case')
    .on('case_prescription_reviews')
    .columns(['case_id', 'reviewed_at'])
    .execute()
  await db.schema
    .createIndex('case_prescription_reviews_prescription')
    .on('case_prescription_reviews')
    .columns(['prescription_id', 'reviewed_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_prescription_reviews').execute()
}
