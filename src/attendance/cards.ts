// Attendance cards: what is printed on one, and how a scanned or typed card is read back.
//
// A card carries two random values, neither derived from the person (never the NHS number or
// the name): a token, 128 bits, encoded in the QR code; and a short code printed under it for
// people to type where a camera is not available. The short code is Crockford base32 (no I, L,
// O or U, so nothing is mistaken for 1, 0 or V) with Crockford's check symbol (the value modulo
// 37), which catches every single mistyped character and every swap of two neighbours. Codes
// are drawn only where the check symbol is itself a base32 character, so no code ends in one of
// Crockford's extra symbols (* ~ $ = U), which are awkward to type.
//
// Pure functions: the card records, and the uniqueness of codes among live cards, belong to the
// store that keeps them.

import { randomBytes } from 'node:crypto'
import QRCode from 'qrcode'

export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const CHECK_SYMBOLS = `${CROCKFORD}*~$=U`
/** Data characters in a short code (40 random bits); one check character follows. */
export const CODE_DATA_LENGTH = 8
export const CODE_LENGTH = CODE_DATA_LENGTH + 1
/** A real code, for messages and hints. */
export const EXAMPLE_CODE = 'K7Q-M2X-9PC'

export type RandomSource = (size: number) => Buffer

/** A new card token: 128 random bits, base64url (22 characters). */
export function newCardToken(random: RandomSource = randomBytes): string {
  return random(16).toString('base64url')
}

const TOKEN = /^[A-Za-z0-9_-]{22}$/

export function isCardToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value)
}

function remainder37(data: string): number {
  let r = 0
  for (const char of data) r = (r * 32 + CROCKFORD.indexOf(char)) % 37
  return r
}

/** Crockford's check symbol for base32 data: the value modulo 37. */
export function checkSymbol(data: string): string {
  return CHECK_SYMBOLS[remainder37(data)] as string
}

/** A new short code, without separators (`K7QM2X9PC`); its check character is always base32. */
export function newCardCode(random: RandomSource = randomBytes): string {
  for (;;) {
    const bytes = random(5)
    let value = 0n
    for (const byte of bytes) value = (value << 8n) | BigInt(byte)
    let data = ''
    for (let i = CODE_DATA_LENGTH - 1; i >= 0; i--) data += CROCKFORD[Number((value >> BigInt(i * 5)) & 31n)]
    if (remainder37(data) < 32) return data + checkSymbol(data)
  }
}

/** A new card's token and short code. */
export function newCard(random: RandomSource = randomBytes): { token: string; code: string } {
  return { token: newCardToken(random), code: newCardCode(random) }
}

/** The short code as printed, in groups of three: `K7Q-M2X-9PC`. */
export function formatCardCode(code: string): string {
  return code.match(/.{1,3}/g)?.join('-') ?? code
}

export type ParsedCode = { ok: true; code: string } | { ok: false; message: string }

/**
 * Reads a typed short code: any case, with or without spaces and hyphens; I and L are read as 1
 * and O as 0, as Crockford's alphabet intends. Returns the code as stored (`K7QM2X9PC`), or a
 * message for the person typing it.
 */
export function parseCardCode(typed: string): ParsedCode {
  const compact = typed.replace(/[\s-]/g, '').toUpperCase()
  if (compact === '') return { ok: false, message: 'Enter the code printed under the QR code on the card' }
  if (!/^[0-9A-Z]+$/.test(compact)) {
    return { ok: false, message: `The card code can only contain letters and numbers, like ${EXAMPLE_CODE}` }
  }
  const code = compact.replace(/[IL]/g, '1').replace(/O/g, '0')
  if (code.length !== CODE_LENGTH) {
    return {
      ok: false,
      message: `The card code has ${CODE_LENGTH} letters and numbers, like ${EXAMPLE_CODE}`,
    }
  }
  const data = code.slice(0, CODE_DATA_LENGTH)
  if (data.includes('U')) {
    return { ok: false, message: 'The card code has no letter U: check the card and enter the code again' }
  }
  if (checkSymbol(data) !== code.slice(CODE_DATA_LENGTH)) {
    return {
      ok: false,
      message:
        'That is not a card code: a character may have been mistyped. Check the card and enter it again',
    }
  }
  return { ok: true, code }
}

/** The path a card's QR code may point to, when it holds a link rather than the bare token. */
export const CARD_PATH = '/attendance/cards/'

/** The link a card's QR code holds when it holds a link: `${publicUrl}/attendance/cards/${token}`. */
export function cardUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, '')}${CARD_PATH}${token}`
}

/** The token in what a camera read from a card: the bare token, or a card link. */
export function tokenFromScan(scanned: string): string | undefined {
  const text = scanned.trim()
  if (isCardToken(text)) return text
  try {
    const url = new URL(text)
    if (!url.pathname.startsWith(CARD_PATH)) return undefined
    const token = url.pathname.slice(CARD_PATH.length)
    return isCardToken(token) ? token : undefined
  } catch {
    return undefined
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * The card's QR code as an SVG element. It holds the token alone, or the card link when
 * `publicUrl` is given, and nothing about the person. `label` is what a screen reader says.
 */
export async function cardQrSvg(
  token: string,
  options: { publicUrl?: string; label?: string } = {},
): Promise<string> {
  if (!isCardToken(token)) throw new Error('A card QR code holds a card token')
  const payload = options.publicUrl ? cardUrl(options.publicUrl, token) : token
  const svg = await QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
  const label = escapeXml(options.label ?? 'QR code of the attendance card')
  return svg
    .replace(/^<svg /, `<svg role="img" aria-label="${label}" `)
    .replace(/>/, `><title>${label}</title>`)
}
