// The demo data: every scheme in the seeds as a ready programme, with accounts for every role.
// Each capability seeds its own part, in order, from what the parts before it made.

import { type AccessDemo, seedAccessDemo } from './access/demo.ts'
import { countUsers } from './access/store.ts'
import { seedAttendanceYear } from './attendance/demo-year.ts'
import { type CaseworkDemo, seedCaseworkDemo } from './casework/demo.ts'
import { seedCaseworkYear } from './casework/demo-year.ts'
import { openCaseForAcceptedReferral } from './casework/index.ts'
import { type CommunityDemo, seedCommunityDemo } from './community/demo.ts'
import type { Db } from './db/schema.ts'
import { type DirectoryDemo, seedDirectoryDemo } from './directory/demo.ts'
import { type OutcomesDemo, seedOutcomesDemo } from './outcomes/demo.ts'
import { seedOutcomesYear } from './outcomes/demo-year.ts'
import { type ProgrammesDemo, seedProgrammesDemo } from './programmes/demo.ts'
import { type ReferralsDemo, seedReferralsDemo } from './referrals/demo.ts'

export interface Demo {
  access: AccessDemo
  programmes: ProgrammesDemo
  directory: DirectoryDemo
  referrals: ReferralsDemo
  casework: CaseworkDemo
  outcomes: OutcomesDemo
  community: CommunityDemo
}

export class DemoRefused extends Error {}

/** Loads the demo into an empty database; refuses a database that already holds accounts. */
export async function seedDemo(db: Db): Promise<Demo> {
  if ((await countUsers(db)) > 0) {
    throw new DemoRefused('The database already holds user accounts, so the demo data was not loaded.')
  }
  const access = await seedAccessDemo(db)
  const programmes = await seedProgrammesDemo(db, access)
  const directory = await seedDirectoryDemo(db, access, programmes)
  // Accepting a demo referral to a link-worker programme opens its case, as a real one does.
  const referrals = await seedReferralsDemo(db, access, programmes, directory, {
    onAccepted: [openCaseForAcceptedReferral],
  })
  const casework = await seedCaseworkDemo(db, programmes)
  // A year of activity behind each scheme, for the reports: referrals, cases, prescriptions, then
  // the outcome readings (once each programme's measures are set) and attendance behind them.
  const year = await seedCaseworkYear(db, programmes, directory)
  const outcomes = await seedOutcomesDemo(db, access, programmes, directory)
  await seedOutcomesYear(db, year.cases)
  await seedAttendanceYear(db, year.prescriptions)
  const community = await seedCommunityDemo(db, access, programmes, directory)
  return { access, programmes, directory, referrals, casework, outcomes, community }
}
