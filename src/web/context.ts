// What every capability's routes are given: the configuration, the database, and the places
// where a capability adds itself to the navigation and to people's home pages.

import type { Actor } from '../access/audit.ts'
import type { Role } from '../access/roles.ts'
import type { CurrentUser } from '../access/users.ts'
import type { CaseClosedHandler, CaseMilestoneHandler } from '../casework/index.ts'
import type { Config } from '../config.ts'
import type { Db, Queryable } from '../db/schema.ts'
import type { Sender } from '../interop/delivery.ts'
import type { PersonMergedHandler } from '../people/merge.ts'
import type { ReferralAcceptedHandler } from '../referrals/index.ts'
import type { ApiDescription } from './openapi.ts'

export interface NavItem {
  text: string
  href: string
  roles: readonly Role[]
  /** Lower comes first. */
  order: number
  /** Shown in the header to people who are not signed in (the public directory, self-referral). */
  public?: boolean
}

export interface HomeCard {
  roles: readonly Role[]
  heading: string
  description: string
  href: string
  order: number
}

/**
 * A section another capability adds to the case page (outcomes, say) without editing casework's
 * templates. `load` returns the template to include and its data, or undefined to show nothing;
 * panels are shown in `order`, lowest first. The case page calls `load` inside its audited
 * transaction (`db` may be that transaction), so a panel's audit events commit with the page's.
 */
export interface CasePanel {
  order: number
  load(
    db: Db,
    view: {
      caseId: string
      personId: string
      programmeId: string
      user: CurrentUser
      actor: Actor
      csrfToken: string
    },
  ): Promise<{ template: string; data: Record<string, unknown> } | undefined>
}

/**
 * A section another capability adds to the public start page (`/` for people not signed in),
 * such as the programmes and services that take self-referrals. `load` returns the template to
 * include (with `section.data`), or undefined to show nothing; lowest `order` first.
 */
export interface StartSection {
  order: number
  load(db: Db): Promise<{ template: string; data: Record<string, unknown> } | undefined>
}

/**
 * A section another capability adds to a case's summary for the GP record and the referrer
 * (outcome measures, attendance, kiosk readings): data for the JSON, lines for the text. `load`
 * runs inside the summary's audited read (`db` may be that transaction).
 */
export interface CaseSummarySection {
  order: number
  load(
    db: Queryable,
    view: { caseId: string; personId: string; programmeId: string; actor: Actor },
  ): Promise<SummarySection | undefined>
}

/**
 * A section another capability adds to the outcome of a referral followed without a case (straight
 * to a service): attendance at the service since it was accepted. Runs inside the referral's
 * audited read.
 */
export interface ReferralOutcomeSection {
  order: number
  load(
    db: Queryable,
    view: { referralId: string; personId: string; programmeId: string; serviceId: string; since: string },
  ): Promise<SummarySection | undefined>
}

export interface SummarySection {
  /** The JSON member: `outcomeMeasures`, `attendance`, `selfMeasurements`. */
  key: string
  heading: string
  /** The section as plain text lines, for the text summary and the page. */
  lines: string[]
  data: unknown
}

/**
 * A warning another capability shows at the top of a link worker's caseload (lapsed training,
 * say): `load` returns its heading, text and a link, or undefined to show nothing.
 */
export interface CaseloadNotice {
  load(
    db: Db,
    user: CurrentUser,
    today: string,
  ): Promise<{ heading: string; text: string; href: string; link: string } | undefined>
}

export interface AppContext {
  config: Config
  db: Db
  navigation: NavItem[]
  homeCards: HomeCard[]
  /** Sections other capabilities add to the public start page. */
  startSections: StartSection[]
  /** The OpenAPI description of /api/v1: every API route adds its operation. */
  api: ApiDescription
  /** The current time; tests pass a fixed clock. */
  now: () => Date
  /** Sections other capabilities add to the case page. */
  casePanels: CasePanel[]
  /** Warnings other capabilities show on the caseload. */
  caseloadNotices: CaseloadNotice[]
  /** Sections other capabilities add to a case's summary for the GP and the referrer. */
  caseSummarySections: CaseSummarySection[]
  /** Sections other capabilities add to the outcome of a referral that opened no case. */
  referralOutcomeSections: ReferralOutcomeSection[]
  /** Run inside the transaction that accepts a referral (casework opens a case). */
  referralAccepted: ReferralAcceptedHandler[]
  /** Run inside the transaction that merges two person records: each capability moves its rows. */
  personMerged: PersonMergedHandler[]
  /** Writes a referral in the group commit the referral routes use (referrals/group-commit.ts). */
  writeReferral: <T>(work: (trx: Queryable) => Promise<T>) => Promise<T>
  /** Run inside the transaction that ends a case (the summary goes to the GP practice). */
  caseClosed: CaseClosedHandler[]
  /** Run inside the transaction that records a point of a case: the initial assessment done, a prescription ended. */
  caseMilestone: CaseMilestoneHandler[]
  /** Senders for the outbox's channels other than Notify's (FHIR messages, MESH), added by their capabilities. */
  senders: Sender[]
}
