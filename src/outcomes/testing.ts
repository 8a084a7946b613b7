// Test set-up shared by the outcomes, attendance and kiosk tests: a programme with a practice,
// its manager and link worker, someone from another programme, and a person at the practice with
// a case in the programme. Beside it, as in Blackburn with Darwen, a neighbouring programme of the
// same council over the same practice, with its own link worker and a person in its caseload, and
// a person registered at the practice who is in neither caseload.

import type { Actor } from '../access/audit.ts'
import { createOrganisation } from '../access/store.ts'
import { openCase } from '../casework/index.ts'
import type { Db } from '../db/schema.ts'
import { personInputSchema } from '../people/person.ts'
import { createPersonRecord } from '../people/records.ts'
import { addLinkWorker, createProgramme, setProgrammePractices } from '../programmes/store.ts'
import { createAccount, createTestOrganisation, PageClient, testApp } from '../web/testing.ts'

export const SYSTEM: Actor = { userId: null, ip: null }

export async function createTestPerson(db: Db, practiceId: string, givenName = 'Zoë'): Promise<string> {
  return createPersonRecord(
    db,
    SYSTEM,
    personInputSchema('2026-11-22').parse({
      givenName,
      familyName: 'Testperson',
      dateOfBirth: '1958-07-01',
      registeredPracticeId: practiceId,
      addressLines: [],
      contactMethods: [],
      conditions: [],
    }),
  )
}

export async function programmeFixture(db: Db, now?: () => Date) {
  const area = await createTestOrganisation(db, 'Luton', 'area')
  const owner = await createOrganisation(db, {
    name: 'Luton Borough Council',
    kind: 'council',
    parentId: area,
    odsCode: null,
    postcode: null,
  })
  const practice = await createOrganisation(db, {
    name: 'Mersey Place Surgery',
    kind: 'practice',
    parentId: area,
    odsCode: 'Z50001',
    postcode: null,
  })
  const otherPractice = await createTestOrganisation(db, 'Elsewhere Surgery', 'practice', 'Z50009')
  const manager = await createAccount(db, 'programme_manager', { organisationId: owner })
  const worker = await createAccount(db, 'link_worker', { organisationId: owner })
  const otherWorker = await createAccount(db, 'link_worker')
  const otherManager = await createAccount(db, 'programme_manager')
  const provider = await createAccount(db, 'provider', { kind: 'leisure', name: 'Femi Okoro' })
  const programmeId = await createProgramme(db, {
    name: 'Luton social prescribing',
    ownerOrganisationId: owner,
  })
  await setProgrammePractices(db, programmeId, [practice])
  await addLinkWorker(db, programmeId, worker.userId)
  const otherProgrammeId = await createProgramme(db, {
    name: 'Other programme',
    ownerOrganisationId: otherManager.organisationId,
  })
  await setProgrammePractices(db, otherProgrammeId, [otherPractice])
  await addLinkWorker(db, otherProgrammeId, otherWorker.userId)
  const neighbourWorker = await createAccount(db, 'link_worker', {
    organisationId: owner,
    title: 'Recovery support officer',
  })
  const neighbourProgrammeId = await createProgramme(db, {
    name: 'Luton recovery',
    ownerOrganisationId: owner,
  })
  await setProgrammePractices(db, neighbourProgrammeId, [practice])
  await addLinkWorker(db, neighbourProgrammeId, neighbourWorker.userId)
  const personId = await createTestPerson(db, practice)
  const caseId = await openCase(db, SYSTEM, { personId, programmeId, practiceOdsCode: 'Z50001' })
  const neighbourPersonId = await createTestPerson(db, practice, 'Neighbour')
  await openCase(db, SYSTEM, {
    personId: neighbourPersonId,
    programmeId: neighbourProgrammeId,
    practiceOdsCode: 'Z50001',
  })
  const unreferredId = await createTestPerson(db, practice, 'Unreferred')
  const strangerId = await createTestPerson(db, otherPractice, 'Stranger')
  const app = await testApp(db, {}, now)
  const as = (account: { userId: string }) => new PageClient(app).signInAs(account.userId)
  return {
    app,
    as,
    owner,
    practice,
    otherPractice,
    manager,
    worker,
    otherWorker,
    otherManager,
    provider,
    programmeId,
    otherProgrammeId,
    personId,
    caseId,
    strangerId,
    neighbourWorker,
    neighbourProgrammeId,
    neighbourPersonId,
    unreferredId,
  }
}
