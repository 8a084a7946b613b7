import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isValidNhsNumber, nhsCheckDigit, nhsNumberDigits } from './nhs-number.ts'

describe('NHS numbers', () => {
  it('accepts the valid test values from the reference', () => {
    for (const number of ['9434765919', '9434765870', '9000000009'])
      assert.equal(isValidNhsNumber(number), true)
  })

  it('refuses a wrong check digit, and a number whose check digit would be 10', () => {
    for (const number of ['9434765918', '9434765871', '1234567890'])
      assert.equal(isValidNhsNumber(number), false)
    assert.equal(nhsCheckDigit('123456789'), undefined)
    assert.equal(nhsCheckDigit('943476587'), 0)
    assert.equal(nhsCheckDigit('943476591'), 9)
  })

  it('reads numbers written with spaces or hyphens, and refuses other characters and lengths', () => {
    assert.equal(isValidNhsNumber('943 476 5919'), true)
    assert.equal(isValidNhsNumber('943-476-5919'), true)
    assert.equal(nhsNumberDigits(' 943 476-5919 '), '9434765919')
    for (const number of ['943476591', '94347659190', '943476591x', '', 'nine four three']) {
      assert.equal(isValidNhsNumber(number), false, number)
    }
  })

  it('accepts 999 999 9999, which passes the check though no one has it', () => {
    assert.equal(isValidNhsNumber('9999999999'), true)
  })
})
