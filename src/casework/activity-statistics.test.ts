import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createOrganisation } from '../access/store.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { insertPeople } from '../people/bulk.ts'
import { defaultSettings } from '../programmes/config.ts'
import { createProgramme } from '../programmes/store.ts'
import { seededBelow as numbers } from '../seeded.ts'
import { createAccount } from '../web/testing.ts'
import { type ActivityCounts, type ActivityGrouping, activityCountsByEach } from './activity-statistics.ts'
import { insertCases, insertSignposts } from './bulk.ts'
import type { CaseScope, Period } from './statistics.ts'
import { closeCase, insertSignpost, movePersonCases, setCaseWorker, signpostsOfCase } from './store.ts'

interface MadeCase {
  id: string
  personId: string
  programmeId: string
  organisationId: string
  practiceId: string | null
  workerId: string | null
  needs: string[]
  openedAt: string
  closedAt: string | null
}

interface MadeSignpost {
  caseId: string
  kind: 'signpost' | 'referral'
  serviceId: string | null
  serviceName: string
  createdAt: string
}

/** The cases in scope open in the period. */
function casesIn(cases: MadeCase[], scope: CaseScope, period: Period): MadeCase[] {
  const within = (values: readonly string[] | null, value: string | null) =>
    values === null || (value !== null && values.includes(value))
  return cases.filter(
    (c) =>
      within(scope.programmeIds, c.programmeId) &&
      within(scope.organisationIds, c.organisationId) &&
      within(scope.practiceIds, c.practiceId) &&
      c.openedAt < period.to &&
      (c.closedAt === null || c.closedAt >= period.from),
  )
}

/** The Activity figures worked out case by case and person by person, as the report defines them. */
function definition(
  cases: MadeCase[],
  signposts: MadeSignpost[],
  scope: CaseScope,
  period: Period,
  needIds: string[],
  providers: ReadonlyMap<string, string>,
  keyOf: (c: MadeCase) => string | null,
): Map<string | null, Omit<ActivityCounts, 'key'>> {
  const inScope = casesIn(cases, scope, period)
  const byId = new Map(inScope.map((c) => [c.id, c]))
  const given = signposts.filter(
    (s) => byId.has(s.caseId) && s.createdAt >= period.from && s.createdAt < period.to,
  )
  const result = new Map<string | null, Omit<ActivityCounts, 'key'>>()
  for (const key of new Set(inScope.map(keyOf))) {
    const theirs = inScope.filter((c) => keyOf(c) === key)
    const people = new Set(theirs.map((c) => c.personId))
    const gifts = given.filter((s) => keyOf(byId.get(s.caseId)!) === key)
    const perPerson = new Map<string, number>()
    for (const s of gifts) {
      const person = byId.get(s.caseId)!.personId
      perPerson.set(person, (perPerson.get(person) ?? 0) + 1)
    }
    const services = new Set(gifts.map((s) => s.serviceId ?? `name:${s.serviceName.trim().toLowerCase()}`))
    result.set(key, {
      clients: people.size,
      needs: new Map(
        needIds.map((need) => [
          need,
          new Set(theirs.filter((c) => c.needs.includes(need)).map((c) => c.personId)).size,
        ]),
      ),
      onwardReferrals: gifts.filter((s) => s.kind === 'referral').length,
      signposts: gifts.filter((s) => s.kind === 'signpost').length,
      services: services.size,
      organisations: new Set([...services].flatMap((s) => (providers.has(s) ? [providers.get(s)!] : [])))
        .size,
      clientsReached: perPerson.size,
      clientsGivenThreeOrMore: [...perPerson.values()].filter((n) => n >= 3).length,
    })
  }
  return result
}

describeEachDatabase('Activity counted in the database', (database) => {
  it('equals the figures worked out person by person, for every grouping, scope and period', async () => {
    const { db } = database()
    const organisation = (name: string, kind: 'vcs' | 'practice' | 'pcn', parentId: string | null = null) =>
      createOrganisation(db, { name, kind, parentId, odsCode: null, postcode: null })
    const teams = [await organisation('Team A', 'vcs'), await organisation('Team B', 'vcs')]
    const networks = [await organisation('Network 1', 'pcn'), await organisation('Network 2', 'pcn')]
    const practices: string[] = []
    for (let p = 0; p < 5; p++)
      practices.push(await organisation(`Practice ${p}`, 'practice', networks[p % 2]!))
    const groups = new Map(practices.slice(0, 4).map((p, i) => [p, networks[i % 2]!]))
    const programmes: string[] = []
    for (const name of ['One', 'Two'])
      programmes.push(
        await createProgramme(db, { name, ownerOrganisationId: teams[0]!, settings: defaultSettings(name) }),
      )
    const workers: string[] = []
    for (let w = 0; w < 4; w++)
      workers.push((await createAccount(db, 'link_worker', { organisationId: teams[w % 2]! })).userId)
    const people = await insertPeople(
      db,
      Array.from({ length: 60 }, (_, i) => ({
        givenName: `P${i}`,
        familyName: 'Example',
        dateOfBirth: '1970-01-01',
        registeredPracticeId: null,
      })),
    )
    const needIds = ['housing', 'money', 'isolation']
    const pick = numbers(7)
    const day = (d: number) => new Date(Date.parse('2026-01-01T12:00:00.000Z') + d * 86_400_000).toISOString()
    // Most people have one case; some have two or three, with another link worker, at another
    // practice or in the other programme, some before or after the period.
    const made: Omit<MadeCase, 'id'>[] = []
    for (const personId of people)
      for (let n = pick(10) < 7 ? 1 : 2 + pick(2); n > 0; n--) {
        const opened = pick(200)
        made.push({
          personId,
          programmeId: programmes[pick(4) === 0 ? 1 : 0]!,
          organisationId: teams[pick(2)]!,
          practiceId: pick(8) === 0 ? null : practices[pick(5)]!,
          workerId: pick(8) === 0 ? null : workers[pick(4)]!,
          needs: needIds.filter(() => pick(3) === 0),
          openedAt: day(opened),
          closedAt: pick(3) === 0 ? null : day(opened + pick(120)),
        })
      }
    const caseIds = await insertCases(
      db,
      made.map((c) => ({
        personId: c.personId,
        programmeId: c.programmeId,
        practiceId: c.practiceId,
        organisationId: c.organisationId,
        linkWorkerUserId: c.workerId,
        needs: c.needs,
        openedAt: c.openedAt,
        closedAt: c.closedAt,
      })),
    )
    const cases: MadeCase[] = made.map((c, i) => ({ ...c, id: caseIds[i]! }))
    // None to five onward referrals and signposts per case, to a few services or by name.
    const signposts: MadeSignpost[] = []
    for (const c of cases)
      for (let n = pick(6); n > 0; n--) {
        const service = pick(9)
        signposts.push({
          caseId: c.id,
          kind: pick(2) === 0 ? 'referral' : 'signpost',
          serviceId: service < 7 ? `service-${service}` : null,
          serviceName:
            service < 7 ? `Service ${service}` : service === 7 ? ' Walking Group ' : 'walking group',
          createdAt: day(pick(300)),
        })
      }
    await insertSignposts(db, signposts)
    // Then what the report must follow: some cases passed to another link worker (and so its
    // organisation), some open cases closed, and some people's records merged into another's.
    for (const c of cases) {
      if (pick(8) === 0) {
        c.workerId = workers[pick(4)]!
        c.organisationId = teams[pick(2)]!
        await setCaseWorker(db, c.id, c.workerId, c.organisationId)
      }
      if (c.closedAt === null && pick(2) === 0) {
        c.closedAt = new Date(Date.parse(c.openedAt) + pick(20) * 86_400_000).toISOString()
        await closeCase(db, c.id, { closureReason: 'goals_met', exitPlan: '', at: c.closedAt })
      }
    }
    // A few given one at a time, as a link worker records them (at the time of recording).
    for (const c of cases.slice(0, 12)) {
      const id = await insertSignpost(db, c.id, {
        kind: 'signpost',
        referralId: null,
        serviceId: 'service-1',
        serviceName: 'Service 1',
        need: null,
        note: '',
        userId: null,
      })
      const made = (await signpostsOfCase(db, c.id)).find((s) => s.id === id)!
      signposts.push({
        caseId: c.id,
        kind: 'signpost',
        serviceId: 'service-1',
        serviceName: 'Service 1',
        createdAt: made.createdAt,
      })
    }
    for (let i = 0; i < 6; i++) {
      const [from, into] = [people[2 * i]!, people[2 * i + 1]!]
      await movePersonCases(db, from, into)
      for (const c of cases) if (c.personId === from) c.personId = into
    }
    const providers = new Map([
      ['service-0', 'provider-a'],
      ['service-1', 'provider-a'],
      ['service-2', 'provider-b'],
      ['service-3', 'provider-c'],
    ])
    const providersOf = async (ids: string[]) =>
      new Map(ids.flatMap((id) => (providers.has(id) ? [[id, providers.get(id)!]] : [])))

    const groupings: [ActivityGrouping, (c: MadeCase) => string | null][] = [
      [{ by: 'none' }, () => null],
      [{ by: 'link-worker' }, (c) => c.workerId],
      [{ by: 'practice' }, (c) => c.practiceId],
      [{ by: 'practice-group', groups }, (c) => (c.practiceId ? (groups.get(c.practiceId) ?? null) : null)],
    ]
    const scopes: CaseScope[] = [
      { programmeIds: null, organisationIds: null, practiceIds: null },
      { programmeIds: [programmes[0]!], organisationIds: null, practiceIds: null },
      { programmeIds: programmes, organisationIds: [teams[1]!], practiceIds: null },
      { programmeIds: programmes, organisationIds: null, practiceIds: practices.slice(1, 3) },
      { programmeIds: [], organisationIds: null, practiceIds: null },
    ]
    const periods: Period[] = [
      { from: day(0), to: new Date(Date.now() + 86_400_000).toISOString() },
      { from: day(60), to: day(90) },
      { from: day(100), to: day(250) },
      { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' },
    ]
    let mixedSeen = 0
    for (const scope of scopes)
      for (const period of periods) {
        const { groups: answers, holdings } = await activityCountsByEach(
          db,
          scope,
          period,
          needIds,
          providersOf,
          groupings.map(([grouping]) => grouping),
        )
        groupings.forEach(([grouping, keyOf], g) => {
          const expected = definition(cases, signposts, scope, period, needIds, providers, keyOf)
          const actual = new Map(answers[g]!.map(({ key, ...counts }) => [key, counts]))
          assert.deepEqual(actual, expected, `${grouping.by}, ${JSON.stringify(scope)}, ${period.from}`)
        })
        const held = new Map<string, number>()
        for (const c of casesIn(cases, scope, period)) {
          const id = `${c.practiceId} ${c.workerId}`
          held.set(id, (held.get(id) ?? 0) + 1)
        }
        assert.deepEqual(
          new Map(holdings.map((h) => [`${h.practiceId} ${h.linkWorkerUserId}`, h.cases])),
          held,
          `cases held, ${JSON.stringify(scope)}, ${period.from}`,
        )
        // How many people in scope were seen with two link workers or two practices: the
        // counting that is not a sum.
        const inScope = definition(cases, signposts, scope, period, needIds, providers, (c) => c.personId)
        mixedSeen += [...inScope.keys()].filter((personId) => {
          const theirs = cases.filter((c) => c.personId === personId)
          return (
            new Set(theirs.map((c) => c.workerId)).size > 1 ||
            new Set(theirs.map((c) => c.practiceId)).size > 1
          )
        }).length
      }
    assert.ok(mixedSeen > 20, `some people are seen with two link workers or practices (${mixedSeen})`)
  })
})
