// A casework fixture for route tests: a programme (8 to 16 week prescriptions that people may
// continue after) covering two practices, its manager and two link workers, a person at the first
// practice, a walking group in the directory, and the app (with any configuration given) on a
// clock the test can move. One line opens a case or prescribes.

import type { Actor } from '../access/audit.ts'
import { loadCurrentUser } from '../access/store.ts'
import type { Config } from '../config.ts'
import type { Db } from '../db/schema.ts'
import { createTestService } from '../directory/testing.ts'
import { personInputSchema } from '../people/person.ts'
import { createPersonRecord } from '../people/records.ts'
import { DEFAULT_APPOINTMENT_RULES, defaultSettings } from '../programmes/config.ts'
import {
  addLinkWorker,
  createProgramme,
  setNamedLinkWorkers,
  setProgrammePractices,
} from '../programmes/store.ts'
import {
  createAccount,
  createTestOrganisation,
  PageClient,
  type TestAccount,
  testApp,
} from '../web/testing.ts'
import { openCase, prescribe } from './cases.ts'

/** Monday 30 November 2026, 10am in London (winter: London time is UTC). */
export const NOW = new Date('2026-11-30T10:00:00Z')
const SYSTEM: Actor = { userId: null, ip: null }

export async function caseworkFixture(
  db: Db,
  start: Date = NOW,
  options: { furtherAppointmentsCap?: number; config?: Partial<Config> } = {},
) {
  let clock = start
  const owner = await createTestOrganisation(db, 'Tower Hamlets GP Care Group')
  const practice = await createTestOrganisation(db, 'Test Practice', 'practice', 'Z99001')
  const other = await createTestOrganisation(db, 'Other Practice', 'practice', 'Z99002')
  const manager = await createAccount(db, 'programme_manager', {
    organisationId: owner,
    name: 'Mona Manager',
  })
  const worker = await createAccount(db, 'link_worker', { organisationId: owner, name: 'Wendy Worker' })
  const worker2 = await createAccount(db, 'link_worker', { organisationId: owner, name: 'Walter Worker' })
  const outsider = await createAccount(db, 'link_worker', { name: 'Oscar Outsider' })
  const otherManager = await createAccount(db, 'programme_manager', { name: 'Olga Other' })
  const programmeId = await createProgramme(db, {
    name: 'Social prescribing',
    ownerOrganisationId: owner,
    settings: {
      ...defaultSettings('Social prescribing'),
      needs: [
        { id: 'social-isolation', label: 'Social isolation' },
        { id: 'housing', label: 'Housing' },
      ],
      appointments: {
        ...DEFAULT_APPOINTMENT_RULES,
        furtherAppointmentsCap: options.furtherAppointmentsCap ?? 5,
        modes: ['practice', 'home_visit'],
      },
      prescription: { minWeeks: 8, maxWeeks: 16, mayContinueAfter: true },
    },
  })
  await setProgrammePractices(db, programmeId, [practice, other])
  await addLinkWorker(db, programmeId, worker.userId)
  await addLinkWorker(db, programmeId, worker2.userId)
  await setNamedLinkWorkers(db, programmeId, { [practice]: worker.userId })
  const personId = await createPersonRecord(
    db,
    SYSTEM,
    personInputSchema('2026-11-30').parse({
      nhsNumber: '9434765919',
      givenName: 'Ada',
      familyName: 'Testperson',
      dateOfBirth: '1960-02-01',
      registeredPracticeId: practice,
      conditions: ['44054006'],
    }),
  )
  // A walking group in the directory, run by the programme's owner: prescriptions name it.
  const serviceId = await createTestService(db, owner)
  const app = await testApp(db, options.config ?? {}, () => clock)
  const ctxOf = async (account: TestAccount) => ({
    user: (await loadCurrentUser(db, account.userId))!,
    actor: { userId: account.userId, ip: null },
  })
  return {
    app,
    owner,
    practice,
    other,
    manager,
    worker,
    worker2,
    outsider,
    otherManager,
    programmeId,
    personId,
    serviceId,
    ctxOf,
    as: (account: TestAccount) => new PageClient(app).signInAs(account.userId),
    /** Moves the app's clock. */
    setNow(at: Date) {
      clock = at
    },
    /** A case for the person, at the first practice (its named worker: Wendy) unless told. */
    openCase: (practiceOdsCode = 'Z99001') =>
      openCase(db, SYSTEM, { personId, programmeId, practiceOdsCode, needs: ['social-isolation'] }),
    /** A prescription of the walking group on the case, by Wendy. */
    prescribe: async (caseId: string, input: { start: string; weeks: number; expectedSessions?: number }) =>
      prescribe(db, await ctxOf(worker), caseId, {
        serviceId,
        serviceName: 'Walking group',
        need: 'social-isolation',
        weeks: input.weeks,
        expectedSessions: input.expectedSessions ?? input.weeks,
        start: input.start,
      }),
  }
}
