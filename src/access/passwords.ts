// Password hashing with scrypt from node:crypto, a random salt per user.
// Stored as `scrypt$N$r$p$salt$hash` (base64url) so the cost can rise later without a migration.

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

const COST = 16384
const BLOCK_SIZE = 8
const PARALLELISM = 1
const KEY_LENGTH = 32
const SALT_LENGTH = 16

function derive(password: string, salt: Buffer, cost: number, blockSize: number, parallelism: number) {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { N: cost, r: blockSize, p: parallelism, maxmem: 128 * cost * blockSize * 2 },
      (error, key) => (error ? reject(error) : resolve(key)),
    )
  })
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH)
  const key = await derive(password, salt, COST, BLOCK_SIZE, PARALLELISM)
  return [
    'scrypt',
    COST,
    BLOCK_SIZE,
    PARALLELISM,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$')
}

/** A hash of a random password: checked against when an email is unknown, so the time taken says nothing. */
let decoy: Promise<string> | undefined

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) {
    decoy ??= hashPassword(randomBytes(16).toString('hex'))
    await verifyPassword(password, await decoy)
    return false
  }
  const [scheme, cost, blockSize, parallelism, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !cost || !blockSize || !parallelism || !salt || !key) return false
  const expected = Buffer.from(key, 'base64url')
  const actual = await derive(
    password,
    Buffer.from(salt, 'base64url'),
    Number(cost),
    Number(blockSize),
    Number(parallelism),
  )
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** What a password must be: long enough to resist guessing; no composition rules (NCSC guidance). */
export const MIN_PASSWORD_LENGTH = 12
