import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_APPOINTMENT_RULES } from '../programmes/config.ts'
import {
  appointmentTimesProblem,
  bookingProblem,
  clashes,
  londonDate,
  londonToUtc,
  overran,
  prescriptionEnd,
  weekStart,
} from './rules.ts'

describe('casework rules', () => {
  it('turns London wall-clock times into UTC in winter and in summer time', () => {
    assert.equal(londonToUtc('2026-12-01', '09:30'), '2026-12-01T09:30:00.000Z')
    assert.equal(londonToUtc('2026-07-01', '09:30'), '2026-07-01T08:30:00.000Z')
    assert.equal(londonToUtc('2026-07-01', '25:00'), undefined)
    assert.equal(londonDate(new Date('2026-06-30T23:30:00Z')), '2026-07-01')
    assert.equal(weekStart('2026-12-03'), '2026-11-30')
  })

  it('refuses an appointment that ends before it starts', () => {
    assert.equal(
      appointmentTimesProblem('2026-12-01T10:00:00Z', '2026-12-01T09:00:00Z'),
      'The appointment must end after it starts',
    )
    assert.equal(appointmentTimesProblem('2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z'), undefined)
  })

  it('allows one initial appointment and the cap of further ones, not counting cancelled ones', () => {
    const rules = { ...DEFAULT_APPOINTMENT_RULES, furtherAppointmentsCap: 5 }
    const held = [
      { kind: 'initial' as const, status: 'attended' as const },
      ...Array.from({ length: 4 }, () => ({ kind: 'follow_up' as const, status: 'booked' as const })),
      { kind: 'follow_up' as const, status: 'cancelled' as const },
    ]
    assert.match(bookingProblem(rules, held, 'initial') ?? '', /already has an initial/)
    assert.equal(bookingProblem(rules, held, 'exit'), undefined)
    assert.match(
      bookingProblem(rules, [...held, { kind: 'exit', status: 'booked' }], 'review') ?? '',
      /at most 5 further appointments, the exit included/,
    )
  })

  it('finds clashes, ignoring cancelled appointments and back-to-back ones', () => {
    const slot = (id: string, start: string, end: string, status: 'booked' | 'cancelled' = 'booked') => ({
      id,
      startsAt: `2026-12-01T${start}:00Z`,
      endsAt: `2026-12-01T${end}:00Z`,
      status,
    })
    const found = clashes([
      slot('a', '09:00', '10:00'),
      slot('b', '10:00', '11:00'),
      slot('c', '10:30', '11:30'),
      slot('d', '09:30', '10:30', 'cancelled'),
    ])
    assert.deepEqual([...found].sort(), ['b', 'c'])
  })

  it('marks a home visit as overrun 30 minutes after its end without a departure', () => {
    const visit = { endsAt: '2026-12-01T10:00:00Z', arrivedAt: '2026-12-01T09:00:00Z', departedAt: null }
    assert.equal(overran(visit, new Date('2026-12-01T10:29:00Z')), false)
    assert.equal(overran(visit, new Date('2026-12-01T10:31:00Z')), true)
    assert.equal(
      overran({ ...visit, departedAt: '2026-12-01T10:10:00Z' }, new Date('2026-12-01T12:00:00Z')),
      false,
    )
    assert.equal(overran({ ...visit, arrivedAt: null }, new Date('2026-12-01T12:00:00Z')), false)
  })

  it('ends a prescription on the last day of its weeks', () => {
    assert.equal(prescriptionEnd('2026-12-01', 12), '2027-02-22')
    assert.equal(prescriptionEnd('2026-12-01', 1), '2026-12-07')
  })
})
