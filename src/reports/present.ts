// How report figures leave Kith: small numbers suppressed (a count from 1 to 4 reads "fewer than
// 5" and a share worked out from one is not shown: the NHS small-numbers rule), tables that the
// page shows and the CSV downloads carry alike.

export const SMALL_NUMBERS_NOTE =
  'To protect people’s privacy, counts from 1 to 4 are shown as “fewer than 5”, and shares worked out from them are not shown (the NHS small-numbers rule).'

export const FEWER_THAN_5 = 'fewer than 5'

export function isSmall(count: number | null | undefined): boolean {
  return typeof count === 'number' && count >= 1 && count <= 4
}

/** A count as it may be published: null when it is from 1 to 4. */
export function publishCount(count: number): number | null {
  return isSmall(count) ? null : count
}

/** A share as it may be published: null when it, or a count it was worked out from, is small. */
export function publishShare(share: number | null, ...counts: number[]): number | null {
  return share === null || counts.some(isSmall) ? null : share
}

export function showCount(count: number | null): string {
  if (count === null) return '–'
  return isSmall(count) ? FEWER_THAN_5 : count.toLocaleString('en-GB')
}

/** A fraction as a whole percentage, hidden when any count behind it is small. */
export function showShare(share: number | null, ...counts: number[]): string {
  if (share === null || counts.some(isSmall)) return '–'
  return `${Math.round(share * 100)}%`
}

export function showNumber(value: number | null, decimals = 1): string {
  if (value === null) return '–'
  return value.toLocaleString('en-GB', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
}

export function showSigned(value: number | null, decimals = 2): string {
  if (value === null) return '–'
  const text = Math.abs(value).toFixed(decimals)
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text
}

/** A table as the page shows it and the CSV downloads it: every cell already published. */
export interface ReportTable {
  /** Names the CSV download: `/reports/activity/needs.csv`. */
  id: string
  caption: string
  head: string[]
  /** Which columns hold numbers (right-aligned). */
  numeric: boolean[]
  rows: string[][]
}

export function table(
  id: string,
  caption: string,
  columns: readonly (readonly [string, 'text' | 'number'])[],
  rows: string[][],
): ReportTable {
  return {
    id,
    caption,
    head: columns.map(([label]) => label),
    numeric: columns.map(([, kind]) => kind === 'number'),
    rows,
  }
}

/** A labelled figure for the page's summary list. */
export interface Figure {
  label: string
  value: string
  definition?: string
}
