// NHS numbers: ten digits, the last a modulus 11 check digit (NHS Data Dictionary; the algorithm
// and test values are in shared/reference/reference.md, section 3). Passing the check does not
// prove that a number belongs to anyone: 999 999 9999 passes.

const WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2] as const

/** The digits of an NHS number as people write it (`943 476 5919`, `943-476-5919`). */
export function nhsNumberDigits(value: string): string {
  return value.replace(/[\s-]/g, '')
}

/** The check digit the first nine digits call for, or undefined when no digit can be valid (10). */
export function nhsCheckDigit(firstNine: string): number | undefined {
  let sum = 0
  for (const [index, weight] of WEIGHTS.entries()) sum += Number(firstNine[index]) * weight
  const check = 11 - (sum % 11)
  if (check === 11) return 0
  if (check === 10) return undefined
  return check
}

/** True for ten digits (spaces and hyphens aside) whose last is the right check digit. */
export function isValidNhsNumber(value: string): boolean {
  const digits = nhsNumberDigits(value)
  if (!/^\d{10}$/.test(digits)) return false
  return nhsCheckDigit(digits.slice(0, 9)) === Number(digits[9])
}
