// `npm run bench -- NAME [--db sqlite|postgres] [--quick] [--workers N]`: runs bench/NAME.ts, which prints a
// readable table and ends with one JSON line of its figures.

import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { BenchOptions } from './lib.ts'

const { values, positionals } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    quick: { type: 'boolean', default: false },
    workers: { type: 'string' },
  },
  allowPositionals: true,
})
const available = readdirSync(import.meta.dirname)
  .filter((file) => file.endsWith('.ts') && !['run.ts', 'lib.ts'].includes(file))
  .map((file) => file.replace(/\.ts$/, ''))
const name = positionals[0]
if (!name || !available.includes(name) || !existsSync(join(import.meta.dirname, `${name}.ts`))) {
  console.error(
    `Usage: npm run bench -- NAME [--db sqlite|postgres] [--quick] [--workers N]\nBenchmarks: ${available.join(', ') || '(none yet)'}`,
  )
  process.exit(2)
}
if (values.db !== 'sqlite' && values.db !== 'postgres') {
  console.error('--db must be sqlite or postgres')
  process.exit(2)
}
const workers = values.workers === undefined ? undefined : Number(values.workers)
if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) {
  console.error('--workers must be a whole number from 1 to 64')
  process.exit(2)
}
const bench = (await import(join(import.meta.dirname, `${name}.ts`))) as {
  run(options: BenchOptions): Promise<void>
}
await bench.run({ dialect: values.db, quick: values.quick ?? false, ...(workers ? { workers } : {}) })
