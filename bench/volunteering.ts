// Matching one person with volunteering opportunities: 10,000 opportunities across England (half
// round real places, half spread out), one person at a time proposed the best five with their
// reasons, as the case's volunteering page does it (candidates from the database, scored, named).
//
//   npm run bench -- volunteering [--db sqlite|postgres] [--quick]
//
// Target (issue 15): p95 < 50 ms for one person against 10,000 opportunities, on both databases.

import { performance } from 'node:perf_hooks'
import { type Insertable, sql } from 'kysely'
import type { VolunteeringOpportunityTable } from '../src/community/tables.ts'
import { proposalsFor } from '../src/community/volunteering.ts'
import { newId, nowIso } from '../src/db/ids.ts'
import { DEMO_PLACES, seedPostcodes } from '../src/directory/demo.ts'
import { searchDocument } from '../src/directory/search-text.ts'
import type { ServiceLocationTable, ServiceTable } from '../src/directory/tables.ts'
import { type BenchOptions, benchDatabase, printTable, report, summarise, time } from './lib.ts'
import { organisations, random, scatteredPlace } from './made-up.ts'

const ROLES = [
  ['Food bank volunteer', ['cooking', 'helping people'], ['teamwork', 'food hygiene']],
  ['Community garden volunteer', ['gardening', 'outdoors'], ['horticulture', 'teamwork']],
  ['Charity shop volunteer', ['retail', 'fashion'], ['customer service', 'till skills']],
  ['Café volunteer', ['cooking', 'people'], ['food hygiene', 'customer service']],
  ['Befriender', ['people', 'listening'], ['communication']],
  ['Driver', ['driving'], ['reliability']],
  ['Admin volunteer', ['computers'], ['office skills', 'teamwork']],
  ['Litter picker', ['outdoors', 'walking'], ['teamwork']],
] as const
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']
const SUITS = [[], ['drug-alcohol'], ['mental-health'], ['drug-alcohol', 'mental-health']]
const STAGES = [[], ['early'], ['stable', 'sustained'], ['early', 'stable']]

export async function run(options: BenchOptions): Promise<void> {
  const count = 10_000
  const iterations = options.quick ? 200 : 1_000
  const bench = await benchDatabase(options.dialect)
  const { db } = bench
  try {
    const next = random(15)
    await seedPostcodes(db)
    const hosts = await organisations(db, 50, 'Host')
    const loadStarted = performance.now()
    const batch = 500
    for (let start = 0; start < count; start += batch) {
      const services: Insertable<ServiceTable>[] = []
      const locations: Insertable<ServiceLocationTable>[] = []
      const details: Insertable<VolunteeringOpportunityTable>[] = []
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const [role, interests, skills] = ROLES[Math.floor(next() * ROLES.length)]!
        const { latitude, longitude } = scatteredPlace(next)
        const id = newId()
        const now = nowIso()
        const name = `${role} ${i}`
        const host = hosts[i % hosts.length]!
        services.push({
          id,
          provider_organisation_id: host,
          name,
          description: role,
          kind: 'volunteering',
          status: 'active',
          self_referral: 0,
          criteria: '[]',
          criteria_notes: '',
          additional_needs: '',
          disclaimer: '',
          cost: '',
          free: 1,
          age_min: 18,
          age_max: null,
          schedule: '',
          contact_name: '',
          email: '',
          phone: '',
          url: '',
          external_id: null,
          last_reviewed_on: '2026-10-01',
          search_text: searchDocument({
            name,
            description: role,
            termLabels: [],
            termIds: [],
            points: [{ latitude, longitude }],
          }),
          created_at: now,
          updated_at: now,
        })
        locations.push({
          id: newId(),
          service_id: id,
          name,
          address: '',
          town: '',
          postcode: null,
          latitude,
          longitude,
        })
        details.push({
          service_id: id,
          host_organisation_id: host,
          role,
          involves: role,
          skills_gained: JSON.stringify(skills),
          interests: JSON.stringify(interests),
          times: '',
          days: JSON.stringify(DAYS.filter(() => next() < 0.3)),
          accessibility: '',
          dbs_level: 'none',
          references_needed: 0,
          places_available: 1 + Math.floor(next() * 4),
          suits: JSON.stringify(SUITS[Math.floor(next() * SUITS.length)]),
          stages: JSON.stringify(STAGES[Math.floor(next() * STAGES.length)]),
          needs: JSON.stringify(next() < 0.5 ? ['routine'] : ['confidence-and-skills']),
          latitude,
          longitude,
          active: next() < 0.95 ? 1 : 0,
          updated_at: now,
        })
      }
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('services').values(services).execute()
        await trx.insertInto('service_locations').values(locations).execute()
        await trx.insertInto('volunteering_opportunities').values(details).execute()
      })
    }
    await sql.raw(options.dialect === 'postgres' ? 'vacuum analyze' : 'analyze').execute(db)
    const loadSeconds = (performance.now() - loadStarted) / 1000

    const people = Array.from({ length: 31 }, (_, i) => ({
      interests: [ROLES[i % ROLES.length]![1][0], 'music'],
      skills: [ROLES[(i + 3) % ROLES.length]![2][0]],
      days: DAYS.filter((_, d) => (d + i) % 3 === 0),
      postcode: DEMO_PLACES[i % DEMO_PLACES.length]!.postcode,
      travelKm: 5 + (i % 4) * 5,
      recovery: i % 2 ? 'drug-alcohol' : 'mental-health',
      stage: ['early', 'stable', 'sustained'][i % 3]!,
    }))
    let proposed = 0
    const samples = await time(async (i) => {
      proposed += (await proposalsFor(db, people[i % people.length]!, ['routine'])).length
    }, iterations)
    // No postcode known: every active opportunity is a candidate.
    const anywhere = await time(
      async (i) => proposalsFor(db, { ...people[i % people.length]!, postcode: null }, ['routine']),
      options.quick ? 20 : 100,
      5,
    )
    const near = summarise(samples)
    const all = summarise(anywhere)
    const totalSeconds = samples.reduce((a, b) => a + b, 0) / 1000
    printTable(`Volunteering matching, ${count.toLocaleString('en-GB')} opportunities, ${options.dialect}`, [
      { what: 'one person, from their postcode', ...near, per_second: iterations / totalSeconds },
      {
        what: 'one person, no place known (all)',
        ...all,
        per_second: all.count / (anywhere.reduce((a, b) => a + b, 0) / 1000),
      },
    ])
    console.log(
      `Loaded in ${loadSeconds.toFixed(1)} s; ${(proposed / iterations).toFixed(1)} proposals a person on average.`,
    )
    report({
      name: 'volunteering',
      database: options.dialect,
      sizes: { opportunities: count, iterations },
      p50: near.p50,
      p95: near.p95,
      p99: near.p99,
      rate: iterations / totalSeconds,
      noPlaceP95: all.p95,
      meanProposals: proposed / iterations,
      targetP95Ms: 50,
    })
  } finally {
    await bench.close()
  }
}
