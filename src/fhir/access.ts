// Record-level access through FHIR: exactly what the pages allow, decided by the rules the pages
// use, each as the owning capability's query. A person's record is open to the user when the
// pages would show it to them: as the receiving team (or overseer) of one of their referrals
// (referrals' `partiesOf`), through a case they may see (casework's `maySee`), or as a link
// worker of a programme whose caseload holds them (outcomes' `programmeForPerson`).

import type { CurrentUser } from '../access/users.ts'
import { peopleWithCasesSeenBy } from '../casework/index.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { PersonIdQuery } from '../db/search.ts'
import { peopleInCaseloadsOf } from '../outcomes/access.ts'
import { searchPeopleIds } from '../people/store.ts'
import { peopleSeenThroughReferrals } from '../referrals/index.ts'
import type { FhirContext } from './context.ts'
import { memo } from './handler.ts'

/** Whether the user reads the referral's person as the record (not as the referrer gave them). */
export function seesRecord(parties: readonly string[]): boolean {
  return parties.includes('receiver') || parties.includes('overseer')
}

/** The people whose records the user sees, one query of person ids for each rule. */
export async function peopleSeenBy(db: Queryable, user: CurrentUser): Promise<PersonIdQuery[]> {
  const [referred, withCases, inCaseloads] = await Promise.all([
    peopleSeenThroughReferrals(db, user),
    peopleWithCasesSeenBy(db, user),
    peopleInCaseloadsOf(db, user),
  ])
  return [referred, withCases, ...inCaseloads]
}

/** `peopleSeenBy` for the request's user, once a request. */
export function peopleSeen(ctx: FhirContext): Promise<PersonIdQuery[]> {
  return memo(ctx, 'people', () => peopleSeenBy(ctx.db, ctx.user))
}

/** Whether the pages would show the user this person's record. */
export async function maySeePerson(db: Queryable, user: CurrentUser, personId: string): Promise<boolean> {
  if (!isId(personId)) return false
  const among = await peopleSeenBy(db, user)
  return (await searchPeopleIds(db, { among, ids: [personId], limit: 1, offset: 0 })).total > 0
}
