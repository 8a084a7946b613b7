import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeSchedule, describeTime, parseSessions, parseTime, sessionsOf } from './schedules.ts'

const weekly = (byday: string, opensAt: string | null, closesAt: string | null, description = '') => ({
  freq: 'WEEKLY' as const,
  byday,
  opensAt,
  closesAt,
  description,
})

describe('schedules read as a sentence', () => {
  it('give times in the NHS style', () => {
    assert.equal(describeTime('09:30:00'), '9:30am')
    assert.equal(describeTime('10:00:00'), '10am')
    assert.equal(describeTime('12:00:00'), '12 noon')
    assert.equal(describeTime('00:00:00'), '12 midnight')
    assert.equal(describeTime('14:05:00'), '2:05pm')
    assert.equal(describeTime('12:30:00'), '12:30pm')
  })

  it('name the days and the hours, monthly ones by their place in the month', () => {
    assert.equal(
      describeSchedule(weekly('TU,FR', '09:30:00', '12:00:00')),
      'Tuesdays and Fridays, 9:30am to 12 noon',
    )
    assert.equal(
      describeSchedule(weekly('MO,WE,FR', '11:00:00', '12:00:00')),
      'Mondays, Wednesdays and Fridays, 11am to 12 noon',
    )
    assert.equal(
      describeSchedule({ ...weekly('1MO', '14:00:00', '16:00:00'), freq: 'MONTHLY' }),
      'The first Monday of the month, 2pm to 4pm',
    )
    assert.equal(
      describeSchedule({ ...weekly('-1FR', null, null), freq: 'MONTHLY' }),
      'The last Friday of the month',
    )
    assert.equal(
      describeSchedule({ ...weekly('TH', '19:00:00', null), freq: 'MONTHLY' }),
      'Once a month on Thursdays, from 7pm',
    )
    assert.equal(describeSchedule(weekly('', null, null, 'By appointment')), 'By appointment')
    assert.equal(describeSchedule(weekly('XX', '10:00:00', '11:00:00')), '10am to 11am')
  })
})

describe('the provider form’s weekly sessions', () => {
  it('show each day of a weekly schedule as a row, and keep what a row cannot hold', () => {
    const monthly = { ...weekly('1MO', '14:00:00', '16:00:00'), freq: 'MONTHLY' as const }
    const noTimes = weekly('SA', null, null, 'Saturday mornings')
    const { sessions, kept } = sessionsOf([weekly('TU,FR', '09:30:00', '12:00:00'), monthly, noTimes])
    assert.deepEqual(sessions, [
      { day: 'TU', opens: '09:30', closes: '12:00' },
      { day: 'FR', opens: '09:30', closes: '12:00' },
    ])
    assert.deepEqual(kept, [monthly, noTimes])
  })

  it('read times however they are typed', () => {
    assert.equal(parseTime('10'), '10:00')
    assert.equal(parseTime('9.30'), '09:30')
    assert.equal(parseTime(' 14:05 '), '14:05')
    for (const bad of ['24:00', '10:60', 'ten', '10am', '', '1:2'])
      assert.equal(parseTime(bad), undefined, bad)
  })

  it('become one weekly schedule each, skipping empty rows, with a message for each mistake', () => {
    const good = parseSessions(
      {
        'session-0-day': 'TU',
        'session-0-opens': '10',
        'session-0-closes': '12:00',
        'session-1-day': '',
        'session-2-day': 'fr',
        'session-2-opens': '9.30',
        'session-2-closes': '11',
      },
      '',
    )
    assert.deepEqual(good.problems, [])
    assert.deepEqual(good.schedules, [
      weekly('TU', '10:00:00', '12:00:00'),
      weekly('FR', '09:30:00', '11:00:00'),
    ])

    const bad = parseSessions(
      {
        'session-0-opens': '10:00',
        'session-1-day': 'WE',
        'session-1-opens': '14:00',
        'session-1-closes': '13:00',
        'session-2-day': 'TH',
        'session-2-opens': 'noon',
        'session-3-day': 'Funday',
      },
      '',
    )
    assert.deepEqual(bad.schedules, [])
    assert.deepEqual(bad.problems, [
      { field: 'session-0-day', message: 'Session 1: select the day' },
      { field: 'session-1-closes', message: 'Session 2: it must end after it starts' },
      { field: 'session-2-opens', message: 'Session 3: enter when it starts, like 10:00' },
      { field: 'session-2-closes', message: 'Session 3: enter when it ends, like 12:00' },
      { field: 'session-3-day', message: 'Session 4: select the day' },
    ])
  })
})
