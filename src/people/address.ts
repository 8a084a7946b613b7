// A person's address on a form: three boxes (two lines and the town) and the postcode, read into
// the record's address lines and shown again from them. The referral, self-referral and
// person-details forms share it (views/address-fields.njk).

/** The form's address fields, in the order of the record's address lines. */
export const ADDRESS_FIELDS = ['addressLine1', 'addressLine2', 'addressTown'] as const

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '')

/** The address lines a form gives, blanks included (the schema leaves them out). */
export function addressLinesFrom(body: Record<string, unknown>): string[] {
  return ADDRESS_FIELDS.map((field) => text(body[field]))
}

/**
 * The form's boxes for a record's address lines: the first line, the last as the town, and any
 * between them on the second line.
 */
export function addressValues(lines: readonly string[]): Record<(typeof ADDRESS_FIELDS)[number], string> {
  if (lines.length <= 1) return { addressLine1: lines[0] ?? '', addressLine2: '', addressTown: '' }
  return {
    addressLine1: lines[0] ?? '',
    addressLine2: lines.slice(1, -1).join(', '),
    addressTown: lines.at(-1) ?? '',
  }
}

/** The form field a problem with the person's details belongs to (`addressLines.1` → `addressLine2`). */
export function addressField(path: readonly PropertyKey[]): string | undefined {
  if (path[0] !== 'addressLines') return undefined
  const line = path[1]
  return typeof line === 'number' ? ADDRESS_FIELDS[line] : 'addressLine1'
}
