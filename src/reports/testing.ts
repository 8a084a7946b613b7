// A fixture built to reproduce the Tower Hamlets figures the seed quotes: 1,000 clients in a year,
// of whom 24% presented with weight management, 21% low-level mental health, 16% social isolation,
// 13% housing and 13% financial concerns (some with two needs); 2,034 onward referrals and
// signposts to 333 activities across 279 organisations; and of the 900 clients who received any,
// 198 (22%) were given three or more. Eight networks of two practices each, every practice with a
// named social prescriber (ten of them), and cases outside the year that must not count.

import { createOrganisation } from '../access/store.ts'
import { type BulkCase, type BulkSignpost, insertCases, insertSignposts } from '../casework/index.ts'
import type { Db } from '../db/schema.ts'
import { createTestService } from '../directory/testing.ts'
import { insertPeople } from '../people/bulk.ts'
import { defaultSettings } from '../programmes/config.ts'
import {
  addLinkWorker,
  createProgramme,
  setNamedLinkWorkers,
  setProgrammePractices,
} from '../programmes/store.ts'
import { createAccount, type TestAccount } from '../web/testing.ts'

export const TOWER_HAMLETS_YEAR = { from: '2025-04-01', to: '2026-03-31' }
export const NEEDS = [
  { id: 'weight-management', label: 'Weight management' },
  { id: 'low-level-mental-health', label: 'Low-level mental health' },
  { id: 'social-isolation', label: 'Social isolation' },
  { id: 'housing', label: 'Housing' },
  { id: 'financial', label: 'Financial concerns' },
]

/** Spread over the year: the i-th of n at a time inside it (UTC, well clear of midnight). */
function during(i: number, n: number, from = Date.parse('2025-04-02T10:00:00Z'), days = 360): string {
  return new Date(from + Math.floor((i * days) / n) * 86_400_000).toISOString()
}

export async function towerHamletsFixture(db: Db) {
  const owner = await createOrganisation(db, {
    name: 'Tower Hamlets GP Care Group',
    kind: 'programme_body',
    parentId: null,
    odsCode: null,
    postcode: null,
  })
  const networks: string[] = []
  const practices: string[] = []
  for (let n = 1; n <= 8; n++) {
    const network = await createOrganisation(db, {
      name: `Network ${n}`,
      kind: 'pcn',
      parentId: null,
      odsCode: null,
      postcode: null,
    })
    networks.push(network)
    for (let p = 1; p <= 2; p++)
      practices.push(
        await createOrganisation(db, {
          name: `Practice ${n}${p === 1 ? 'A' : 'B'}`,
          kind: 'practice',
          parentId: network,
          odsCode: `Z7${String(n * 10 + p).padStart(4, '0')}`,
          postcode: null,
        }),
      )
  }
  const manager = await createAccount(db, 'programme_manager', {
    organisationId: owner,
    name: 'Farhana Uddin',
  })
  const workers: TestAccount[] = []
  for (let w = 1; w <= 10; w++)
    workers.push(
      await createAccount(db, 'link_worker', {
        organisationId: owner,
        name: `Social Prescriber ${String(w).padStart(2, '0')}`,
      }),
    )
  const programmeId = await createProgramme(db, {
    name: 'Tower Hamlets social prescribing',
    ownerOrganisationId: owner,
    settings: { ...defaultSettings('Tower Hamlets social prescribing'), needs: NEEDS },
  })
  await setProgrammePractices(db, programmeId, practices)
  for (const worker of workers) await addLinkWorker(db, programmeId, worker.userId)
  const named = Object.fromEntries(practices.map((practice, i) => [practice, workers[i % 10]!.userId]))
  await setNamedLinkWorkers(db, programmeId, named)

  // 279 organisations, 333 services: each organisation runs one, and the first 54 run a second.
  const services: { id: string; name: string }[] = []
  const providers: string[] = []
  for (let o = 0; o < 279; o++)
    providers.push(
      await createOrganisation(db, {
        name: `Provider ${o + 1}`,
        kind: 'vcs',
        parentId: null,
        odsCode: null,
        postcode: null,
      }),
    )
  for (let s = 0; s < 333; s++) {
    const name = `Activity ${s + 1}`
    services.push({ id: await createTestService(db, providers[s % 279]!, { name }), name })
  }

  const people = await insertPeople(
    db,
    Array.from({ length: 1000 }, (_, i) => ({
      givenName: `Client${i}`,
      familyName: 'Fixture',
      dateOfBirth: '1970-01-01',
      registeredPracticeId: practices[i % 16]!,
    })),
  )
  const needsOf = (i: number) =>
    [
      i % 100 < 24 && 'weight-management',
      (i + 30) % 100 < 21 && 'low-level-mental-health',
      (i + 50) % 100 < 16 && 'social-isolation',
      (i + 60) % 100 < 13 && 'housing',
      (i + 80) % 100 < 13 && 'financial',
    ].filter((need): need is string => need !== false)
  const caseOf = (i: number, practice: number, extra: Partial<BulkCase> = {}): BulkCase => ({
    personId: people[i]!,
    programmeId,
    practiceId: practices[practice]!,
    organisationId: owner,
    linkWorkerUserId: workers[practice % 10]!.userId,
    needs: needsOf(i),
    openedAt: during(i, 1000),
    ...extra,
  })
  const cases = await insertCases(
    db,
    people.map((_, i) => caseOf(i, i % 16)),
  )
  // Ten people had an earlier case at another practice that closed early in the year: still one client each.
  const earlier = await insertCases(
    db,
    Array.from({ length: 10 }, (_, k) =>
      caseOf(500 + k, (k + 1) % 16, {
        openedAt: '2025-01-10T10:00:00Z',
        closedAt: '2025-04-20T10:00:00Z',
        needs: [],
      }),
    ),
  )
  // Not in the year: a case closed before it began, and one opened after it ended.
  const outside = await insertCases(db, [
    caseOf(0, 0, { openedAt: '2024-05-01T10:00:00Z', closedAt: '2025-03-01T10:00:00Z' }),
    caseOf(1, 0, { openedAt: '2026-04-02T10:00:00Z' }),
  ])

  // Signposts: clients 0-35 four each, 36-197 three each, 198-899 two each: 2,034 in all; the
  // first 1,200 made are onward referrals, the rest signposts; every service is reached.
  const signposts: BulkSignpost[] = []
  let made = 0
  for (let i = 0; i < 900; i++) {
    const count = i < 36 ? 4 : i < 198 ? 3 : 2
    for (let k = 0; k < count; k++) {
      const service = services[made % 333]!
      // One of the ten people with an earlier case had one of theirs from it, early in the year.
      const onEarlier = i === 500 && k === 0
      signposts.push({
        caseId: onEarlier ? earlier[0]! : cases[i]!,
        kind: made < 1200 ? 'referral' : 'signpost',
        serviceId: service.id,
        serviceName: service.name,
        createdAt: onEarlier ? '2025-04-10T10:00:00Z' : during(i, 1000, Date.parse('2025-04-03T11:00:00Z')),
      })
      made++
    }
  }
  // Outside the year: from the case that closed before it, and after it ended.
  signposts.push(
    {
      caseId: outside[0]!,
      kind: 'referral',
      serviceId: services[0]!.id,
      serviceName: 'Activity 1',
      createdAt: '2024-06-01T10:00:00Z',
    },
    {
      caseId: cases[999]!,
      kind: 'signpost',
      serviceId: services[1]!.id,
      serviceName: 'Activity 2',
      createdAt: '2026-04-05T10:00:00Z',
    },
  )
  await insertSignposts(db, signposts)
  return { owner, networks, practices, manager, workers, programmeId, people, cases }
}
