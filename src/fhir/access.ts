// Record-level access through FHIR: exactly what the pages allow, decided by the same functions
// the pages call. A person's record is open to the user when the pages would show it to them: as
// the receiving team (or overseer) of one of their referrals (referrals' `partiesOf`, as
// `readReferral` decides), through a case they may see (casework's `getCaseForUser`), or as a link
// worker of a programme whose caseload holds them (outcomes' `programmeForPerson`).

import type { CurrentUser } from '../access/users.ts'
import { type CaseRow, casesOfPerson, getCaseForUser } from '../casework/index.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { programmeForPerson } from '../outcomes/access.ts'
import { type Programme, programmesOfUser } from '../programmes/store.ts'
import { partiesOf, referralsOfPerson } from '../referrals/index.ts'

/** Whether the user reads the referral's person as the record (not as the referrer gave them). */
export function seesRecord(parties: readonly string[]): boolean {
  return parties.includes('receiver') || parties.includes('overseer')
}

/** The person's cases the user may see. */
export async function visibleCasesOf(db: Queryable, user: CurrentUser, personId: string): Promise<CaseRow[]> {
  const visible: CaseRow[] = []
  for (const kase of await casesOfPerson(db, personId))
    if (await getCaseForUser(db, user, kase.id)) visible.push(kase)
  return visible
}

/** The programmes in which the user may read the person's outcome readings. */
export async function outcomeProgrammesOf(
  db: Queryable,
  user: CurrentUser,
  personId: string,
): Promise<Programme[]> {
  const found: Programme[] = []
  for (const programme of await programmesOfUser(db, user)) {
    const allowed = await programmeForPerson(db, user, programme.id, personId)
    if (allowed) found.push(allowed)
  }
  return found
}

/** Whether the pages would show the user this person's record. */
export async function maySeePerson(db: Queryable, user: CurrentUser, personId: string): Promise<boolean> {
  if (!isId(personId)) return false
  for (const referral of await referralsOfPerson(db, personId))
    if (seesRecord(await partiesOf(db, user, referral))) return true
  if ((await visibleCasesOf(db, user, personId)).length > 0) return true
  return (await outcomeProgrammesOf(db, user, personId)).length > 0
}
