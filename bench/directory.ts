// Directory search at scale: 100,000 services across England (10,000 with --quick), searched by
// text + category + 10 km around a postcode, as the search page does it (the search, then the
// page of 20 records), next to the time of the bare SQL behind the search.
//
//   npm run bench -- directory [--db sqlite|postgres] [--quick]
//
// Target (issue 3): p95 <= 10 ms server time at 100,000 services on a 2-core machine.

import { performance } from 'node:perf_hooks'
import { type Insertable, sql } from 'kysely'
import { serviceTextMatches } from '../src/db/dialect.ts'
import { newId, nowIso } from '../src/db/ids.ts'
import { DEMO_PLACES } from '../src/directory/demo.ts'
import { cellsCovering, searchDocument, termToken } from '../src/directory/search-text.ts'
import { getServiceRecords, listTerms, searchServices } from '../src/directory/store.ts'
import type { ServiceLocationTable, ServiceTable, ServiceTermTable } from '../src/directory/tables.ts'
import { SERVICE_KINDS } from '../src/directory/taxonomy.ts'
import { type BenchOptions, benchDatabase, printTable, report, summarise, time } from './lib.ts'
import { organisations, random, scatteredPlace } from './made-up.ts'

const ACTIVITIES = [
  ['Walking group', 'walks'],
  ['Community garden', 'gardening'],
  ['Knit and natter', 'knitting'],
  ['Choir', 'singing'],
  ['Chair yoga', 'yoga'],
  ['Benefits advice', 'benefits'],
  ['Men’s shed', 'woodwork'],
  ['Creative writing', 'writing'],
  ['Book club', 'reading'],
  ['Cookery class', 'cooking'],
  ['Swimming for health', 'swimming'],
  ['Befriending', 'befriending'],
  ['Debt advice', 'debt'],
  ['Art group', 'painting'],
  ['Volunteering café', 'volunteering'],
  ['Tai chi', 'exercise'],
] as const

const TOWNS = [
  'Leeds',
  'Bristol',
  'Norwich',
  'Carlisle',
  'Exeter',
  'Hull',
  'Luton',
  'Preston',
  'Derby',
  'Ipswich',
]

export async function run(options: BenchOptions): Promise<void> {
  const count = options.quick ? 10_000 : 100_000
  const iterations = options.quick ? 200 : 1_000
  const bench = await benchDatabase(options.dialect)
  const { db } = bench
  try {
    const next = random(42)
    const categories = (await listTerms(db)).filter(
      (t) => t.vocabulary === 'category' || t.vocabulary === 'area',
    )
    const providers = await organisations(db, 50, 'Provider')

    const loadStarted = performance.now()
    const batch = 500
    for (let start = 0; start < count; start += batch) {
      const services: Insertable<ServiceTable>[] = []
      const locations: Insertable<ServiceLocationTable>[] = []
      const terms: Insertable<ServiceTermTable>[] = []
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const [title, word] = ACTIVITIES[Math.floor(next() * ACTIVITIES.length)]!
        const town = TOWNS[Math.floor(next() * TOWNS.length)]!
        // Half the services cluster around real places, half spread across England.
        const { latitude, longitude } = scatteredPlace(next)
        const chosen = [...new Set([0, 1].map(() => categories[Math.floor(next() * categories.length)]!))]
        const id = newId()
        const now = nowIso()
        const name = `${title} ${town} ${i}`
        const description = `A friendly ${word} session for people in ${town}. Come along and meet others.`
        services.push({
          id,
          provider_organisation_id: providers[i % providers.length]!,
          name,
          description,
          kind: SERVICE_KINDS[i % SERVICE_KINDS.length]!,
          status: next() < 0.95 ? 'active' : 'inactive',
          self_referral: i % 2,
          criteria: '[]',
          criteria_notes: '',
          additional_needs: '',
          disclaimer: '',
          cost: '',
          free: 1,
          age_max: null,
          schedule: '',
          contact_name: '',
          email: '',
          phone: '',
          url: '',
          external_id: null,
          last_reviewed_on: '2026-10-01',
          age_min: next() < 0.3 ? 18 : null,
          search_text: searchDocument({
            name,
            description,
            termLabels: chosen.map((t) => t.label),
            termIds: chosen.map((t) => t.id),
            points: [{ latitude, longitude }],
          }),
          created_at: now,
          updated_at: now,
        })
        locations.push({
          id: newId(),
          service_id: id,
          name: town,
          address: '',
          town,
          postcode: null,
          latitude,
          longitude,
        })
        for (const term of chosen) terms.push({ service_id: id, term_id: term.id })
      }
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('services').values(services).execute()
        await trx.insertInto('service_locations').values(locations).execute()
        await trx.insertInto('service_terms').values(terms).execute()
      })
    }
    // As autovacuum would have by now: statistics, and PostgreSQL's GIN pending list merged.
    await sql.raw(options.dialect === 'postgres' ? 'vacuum analyze' : 'analyze').execute(db)
    const loadSeconds = (performance.now() - loadStarted) / 1000

    const queries = Array.from({ length: 97 }, (_, i) => {
      const place = DEMO_PLACES[i % DEMO_PLACES.length]!
      return {
        text: ACTIVITIES[i % ACTIVITIES.length]![1],
        termId: categories[i % categories.length]!.id,
        near: { latitude: place.latitude, longitude: place.longitude, radiusKm: 10 },
      }
    })

    if (process.env.BENCH_EXPLAIN) {
      // The plan of the first search's bare SQL, to see which index each database uses.
      const { text, termId, near } = queries[0]!
      const condition = serviceTextMatches(db, text, {
        all: [termToken(termId)],
        any: cellsCovering(near.latitude, near.longitude, near.radiusKm),
      })!
      const compiled = db
        .selectFrom('services')
        .select('services.id')
        .where('services.status', '=', 'active')
        .where(condition)
        .compile()
      const prefix = options.dialect === 'postgres' ? 'explain analyze ' : 'explain query plan '
      const plan = await db.executeQuery({ ...compiled, sql: prefix + compiled.sql })
      for (const row of plan.rows as Record<string, unknown>[]) console.log(Object.values(row).join(' '))
    }

    let matched = 0
    const searchSamples = await time(async (i) => {
      const query = queries[i % queries.length]!
      const found = await searchServices(db, { ...query, page: 1, perPage: 20 })
      matched += found.total
      await getServiceRecords(
        db,
        found.hits.map((h) => h.id),
      )
    }, iterations)

    // The bare SQL behind a search: the same conditions, rows only, no distances and no records.
    const bareSamples = await time(async (i) => {
      const { text, termId, near } = queries[i % queries.length]!
      await db
        .selectFrom('services')
        .innerJoin('service_locations', 'service_locations.service_id', 'services.id')
        .select(['services.id', 'service_locations.latitude', 'service_locations.longitude'])
        .where('services.status', '=', 'active')
        .where(
          serviceTextMatches(db, text, {
            all: [termToken(termId)],
            any: cellsCovering(near.latitude, near.longitude, near.radiusKm),
          })!,
        )
        .execute()
    }, iterations)

    const search = summarise(searchSamples)
    const bare = summarise(bareSamples)
    const totalSeconds = searchSamples.reduce((a, b) => a + b, 0) / 1000
    printTable(`Directory search, ${count.toLocaleString('en-GB')} services, ${options.dialect}`, [
      { what: 'search + page of records', ...search, per_second: iterations / totalSeconds },
      { what: 'bare SQL', ...bare, per_second: iterations / (bareSamples.reduce((a, b) => a + b, 0) / 1000) },
    ])
    console.log(
      `Loaded in ${loadSeconds.toFixed(1)} s; ${(matched / iterations).toFixed(1)} services matched a search on average.`,
    )
    report({
      name: 'directory',
      database: options.dialect,
      sizes: { services: count, iterations },
      p50: search.p50,
      p95: search.p95,
      p99: search.p99,
      rate: iterations / totalSeconds,
      bareSqlP50: bare.p50,
      bareSqlP95: bare.p95,
      bareSqlP99: bare.p99,
      meanMatches: matched / iterations,
      targetP95Ms: 10,
    })
  } finally {
    await bench.close()
  }
}
