#!/usr/bin/env node
// The kith command line. Node 24 runs the TypeScript sources directly.
const { main } = await import('../src/main.ts')
const code = await main(process.argv.slice(2))
if (code !== 0) process.exit(code)
