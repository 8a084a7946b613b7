// Kith's own scripts and styles and the NHS.UK frontend's, served from memory under names that
// carry a hash of their content, so browsers may keep them for a year; and the NHS.UK frontend's
// images and icons, which its stylesheet and page template ask for by fixed names under /assets.
//
// Prepared once per process: the stylesheet is the NHS.UK frontend's rules that Kith's pages can
// use, then Kith's own (stylesheet.ts); every text asset is compressed once, with brotli at its
// best quality and with gzip, in zlib's worker threads, so starting is not held up and no request
// compresses an asset (decision 0015).

import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import { classUsage, isUsed, trimCss } from './stylesheet.ts'

export const NHSUK_DIST = join(
  new URL(import.meta.resolve('nhsuk-frontend/package.json')).pathname,
  '..',
  'dist',
)
const NHSUK = join(NHSUK_DIST, 'nhsuk')
const OWN_STATIC = join(import.meta.dirname, 'static')
const SRC = join(import.meta.dirname, '..')

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}
/** Types worth compressing (PNG is compressed already). */
const COMPRESSIBLE = new Set(['.css', '.js', '.json', '.svg', '.ico'])

export type Encoding = 'br' | 'gzip'

export interface Asset {
  body: Buffer
  type: string
  /** A strong validator of the body. */
  etag: string
  /** Whether the body has compressed forms (so its responses vary by Accept-Encoding). */
  compressible: boolean
  /** The body compressed, by encoding, once it is ready; absent where compressing gains little. */
  encoded(): Promise<Partial<Record<Encoding, Buffer>>>
}

export interface Assets {
  /** The fingerprinted URL of an asset by its plain name (`styles.css`). */
  url(name: string): string
  /** The asset behind a fingerprinted file name, if there is one. */
  byFile(file: string): Asset | undefined
  /** An NHS.UK frontend image or icon by its path under /assets (`images/favicon.svg`). */
  byPath(path: string): Asset | undefined
  /** The NHS.UK frontend classes whose rules were left out of `styles.css`: nothing in Kith uses them. */
  unusedClasses: ReadonlySet<string>
  /** Resolves when every compressed form is ready. */
  compressed(): Promise<void>
}

const brotli = promisify(brotliCompress)
const gzipped = promisify(gzip)

function makeAsset(name: string, body: Buffer): Asset {
  const extension = extname(name)
  const compressible = COMPRESSIBLE.has(extension)
  let encoded: Promise<Partial<Record<Encoding, Buffer>>> | undefined
  const asset: Asset = {
    body,
    type: TYPES[extension] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    compressible,
    encoded() {
      // Should compressing fail, the asset is sent as it is.
      encoded ??= compressible ? compress(body).catch(() => ({})) : Promise.resolve({})
      return encoded
    },
  }
  return asset
}

/** Brotli and gzip forms of `body`, each kept only where it is at most nine tenths of the size. */
async function compress(body: Buffer): Promise<Partial<Record<Encoding, Buffer>>> {
  const [br, gz] = await Promise.all([
    brotli(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      },
    }),
    gzipped(body, { level: 9 }),
  ])
  const worth = (form: Buffer) => form.length <= body.length * 0.9
  return { ...(worth(br) ? { br } : {}), ...(worth(gz) ? { gzip: gz } : {}) }
}

function fingerprinted(name: string, body: Buffer): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12)
  const extension = extname(name)
  return `${name.slice(0, -extension.length)}.${hash}${extension}`
}

let loaded: Promise<Assets> | undefined

/** The assets, read, trimmed and compressed once for the process whatever the number of apps. */
export function loadAssets(): Promise<Assets> {
  loaded ??= readAssets()
  return loaded
}

async function readAssets(): Promise<Assets> {
  const urls = new Map<string, string>()
  const files = new Map<string, Asset>()
  const add = (name: string, body: Buffer) => {
    const file = fingerprinted(name, body)
    urls.set(name, `/static/${file}`)
    files.set(file, makeAsset(name, body))
  }

  add('nhsuk-frontend.min.js', await readFile(join(NHSUK, 'nhsuk-frontend.min.js')))

  // Our scripts import the NHS.UK frontend by its package name; point them at its fingerprinted file.
  const own = new Map<string, Buffer>()
  for (const name of (await readdir(OWN_STATIC)).sort()) {
    let body = await readFile(join(OWN_STATIC, name))
    if (name.endsWith('.js')) {
      body = Buffer.from(
        body.toString('utf8').replaceAll("'nhsuk-frontend'", `'${urls.get('nhsuk-frontend.min.js')}'`),
      )
    }
    own.set(name, body)
    add(name, body)
  }

  // One stylesheet for every page: the NHS.UK frontend's rules that Kith can use, then Kith's.
  const usage = await classUsage(SRC, NHSUK)
  const nhsukCss = (await readFile(join(NHSUK, 'nhsuk-frontend.min.css'), 'utf8')).replace(
    /\/\*# sourceMappingURL=[^*]*\*\/\s*$/,
    '',
  )
  const trimmed = trimCss(nhsukCss, (name) => isUsed(usage, name))
  add(
    'styles.css',
    Buffer.concat([Buffer.from(trimmed.css), Buffer.from('\n'), own.get('kith.css') ?? Buffer.alloc(0)]),
  )

  const fixed = new Map<string, Asset>()
  const assetsDir = join(NHSUK, 'assets')
  for (const entry of await readdir(assetsDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
      .slice(assetsDir.length + 1)
      .split('\\')
      .join('/')
    fixed.set(path, makeAsset(entry.name, await readFile(join(entry.parentPath, entry.name))))
  }

  // Start compressing now, off the main thread; a request that comes first waits for it.
  const everything = [...files.values(), ...fixed.values()]
  const compressed = Promise.all(everything.map((asset) => asset.encoded())).then(() => undefined)

  return {
    url(name) {
      const url = urls.get(name)
      if (!url) throw new Error(`There is no asset called ${name}`)
      return url
    },
    byFile: (file) => files.get(file),
    byPath: (path) => fixed.get(path),
    unusedClasses: trimmed.unused,
    compressed: () => compressed,
  }
}

/**
 * The encoding to send for an Accept-Encoding header: the one the browser prefers of those
 * `available`, brotli when it prefers neither; none when it takes neither (or refuses them, `;q=0`).
 */
export function chooseEncoding(
  header: string | undefined,
  available: Partial<Record<Encoding, Buffer>>,
): Encoding | undefined {
  if (!header) return undefined
  const accepted = new Map<string, number>()
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined)
    accepted.set(token.trim(), q === undefined ? 1 : Number(q))
  }
  const weight = (encoding: Encoding) => accepted.get(encoding) ?? accepted.get('*') ?? 0
  const candidates = (['br', 'gzip'] as const).filter(
    (encoding) => available[encoding] && weight(encoding) > 0,
  )
  // The browser's preference first; brotli where it has none.
  return candidates.sort((a, b) => weight(b) - weight(a))[0]
}
