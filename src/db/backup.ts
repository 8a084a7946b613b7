// Backing up and restoring Kith's SQLite file. The copy is made with SQLite's online backup API
// (node:sqlite's `backup`), in one step under SQLite's own locks, so it is consistent even
// while Kith is running and writing; then it is checked before it is called a backup.
// PostgreSQL has its own tools for this (pg_dump and pg_restore): Kith does not stand in for them.

import { existsSync, statSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { backup, DatabaseSync } from 'node:sqlite'

export class BackupProblem extends Error {}

// All the pages in one step. SQLite's backup copies `rate` pages a step (node:sqlite's default is
// 100) and starts again from the first page whenever another connection commits between two
// steps, so a copy made a hundred pages at a time never finished while Kith kept writing to a
// database of a few hundred megabytes. One step copies the database as of one read transaction
// (a copy of 250 MB took under a second), and writers carry on meanwhile under WAL. node:sqlite
// refuses SQLite's own "every page" (-1), so the rate is the largest it takes.
const ALL_PAGES_AT_ONCE = { rate: 2 ** 31 - 1 }

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations')

/** The migrations this Kith knows, by name. */
async function knownMigrations(): Promise<Set<string>> {
  const files = await readdir(MIGRATIONS_DIR)
  return new Set(files.filter((file) => file.endsWith('.ts')).map((file) => file.replace(/\.ts$/, '')))
}

/**
 * Checks that `file` is a whole Kith database this Kith can run: SQLite's integrity check passes,
 * it has Kith's migration table, and no migration in it is one this Kith does not know (a backup
 * from a newer Kith). Returns how many migrations it has.
 */
export async function checkKithDatabase(file: string): Promise<{ migrations: number }> {
  if (!existsSync(file)) throw new BackupProblem(`There is no file ${file}`)
  let db: DatabaseSync
  try {
    db = new DatabaseSync(file, { readOnly: true })
  } catch {
    throw new BackupProblem(`${file} is not an SQLite database`)
  }
  try {
    let integrity: unknown
    try {
      integrity = db.prepare('pragma integrity_check').get()?.integrity_check
    } catch {
      throw new BackupProblem(`${file} is not an SQLite database`)
    }
    if (integrity !== 'ok') throw new BackupProblem(`${file} is damaged: SQLite's integrity check failed`)
    const table = db
      .prepare("select name from sqlite_master where type = 'table' and name = 'kith_migration'")
      .get()
    if (!table)
      throw new BackupProblem(`${file} is not a Kith database: it has no record of Kith's migrations`)
    const applied = db.prepare('select name from kith_migration').all() as { name: string }[]
    const known = await knownMigrations()
    const unknown = applied.map((row) => row.name).filter((name) => !known.has(name))
    if (unknown.length > 0)
      throw new BackupProblem(
        `${file} was made by a newer Kith (it has migrations this one does not know: ${unknown.join(', ')}). Restore it with that version`,
      )
    return { migrations: applied.length }
  } finally {
    db.close()
  }
}

/** Copies the live database at `source` to `target` (which must not exist yet), and checks the copy. */
export async function backupSqlite(source: string, target: string): Promise<{ bytes: number }> {
  if (!existsSync(source)) throw new BackupProblem(`There is no database at ${source} to back up`)
  if (existsSync(target)) throw new BackupProblem(`${target} already exists: choose another file`)
  // Waits, as Kith does, for a writer that holds the file's lock, rather than failing at once.
  const db = new DatabaseSync(source, { timeout: 10_000 })
  try {
    await backup(db, target, ALL_PAGES_AT_ONCE)
  } finally {
    db.close()
  }
  // The copy arrives in WAL mode, like its source. A backup must be one file that holds
  // everything, whatever is copied where: fold the log in and keep no log beside it.
  const copy = new DatabaseSync(target)
  try {
    copy.exec('pragma journal_mode = delete')
  } finally {
    copy.close()
  }
  await checkKithDatabase(target)
  return { bytes: statSync(target).size }
}

/**
 * Replaces the database at `target` with the backup in `file`, after checking the backup. The
 * database as it was is first copied beside it (`….before-restore-TIME`), so a restore can itself
 * be undone. Kith must be stopped while it runs.
 */
export async function restoreSqlite(
  file: string,
  target: string,
  now = new Date(),
): Promise<{ savedAs?: string }> {
  await checkKithDatabase(file)
  let savedAs: string | undefined
  if (existsSync(target)) {
    savedAs = `${target}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`
    const copy = savedAs
    await backupSqlite(target, copy).catch((error: unknown) => {
      // A database that fails the checks is still kept, copied as it was.
      if (error instanceof BackupProblem && existsSync(copy)) return
      throw error
    })
  }
  const source = new DatabaseSync(file, { readOnly: true })
  try {
    await backup(source, target, ALL_PAGES_AT_ONCE)
  } finally {
    source.close()
  }
  return savedAs ? { savedAs } : {}
}
