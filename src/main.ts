// The kith command line: `kith <command> [options]`; `kith --help` lists the commands.

import cluster from 'node:cluster'
import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util'
import { audit } from './access/audit.ts'
import { DEMO_PASSWORD } from './access/demo.ts'
import { hashPassword } from './access/passwords.ts'
import { isRole, ROLES } from './access/roles.ts'
import {
  addMembership,
  countUsers,
  createUser,
  findOrganisationByName,
  findOrganisationByOdsCode,
  findUserByEmail,
  getOrganisation,
} from './access/store.ts'
import { createApiToken } from './access/tokens.ts'
import { buildApp } from './app.ts'
import { type Config, ConfigError, loadConfig } from './config.ts'
import { BackupProblem, backupSqlite, restoreSqlite } from './db/backup.ts'
import { openDatabase } from './db/database.ts'
import { reasonOf, StorageProblem, storageFailureOf } from './db/failures.ts'
import { isId } from './db/ids.ts'
import { migrateToLatest } from './db/migrate.ts'
import type { Db } from './db/schema.ts'
import { DemoRefused, seedDemo } from './demo.ts'
import { directoryCommands } from './directory/commands.ts'
import { startScheduler } from './scheduler/scheduler.ts'

export class UsageError extends Error {}

export interface Command {
  name: string
  summary: string
  usage: string
  options: ParseArgsOptionsConfig
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<void>
  /** True when the command takes arguments after its options (a FILE). */
  positionals?: boolean
}

const CLI_ACTOR = { userId: null, ip: 'command-line' }

async function withDatabase<T>(config: Config, work: (db: Db) => Promise<T>): Promise<T> {
  const db = openDatabase(config)
  try {
    await migrateToLatest(db)
    return await work(db)
  } finally {
    await db.destroy()
  }
}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name]
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`)
  return value.trim()
}

function refuseDemoInProduction(config: Config) {
  if (config.env === 'production') {
    throw new UsageError(
      'Demo data is refused when NODE_ENV=production: it holds shared, published passwords.',
    )
  }
}

async function loadDemo(db: Db): Promise<void> {
  const demo = await seedDemo(db)
  console.log(
    `Demo data loaded: ${Object.keys(demo.access.organisations).length} organisations and ${Object.keys(demo.access.users).length} accounts. Every demo account's password is ${DEMO_PASSWORD}.`,
  )
}

const commands: Command[] = [
  {
    name: 'serve',
    summary: 'Run Kith: migrate the database, then serve the web app and API',
    usage: `kith serve [--demo] [--workers N]
  N processes (1 by default) share the port; more than one needs PostgreSQL (DATABASE_URL).`,
    options: { demo: { type: 'boolean' }, workers: { type: 'string' } },
    async run(values) {
      const workers = workerCount(values.workers)
      const config = loadConfig()
      if (workers > 1 && !config.databaseUrl)
        throw new UsageError(
          `--workers ${workers} needs PostgreSQL (set DATABASE_URL). SQLite takes one writer at a time, and one Kith process already gathers its writes into group commits: more processes on one SQLite file would only queue for its lock. Run one process, or move to PostgreSQL.`,
        )
      if (values.demo) refuseDemoInProduction(config)
      if (cluster.isWorker) return serveOne(config, { announce: false })
      if (workers === 1) return serveOne(config, { demo: values.demo === true, announce: true })
      await superviseWorkers(config, workers, values.demo === true)
    },
  },
  {
    name: 'migrate',
    summary: 'Apply any pending database migrations',
    usage: 'kith migrate',
    options: {},
    async run() {
      const config = loadConfig()
      const db = openDatabase(config)
      try {
        const applied = await migrateToLatest(db)
        console.log(
          applied.length > 0
            ? `Applied ${applied.length} migrations: ${applied.join(', ')}`
            : 'The database is up to date.',
        )
      } finally {
        await db.destroy()
      }
    },
  },
  {
    name: 'seed',
    summary: 'Load the demo data (every scheme in the seeds, accounts for every role) into an empty database',
    usage: 'kith seed --demo',
    options: { demo: { type: 'boolean' } },
    async run(values) {
      if (!values.demo) throw new UsageError('Say what to load: kith seed --demo')
      const config = loadConfig()
      refuseDemoInProduction(config)
      await withDatabase(config, loadDemo)
    },
  },
  {
    name: 'user create',
    summary: 'Create a user account with a role in an organisation; prints a temporary password',
    usage: `kith user create --email EMAIL --name NAME --org ORGANISATION --role ROLE [--title TITLE]
  ORGANISATION is its ODS code, its exact name or its id.
  ROLE is one of ${ROLES.join(', ')}.`,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      org: { type: 'string' },
      role: { type: 'string' },
      title: { type: 'string' },
    },
    async run(values) {
      const email = required(values, 'email').toLowerCase()
      const name = required(values, 'name')
      const org = required(values, 'org')
      const role = required(values, 'role')
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UsageError('--email must be an email address')
      if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
      const config = loadConfig()
      await withDatabase(config, async (db) => {
        const organisation =
          (isId(org) ? await getOrganisation(db, org) : undefined) ??
          (await findOrganisationByOdsCode(db, org)) ??
          (await findOrganisationByName(db, org))
        if (!organisation)
          throw new UsageError(`There is no organisation with the ODS code, name or id "${org}"`)
        if (await findUserByEmail(db, email)) throw new UsageError(`There is already an account for ${email}`)
        const password = randomBytes(12).toString('base64url')
        const passwordHash = await hashPassword(password)
        await db.transaction().execute(async (trx) => {
          const userId = await createUser(trx, { email, name, passwordHash })
          await addMembership(trx, {
            userId,
            organisationId: organisation.id,
            role,
            title: typeof values.title === 'string' ? values.title : null,
          })
          await audit(trx, CLI_ACTOR, { action: 'user.create', recordType: 'user', recordId: userId })
        })
        console.log(`Created ${email} as ${role} at ${organisation.name}. Temporary password:`)
        console.log(password)
      })
    },
  },
  {
    name: 'token create',
    summary: 'Create an API token for a user; prints it on the last line',
    usage: 'kith token create --email EMAIL [--name NAME]',
    options: { email: { type: 'string' }, name: { type: 'string' } },
    async run(values) {
      const email = required(values, 'email')
      const config = loadConfig()
      await withDatabase(config, async (db) => {
        const user = await findUserByEmail(db, email)
        if (user?.active !== 1) throw new UsageError(`There is no active account for ${email}`)
        const name =
          typeof values.name === 'string' && values.name.trim() ? values.name.trim() : 'Command line'
        const created = await createApiToken(db, user.id, name)
        await audit(db, CLI_ACTOR, {
          action: 'api-token.create',
          recordType: 'api-token',
          recordId: created.id,
        })
        console.log(`Token "${name}" for ${email}. It will not be shown again:`)
        console.log(created.token)
      })
    },
  },
  {
    name: 'backup',
    summary: 'Copy the SQLite database to a file, consistently even while Kith runs, and check the copy',
    usage: `kith backup [--out FILE]
  FILE must not exist yet; by default DATA_DIR/backups/kith-TIME.sqlite.
  On PostgreSQL, use its own tools: pg_dump --format=custom --file=kith.dump "$DATABASE_URL"`,
    options: { out: { type: 'string' } },
    async run(values) {
      const config = loadConfig()
      if (config.databaseUrl)
        throw new UsageError(
          'Kith is on PostgreSQL: back it up with pg_dump, for example pg_dump --format=custom --file=kith.dump "$DATABASE_URL"',
        )
      const out =
        typeof values.out === 'string' && values.out.trim()
          ? values.out.trim()
          : join(config.dataDir, 'backups', `kith-${new Date().toISOString().replace(/[:.]/g, '-')}.sqlite`)
      await mkdir(dirname(out), { recursive: true })
      try {
        const { bytes } = await backupSqlite(config.sqliteFile, out)
        console.log(
          `Backed up ${config.sqliteFile} to ${out} (${(bytes / 1_048_576).toFixed(1)} MB). The copy passed SQLite's integrity check.`,
        )
      } catch (error) {
        if (error instanceof BackupProblem) throw new UsageError(error.message)
        throw error
      }
    },
  },
  {
    name: 'restore',
    summary: 'Replace the SQLite database with a backup, keeping the one it replaces; stop Kith first',
    usage: `kith restore FILE
  FILE is a backup made by kith backup. The database it replaces is kept beside it, and
  migrations newer than the backup are applied. On PostgreSQL, use pg_restore.`,
    options: {},
    positionals: true,
    async run(_values, positionals) {
      const [file, ...extra] = positionals
      if (!file || extra.length > 0) throw new UsageError('Name one backup file: kith restore FILE')
      const config = loadConfig()
      if (config.databaseUrl)
        throw new UsageError('Kith is on PostgreSQL: restore a pg_dump backup with pg_restore')
      await mkdir(config.dataDir, { recursive: true })
      let savedAs: string | undefined
      try {
        ;({ savedAs } = await restoreSqlite(file, config.sqliteFile))
      } catch (error) {
        if (error instanceof BackupProblem) throw new UsageError(`${error.message}. Nothing was changed.`)
        throw error
      }
      // Opening it applies the migrations that came after the backup was made.
      await withDatabase(config, async () => undefined)
      console.log(
        `Restored ${file} to ${config.sqliteFile}.${savedAs ? ` The database it replaced is kept as ${savedAs}.` : ''}`,
      )
    },
  },
  ...directoryCommands,
]

/** The number of processes `--workers` asks for: a whole number from 1 to 64. */
function workerCount(value: string | boolean | undefined): number {
  if (value === undefined) return 1
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 64)
    throw new UsageError('--workers must be a whole number from 1 to 64')
  return Number(value)
}

/** Runs Kith in this process: the web app, the API and, when SCHEDULER is on, the scheduled jobs. */
async function serveOne(config: Config, options: { demo?: boolean; announce: boolean }): Promise<void> {
  const db = openDatabase(config)
  // Workers find the database migrated by the process that started them.
  if (!cluster.isWorker) await migrateToLatest(db)
  if (options.demo && (await countUsers(db)) === 0) await loadDemo(db)
  const app = await buildApp(config, { db })
  // Every process runs the scheduler: a job's lease in the database lets one run it at a time.
  const scheduler = config.scheduler ? startScheduler(db, app.kith.jobs.list(), { log: app.log }) : undefined
  const stop = async () => {
    await scheduler?.stop()
    await app.close()
    await db.destroy()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
  await app.listen({ port: config.port, host: config.host })
  if (options.announce) {
    const where = config.databaseUrl ? 'PostgreSQL' : config.sqliteFile
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : config.port
    console.log(`Kith is running at http://${config.host}:${port} (database: ${where})`)
  }
}

/**
 * Migrates the database (and loads the demo), then runs `count` worker processes with
 * node:cluster, sharing one port (decision 0016). A worker that dies is replaced; one that keeps
 * dying (five times in a minute) stops Kith rather than loop. SIGINT or SIGTERM stops every
 * worker, each finishing its requests and jobs, then this process.
 */
async function superviseWorkers(config: Config, count: number, demo: boolean): Promise<void> {
  await withDatabase(config, async (db) => {
    if (demo && (await countUsers(db)) === 0) await loadDemo(db)
  })
  let stopping = false
  const deaths: number[] = []
  const started = new Promise<number>((resolve, reject) => {
    let listening = 0
    cluster.on('listening', (_worker, address) => {
      if (++listening === count) resolve(address.port)
    })
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return
      if (listening < count) {
        reject(new Error(`A Kith worker stopped while starting (exit code ${code ?? signal})`))
        return
      }
      const now = Date.now()
      deaths.push(now)
      while (deaths.length > 0 && deaths[0]! < now - 60_000) deaths.shift()
      if (deaths.length >= 5) {
        console.error('Kith workers keep stopping (five times in a minute): stopping Kith.')
        void stopAll(1)
        return
      }
      console.error(
        `Kith worker ${worker.process.pid} stopped (${signal ?? `exit code ${code}`}); starting another.`,
      )
      cluster.fork()
    })
  })
  const stopAll = async (code: number) => {
    stopping = true
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined)
    await Promise.all(
      workers.map((worker) =>
        worker.isDead()
          ? undefined
          : new Promise((resolve) => {
              worker.once('exit', resolve)
              worker.process.kill('SIGTERM')
            }),
      ),
    )
    process.exit(code)
  }
  process.once('SIGINT', () => void stopAll(0))
  process.once('SIGTERM', () => void stopAll(0))
  for (let i = 0; i < count; i++) cluster.fork()
  let port: number
  try {
    port = await started
  } catch (error) {
    await stopAll(1)
    throw error
  }
  const where = config.databaseUrl ? 'PostgreSQL' : config.sqliteFile
  console.log(`Kith is running at http://${config.host}:${port} in ${count} processes (database: ${where})`)
}

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2
  return [
    'Kith: social prescribing for the NHS and its community partners.',
    '',
    'Usage: kith <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run kith <command> --help for its options. Configuration comes from environment variables:',
    '  PORT (3000), HOST (localhost), DATA_DIR (./data), DATABASE_URL (postgres://… for PostgreSQL),',
    '  NODE_ENV (development), SESSION_SECRET and PUBLIC_URL (required in production), LOG_LEVEL,',
    '  SESSION_IDLE_MINUTES (30), SESSION_MAX_HOURS (12), NOTIFY_API_KEY, NOTIFY_EMAIL_TEMPLATE_ID,',
    '  NOTIFY_SMS_TEMPLATE_ID, NOTIFY_BASE_URL, SCHEDULER (on).',
  ].join('\n')
}

export async function main(argv: string[]): Promise<number> {
  const command =
    commands.find((c) => c.name === argv.slice(0, 2).join(' ')) ?? commands.find((c) => c.name === argv[0])
  if (!command) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      console.log(help())
      return 0
    }
    console.error(`kith: unknown command "${argv.join(' ')}"\n\n${help()}`)
    return 2
  }
  const rest = argv.slice(command.name.split(' ').length)
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals === true,
      strict: true,
    })
    if (values.help) {
      console.log(`${command.summary}\n\nUsage: ${command.usage}`)
      return 0
    }
    await command.run(values as Record<string, string | boolean | undefined>, positionals)
    return 0
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StorageProblem) {
      console.error(error.message)
      return 1
    }
    // The database cannot be reached, or cannot be written: one line saying so, not a stack.
    const failure = storageFailureOf(error)
    if (failure) {
      console.error(
        failure === 'unavailable'
          ? `Kith cannot reach its database: ${reasonOf(innermost(error))}.`
          : failure === 'busy'
            ? `Kith's database${whereIsTheDatabase()} is held by another process writing to it. Nothing was changed: try again when it has finished.`
            : `Kith cannot write to its database${whereIsTheDatabase()}: ${reasonOf(innermost(error))}.`,
      )
      return 1
    }
    if (
      error instanceof UsageError ||
      error instanceof DemoRefused ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`kith ${command.name}: ${(error as Error).message}\nUsage: ${command.usage}`)
      return 2
    }
    throw error
  }
}

/** The error at the bottom of a chain of causes. */
function innermost(error: unknown): unknown {
  let inner = error
  for (let depth = 0; depth < 5 && inner instanceof Error && inner.cause !== undefined; depth++)
    inner = inner.cause
  return inner
}

/** ` FILE` for the SQLite file the configuration names; nothing for PostgreSQL, whose URL may hold a password. */
function whereIsTheDatabase(): string {
  try {
    const config = loadConfig()
    return config.databaseUrl ? '' : ` ${config.sqliteFile}`
  } catch {
    return ''
  }
}
