import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ConfigError, loadConfig } from './config.ts'

const base = { DATA_DIR: '/tmp/kith-config-test', SESSION_SECRET: 'x'.repeat(32) }

describe('configuration', () => {
  it('has development defaults', () => {
    const config = loadConfig(base)
    assert.equal(config.env, 'development')
    assert.equal(config.port, 3000)
    assert.equal(config.host, 'localhost')
    assert.equal(config.databaseUrl, undefined)
    assert.equal(config.sqliteFile, '/tmp/kith-config-test/kith.sqlite')
  })

  it('reads the reverse proxies TRUST_PROXY names, and trusts none by default', () => {
    assert.equal(loadConfig(base).trustProxy, undefined)
    const config = loadConfig({ ...base, TRUST_PROXY: '10.0.0.5, 192.168.0.0/16' })
    assert.deepEqual(config.trustProxy, ['10.0.0.5', '192.168.0.0/16'])
  })

  it('switches to PostgreSQL when DATABASE_URL says so', () => {
    const config = loadConfig({ ...base, DATABASE_URL: 'postgres://kith@db.example/kith' })
    assert.equal(config.databaseUrl, 'postgres://kith@db.example/kith')
  })

  for (const [name, value, message] of [
    ['PORT', 'eighty', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
    ['NODE_ENV', 'staging', /NODE_ENV must be development, test or production/],
    ['DATABASE_URL', 'mysql://db/kith', /DATABASE_URL must start with postgres/],
    ['SESSION_IDLE_MINUTES', '0', /SESSION_IDLE_MINUTES must be between/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['TRUST_PROXY', 'the proxy', /TRUST_PROXY must be a comma-separated list/],
  ] as const) {
    it(`refuses ${name}=${value} with a message naming it`, () => {
      assert.throws(
        () => loadConfig({ ...base, [name]: value }),
        (error: Error) => {
          assert.ok(error instanceof ConfigError)
          assert.match(error.message, message)
          return true
        },
      )
    })
  }

  it('requires a session secret and public URL in production', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', DATA_DIR: '/tmp/kith-config-test' }),
      /SESSION_SECRET must be set in production[\s\S]*PUBLIC_URL must be set/,
    )
    const config = loadConfig({ ...base, NODE_ENV: 'production', PUBLIC_URL: 'https://kith.example.nhs.uk/' })
    assert.equal(config.publicUrl, 'https://kith.example.nhs.uk')
  })

  it('makes a session secret outside production, keeps it, and makes it again when a failed start left it empty', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kith-secret-test-'))
    try {
      const file = join(dataDir, 'session-secret')
      const first = loadConfig({ DATA_DIR: dataDir }).sessionSecret
      assert.ok(first.length >= 32)
      assert.equal(await readFile(file, 'utf8'), first)
      assert.equal((await stat(file)).mode & 0o777, 0o600)
      assert.equal(loadConfig({ DATA_DIR: dataDir }).sessionSecret, first, 'kept across starts')

      for (const leftOver of ['', 'short\n']) {
        await writeFile(file, leftOver)
        const made = loadConfig({ DATA_DIR: dataDir }).sessionSecret
        assert.ok(made.length >= 32, `a new secret in place of ${JSON.stringify(leftOver)}`)
        assert.equal(await readFile(file, 'utf8'), made)
      }
      assert.deepEqual(await readdir(dataDir), ['session-secret'], 'no temporary file is left behind')
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
