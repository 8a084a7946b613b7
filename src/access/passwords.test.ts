import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { hashPassword, verifyPassword } from './passwords.ts'

describe('passwords', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple')
    assert.equal(await verifyPassword('correct horse battery staple', stored), true)
    assert.equal(await verifyPassword('correct horse battery stapler', stored), false)
  })

  it('salts each hash differently', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')])
    assert.notEqual(a, b)
    assert.match(a, /^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
  })

  it('refuses when there is no stored hash or it is malformed', async () => {
    assert.equal(await verifyPassword('anything', null), false)
    assert.equal(await verifyPassword('anything', 'plain-text'), false)
  })
})
