import type { Kysely } from 'kysely'

// The caseload asks, of each case, for its next booked appointment and the prescriptions whose
// review is overdue or due soon. With the status and the review columns in the index, each of
// those is answered from the index alone, without reading the appointment or prescription rows
// (decision 0402). The new indexes lead with case_id, so they also serve the case page's lists
// and replace the single-column ones.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('case_appointments_case_start').execute()
  await db.schema
    .createIndex('case_appointments_case_status_start')
    .on('case_appointments')
    .columns(['case_id', 'status', 'starts_at'])
    .execute()
  await db.schema.dropIndex('case_prescriptions_case').execute()
  await db.schema
    .createIndex('case_prescriptions_case_review')
    .on('case_prescriptions')
    .columns(['case_id', 'reviewed_at', 'ends_on'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('case_prescriptions_case_review').execute()
  await db.schema.createIndex('case_prescriptions_case').on('case_prescriptions').column('case_id').execute()
  await db.schema.dropIndex('case_appointments_case_status_start').execute()
  await db.schema
    .createIndex('case_appointments_case_start')
    .on('case_appointments')
    .columns(['case_id', 'starts_at'])
    .execute()
}
