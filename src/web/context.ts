// What every capability's routes are given: the configuration, the database, and the places
// where a capability adds itself to the navigation and to people's home pages.

import type { Role } from '../access/roles.ts'
import type { Config } from '../config.ts'
import type { Db } from '../db/schema.ts'
import type { ReferralAcceptedHandler } from '../referrals/index.ts'
import type { ApiDescription } from './openapi.ts'

export interface NavItem {
  text: string
  href: string
  roles: readonly Role[]
  /** Lower comes first. */
  order: number
}

export interface HomeCard {
  roles: readonly Role[]
  heading: string
  description: string
  href: string
  order: number
}

export interface AppContext {
  config: Config
  db: Db
  navigation: NavItem[]
  homeCards: HomeCard[]
  /** The OpenAPI description of /api/v1: every API route adds its operation. */
  api: ApiDescription
  /** The current time; tests pass a fixed clock. */
  now: () => Date
  /** Run inside the transaction that accepts a referral (casework opens a case). */
  referralAccepted: ReferralAcceptedHandler[]
}
