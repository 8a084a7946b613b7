// Which cards a kiosk may record readings with (record-level access for the kiosk): a kiosk is
// signed in for its practice, and takes the cards of the programmes that cover that practice. A
// kiosk shows nothing about anyone, so this decides writes only; the readings are read on the
// person's case page, in the card's programme, under casework's access to the case.

import type { CardSummary } from '../attendance/store.ts'
import type { Queryable } from '../db/schema.ts'
import { getProgramme } from '../programmes/store.ts'

/** The kiosk's practice at which the card may be used, or undefined when none of them may take it. */
export async function kioskPracticeForCard(
  db: Queryable,
  kioskPractices: readonly string[],
  card: Pick<CardSummary, 'programmeId'>,
): Promise<string | undefined> {
  const programme = await getProgramme(db, card.programmeId)
  return kioskPractices.find((id) => programme?.practices.some((p) => p.organisationId === id))
}
