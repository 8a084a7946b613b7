// Kith's own scripts and styles and the NHS.UK frontend's, served from memory under names that
// carry a hash of their content, so browsers may keep them for a year.

import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'

export const NHSUK_DIST = join(
  new URL(import.meta.resolve('nhsuk-frontend/package.json')).pathname,
  '..',
  'dist',
)
const OWN_STATIC = join(import.meta.dirname, 'static')

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

export interface Asset {
  body: Buffer
  type: string
}

export interface Assets {
  /** The fingerprinted URL of an asset by its plain name (`kith.css`). */
  url(name: string): string
  /** The asset behind a fingerprinted file name, if there is one. */
  byFile(file: string): Asset | undefined
}

function fingerprinted(name: string, body: Buffer): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12)
  const extension = extname(name)
  return `${name.slice(0, -extension.length)}.${hash}${extension}`
}

export async function loadAssets(): Promise<Assets> {
  const urls = new Map<string, string>()
  const files = new Map<string, Asset>()
  const add = (name: string, body: Buffer) => {
    const file = fingerprinted(name, body)
    urls.set(name, `/static/${file}`)
    files.set(file, { body, type: TYPES[extname(name)] ?? 'application/octet-stream' })
  }

  const nhsuk = join(NHSUK_DIST, 'nhsuk')
  add('nhsuk-frontend.min.css', await readFile(join(nhsuk, 'nhsuk-frontend.min.css')))
  add('nhsuk-frontend.min.js', await readFile(join(nhsuk, 'nhsuk-frontend.min.js')))

  // Our scripts import the NHS.UK frontend by its package name; point them at its fingerprinted file.
  for (const name of (await readdir(OWN_STATIC)).sort()) {
    let body = await readFile(join(OWN_STATIC, name))
    if (name.endsWith('.js')) {
      body = Buffer.from(
        body.toString('utf8').replaceAll("'nhsuk-frontend'", `'${urls.get('nhsuk-frontend.min.js')}'`),
      )
    }
    add(name, body)
  }

  return {
    url(name) {
      const url = urls.get(name)
      if (!url) throw new Error(`There is no asset called ${name}`)
      return url
    },
    byFile: (file) => files.get(file),
  }
}
