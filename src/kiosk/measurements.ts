// Self-measurements at the kiosk: which values are plausible at all, the healthy ranges, and BMI.
// Every threshold is here, with its source. Pure functions, no I/O.
//
// Plausibility limits are Kith's own (decision 0602): wide enough for any adult reading a
// monitor or scale could show, so that only mistypes and misreadings (a blood pressure of 500/20,
// a height typed in metres) are refused. They are not clinical thresholds.
//
// Healthy ranges are the NHS's, as NHS.UK publishes them for the public:
// - Blood pressure: "high blood pressure is considered to be 140/90mmHg or higher", "low blood
//   pressure is considered to be 90/60mmHg or lower" (NHS.UK, Blood pressure test,
//   https://www.nhs.uk/conditions/blood-pressure-test/).
// - BMI for adults: below 18.5 is the underweight range, 18.5 to 24.9 the healthy weight range,
//   25 and above overweight or more (NHS.UK, What is the body mass index (BMI)?,
//   https://www.nhs.uk/common-health-questions/lifestyle/what-is-the-body-mass-index-bmi/).
// The kiosk only ever says a reading is outside the healthy range and to speak to reception:
// never what it might mean.

import type { FieldProblem } from '../web/problem.ts'

export const PLAUSIBLE = {
  systolic: { min: 50, max: 300 },
  diastolic: { min: 30, max: 200 },
  weightKg: { min: 20, max: 350 },
  heightCm: { min: 100, max: 250 },
} as const

export const HEALTHY = {
  /** At or above either is outside the healthy range (high). */
  bloodPressureHigh: { systolic: 140, diastolic: 90 },
  /** At or below either is outside the healthy range (low). */
  bloodPressureLow: { systolic: 90, diastolic: 60 },
  bmi: { min: 18.5, max: 24.9 },
} as const

export interface Measurements {
  systolic: number | null
  diastolic: number | null
  weightKg: number | null
  heightCm: number | null
}

export interface Advice {
  measure: 'blood-pressure' | 'bmi'
  text: string
}

export interface Result extends Measurements {
  /** kg ÷ m², to one decimal place, when weight and height were both given. */
  bmi: number | null
  advice: Advice[]
}

function numberField(
  body: Record<string, unknown>,
  field: string,
  label: string,
  range: { min: number; max: number },
  unit: string,
  whole: boolean,
  problems: FieldProblem[],
): number | null {
  const raw = typeof body[field] === 'string' ? (body[field] as string).trim() : ''
  if (raw === '') return null
  const pattern = whole ? /^\d{1,4}$/ : /^\d{1,4}(\.\d{1,2})?$/
  if (!pattern.test(raw)) {
    problems.push({
      field,
      message: whole ? `Enter your ${label} as a whole number` : `Enter your ${label} as a number, like 72.5`,
    })
    return null
  }
  const value = Number(raw)
  if (value < range.min || value > range.max) {
    problems.push({
      field,
      message: `Your ${label} must be between ${range.min} and ${range.max} ${unit}. Check the reading and enter it again`,
    })
    return null
  }
  return value
}

/** Reads the kiosk form. Every problem names its field; with any problem, nothing is recorded. */
export function parseMeasurements(
  body: Record<string, unknown>,
): { ok: true; value: Measurements } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  const systolic = numberField(
    body,
    'systolic',
    'top number (systolic)',
    PLAUSIBLE.systolic,
    'mmHg',
    true,
    problems,
  )
  const diastolic = numberField(
    body,
    'diastolic',
    'bottom number (diastolic)',
    PLAUSIBLE.diastolic,
    'mmHg',
    true,
    problems,
  )
  const weightKg = numberField(body, 'weightKg', 'weight', PLAUSIBLE.weightKg, 'kg', false, problems)
  const heightCm = numberField(body, 'heightCm', 'height', PLAUSIBLE.heightCm, 'cm', false, problems)
  if (problems.length > 0) return { ok: false, problems }
  if ((systolic === null) !== (diastolic === null))
    problems.push({
      field: systolic === null ? 'systolic' : 'diastolic',
      message: 'Enter both numbers of your blood pressure, the top and the bottom',
    })
  else if (systolic !== null && diastolic !== null && diastolic >= systolic)
    problems.push({
      field: 'diastolic',
      message:
        'The bottom number (diastolic) must be lower than the top number (systolic). Check the reading',
    })
  if (systolic === null && weightKg === null && heightCm === null)
    problems.push({
      field: 'systolic',
      message: 'Enter at least one measurement: blood pressure, weight or height',
    })
  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, value: { systolic, diastolic, weightKg, heightCm } }
}

export function bmiOf(weightKg: number, heightCm: number): number {
  const metres = heightCm / 100
  return Math.round((weightKg / (metres * metres)) * 10) / 10
}

const SPEAK = 'Please speak to reception, who can arrange for someone to talk it through with you.'

/** The BMI and advice for readings outside the healthy ranges (never a diagnosis). */
export function assess(measurements: Measurements): Result {
  const { systolic, diastolic, weightKg, heightCm } = measurements
  const bmi = weightKg !== null && heightCm !== null ? bmiOf(weightKg, heightCm) : null
  const advice: Advice[] = []
  if (systolic !== null && diastolic !== null) {
    const high =
      systolic >= HEALTHY.bloodPressureHigh.systolic || diastolic >= HEALTHY.bloodPressureHigh.diastolic
    const low =
      systolic <= HEALTHY.bloodPressureLow.systolic || diastolic <= HEALTHY.bloodPressureLow.diastolic
    if (high)
      advice.push({
        measure: 'blood-pressure',
        text: `Your blood pressure reading is higher than the healthy range. ${SPEAK}`,
      })
    else if (low)
      advice.push({
        measure: 'blood-pressure',
        text: `Your blood pressure reading is lower than the healthy range. ${SPEAK}`,
      })
  }
  if (bmi !== null) {
    if (bmi > HEALTHY.bmi.max)
      advice.push({ measure: 'bmi', text: `Your BMI is above the healthy range. ${SPEAK}` })
    else if (bmi < HEALTHY.bmi.min)
      advice.push({ measure: 'bmi', text: `Your BMI is below the healthy range. ${SPEAK}` })
  }
  return { ...measurements, bmi, advice }
}
