import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildTree, wouldCycle } from './tree.ts'

const orgs = [
  { id: 'a', name: 'Area', parentId: null },
  { id: 'p2', name: 'PCN B', parentId: 'a' },
  { id: 'p1', name: 'PCN A', parentId: 'a' },
  { id: 'g', name: 'Practice', parentId: 'p1' },
  { id: 'o', name: 'Orphan', parentId: 'missing' },
]

describe('organisation tree', () => {
  it('nests children under parents, sorted by name, with orphans at the top level', () => {
    const tree = buildTree(orgs)
    assert.deepEqual(
      tree.map((n) => n.item.id),
      ['a', 'o'],
    )
    assert.deepEqual(
      tree[0]?.children.map((n) => n.item.id),
      ['p1', 'p2'],
    )
    assert.equal(tree[0]?.children[0]?.children[0]?.item.id, 'g')
  })

  it('detects a parent that would put an organisation inside itself', () => {
    assert.equal(wouldCycle(orgs, 'a', 'g'), true)
    assert.equal(wouldCycle(orgs, 'p1', 'p1'), true)
    assert.equal(wouldCycle(orgs, 'g', 'p2'), false)
    assert.equal(wouldCycle(orgs, 'g', null), false)
  })
})
