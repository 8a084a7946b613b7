import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isId, newId } from './ids.ts'

describe('ids', () => {
  it('makes version 7 UUIDs that sort by time', () => {
    const first = newId(1_700_000_000_000)
    const second = newId(1_700_000_000_001)
    assert.ok(isId(first))
    assert.equal(first[14], '7')
    assert.ok(first < second)
  })

  it('makes ids in the order they were made within one millisecond', () => {
    const now = 1_700_000_000_500
    const ids = Array.from({ length: 2000 }, () => newId(now))
    assert.equal(new Set(ids).size, ids.length)
    for (let i = 1; i < ids.length; i++)
      assert.ok(ids[i - 1]! < ids[i]!, `id ${i} sorts before the one made before it`)
    for (const id of ids) {
      assert.ok(isId(id))
      assert.equal(id[14], '7')
      assert.match(id[19] ?? '', /[89ab]/)
    }
    // One dated in the past does not disturb the sequence.
    const back = newId(now - 60_000)
    assert.ok(back < ids[0]!)
    assert.ok(ids[ids.length - 1]! < newId(now))
  })

  it('rejects anything that is not a UUID', () => {
    assert.equal(isId('1 or 1=1'), false)
    assert.equal(isId('../etc/passwd'), false)
    assert.equal(isId(42), false)
  })
})
