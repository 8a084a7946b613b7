import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  DEFAULT_APPOINTMENT_RULES,
  defaultSettings,
  describeAppointmentCap,
  furtherAppointmentProblem,
  needId,
  prescriptionWeeksProblem,
  programmeCriteria,
  programmeSettingsSchema,
} from './config.ts'

describe('programme rules', () => {
  it('caps further appointments: the seed listing allows an initial one and at most 5 more, the exit included', () => {
    const listing = { ...DEFAULT_APPOINTMENT_RULES, furtherAppointmentsCap: 5 }
    for (const soFar of [0, 1, 4]) assert.equal(furtherAppointmentProblem(listing, soFar), undefined)
    assert.equal(
      furtherAppointmentProblem(listing, 5),
      'This programme offers an initial appointment and at most 5 further appointments, the exit included',
    )
    assert.equal(
      describeAppointmentCap(listing),
      'An initial appointment, then at most 5 further appointments, the exit included',
    )
    const initialOnly = { ...DEFAULT_APPOINTMENT_RULES, furtherAppointmentsCap: 0 }
    assert.equal(
      furtherAppointmentProblem(initialOnly, 0),
      'This programme offers an initial appointment only',
    )
    assert.equal(furtherAppointmentProblem(DEFAULT_APPOINTMENT_RULES, 500), undefined)
  })

  it('checks a prescription’s weeks against a fixed length, a range, or none', () => {
    const luton = { minWeeks: 12, maxWeeks: 12, mayContinueAfter: false }
    assert.equal(prescriptionWeeksProblem(luton, 12), undefined)
    assert.equal(prescriptionWeeksProblem(luton, 13), 'Prescriptions in this programme are 12 weeks')
    const rotherham = { minWeeks: 8, maxWeeks: 16, mayContinueAfter: true }
    assert.equal(prescriptionWeeksProblem(rotherham, 8), undefined)
    assert.equal(prescriptionWeeksProblem(rotherham, 16), undefined)
    assert.equal(prescriptionWeeksProblem(rotherham, 7), 'Prescriptions in this programme are 8 to 16 weeks')
    assert.equal(prescriptionWeeksProblem(null, 30), undefined)
    assert.equal(
      prescriptionWeeksProblem(null, 0),
      'A prescription must be a whole number of weeks, at least 1',
    )
    assert.equal(
      prescriptionWeeksProblem(rotherham, 9.5),
      'A prescription must be a whole number of weeks, at least 1',
    )
  })

  it('adds who may refer, and registration at a covered practice when required, to the criteria', () => {
    const settings = { ...defaultSettings('A programme'), referralSources: ['gp_practice', 'self'] as const }
    const practices = [{ odsCode: 'Z90001' }, { odsCode: null }, { odsCode: 'Z90002' }]
    const open = programmeCriteria({ ...settings, referralSources: [...settings.referralSources], practices })
    assert.deepEqual(open, [
      {
        kind: 'referrer',
        id: 'referral-sources',
        role: 'rule',
        text: 'Referrals from GP or practice staff or self-referral',
        allowed: ['gp_practice', 'self'],
      },
    ])
    const registered = programmeCriteria({
      ...settings,
      referralSources: ['gp_practice'],
      practiceRegistrationRequired: true,
      practices,
    })
    assert.deepEqual(registered[1], {
      kind: 'practice',
      id: 'registered-at-programme-practice',
      role: 'inclusion',
      text: "Registered at one of the programme's practices",
      odsCodes: ['Z90001', 'Z90002'],
    })
    // Required but no practice with a code: nothing to check against, so no criterion.
    assert.equal(
      programmeCriteria({
        ...settings,
        referralSources: ['gp_practice'],
        practiceRegistrationRequired: true,
        practices: [],
      }).length,
      1,
    )
  })

  it('refuses settings that disagree with themselves', () => {
    const settings = defaultSettings('A programme')
    const bad = programmeSettingsSchema.safeParse({
      ...settings,
      replyDeadlines: { nudgeAfterDays: 14, declineAfterDays: 7 },
      prescription: { minWeeks: 16, maxWeeks: 8, mayContinueAfter: true },
      referralSources: [],
      appointments: { ...settings.appointments, modes: [] },
    })
    assert.equal(bad.success, false)
    assert.deepEqual(bad.error?.issues.map((issue) => issue.path.join('.')).sort(), [
      'appointments.modes',
      'prescription.maxWeeks',
      'referralSources',
      'replyDeadlines.declineAfterDays',
    ])
  })

  it('makes need ids from labels', () => {
    assert.equal(needId('Low-level mental health'), 'low-level-mental-health')
    assert.equal(needId('Information, advice and guidance'), 'information-advice-and-guidance')
    assert.equal(needId('Café & culture'), 'cafe-culture')
    assert.equal(needId('!!!'), 'need')
  })
})
