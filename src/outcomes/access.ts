// Who may see a person's outcome readings and attendance in a programme (record-level access,
// decision 0501). A link worker of the programme may, for a person the programme serves: someone
// with a case in it, registered at one of its practices, or already holding a reading in it.

import type { CurrentUser } from '../access/users.ts'
import { hasRole } from '../access/users.ts'
import { hasCaseInProgramme } from '../casework/index.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { getPerson } from '../people/store.ts'
import { getProgramme, isLinkWorkerOf, type Programme } from '../programmes/store.ts'
import { notFound } from '../web/problem.ts'

/** Whether the person belongs to the programme's caseload. */
export async function personInProgramme(
  db: Queryable,
  personId: string,
  programme: Programme,
): Promise<boolean> {
  const person = await getPerson(db, personId)
  if (!person) return false
  const practiceId = person.registeredPractice?.id
  if (practiceId && programme.practices.some((p) => p.organisationId === practiceId)) return true
  if (await hasCaseInProgramme(db, personId, programme.id)) return true
  const reading = await db
    .selectFrom('outcome_readings')
    .select('id')
    .where('person_id', '=', personId)
    .where('programme_id', '=', programme.id)
    .executeTakeFirst()
  return reading !== undefined
}

/**
 * The programme, when the user is one of its link workers and the person is in its caseload;
 * otherwise a 404, so that neither the person nor the programme is revealed.
 */
export async function programmeForPersonOrNotFound(
  db: Queryable,
  user: CurrentUser,
  programmeId: string,
  personId: string,
): Promise<Programme> {
  if (!isId(programmeId) || !isId(personId)) throw notFound()
  const programme = await getProgramme(db, programmeId)
  if (!programme || !hasRole(user, 'link_worker') || !(await isLinkWorkerOf(db, programmeId, user.id)))
    throw notFound()
  if (!(await personInProgramme(db, personId, programme))) throw notFound()
  return programme
}
