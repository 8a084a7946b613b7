import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { NHSUK_DIST } from './assets.ts'
import {
  addUsage,
  componentsImported,
  emptyUsage,
  isUsed,
  parseCss,
  requiredClasses,
  serializeCss,
  splitSelectors,
  trimCss,
} from './stylesheet.ts'

describe('reading a stylesheet', () => {
  it('reads the NHS.UK frontend stylesheet and writes it back unchanged', async () => {
    const css = (await readFile(join(NHSUK_DIST, 'nhsuk', 'nhsuk-frontend.min.css'), 'utf8'))
      .replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '')
      .trim()
    assert.equal(serializeCss(parseCss(css)), css)
  })

  it('keeps strings, escapes and comments inside rules and at-rules intact', () => {
    const css =
      '@charset "UTF-8";a[title="{;}"]{content:"}"}@media screen\\0 {.a{b:c}}@font-face{src:url(x)}/* x */.b{c:d}'
    const nodes = parseCss(css)
    assert.deepEqual(
      nodes.map((node) => node.type),
      ['other', 'rule', 'group', 'other', 'rule'],
    )
    assert.equal(serializeCss(nodes), css.replace('/* x */', ''))
  })

  it('splits selector lists and finds the classes a selector needs', () => {
    assert.deepEqual(splitSelectors('.a:is(.b,.c),.d [x=","]'), ['.a:is(.b,.c)', '.d [x=","]'])
    assert.deepEqual(requiredClasses('.a>.b:not(.c):hover .d__e--f::before'), ['a', 'b', 'd__e--f'])
    assert.deepEqual(requiredClasses('.a:not(.\\:focus)'), ['a'])
    assert.deepEqual(requiredClasses('.nhsuk-u-\\31 0'), ['nhsuk-u-10'])
    assert.deepEqual(requiredClasses('a[class~=".x"]:focus'), [])
  })
})

describe('trimming a stylesheet', () => {
  it('keeps rules whose classes are used, and every rule without a class', () => {
    const css =
      'a:focus{outline:3px}.used,.unused{x:1}.unused{x:2}@media print{.unused{x:3}.used{x:4}}@media (min-width:1px){.unused{x:5}}@keyframes k{0%{x:6}}'
    const trimmed = trimCss(css, (name) => name === 'used')
    assert.equal(
      trimmed.css,
      'a:focus{outline:3px}.used,.unused{x:1}@media print{.used{x:4}}@keyframes k{0%{x:6}}',
    )
    assert.deepEqual([...trimmed.unused], ['unused'])
  })

  it('counts a class inside :not() or :has() as not needed', () => {
    const trimmed = trimCss('.a:not(.b){x:1}.a:has(.c){x:2}', (name) => name === 'a')
    assert.equal(trimmed.css, '.a:not(.b){x:1}.a:has(.c){x:2}')
  })
})

describe('what may put a class on a page', () => {
  it('takes whole names, BEM blocks and names built from a prefix', () => {
    const usage = emptyUsage()
    addUsage(usage, '<div class="nhsuk-card nhsuk-grid-column-{{ width }}">', true)
    // A template literal in Kith's code: `nhsuk-tag--${colour}`.
    addUsage(usage, `classes: \`nhsuk-tag--\${colour}\``, true)
    addUsage(usage, 'el.classList.add("nhsuk-tabs__panel--hidden")', false)
    assert.ok(isUsed(usage, 'nhsuk-card'))
    assert.ok(isUsed(usage, 'nhsuk-card--warning'), 'a modifier of a used block')
    assert.ok(isUsed(usage, 'nhsuk-card__heading'), 'an element of a used block')
    assert.ok(isUsed(usage, 'nhsuk-grid-column-one-half'), 'a name built from a prefix')
    assert.ok(isUsed(usage, 'nhsuk-tag--green'))
    assert.ok(isUsed(usage, 'nhsuk-tabs__panel--hidden'), 'a whole name in a script')
    assert.ok(!isUsed(usage, 'nhsuk-tabs__list'), 'scripts do not bring in whole blocks')
    assert.ok(!isUsed(usage, 'nhsuk-hero'))
  })

  it('follows the components a template imports', () => {
    assert.deepEqual(
      componentsImported(
        '{% from "button/macro.njk" import button %}{% from "nhsuk/components/card/macro.njk" import card %}',
      ),
      ['button', 'card'],
    )
  })
})
