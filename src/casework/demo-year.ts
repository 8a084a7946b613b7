// A year of activity behind every link-worker and volunteering scheme in the demo, so that the
// reports have something to say on `npm start`: fictional people at the schemes' practices, cases
// opened over the past year (each closed after one to four months), the needs each presented
// with, appointments in the scheme's own modes, and onward referrals and signposts to the
// directory's services. Made deterministically (a seeded random sequence) and in bulk, in one
// transaction, so the demo stays quick to load.

import type { Db } from '../db/schema.ts'
import type { DirectoryDemo } from '../directory/demo.ts'
import { getServiceRecords } from '../directory/store.ts'
import { insertPeople } from '../people/bulk.ts'
import type { ProgrammesDemo } from '../programmes/demo.ts'
import { getProgramme } from '../programmes/store.ts'
import {
  type BulkAppointment,
  type BulkSignpost,
  insertAppointments,
  insertCases,
  insertSignposts,
} from './bulk.ts'

/** A small, well-mixed seeded generator (mulberry32): the same demo every time. */
function seeded(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const GIVEN = [
  'Alex',
  'Sam',
  'Jo',
  'Chris',
  'Pat',
  'Robin',
  'Jamie',
  'Morgan',
  'Casey',
  'Taylor',
  'Jordan',
  'Riley',
]
const FAMILY = ['Example', 'Sample', 'Fictional', 'Madeup', 'Placeholder', 'Specimen', 'Imaginary', 'Pretend']

/** Cases a year for each scheme: Tower Hamlets' borough-wide service is the largest. */
const CASES_A_YEAR: Record<string, number> = { th: 160 }
const DEFAULT_CASES = 60

const DAY = 86_400_000

export async function seedCaseworkYear(
  db: Db,
  programmes: ProgrammesDemo,
  directory: DirectoryDemo,
  now: Date = new Date(),
): Promise<{ cases: number }> {
  const random = seeded(20_261_130)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const services = await getServiceRecords(db, Object.values(directory.services))
  let total = 0
  // A number in every family name, all of one width: no demo person's name is part of another's.
  let numbered = 0
  await db.transaction().execute(async (trx) => {
    for (const [key, programmeId] of Object.entries(programmes.programmes)) {
      const programme = await getProgramme(trx, programmeId)
      if (!programme || programme.pathway === 'direct_to_service') continue
      if (programme.practices.length === 0 || programme.linkWorkers.length === 0) continue
      const n = CASES_A_YEAR[key] ?? DEFAULT_CASES
      const practices = programme.practices
      const people = await insertPeople(
        trx,
        Array.from({ length: n }, (_, i) => ({
          givenName: pick(GIVEN),
          familyName: `${pick(FAMILY)}${String(++numbered).padStart(4, '0')}`,
          dateOfBirth: `19${40 + Math.floor(random() * 45)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
          registeredPracticeId: (practices[i % practices.length] as (typeof practices)[number])
            .organisationId,
        })),
      )
      const needs = programme.needs.map((need) => need.id)
      const cases = people.map((personId, i) => {
        const practice = practices[i % practices.length] as (typeof practices)[number]
        const worker = practice.namedLinkWorker?.userId ?? pick(programme.linkWorkers).userId
        // Every case of the year is closed by a week ago, so caseloads and diaries show only the
        // demo's current cases, and the reports the year behind them.
        const opened = now.getTime() - (40 + Math.floor(random() * 325)) * DAY + 10 * 3_600_000
        const closed = Math.min(opened + (30 + Math.floor(random() * 90)) * DAY, now.getTime() - 7 * DAY)
        const chosen =
          needs.length === 0 ? [] : [...new Set([pick(needs), ...(random() < 0.3 ? [pick(needs)] : [])])]
        return {
          personId,
          programmeId,
          practiceId: practice.organisationId,
          organisationId: programme.ownerOrganisationId,
          linkWorkerUserId: worker,
          needs: chosen,
          openedAt: new Date(opened).toISOString(),
          firstContactAt: new Date(opened + 2 * DAY).toISOString(),
          closedAt: new Date(closed).toISOString(),
        }
      })
      const caseIds = await insertCases(trx, cases)
      const appointments: BulkAppointment[] = []
      const signposts: BulkSignpost[] = []
      const modes = programme.appointments.modes
      const cap = programme.appointments.furtherAppointmentsCap ?? 4
      cases.forEach((kase, i) => {
        const caseId = caseIds[i] as string
        const opened = Date.parse(kase.openedAt)
        const end = Date.parse(kase.closedAt)
        let at = opened + (3 + Math.floor(random() * 18)) * DAY
        const further = Math.min(cap, 1 + Math.floor(random() * 4))
        for (let k = 0; k <= further && at < end; k++) {
          appointments.push({
            caseId,
            linkWorkerUserId: kase.linkWorkerUserId,
            kind: k === 0 ? 'initial' : k === further ? 'exit' : 'follow_up',
            mode: pick(modes),
            startsAt: new Date(at - (at % DAY) + (9 + Math.floor(random() * 7)) * 3_600_000).toISOString(),
            minutes: k === 0 ? 60 : 30,
            status: random() < 0.9 ? 'attended' : 'did_not_attend',
          })
          at += (10 + Math.floor(random() * 14)) * DAY
        }
        const given = Math.floor(random() * random() * 6)
        const last = Math.min(end, now.getTime())
        for (let k = 0; k < given && services.length > 0; k++) {
          const service = pick(services)
          const madeAt = opened + (7 + Math.floor(random() * 40)) * DAY
          if (madeAt > last) break
          signposts.push({
            caseId,
            kind: random() < 0.55 ? 'referral' : 'signpost',
            serviceId: service.id,
            serviceName: service.name,
            createdAt: new Date(madeAt).toISOString(),
            userId: kase.linkWorkerUserId,
          })
        }
      })
      await insertAppointments(trx, appointments)
      await insertSignposts(trx, signposts)
      total += cases.length
    }
  })
  return { cases: total }
}
