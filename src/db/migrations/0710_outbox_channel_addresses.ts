import type { Kysely } from 'kysely'

// Where an account is reached on the channels that are not its email: the FHIR messaging endpoint
// a GP system sent its BaRS referrals from, to which the status changes go back.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('channel_addresses')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_addresses_pk', ['user_id', 'channel'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('channel_addresses').execute()
}
