// Kith's configuration, read from the environment once, at start-up.
//
// Every value has a development default except those production must set. An invalid value
// stops start-up with a message that names the variable.

import { randomBytes } from 'node:crypto'
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { newSecret } from './access/secrets.ts'
import { isPostgresUrl, sqliteFileIn } from './db/database.ts'
import { reasonOf, StorageProblem } from './db/failures.ts'

export type Environment = 'development' | 'test' | 'production'

export interface Config {
  env: Environment
  port: number
  host: string
  dataDir: string
  /** `postgres://…` when Kith runs on PostgreSQL; undefined for the SQLite file in dataDir. */
  databaseUrl: string | undefined
  sqliteFile: string
  /** Signs cookies (the CSRF secret). Shared by every Kith process of one installation. */
  sessionSecret: string
  sessionIdleMinutes: number
  sessionMaxHours: number
  /** The address people reach Kith at, used in links sent by email and SMS. */
  publicUrl: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** GOV.UK Notify API key; without one, messages go to the outbox page. */
  notifyApiKey: string | undefined
  /** Notify's email template, with ((subject)) and ((body)) placeholders; required with a key. */
  notifyEmailTemplateId?: string | undefined
  /** Notify's text message template, with a ((body)) placeholder; without it no SMS is sent. */
  notifySmsTemplateId?: string | undefined
  /** Notify's API address; only a stand-in or a proxy needs it. */
  notifyBaseUrl?: string | undefined
  /** Runs the scheduler (reminders, automatic declines) in this process. */
  scheduler: boolean
  /**
   * The reverse proxies in front of Kith whose X-Forwarded-For is believed (Fastify's
   * `trustProxy`: addresses or CIDR ranges), so sign-in limits and the audit log see the
   * person's address, not the proxy's. Empty: no proxy is trusted.
   */
  trustProxy?: string[] | undefined
  /** How long a person's records are kept once they fall out of use (decision 0017). */
  retention?: RetentionPolicy
  /**
   * The FHIR messaging endpoints (URL prefixes) Kith may send BaRS response messages to; the
   * endpoint comes from each referral message. Empty: the responses stay in the outbox.
   */
  barsEndpoints?: string[] | undefined
  /** MESH: without a URL and mailbox, documents for GP practices stay in the outbox. */
  mesh?: MeshConfig | undefined
}

export interface MeshConfig {
  /** The MESH API's address, `https://msg.intspineservices.nhs.uk`. */
  url: string
  /** Kith's mailbox id. */
  mailbox: string
  password: string
  /** The shared secret of the HMAC authorisation header (the environment's). */
  sharedKey: string
  /** The client certificate and key (PEM files) for mutual TLS, and the CA that signs MESH's. */
  clientCert?: string | undefined
  clientKey?: string | undefined
  caCert?: string | undefined
  /** The workflow id of the documents sent (GP Connect Send Document's). */
  workflowId: string
}

export interface RetentionPolicy {
  /** Years an adult's records are kept after the last activity on them (8). */
  adultYears: number
  /** A child's records are kept at least until this birthday, a year later if 17 at the end (25). */
  childUntilAge: number
}

export const DEFAULT_RETENTION: RetentionPolicy = { adultYears: 8, childUntilAge: 25 }

export class ConfigError extends Error {}

const integer = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`)

const schema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'], {
      error: 'NODE_ENV must be development, test or production',
    })
    .default('development'),
  PORT: integer('PORT', 0, 65535).default(3000),
  HOST: z.string().min(1, 'HOST must not be empty').default('localhost'),
  DATA_DIR: z.string().min(1, 'DATA_DIR must not be empty').default('./data'),
  DATABASE_URL: z
    .string()
    .refine((url) => isPostgresUrl(url), 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional(),
  SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional(),
  SESSION_IDLE_MINUTES: integer('SESSION_IDLE_MINUTES', 1, 24 * 60).default(30),
  SESSION_MAX_HOURS: integer('SESSION_MAX_HOURS', 1, 24 * 7).default(12),
  PUBLIC_URL: z
    .url({ error: 'PUBLIC_URL must be an absolute URL such as https://kith.example.nhs.uk' })
    .optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  NOTIFY_API_KEY: z
    .string()
    .regex(
      /-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      'NOTIFY_API_KEY must be a GOV.UK Notify API key: its name, then the service id and the secret',
    )
    .optional(),
  NOTIFY_EMAIL_TEMPLATE_ID: z.uuid('NOTIFY_EMAIL_TEMPLATE_ID must be a Notify template id').optional(),
  NOTIFY_SMS_TEMPLATE_ID: z.uuid('NOTIFY_SMS_TEMPLATE_ID must be a Notify template id').optional(),
  NOTIFY_BASE_URL: z.url({ error: 'NOTIFY_BASE_URL must be an absolute URL' }).optional(),
  RETENTION_ADULT_YEARS: integer('RETENTION_ADULT_YEARS', 1, 100).default(DEFAULT_RETENTION.adultYears),
  RETENTION_CHILD_UNTIL_AGE: integer('RETENTION_CHILD_UNTIL_AGE', 18, 100).default(
    DEFAULT_RETENTION.childUntilAge,
  ),
  SCHEDULER: z.enum(['on', 'off'], { error: 'SCHEDULER must be on or off' }).default('on'),
  TRUST_PROXY: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .refine((parts) => parts.every((part) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(part)), {
      error:
        'TRUST_PROXY must be a comma-separated list of proxy addresses or CIDR ranges, such as 10.0.0.5 or 10.0.0.0/8',
    })
    .optional(),
  BARS_ENDPOINTS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .refine((parts) => parts.every((part) => URL.canParse(part)), {
      error: 'BARS_ENDPOINTS must be a comma-separated list of absolute URLs',
    })
    .optional(),
  MESH_URL: z.url({ error: 'MESH_URL must be an absolute URL' }).optional(),
  MESH_MAILBOX: z
    .string()
    .regex(/^[A-Za-z0-9]{1,20}$/, 'MESH_MAILBOX must be a MESH mailbox id')
    .optional(),
  MESH_PASSWORD: z.string().optional(),
  MESH_SHARED_KEY: z.string().optional(),
  MESH_CLIENT_CERT: z.string().optional(),
  MESH_CLIENT_KEY: z.string().optional(),
  MESH_CA_CERT: z.string().optional(),
  MESH_WORKFLOW_ID: z.string().optional(),
})

/** Reads and checks the environment; throws ConfigError naming each variable at fault. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== ''))
  const parsed = schema.safeParse(present)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `- ${issue.message}`)
    throw new ConfigError(`Kith cannot start: the configuration is not valid.\n${problems.join('\n')}`)
  }
  const values = parsed.data
  if (values.NOTIFY_API_KEY && !values.NOTIFY_EMAIL_TEMPLATE_ID) {
    throw new ConfigError(
      'Kith cannot start: the configuration is not valid.\n- NOTIFY_EMAIL_TEMPLATE_ID must be set when NOTIFY_API_KEY is',
    )
  }
  if (values.MESH_URL && (!values.MESH_MAILBOX || !values.MESH_PASSWORD || !values.MESH_SHARED_KEY)) {
    throw new ConfigError(
      'Kith cannot start: the configuration is not valid.\n- MESH_MAILBOX, MESH_PASSWORD and MESH_SHARED_KEY must be set when MESH_URL is',
    )
  }
  if (values.NODE_ENV === 'production') {
    const missing = []
    if (!values.SESSION_SECRET)
      missing.push('- SESSION_SECRET must be set in production (at least 32 characters)')
    if (!values.PUBLIC_URL) missing.push('- PUBLIC_URL must be set in production')
    if (missing.length > 0) {
      throw new ConfigError(`Kith cannot start: the configuration is not valid.\n${missing.join('\n')}`)
    }
  }
  const dataDir = resolve(values.DATA_DIR)
  return {
    env: values.NODE_ENV,
    port: values.PORT,
    host: values.HOST,
    dataDir,
    databaseUrl: values.DATABASE_URL,
    sqliteFile: sqliteFileIn(dataDir),
    sessionSecret: values.SESSION_SECRET ?? developmentSecret(dataDir),
    sessionIdleMinutes: values.SESSION_IDLE_MINUTES,
    sessionMaxHours: values.SESSION_MAX_HOURS,
    publicUrl: (values.PUBLIC_URL ?? `http://${values.HOST}:${values.PORT}`).replace(/\/$/, ''),
    logLevel: values.LOG_LEVEL,
    notifyApiKey: values.NOTIFY_API_KEY,
    notifyEmailTemplateId: values.NOTIFY_EMAIL_TEMPLATE_ID,
    notifySmsTemplateId: values.NOTIFY_SMS_TEMPLATE_ID,
    notifyBaseUrl: values.NOTIFY_BASE_URL?.replace(/\/$/, ''),
    scheduler: values.SCHEDULER === 'on',
    trustProxy: values.TRUST_PROXY,
    retention: { adultYears: values.RETENTION_ADULT_YEARS, childUntilAge: values.RETENTION_CHILD_UNTIL_AGE },
    barsEndpoints: values.BARS_ENDPOINTS,
    mesh:
      values.MESH_URL && values.MESH_MAILBOX && values.MESH_PASSWORD && values.MESH_SHARED_KEY
        ? {
            url: values.MESH_URL.replace(/\/$/, ''),
            mailbox: values.MESH_MAILBOX,
            password: values.MESH_PASSWORD,
            sharedKey: values.MESH_SHARED_KEY,
            clientCert: values.MESH_CLIENT_CERT,
            clientKey: values.MESH_CLIENT_KEY,
            caCert: values.MESH_CA_CERT,
            workflowId: values.MESH_WORKFLOW_ID ?? 'GPFED_CONSULT_REPORT',
          }
        : undefined,
  }
}

const SECRET_MIN_LENGTH = 32

// Outside production a secret is made once and kept in the data folder, so every process that
// shares that folder (and a restart) signs cookies the same way. It is written whole or not at
// all (a temporary file, flushed to disk, then linked into place), and a file too short to be a
// secret (left empty by a start that failed part way, say) is made again: an empty secret made
// every request fail, /health included.
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret')
  const existing = readSecret(file)
  if (existing) return existing
  try {
    mkdirSync(dataDir, { recursive: true })
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    try {
      const fd = openSync(temporary, 'wx', 0o600)
      try {
        writeSync(fd, newSecret())
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      try {
        // Never over a secret another process has just made: theirs is used.
        linkSync(temporary, file)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        if (!readSecret(file)) renameSync(temporary, file)
      }
    } finally {
      rmSync(temporary, { force: true })
    }
    syncFolder(dataDir)
  } catch (error) {
    throw new StorageProblem(
      `Kith cannot start: it cannot write its session secret to ${file}: ${reasonOf(error)}.`,
      error,
    )
  }
  const secret = readSecret(file)
  if (!secret)
    throw new StorageProblem(`Kith cannot start: the session secret in ${file} could not be read back.`)
  return secret
}

/** The secret in `file`, or undefined when there is none or it is too short to be one. */
function readSecret(file: string): string | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8').trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new StorageProblem(
      `Kith cannot start: it cannot read its session secret ${file}: ${reasonOf(error)}.`,
      error,
    )
  }
  return text.length >= SECRET_MIN_LENGTH ? text : undefined
}

/** Makes a new name in `folder` durable. */
function syncFolder(folder: string): void {
  const fd = openSync(folder, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
