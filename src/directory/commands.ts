// The directory's commands: import and export of services (Open Referral JSON, CSV) and postcodes.

import { access, readFile, writeFile } from 'node:fs/promises'
import { loadConfig } from '../config.ts'
import { openDatabase } from '../db/database.ts'
import { migrateToLatest } from '../db/migrate.ts'
import type { Db } from '../db/schema.ts'
import type { Command } from '../main.ts'
import {
  exportDirectoryJson,
  exportServicesCsv,
  type ImportReport,
  importDirectoryJson,
  importPostcodes,
  importServicesCsv,
} from './transfer.ts'

class CommandFailed extends Error {}

async function withDatabase<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const db = openDatabase(loadConfig())
  try {
    await migrateToLatest(db)
    return await work(db)
  } finally {
    await db.destroy()
  }
}

function fileArgument(positionals: string[], usage: string): string {
  const [file, ...rest] = positionals
  if (!file || rest.length > 0) throw new CommandFailed(`Give one file. Usage: ${usage}`)
  return file
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new CommandFailed(`Could not read ${file}: ${(error as Error).message}`)
  }
}

function printReport(report: ImportReport) {
  for (const name of report.created) console.log(`created: ${name}`)
  for (const name of report.updated) console.log(`updated: ${name}`)
  for (const { record, reason } of report.rejected) console.log(`rejected: ${record}: ${reason}`)
  console.log(
    `${report.created.length} created, ${report.updated.length} updated, ${report.unchanged.length} unchanged, ${report.rejected.length} rejected.`,
  )
  if (report.rejected.length > 0) process.exitCode = 1
}

/** Runs a command body, turning an expected failure into a message and exit code 2. */
async function guarded(work: () => Promise<void>) {
  try {
    await work()
  } catch (error) {
    if (!(error instanceof CommandFailed)) throw error
    console.error(error.message)
    process.exitCode = 2
  }
}

const progress = (what: string) => (done: number) =>
  console.error(`… ${done.toLocaleString('en-GB')} ${what}`)

export const directoryCommands: Command[] = [
  {
    name: 'import directory',
    summary: 'Import services from an Open Referral UK 3.0 JSON file (or --csv a spreadsheet of services)',
    usage: `kith import directory FILE [--csv]
  FILE is Open Referral UK 3.0 JSON: a Page of services, a service, a service at a location, an
  organisation with its services, or a taxonomy. With --csv, a CSV with the columns kith export
  directory --csv writes. Importing the same file twice changes nothing the second time.`,
    options: { csv: { type: 'boolean' } },
    positionals: true,
    async run(values, positionals) {
      await guarded(async () => {
        const file = fileArgument(positionals, this.usage)
        const text = await readText(file)
        const report = await withDatabase((db) =>
          values.csv
            ? importServicesCsv(db, text, progress('rows'))
            : importDirectoryJson(db, text, progress('records')),
        )
        printReport(report)
      })
    },
  },
  {
    name: 'export directory',
    summary: 'Write every service as Open Referral UK 3.0 JSON (or --csv) to a file or standard output',
    usage: 'kith export directory [--csv] [--out FILE]',
    options: { csv: { type: 'boolean' }, out: { type: 'string' } },
    async run(values) {
      const text = await withDatabase((db) => (values.csv ? exportServicesCsv(db) : exportDirectoryJson(db)))
      if (typeof values.out === 'string') {
        await writeFile(values.out, text)
        console.error(`Wrote ${values.out}`)
      } else process.stdout.write(text)
    },
  },
  {
    name: 'import postcodes',
    summary:
      'Import postcodes with their coordinates from the ONS Postcode Directory CSV or postcode,latitude,longitude',
    usage: `kith import postcodes FILE
  FILE is the ONS Postcode Directory CSV (columns pcds, lat, long; terminated postcodes are
  skipped) or a CSV with the header postcode,latitude,longitude. Known postcodes are updated.`,
    options: {},
    positionals: true,
    async run(_values, positionals) {
      await guarded(async () => {
        const file = fileArgument(positionals, this.usage)
        await access(file).catch((error: Error) => {
          throw new CommandFailed(`Could not read ${file}: ${error.message}`)
        })
        const report = await withDatabase((db) => importPostcodes(db, file, progress('lines')))
        for (const { record, reason } of report.rejected) console.log(`rejected: ${record}: ${reason}`)
        if (report.moreRejected > 0) console.log(`… and ${report.moreRejected} more rejected`)
        console.log(
          `${report.imported.toLocaleString('en-GB')} postcodes imported, ${(report.rejected.length + report.moreRejected).toLocaleString('en-GB')} rejected.`,
        )
      })
    },
  },
]
