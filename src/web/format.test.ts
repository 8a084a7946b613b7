import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatDate, formatDateTime, formatNhsNumber, formatPostcode, londonDate } from './format.ts'

describe('formats', () => {
  it('shows NHS numbers in groups of 3, 3 and 4', () => {
    assert.equal(formatNhsNumber('9434765919'), '943 476 5919')
    assert.equal(formatNhsNumber('943 476 5919'), '943 476 5919')
  })

  it('shows dates in full and times in Europe/London', () => {
    assert.equal(formatDate('2026-11-22'), '22 November 2026')
    assert.equal(formatDateTime('2026-07-01T08:30:00.000Z'), '1 July 2026 at 9:30am')
    assert.equal(formatDateTime('2026-12-01T13:05:00.000Z'), '1 December 2026 at 1:05pm')
    assert.equal(formatDate(null), '')
  })

  it('writes postcodes in upper case with one space', () => {
    assert.equal(formatPostcode('ex151fe'), 'EX15 1FE')
    assert.equal(formatPostcode(' sw19  5by '), 'SW19 5BY')
  })

  it('knows the London calendar date near midnight', () => {
    assert.equal(londonDate(new Date('2026-06-30T23:30:00Z')), '2026-07-01')
    assert.equal(londonDate(new Date('2026-12-31T23:30:00Z')), '2026-12-31')
  })
})
