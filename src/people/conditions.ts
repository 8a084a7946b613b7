// The long-term conditions Kith records, as SNOMED CT concepts with their UK display text. Only
// codes verified in shared/reference/reference.md (section 1) are listed: a clinical code is never
// invented. Add a condition here only with its source.

export interface ConditionConcept {
  code: string
  display: string
}

export const LONG_TERM_CONDITIONS: readonly ConditionConcept[] = [
  { code: '13645005', display: 'Chronic obstructive lung disease' },
  { code: '195967001', display: 'Asthma' },
  { code: '46635009', display: 'Diabetes mellitus type 1' },
  { code: '44054006', display: 'Diabetes mellitus type 2' },
  { code: '56265001', display: 'Heart disease' },
  { code: '414545008', display: 'Ischaemic heart disease' },
  { code: '84757009', display: 'Epilepsy' },
  { code: '64859006', display: 'Osteoporosis' },
  { code: '35489007', display: 'Depressive disorder' },
  { code: '197480006', display: 'Anxiety disorder' },
  { code: '203082005', display: 'Fibromyalgia' },
  { code: '414916001', display: 'Obesity' },
]

const byCode = new Map(LONG_TERM_CONDITIONS.map((condition) => [condition.code, condition]))

/** The concept for a code Kith knows, or undefined. */
export function conditionByCode(code: string): ConditionConcept | undefined {
  return byCode.get(code)
}

/** The concepts for these codes, in the listed order; throws on a code Kith does not know. */
export function conditionsByCode(codes: readonly string[]): ConditionConcept[] {
  for (const code of codes) if (!byCode.has(code)) throw new Error(`Unknown SNOMED CT condition ${code}`)
  return LONG_TERM_CONDITIONS.filter((condition) => codes.includes(condition.code))
}
