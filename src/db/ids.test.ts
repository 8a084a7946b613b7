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

  it('rejects anything that is not a UUID', () => {
    assert.equal(isId('1 or 1=1'), false)
    assert.equal(isId('../etc/passwd'), false)
    assert.equal(isId(42), false)
  })
})
