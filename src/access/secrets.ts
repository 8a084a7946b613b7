import { createHash, randomBytes } from 'node:crypto'

/** A new random secret for a cookie or a token: 32 bytes, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}

/** What is stored in place of a secret: its SHA-256, hex. */
export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}
