// What programmes' page modules share: who may use them, the programme in the URL (or 404),
// saving a part of its settings in one transaction with its audit event, the names of running
// programmes kept unique, and the items forms show.

import type { FastifyRequest } from 'fastify'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { isId } from '../db/ids.ts'
import type { Db, Queryable } from '../db/schema.ts'
import { type FieldProblem, forbidden, notFound } from '../web/problem.ts'
import { type ProgrammeSettings, programmeSettingsSchema } from './config.ts'
import { checked } from './forms.ts'
import {
  canManage,
  getProgramme,
  getProgrammeForUpdate,
  type Programme,
  runningProgrammeNamed,
  updateProgrammeSettings,
} from './store.ts'

export const VIEW = rolesAccess('programme_manager', 'link_worker')
export const MANAGE = rolesAccess('programme_manager')

export type Body = Record<string, unknown>

/** A running programme already has the name. */
export class NameTaken extends Error {
  constructor(name: string) {
    super(`There is already a programme called ${name}: choose another name`)
  }
}

export const SAVED: Record<string, string> = {
  created: 'The programme has been added. Set its rules below.',
  details: 'The details have been saved.',
  referrals: 'Who can refer and the reply deadlines have been saved.',
  practices: 'The practices have been saved.',
  needs: 'The needs have been saved.',
  appointments: 'The appointment rules have been saved.',
  prescription: 'The prescription length has been saved.',
  criteria: 'The eligibility criteria have been saved.',
  'link-workers': 'The link workers have been saved.',
  services: 'The services run for the programme have been saved.',
  retired: 'The programme has been retired. It takes no new referrals; its referrals and cases are kept.',
}

/** Checkbox or radio items, checked where the value is among `selected`. */
export function items<T extends string>(
  values: readonly T[],
  labels: Record<T, string>,
  selected: unknown,
  hints?: Record<T, string>,
) {
  const chosen = checked(selected)
  return values.map((value) => ({
    value,
    text: labels[value],
    checked: chosen.includes(value),
    ...(hints ? { hint: { text: hints[value] } } : {}),
  }))
}

export const yesNoItems = (selected: unknown, yes = 'Yes', no = 'No') => [
  { value: 'yes', text: yes, checked: selected === 'yes' },
  { value: 'no', text: no, checked: selected === 'no' },
]

export const yesNo = (value: boolean) => (value ? 'yes' : 'no')

/** What changed between two settings, by top-level name: for the audit log. */
function changedSettings(before: ProgrammeSettings, after: ProgrammeSettings): string[] {
  return (Object.keys(after) as (keyof ProgrammeSettings)[]).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  )
}

export function settingsOf(programme: Programme): ProgrammeSettings {
  const { name, description, pathway, referralSources, practiceRegistrationRequired, criteria, needs } =
    programme
  const { linkWorkerTitle, appointments, prescription, replyDeadlines } = programme
  return {
    name,
    description,
    pathway,
    referralSources,
    practiceRegistrationRequired,
    criteria,
    needs,
    linkWorkerTitle,
    appointments,
    prescription,
    replyDeadlines,
  }
}

/** The programme in the URL, if the user may see it (or, with `manage`, change it). */
export async function programmeFor(db: Db, request: FastifyRequest, mode: 'view' | 'manage') {
  const { id } = request.params as { id: string }
  const programme = isId(id) ? await getProgramme(db, id) : undefined
  if (!programme) throw notFound()
  const user = request.user!
  const manages = canManage(user, programme)
  if (manages) return { programme, manages }
  if (!programme.linkWorkers.some((worker) => worker.userId === user.id)) throw notFound()
  if (mode === 'manage') throw forbidden('Only the programme’s managers can change it.')
  return { programme, manages }
}

/** Names are unique among running programmes: referrers choose among them by name. */
export async function refuseTakenName(trx: Queryable, name: string, exceptId?: string) {
  const taken = await runningProgrammeNamed(trx, name, exceptId)
  if (taken) throw new NameTaken(taken.name)
}

/** Runs `work` in a transaction; a name already taken comes back as the form's problem. */
export async function nameChecked<T>(
  db: Db,
  work: (trx: Queryable) => Promise<T>,
): Promise<T | { problems: FieldProblem[] }> {
  try {
    return await db.transaction().execute(work)
  } catch (error) {
    if (error instanceof NameTaken) return { problems: [{ field: 'name', message: error.message }] }
    throw error
  }
}

/**
 * Changes the programme's settings in one transaction with its audit event. `change` is applied
 * to the settings as they are inside the transaction, after the row is locked, so two managers
 * changing different parts at once do not undo each other.
 */
export async function saveSettings(
  db: Db,
  request: FastifyRequest,
  programme: Programme,
  section: string,
  change: (settings: ProgrammeSettings) => ProgrammeSettings,
  extra: Record<string, unknown> = {},
  alsoInTransaction?: (trx: Queryable) => Promise<void>,
) {
  await db.transaction().execute(async (trx) => {
    const current = await getProgrammeForUpdate(trx, programme.id)
    if (!current) throw notFound()
    const before = settingsOf(current)
    const settings = programmeSettingsSchema.parse(change(before))
    await alsoInTransaction?.(trx)
    await updateProgrammeSettings(trx, programme.id, settings)
    await audit(trx, request.actor, {
      action: 'programme.update',
      recordType: 'programme',
      recordId: programme.id,
      detail: { section, changed: changedSettings(before, settings), ...extra },
    })
  })
}

export const back = (programme: Programme) => ({ href: `/programmes/${programme.id}`, text: programme.name })
