// Which people a kiosk may record readings for (record-level access for the kiosk): a kiosk is
// signed in for its practice, and records for the programmes that cover that practice, either
// with one of their cards or for a person in one of their caseloads found by date of birth and
// postcode. A kiosk shows nothing about anyone, so this decides writes only; the readings are
// read on the person's case page, in their programme, under casework's access to the case.

import type { CardSummary } from '../attendance/store.ts'
import type { Queryable } from '../db/schema.ts'
import { personInCaseload } from '../outcomes/access.ts'
import { personIdsByBirthAndPostcode } from '../people/store.ts'
import { getProgramme, programmesCoveringPractice } from '../programmes/store.ts'

/** The kiosk's practice at which the card may be used, or undefined when none of them may take it. */
export async function kioskPracticeForCard(
  db: Queryable,
  kioskPractices: readonly string[],
  card: Pick<CardSummary, 'programmeId'>,
): Promise<string | undefined> {
  const programme = await getProgramme(db, card.programmeId)
  return kioskPractices.find((id) => programme?.practices.some((p) => p.organisationId === id))
}

export interface KioskMatch {
  /** Every person whose date of birth and postcode are the ones given: their records were read. */
  candidates: string[]
  /** The person the reading is linked to, in the programme it belongs to, at the practice that took it. */
  link?: { personId: string; programmeId: string; organisationId: string }
}

/**
 * The person a reading given with a date of birth and postcode is linked to: the one person with
 * both who is in the caseload of a programme covering one of the kiosk's practices (a case in
 * it, or a referral to it not turned away: decision 0501), in that programme. Being registered
 * at the practice is not enough. When no one, or more than one person, or one person in the
 * caseloads of several of those programmes matches, nothing is linked: the kiosk cannot ask which
 * (it shows nothing about anyone), so the reading is kept anonymously.
 */
export async function kioskMatchByDetails(
  db: Queryable,
  kioskPractices: readonly string[],
  details: { dateOfBirth: string; postcode: string },
): Promise<KioskMatch> {
  const candidates = await personIdsByBirthAndPostcode(db, details.dateOfBirth, details.postcode)
  if (candidates.length === 0) return { candidates }
  const programmes = new Map<string, string>()
  for (const practiceId of kioskPractices)
    for (const programme of await programmesCoveringPractice(db, practiceId))
      if (!programmes.has(programme.id)) programmes.set(programme.id, practiceId)
  const found: { personId: string; programmeId: string; organisationId: string }[] = []
  for (const personId of candidates)
    for (const [programmeId, organisationId] of programmes)
      if (await personInCaseload(db, personId, programmeId))
        found.push({ personId, programmeId, organisationId })
  return found.length === 1 ? { candidates, link: found[0] } : { candidates }
}
