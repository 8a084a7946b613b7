// `npm run bench -- reports [--db sqlite|postgres] [--quick]`: the Activity, Referrals and Outcomes
// reports over the national year that bench/casework.ts builds (1.3M cases, 5M appointments),
// with needs on every case, 1.6 onward referrals and signposts per case, a referral behind every
// case (with first replies and decline reasons) and two SWEMWBS readings for a third of people,
// all made in the database. Timed through the JSON API as an administrator: one programme (a
// borough) for a year, p95 target 200 ms; the whole country for a year, target 5 s. --quick uses
// a small scale.
//
// Loading the full scale takes a long while. BENCH_KEEP_DIR=/some/folder keeps the loaded SQLite
// file or PostgreSQL data directory in that folder (reports-full-sqlite, reports-quick-postgres,
// ...); a later run with the same BENCH_KEEP_DIR migrates it to the latest schema, analyses it and
// measures at once, timing the reports against the clock of the original load. Delete the folder
// to load again.

import { sql } from 'kysely'
import { createApiToken } from '../src/access/tokens.ts'
import { keepSignpostsInStep } from '../src/casework/store.ts'
import { nowIso } from '../src/db/ids.ts'
import type { Db } from '../src/db/schema.ts'
import { keepScoresInStep, updateOutcomeSettings } from '../src/outcomes/store.ts'
import { getProgramme, updateProgrammeSettings } from '../src/programmes/store.ts'
import { NEEDS } from '../src/reports/testing.ts'
import { createAccount, testApp } from '../src/web/testing.ts'
import { load } from './casework.ts'
import { type BenchOptions, benchDatabase, printTable, report, summarise, time } from './lib.ts'

const BENCH_NEEDS = [
  ...NEEDS,
  { id: 'physical-activity', label: 'Physical activity' },
  { id: 'managing-a-long-term-condition', label: 'Managing a long-term condition' },
  { id: 'carers-support', label: 'Support for carers' },
]

const FULL = { cases: 1_300_000, appointments: 5_000_000, workers: 3_300, programmes: 42 }
const QUICK = { cases: 20_000, appointments: 77_000, workers: 50, programmes: 6 }

type Dialect = 'sqlite' | 'postgres'

function uuid(dialect: Dialect, tag: number, i: string): string {
  return dialect === 'sqlite'
    ? `printf('%08x-0000-7000-8000-%012x', ${tag}, ${i})`
    : `(lpad(to_hex(${tag}), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(${i}), 12, '0'))`
}

function counter(dialect: Dialect, from: number, to: number): string {
  return dialect === 'postgres'
    ? `with recursive s(i) as (select ${from}::bigint union all select i + 1 from s where i + 1 < ${to})`
    : `with recursive s(i) as (select ${from} union all select i + 1 from s where i + 1 < ${to})`
}

/** Adds to the casework national year what the reports read. */
async function extend(db: Db, dialect: Dialect, scale: typeof FULL, programmes: string[]) {
  const N = scale.cases
  const created = nowIso()
  const batch = 250_000
  const series = async (n: number, build: (from: number, to: number) => string) => {
    await db.transaction().execute(async (trx) => {
      for (let from = 0; from < n; from += batch)
        await sql.raw(build(from, Math.min(n, from + batch))).execute(trx)
    })
  }
  // Needs: one or two of the Tower Hamlets five on each case, by the last digit of its id.
  await sql
    .raw(
      `update cases set needs = case substr(id, 36, 1)
         when '0' then '["weight-management"]' when '1' then '["weight-management","financial"]'
         when '2' then '["low-level-mental-health"]' when '3' then '["low-level-mental-health","social-isolation"]'
         when '4' then '["social-isolation"]' when '5' then '["housing"]' when '6' then '["financial"]'
         when '7' then '["weight-management","housing"]' else '[]' end`,
    )
    .execute(db)
  // Onward referrals and signposts: 1.6 per case, to 3,000 services, a few weeks after opening.
  const S = Math.round(N * 1.6)
  await series(
    S,
    (from, to) =>
      `${counter(dialect, from, to)} insert into case_signposts (id, case_id, programme_id, kind, referral_id, service_id, service_name, need, note, user_id, created_at, taken_up)
       select ${uuid(dialect, 7, 'i')}, c.id, c.programme_id, case when i % 5 < 3 then 'referral' else 'signpost' end, null,
         'bench-service-' || (i % 3000), 'Service ' || (i % 3000), null, '', null, c.opened_at, null
       from s join cases c on c.id = ${uuid(dialect, 4, `(i % ${N})`)}`,
  )
  // Each carries its case's link worker, practice and dates, and its place among its case's others.
  await keepSignpostsInStep(db, 'all')
  // A referral behind every case, made two to nine days before it opened; most accepted.
  await series(
    N,
    (from, to) =>
      `${counter(dialect, from, to)} insert into referrals (id, programme_id, service_id, target_name, receiving_organisation_id, person_id, practice_ods_code, referrer_kind, referrer_user_id, referrer_organisation_id, referrer_name, referrer_contact, source_case_id, status, flagged_for_review, eligibility, answers, needs, goals, what_matters, reason, consent_id, submission_key, decision_reason, decision_note, first_reply_at, first_reply, nudge_due_at, decline_due_at, nudged_at, created_at, updated_at)
       select ${uuid(dialect, 8, 'i')}, c.programme_id, null, 'Bench programme', c.organisation_id, c.person_id, null,
         case i % 10 when 0 then 'social_care' when 1 then 'mdt' when 2 then 'self' else 'gp_practice' end,
         null, null, 'Referrer', '01632 960 000', null,
         case when i % 20 = 0 then 'rejected' when i % 50 = 1 then 'cancelled' else 'accepted' end, 0, '{}', '{}', '[]', '[]', '', '', null, null,
         case when i % 20 = 0 then 'no-capacity' else null end, null,
         c.opened_at, case when i % 20 = 0 then 'rejected' else 'accepted' end,
         c.opened_at, c.opened_at, null, c.opened_at, c.opened_at
       from s join cases c on c.id = ${uuid(dialect, 4, 'i')}`,
  )
  // Two SWEMWBS readings for every third person, the second a little better on average.
  await series(
    Math.ceil(N / 3) * 2,
    (from, to) =>
      `${counter(dialect, from, to)} insert into outcome_readings (id, person_id, programme_id, instrument_id, stage, taken_at, answers, scores, entered_by, recorded_by_user_id, recorded_at)
       select ${uuid(dialect, 9, 'i')}, c.person_id, c.programme_id, 'swemwbs', case when i % 2 = 0 then 'baseline' else 'exit' end,
         case when i % 2 = 0 then c.opened_at else coalesce(c.closed_at, c.opened_at) end, '{}',
         '{"metric":' || (18 + (i % 7) + (i % 2) * (i % 5)) || ',"raw":' || (20 + (i % 7)) || '}', 'link_worker', null, '${created}'
       from s join cases c on c.id = ${uuid(dialect, 4, `((i / 2) * 3)`)}`,
  )
  // Their scores as numbers, each beside the same score of the person's first reading.
  await keepScoresInStep(db, 'all')
  for (const programmeId of programmes)
    await updateOutcomeSettings(
      db,
      programmeId,
      { measures: [{ instrumentId: 'swemwbs', stages: ['baseline', 'exit'] }] },
      null,
    )
  if (dialect === 'postgres') {
    await sql`vacuum analyze`.execute(db)
    await sql`checkpoint`.execute(db)
  } else {
    await sql`analyze`.execute(db)
    await sql`pragma wal_checkpoint(truncate)`.execute(db)
  }
  return { signposts: S, referrals: N, readings: Math.ceil(N / 3) * 2 }
}

/** What a kept database remembers of its load. */
interface Kept {
  now: string
  programmes: string[]
  sizes: { signposts: number; referrals: number; readings: number }
  loadSeconds: number
}

export async function run(options: BenchOptions): Promise<void> {
  const scale = options.quick ? QUICK : FULL
  const bench = await benchDatabase(options.dialect, 10, `reports-${options.quick ? 'quick' : 'full'}`)
  const { db } = bench
  try {
    let kept = bench.loaded as Kept | undefined
    if (kept) {
      // Migrations may have added indexes or tables since the load, or rewritten rows: give the
      // planner their figures (and PostgreSQL's index-only scans a current visibility map).
      const started = performance.now()
      await (options.dialect === 'postgres' ? sql`vacuum analyze` : sql`analyze`).execute(db)
      console.log(
        `Reused the data loaded in ${kept.loadSeconds.toFixed(1)} s (analysed in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      )
    } else {
      const now = new Date()
      const started = performance.now()
      await load(db, options.dialect, scale, now)
      const programmes = (await db.selectFrom('programmes').select('id').orderBy('name').execute()).map(
        (p) => p.id,
      )
      const sizes = await extend(db, options.dialect, scale, programmes)
      const loadSeconds = (performance.now() - started) / 1000
      console.log(`Loaded in ${loadSeconds.toFixed(1)} s`)
      kept = { now: now.toISOString(), programmes, sizes, loadSeconds }
      await bench.keep(kept)
    }
    const { programmes, sizes, loadSeconds } = kept
    // Every programme records needs, as the seed schemes do: the five the cases carry and three
    // more, so the report counts eight for each (and a kept database from before gets them too).
    for (const programmeId of programmes) {
      const programme = (await getProgramme(db, programmeId))!
      await updateProgrammeSettings(db, programmeId, { ...programme, needs: BENCH_NEEDS })
    }
    const now = new Date(kept.now)
    const app = await testApp(db, { env: 'production' }, () => now)
    const admin = await createAccount(db, 'administrator')
    const { token } = await createApiToken(db, admin.userId, 'bench')
    const to = now.toISOString().slice(0, 10)
    const from = new Date(now.getTime() - 364 * 86_400_000).toISOString().slice(0, 10)
    const get = async (url: string) => {
      const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
      if (response.statusCode !== 200)
        throw new Error(`${url} answered ${response.statusCode}: ${response.body}`)
    }
    const iterations = options.quick ? 10 : 20
    const rows: Record<string, string | number>[] = []
    const figures: Record<string, number> = {}
    for (const name of ['activity', 'referrals', 'outcomes']) {
      const borough = await time(
        (i) =>
          get(`/api/v1/reports/${name}?from=${from}&to=${to}&programme=${programmes[i % programmes.length]}`),
        iterations,
        2,
      )
      const country = await time(
        () => get(`/api/v1/reports/${name}?from=${from}&to=${to}`),
        options.quick ? 2 : 1,
        0,
      )
      rows.push({ report: `${name}, one programme`, ...summarise(borough) })
      rows.push({ report: `${name}, whole country`, ...summarise(country) })
      figures[`${name}BoroughP95`] = summarise(borough).p95
      figures[`${name}CountryMs`] = Math.max(...country)
    }
    printTable(
      `Reports on ${options.dialect}: ${scale.cases} cases, ${sizes.signposts} signposts, ${sizes.referrals} referrals, ${sizes.readings} readings, ${scale.programmes} programmes (ms)`,
      rows,
    )
    await app.close()
    report({
      name: 'reports',
      database: options.dialect,
      sizes: {
        cases: scale.cases,
        signposts: sizes.signposts,
        referrals: sizes.referrals,
        readings: sizes.readings,
      },
      p50: 0,
      p95: Math.max(figures.activityBoroughP95!, figures.referralsBoroughP95!, figures.outcomesBoroughP95!),
      p99: 0,
      rate: 0,
      ...figures,
      loadSeconds,
      targetP95: 200,
      targetCountryMs: 5000,
    })
  } finally {
    await bench.close()
  }
}
