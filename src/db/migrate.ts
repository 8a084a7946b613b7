// Runs Kith's migrations: one set for both databases, applied at start-up under a lock and
// recorded in `kith_migration`.
//
// On PostgreSQL the migrator takes an advisory lock, then applies pending migrations in one
// transaction. On SQLite the whole run is one BEGIN IMMEDIATE transaction, which holds SQLite's
// write lock and so keeps a second process out until the first has finished.

import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely/migration'
import { dialectOf } from './database.ts'
import type { Db } from './schema.ts'

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations')
const MIGRATION_FILE = /^\d{4}_[a-z0-9_]+\.ts$/

class MigrationFolder implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(MIGRATIONS_DIR)).filter((file) => MIGRATION_FILE.test(file)).sort()
    const migrations: Record<string, Migration> = {}
    for (const file of files) {
      migrations[file.replace(/\.ts$/, '')] = (await import(join(MIGRATIONS_DIR, file))) as Migration
    }
    return migrations
  }
}

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: new MigrationFolder(),
    migrationTableName: 'kith_migration',
    migrationLockTableName: 'kith_migration_lock',
    // Each capability numbers its migrations in its own range, so a capability added later
    // brings migrations that sort before ones already applied.
    allowUnorderedMigrations: true,
  })
}

export class MigrationFailed extends Error {}

/** Applies every pending migration and returns the names applied. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  let resultSet: MigrationResultSet
  if (dialectOf(db) === 'sqlite') {
    resultSet = await db.transaction().execute((trx) => migrator(trx).migrateToLatest())
  } else {
    resultSet = await migrator(db).migrateToLatest()
  }
  if (resultSet.error) {
    const failed = resultSet.results?.find((result) => result.status === 'Error')
    throw new MigrationFailed(
      `Migration ${failed?.migrationName ?? '(unknown)'} failed: ${String((resultSet.error as Error).message ?? resultSet.error)}`,
      { cause: resultSet.error },
    )
  }
  return (resultSet.results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName)
}
