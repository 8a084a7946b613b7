import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { DEMO_ACCOUNTS } from './access/demo.ts'
import { openDatabase } from './db/database.ts'
import { describeEachDatabase, emptyDatabase } from './db/testing.ts'
import { testApp } from './web/testing.ts'

const run = promisify(execFile)
const KITH = join(import.meta.dirname, '..', 'bin', 'kith.js')

async function kith(args: string[], env: Record<string, string> = {}, readOnly?: string) {
  // A read-only folder: without write permission, or, for root (who may write there anyway), a
  // read-only bind mount in a mount namespace of kith's own.
  const [command, commandArgs] =
    readOnly && process.getuid?.() === 0
      ? [
          'unshare',
          [
            '--map-root-user',
            '--mount',
            'sh',
            '-c',
            'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"',
            'sh',
            readOnly,
            process.execPath,
            KITH,
            ...args,
          ],
        ]
      : [process.execPath, [KITH, ...args]]
  if (readOnly && process.getuid?.() !== 0) await chmod(readOnly, 0o555)
  try {
    const { stdout, stderr } = await run(command, commandArgs, {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', SESSION_SECRET: 'x'.repeat(32), ...env },
      timeout: 120_000,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('the kith command line', () => {
  it('lists its commands and explains each one', async () => {
    const help = await kith(['--help'])
    assert.equal(help.code, 0)
    for (const command of ['serve', 'migrate', 'seed', 'user create', 'token create', 'backup', 'restore'])
      assert.match(help.stdout, new RegExp(`  ${command} `))
    const userHelp = await kith(['user', 'create', '--help'])
    assert.match(userHelp.stdout, /--email EMAIL --name NAME --org ORGANISATION --role ROLE/)
  })

  it('stops with a message naming the variable when the configuration is invalid', async () => {
    const result = await kith(['migrate'], { PORT: 'eighty', DATA_DIR: '/tmp/kith-never-made' })
    assert.equal(result.code, 1)
    assert.match(result.stderr, /PORT must be a whole number/)
  })

  it('refuses unknown commands and options', async () => {
    assert.equal((await kith(['frobnicate'])).code, 2)
    const result = await kith(['migrate', '--wat'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /Unknown option '--wat'/)
  })
})

describe('the kith command line on a read-only data folder', () => {
  const canMount = async () =>
    process.getuid?.() !== 0 ||
    (await run('unshare', ['--map-root-user', '--mount', 'true']).then(
      () => true,
      () => false,
    ))

  it('stops with one line naming the folder and the cause, the first time and with a database in it', async (t) => {
    if (!(await canMount())) {
      t.skip('root needs unshare to make a read-only folder')
      return
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'kith-read-only-'))
    try {
      const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }
      // The first start outside production writes a session secret into the folder.
      const first = await kith(['serve'], { ...env, SESSION_SECRET: '' }, dataDir)
      // Then a folder that holds a database.
      await chmod(dataDir, 0o755)
      assert.equal((await kith(['migrate'], env)).code, 0)
      const later = await kith(['serve'], env, dataDir)
      for (const [result, names] of [
        [first, join(dataDir, 'session-secret')],
        [later, join(dataDir, 'kith.sqlite')],
      ] as const) {
        assert.equal(result.code, 1, result.stderr)
        const lines = result.stderr.trim().split('\n')
        assert.equal(lines.length, 1, `one line, not a stack:\n${result.stderr}`)
        assert.ok(lines[0]!.includes(names), lines[0])
        assert.ok(lines[0]!.includes(dataDir), lines[0])
        assert.match(lines[0]!, /read-only \(EROFS\)|permission denied \(EACCES\)/)
      }
    } finally {
      await chmod(dataDir, 0o755)
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

describeEachDatabase('the kith command line against a database', (database) => {
  it('refuses demo data in production', async () => {
    const empty = await emptyDatabase(database().dialect)
    try {
      const result = await kith(['seed', '--demo'], {
        ...empty.env,
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://kith.example.nhs.uk',
      })
      assert.equal(result.code, 2)
      assert.match(result.stderr, /Demo data is refused when NODE_ENV=production/)
    } finally {
      await empty.dispose()
    }
  })

  it('backs up and restores the SQLite database, and points to pg_dump on PostgreSQL', async () => {
    const empty = await emptyDatabase(database().dialect)
    try {
      assert.equal((await kith(['migrate'], empty.env)).code, 0)
      const backedUp = await kith(['backup'], empty.env)
      if (database().dialect === 'postgres') {
        assert.equal(backedUp.code, 2)
        assert.match(backedUp.stderr, /back it up with pg_dump/)
        assert.match((await kith(['restore', 'kith.dump'], empty.env)).stderr, /pg_restore/)
        return
      }
      assert.equal(backedUp.code, 0, backedUp.stderr)
      const file = /to (\S+\.sqlite) \(/.exec(backedUp.stdout)?.[1]
      assert.ok(file?.startsWith(join(empty.env.DATA_DIR!, 'backups')), backedUp.stdout)
      assert.match(backedUp.stdout, /passed SQLite's integrity check/)
      const again = await kith(['backup', '--out', file!], empty.env)
      assert.equal(again.code, 2)
      assert.match(again.stderr, /already exists/)

      const restored = await kith(['restore', file!], empty.env)
      assert.equal(restored.code, 0, restored.stderr)
      assert.match(restored.stdout, /The database it replaced is kept as .*kith\.sqlite\.before-restore-/)
      const refused = await kith(['restore', join(empty.env.DATA_DIR!, 'no-such-backup.sqlite')], empty.env)
      assert.equal(refused.code, 2)
      assert.match(refused.stderr, /There is no file .* Nothing was changed/)
      assert.equal((await kith(['restore'], empty.env)).code, 2)
    } finally {
      await empty.dispose()
    }
  })

  it('loads the demo, creates a user and a token that the API accepts', async () => {
    const empty = await emptyDatabase(database().dialect)
    try {
      const seeded = await kith(['seed', '--demo'], empty.env)
      assert.equal(seeded.code, 0, seeded.stderr)
      assert.match(seeded.stdout, new RegExp(`${DEMO_ACCOUNTS.length} accounts`))
      assert.equal((await kith(['seed', '--demo'], empty.env)).code, 2)

      const created = await kith(
        [
          'user',
          'create',
          '--email',
          'new.worker@kith.example',
          '--name',
          'New Worker',
          '--org',
          'Z90001',
          '--role',
          'link_worker',
          '--title',
          'Navigator',
        ],
        empty.env,
      )
      assert.equal(created.code, 0, created.stderr)
      assert.match(created.stdout, /as link_worker at High Street Wimbledon Surgery/)
      const badRole = await kith(
        ['user', 'create', '--email', 'x@kith.example', '--name', 'X', '--org', 'Z90001', '--role', 'wizard'],
        empty.env,
      )
      assert.equal(badRole.code, 2)

      const token = await kith(['token', 'create', '--email', 'new.worker@kith.example'], empty.env)
      assert.equal(token.code, 0, token.stderr)
      const lastLine = token.stdout.trim().split('\n').at(-1)
      const db = openDatabase(empty.target)
      try {
        const app = await testApp(db)
        const me = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${lastLine}` } })
        assert.equal(me.statusCode, 200)
        assert.equal(me.json().organisations[0].roles[0].title, 'Navigator')
        await app.close()
      } finally {
        await db.destroy()
      }
    } finally {
      await empty.dispose()
    }
  })
})
