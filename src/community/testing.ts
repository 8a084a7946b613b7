// A volunteering fixture for route tests: Blackburn's recovery programme with its project
// officer (named for the practice) and a recovery support officer who supports its cases, two
// host organisations with a provider each, a person on a case, the demo's postcodes for
// distances, and the app on a clock the test can move.

import type { Actor } from '../access/audit.ts'
import { openCase } from '../casework/index.ts'
import type { Db } from '../db/schema.ts'
import { seedPostcodes } from '../directory/demo.ts'
import { createTestPerson } from '../outcomes/testing.ts'
import { defaultSettings } from '../programmes/config.ts'
import {
  addLinkWorker,
  createProgramme,
  setNamedLinkWorkers,
  setProgrammePractices,
} from '../programmes/store.ts'
import { createAccount, createTestOrganisation, PageClient, testApp } from '../web/testing.ts'

const SYSTEM: Actor = { userId: null, ip: null }

/** A food bank's role, as the host's form posts it. */
export const FOOD_BANK_FORM = {
  name: 'Food bank volunteering',
  role: 'Warehouse and packing volunteer',
  involves: 'Sort donations, pack food parcels and help hand them out, in a friendly team.',
  skillsGained: 'teamwork, food hygiene',
  interests: 'cooking, helping people',
  times: 'Tuesday and Thursday mornings, 9:30am to 12:30pm',
  days: ['TU', 'TH'],
  accessibility: 'Step-free access; seated tasks available.',
  dbsLevel: 'none',
  referencesNeeded: '0',
  placesAvailable: '2',
  suits: ['drug-alcohol'],
  stages: ['early', 'stable'],
  needs: ['routine'],
  address: 'Bangor Street',
  town: 'Blackburn',
  postcode: 'BB1 6DY',
  contactName: 'Sam Hussain',
  email: 'foodbank@kith.example',
  phone: '01254 000000',
  active: 'yes',
}

export async function volunteeringFixture(db: Db, start = new Date('2026-11-30T10:00:00Z')) {
  let clock = start
  await seedPostcodes(db)
  const cvs = await createTestOrganisation(db, 'Blackburn with Darwen CVS')
  const practice = await createTestOrganisation(db, 'Bangor Street Surgery', 'practice', 'Z70001')
  const officer = await createAccount(db, 'link_worker', { organisationId: cvs, name: 'Priya Officer' })
  const recovery = await createAccount(db, 'link_worker', { organisationId: cvs, name: 'Rob Recovery' })
  const manager = await createAccount(db, 'programme_manager', { organisationId: cvs })
  const outsider = await createAccount(db, 'link_worker', { name: 'Oscar Outsider' })
  const foodBank = await createAccount(db, 'provider', { name: 'Fay Foodbank' })
  const charityShop = await createAccount(db, 'provider', { name: 'Cal Charity' })
  const programmeId = await createProgramme(db, {
    name: 'Volunteering for recovery',
    ownerOrganisationId: cvs,
    settings: {
      ...defaultSettings('Volunteering for recovery'),
      pathway: 'volunteering',
      needs: [
        { id: 'routine', label: 'Routine' },
        { id: 'confidence-and-skills', label: 'Confidence and skills' },
      ],
    },
  })
  await setProgrammePractices(db, programmeId, [practice])
  await addLinkWorker(db, programmeId, officer.userId)
  await addLinkWorker(db, programmeId, recovery.userId)
  await setNamedLinkWorkers(db, programmeId, { [practice]: officer.userId })
  const personId = await createTestPerson(db, practice, 'Vic')
  const caseId = await openCase(db, SYSTEM, {
    personId,
    programmeId,
    practiceOdsCode: 'Z70001',
    needs: ['routine'],
  })
  const app = await testApp(db, {}, () => clock)
  return {
    app,
    cvs,
    officer,
    recovery,
    manager,
    outsider,
    foodBank,
    charityShop,
    programmeId,
    personId,
    caseId,
    as: (account: { userId: string }) => new PageClient(app).signInAs(account.userId),
    setNow(at: Date) {
      clock = at
    },
  }
}
