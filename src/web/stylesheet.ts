// Only the CSS Kith's pages use. The NHS.UK frontend's stylesheet holds every component of the
// design system (278 KB); Kith renders a handful of them. Once at start, this module reads what
// could put a class on a Kith page (Kith's templates and code, the templates of the NHS.UK
// components they import, and the NHS.UK scripts) and keeps each rule of the stylesheet unless
// it needs a class that nothing can produce. Decision 0015 explains the choice and the figures.
//
// A rule is kept whole when any selector in its list may match, so a kept rule means exactly
// what it meant; rules without a class (elements, focus, print and forced-colour styles on
// them) and every at-rule that is not a group (@font-face, @keyframes, @charset) are kept.

import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

export type CssNode =
  | { type: 'rule'; selector: string; body: string }
  | { type: 'group'; prelude: string; children: CssNode[] }
  | { type: 'other'; text: string }

/** At-rules whose block holds rules, which are trimmed like the top level. */
const GROUPS = new Set(['media', 'supports', 'container', 'layer', 'document', 'scope'])

/** The index just after the string, comment or escape at `i`, or `i` when there is none there. */
function skipToken(css: string, i: number): number {
  const c = css[i]
  if (c === '\\') return i + 2
  if (c === '"' || c === "'") {
    let j = i + 1
    while (j < css.length && css[j] !== c) j += css[j] === '\\' ? 2 : 1
    return j + 1
  }
  if (c === '/' && css[i + 1] === '*') {
    const end = css.indexOf('*/', i + 2)
    return end === -1 ? css.length : end + 2
  }
  return i
}

/** The index of the first of `stops` at nesting depth 0 (brackets and parentheses), from `i`. */
function findAtDepthZero(css: string, i: number, end: number, stops: string): number {
  let depth = 0
  while (i < end) {
    const skipped = skipToken(css, i)
    if (skipped !== i) {
      i = skipped
      continue
    }
    const c = css[i]!
    if (depth === 0 && stops.includes(c)) return i
    if (c === '(' || c === '[') depth++
    else if ((c === ')' || c === ']') && depth > 0) depth--
    i++
  }
  return end
}

/** The index of the `}` that closes the block opened just before `i`. */
function closingBrace(css: string, i: number, end: number): number {
  let depth = 1
  while (i < end) {
    const skipped = skipToken(css, i)
    if (skipped !== i) {
      i = skipped
      continue
    }
    if (css[i] === '{') depth++
    else if (css[i] === '}' && --depth === 0) return i
    i++
  }
  throw new Error('The stylesheet has a block that is not closed')
}

/** Reads a stylesheet into its top-level rules and at-rules. Comments between rules are dropped. */
export function parseCss(css: string, start = 0, end = css.length): CssNode[] {
  const nodes: CssNode[] = []
  let i = start
  while (i < end) {
    while (i < end && /\s/.test(css[i]!)) i++
    if (i >= end) break
    if (css.startsWith('/*', i)) {
      i = skipToken(css, i)
      continue
    }
    const stop = findAtDepthZero(css, i, end, '{;')
    const prelude = css.slice(i, stop)
    if (stop >= end || css[stop] === ';') {
      if (prelude) nodes.push({ type: 'other', text: `${prelude};` })
      i = stop + 1
      continue
    }
    const close = closingBrace(css, stop + 1, end)
    const atName = /^@([\w-]+)/.exec(prelude)?.[1]?.toLowerCase()
    if (atName !== undefined && GROUPS.has(atName)) {
      nodes.push({ type: 'group', prelude, children: parseCss(css, stop + 1, close) })
    } else if (atName !== undefined) {
      nodes.push({ type: 'other', text: css.slice(i, close + 1) })
    } else {
      nodes.push({ type: 'rule', selector: prelude, body: css.slice(stop + 1, close) })
    }
    i = close + 1
  }
  return nodes
}

export function serializeCss(nodes: CssNode[]): string {
  return nodes
    .map((node) =>
      node.type === 'rule'
        ? `${node.selector}{${node.body}}`
        : node.type === 'group'
          ? `${node.prelude}{${serializeCss(node.children)}}`
          : node.text,
    )
    .join('')
}

/** The selectors of a selector list. */
export function splitSelectors(list: string): string[] {
  const selectors: string[] = []
  let i = 0
  while (i < list.length) {
    const comma = findAtDepthZero(list, i, list.length, ',')
    selectors.push(list.slice(i, comma).trim())
    i = comma + 1
  }
  return selectors.filter(Boolean)
}

const IDENT_CHAR = /[\w\-\u0080-\uffff]/

/**
 * The classes an element must have for `selector` to match: those outside brackets and
 * parentheses (a class inside `:not()`, `:is()` or `:has()` does not have to be on the page).
 */
export function requiredClasses(selector: string): string[] {
  const classes: string[] = []
  let depth = 0
  let i = 0
  while (i < selector.length) {
    const skipped = skipToken(selector, i)
    if (skipped !== i) {
      i = skipped
      continue
    }
    const c = selector[i]!
    if (c === '(' || c === '[') depth++
    else if ((c === ')' || c === ']') && depth > 0) depth--
    else if (c === '.' && depth === 0) {
      let name = ''
      let j = i + 1
      while (j < selector.length) {
        const d = selector[j]!
        if (d === '\\') {
          const hex = /^[0-9a-fA-F]{1,6} ?/.exec(selector.slice(j + 1))
          if (hex) {
            name += String.fromCodePoint(Number.parseInt(hex[0].trim(), 16))
            j += 1 + hex[0].length
          } else {
            name += selector[j + 1] ?? ''
            j += 2
          }
        } else if (IDENT_CHAR.test(d)) {
          name += d
          j++
        } else break
      }
      if (name) classes.push(name)
      i = j
      continue
    }
    i++
  }
  return classes
}

export interface Trimmed {
  css: string
  /** Classes the stylesheet names that nothing in Kith can put on a page: their rules were left out. */
  unused: Set<string>
}

/** Keeps the rules that may match an element whose classes all satisfy `used`. */
export function trimCss(css: string, used: (className: string) => boolean): Trimmed {
  const unused = new Set<string>()
  const matches = (selector: string) => {
    const missing = requiredClasses(selector).filter((name) => !used(name))
    for (const name of missing) unused.add(name)
    return missing.length === 0
  }
  const trim = (nodes: CssNode[]): CssNode[] =>
    nodes.flatMap((node): CssNode[] => {
      if (node.type === 'rule') {
        // Every selector is looked at, so `unused` names each class left out.
        const kept = splitSelectors(node.selector).map(matches)
        return kept.some(Boolean) ? [node] : []
      }
      if (node.type === 'group') {
        const children = trim(node.children)
        return children.length > 0 ? [{ ...node, children }] : []
      }
      return [node]
    })
  const result = trim(parseCss(css))
  // A class of a kept rule is not unused, even if another selector of the rule needed it too.
  const keptClasses = new Set<string>()
  const collect = (nodes: CssNode[]) => {
    for (const node of nodes) {
      if (node.type === 'rule') {
        for (const selector of splitSelectors(node.selector))
          for (const name of requiredClasses(selector)) keptClasses.add(name)
      } else if (node.type === 'group') collect(node.children)
    }
  }
  collect(result)
  for (const name of keptClasses) if (used(name)) unused.delete(name)
  return { css: serializeCss(result), unused }
}

/**
 * What may put a class on a page. `names` are whole class names seen in a source; `blocks` are
 * BEM blocks (`nhsuk-button`) whose every element and modifier is kept, because templates and
 * scripts build modifiers from parts (`"nhsuk-button--" ~ variant`); `prefixes` are names cut
 * off where a value is put in (`nhsuk-grid-column-{{ width }}`).
 */
export interface ClassUsage {
  names: Set<string>
  blocks: Set<string>
  prefixes: Set<string>
}

export function emptyUsage(): ClassUsage {
  return { names: new Set(), blocks: new Set(), prefixes: new Set() }
}

const blockOf = (name: string) => name.split(/__|--/)[0]!

/**
 * Adds the class-like words of a template, script or stylesheet. With `expand`, the blocks of
 * its words and the prefixes it builds names from count too (for Kith's sources and the NHS.UK
 * components it renders); without, only whole words (for the NHS.UK scripts, which hold every
 * component's code, used or not).
 */
export function addUsage(usage: ClassUsage, text: string, expand: boolean): void {
  for (const match of text.matchAll(/-?[A-Za-z_][\w-]*/g)) {
    const word = match[0]
    usage.names.add(word)
    if (!expand) continue
    usage.blocks.add(blockOf(word))
    // A name cut short where a value goes in: `nhsuk-grid-column-{{`, `nhsuk-tag--${`, `"nhsuk-heading-" ~`.
    if (/[-_]$/.test(word) && word.startsWith('nhsuk-') && word.length > 'nhsuk-u-'.length) {
      usage.prefixes.add(word)
    }
  }
}

export function isUsed(usage: ClassUsage, name: string): boolean {
  if (usage.names.has(name) || usage.blocks.has(blockOf(name))) return true
  for (const prefix of usage.prefixes) if (name.startsWith(prefix)) return true
  return false
}

async function filesUnder(dir: string, keep: (path: string) => boolean): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter(keep)
    .sort()
}

/** The NHS.UK components a template imports (`{% from "button/macro.njk" import button %}`). */
export function componentsImported(template: string): string[] {
  return [...template.matchAll(/["'](?:[^"']*\/)?([a-z-]+)\/(?:macro|template)\.njk["']/g)].map(
    (match) => match[1]!,
  )
}

/**
 * Reads what may put a class on a Kith page: Kith's templates, code and scripts under `src`
 * (tests aside), the page template and macros of the NHS.UK frontend (`nhsukDir`), the
 * components Kith's templates import and those they import in turn, and the NHS.UK scripts.
 */
export async function classUsage(src: string, nhsukDir: string): Promise<ClassUsage> {
  const usage = emptyUsage()
  const components = new Set<string>(['skip-link', 'header', 'footer'])
  const own = await filesUnder(
    src,
    (path) =>
      /\.(njk|ts|js)$/.test(path) && !path.endsWith('.test.ts') && !relative(src, path).includes(`${sep}.`),
  )
  for (const file of own) {
    const text = await readFile(file, 'utf8')
    addUsage(usage, text, true)
    if (file.endsWith('.njk')) for (const name of componentsImported(text)) components.add(name)
  }

  const componentDir = join(nhsukDir, 'components')
  const known = new Set(await readdir(componentDir))
  const pending = [...components]
  while (pending.length > 0) {
    const name = pending.pop()!
    if (!known.has(name)) continue
    for (const file of ['macro.njk', 'template.njk']) {
      const text = await readFile(join(componentDir, name, file), 'utf8').catch(() => '')
      addUsage(usage, text, true)
      for (const imported of componentsImported(text)) {
        if (!components.has(imported)) {
          components.add(imported)
          pending.push(imported)
        }
      }
    }
  }
  addUsage(usage, await readFile(join(nhsukDir, 'template.njk'), 'utf8'), true)
  for (const file of await filesUnder(join(nhsukDir, 'macros'), (path) => path.endsWith('.njk'))) {
    addUsage(usage, await readFile(file, 'utf8'), true)
  }
  addUsage(usage, await readFile(join(nhsukDir, 'nhsuk-frontend.min.js'), 'utf8'), false)
  return usage
}
