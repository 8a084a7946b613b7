// `npm run bench -- casework [--db sqlite|postgres] [--quick]`: a national year of casework
// (1.3M referrals opening 1.3M cases, 5M appointments, 3,300 link workers), then the server time
// of the caseload page, the case page and the week's diary, each through the real app with a
// signed-in link worker. Target: p95 <= 20 ms. The data is made in the database itself with
// INSERT … SELECT over a recursive counter, in one transaction per table, so loading takes
// minutes, not hours. --quick uses a small scale.

import { performance } from 'node:perf_hooks'
import { type RawBuilder, sql } from 'kysely'
import { SESSION_COOKIE } from '../src/access/plugin.ts'
import { createSession } from '../src/access/sessions.ts'
import { createOrganisation } from '../src/access/store.ts'
import { nowIso } from '../src/db/ids.ts'
import type { Db } from '../src/db/schema.ts'
import { defaultSettings } from '../src/programmes/config.ts'
import { createProgramme } from '../src/programmes/store.ts'
import { testApp } from '../src/web/testing.ts'
import { type BenchOptions, benchDatabase, printTable, report, summarise, time } from './lib.ts'

const FULL = { cases: 1_300_000, appointments: 5_000_000, workers: 3_300, programmes: 42 }
const QUICK = { cases: 20_000, appointments: 77_000, workers: 50, programmes: 6 }

type Dialect = 'sqlite' | 'postgres'

/** A UUID-shaped id from a table tag and a counter, made in SQL. */
function uuid(dialect: Dialect, tag: number, i: string): string {
  return dialect === 'sqlite'
    ? `printf('%08x-0000-7000-8000-%012x', ${tag}, ${i})`
    : `(lpad(to_hex(${tag}), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(${i}), 12, '0'))`
}

/** An ISO UTC text time from seconds since the epoch, made in SQL. */
function iso(dialect: Dialect, seconds: string): string {
  return dialect === 'sqlite'
    ? `strftime('%Y-%m-%dT%H:%M:%fZ', ${seconds}, 'unixepoch')`
    : `to_char(to_timestamp(${seconds}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
}

function day(dialect: Dialect, seconds: string): string {
  return dialect === 'sqlite'
    ? `strftime('%Y-%m-%d', ${seconds}, 'unixepoch')`
    : `to_char(to_timestamp(${seconds}) at time zone 'UTC', 'YYYY-MM-DD')`
}

/** Rows 0..n-1 as `i`, in batches so one statement never holds too much. */
async function insertSeries(
  db: Db,
  n: number,
  build: (from: number, to: number) => RawBuilder<unknown>,
  batch = 250_000,
) {
  for (let from = 0; from < n; from += batch) {
    await build(from, Math.min(n, from + batch)).execute(db)
  }
}

/** A counter from `from` to `to - 1` as `s(i)`; bigint so products like i * 7919 do not overflow on PostgreSQL. */
let counter = (from: number, to: number) =>
  `with recursive s(i) as (select ${from} union all select i + 1 from s where i + 1 < ${to})`

export async function load(db: Db, dialect: Dialect, scale: typeof FULL, now: Date) {
  if (dialect === 'postgres')
    counter = (from, to) =>
      `with recursive s(i) as (select ${from}::bigint union all select i + 1 from s where i + 1 < ${to})`
  const nowS = Math.floor(now.getTime() / 1000)
  const yearS = 365 * 86_400
  const created = nowIso()
  const owners: string[] = []
  const programmes: string[] = []
  for (let p = 0; p < scale.programmes; p++) {
    const owner = await createOrganisation(db, {
      name: `Bench area ${p}`,
      kind: 'programme_body',
      parentId: null,
      odsCode: null,
      postcode: null,
    })
    owners.push(owner)
    programmes.push(
      await createProgramme(db, {
        name: `Bench programme ${p}`,
        ownerOrganisationId: owner,
        settings: {
          ...defaultSettings(`Bench programme ${p}`),
          prescription: { minWeeks: 8, maxWeeks: 16, mayContinueAfter: true },
        },
      }),
    )
  }
  await sql`create table bench_programmes (k integer primary key, programme_id text not null, owner_id text not null)`.execute(
    db,
  )
  await db
    .insertInto('bench_programmes' as never)
    .values(programmes.map((id, k) => ({ k, programme_id: id, owner_id: owners[k] })) as never)
    .execute()

  const W = scale.workers
  const P = scale.programmes
  const N = scale.cases
  const A = scale.appointments
  await db.transaction().execute(async (trx) => {
    await sql
      .raw(
        `${counter(0, W)} insert into users (id, email, name, password_hash, active, created_at, updated_at, last_sign_in_at)
         select ${uuid(dialect, 1, 'i')}, 'worker' || i || '@bench.example', 'Worker ' || i, null, 1, '${created}', '${created}', null from s`,
      )
      .execute(trx)
    await sql
      .raw(
        `${counter(0, W)} insert into memberships (id, user_id, organisation_id, role, title, created_at)
         select ${uuid(dialect, 2, 'i')}, ${uuid(dialect, 1, 'i')}, b.owner_id, 'link_worker', null, '${created}'
         from s join bench_programmes b on b.k = s.i % ${P}`,
      )
      .execute(trx)
    await sql
      .raw(
        `${counter(0, W)} insert into programme_link_workers (programme_id, user_id, added_at)
         select b.programme_id, ${uuid(dialect, 1, 'i')}, '${created}' from s join bench_programmes b on b.k = s.i % ${P}`,
      )
      .execute(trx)
  })
  const started = performance.now()
  // People: one per case.
  await db.transaction().execute((trx) =>
    insertSeries(trx as unknown as Db, N, (from, to) =>
      sql.raw(
        `${counter(from, to)} insert into people (id, nhs_number, given_name, family_name, given_name_key, family_name_key, date_of_birth, sex_or_gender, address_lines, postcode, phone, email, contact_methods, may_leave_messages, registered_practice_id, created_at, updated_at)
         select ${uuid(dialect, 3, 'i')}, null, 'Given' || i, 'Family' || i, 'given' || i, 'family' || i, '1960-01-01', null, '[]', null, null, null, '[]', 0, null, '${created}', '${created}' from s`,
      ),
    ),
  )
  // Cases: case i is worker (i % W)'s; about one in seven is open, opened in the last 60 days.
  await db.transaction().execute((trx) =>
    insertSeries(trx as unknown as Db, N, (from, to) =>
      sql.raw(
        `${counter(from, to)} insert into cases (id, person_id, programme_id, referral_id, practice_organisation_id, organisation_id, link_worker_user_id, status, needs, opened_at, first_contact_at, closed_at, closure_reason, exit_plan, updated_at)
         select ${uuid(dialect, 4, 'i')}, ${uuid(dialect, 3, 'i')}, b.programme_id, null, null, b.owner_id, ${uuid(dialect, 1, `(i % ${W})`)},
           case when i % 7 = 0 then 'open' else 'closed' end, '[]',
           case when i % 7 = 0 then ${iso(dialect, `${nowS} - (i % 60) * 86400`)} else ${iso(dialect, `${nowS - yearS} + (i % ${yearS})`)} end,
           case when i % 7 = 0 and i % 3 = 0 then null else ${iso(dialect, `${nowS - yearS} + (i % ${yearS})`)} end,
           case when i % 7 = 0 then null else '${created}' end,
           case when i % 7 = 0 then null else 'goals_met' end, null, '${created}'
         from s join bench_programmes b on b.k = (i % ${W}) % ${P}`,
      ),
    ),
  )
  const casesLoaded = performance.now()
  // Appointments: appointment j is case (j % N)'s, spread over the year and the next month.
  await db.transaction().execute((trx) =>
    insertSeries(trx as unknown as Db, A, (from, to) =>
      sql.raw(
        `${counter(from, to)} insert into case_appointments (id, case_id, link_worker_user_id, kind, mode, place, starts_at, ends_at, status, cap_exception_reason, cap_exception_by_user_id, goal_ids, arrived_at, departed_at, created_at, updated_at)
         select ${uuid(dialect, 5, 'i')}, ${uuid(dialect, 4, `(i % ${N})`)}, ${uuid(dialect, 1, `((i % ${N}) % ${W})`)},
           case when i < ${N} then 'initial' else 'follow_up' end, 'practice', '',
           ${iso(dialect, `${nowS - yearS + 30 * 86_400} + ((i * 7919) % ${yearS}) - ((i * 7919) % ${yearS}) % 900`)},
           ${iso(dialect, `${nowS - yearS + 30 * 86_400} + ((i * 7919) % ${yearS}) - ((i * 7919) % ${yearS}) % 900 + 2700`)},
           case when ${nowS - yearS + 30 * 86_400} + ((i * 7919) % ${yearS}) > ${nowS} then 'booked' else 'attended' end,
           null, null, '[]', null, null, '${created}', '${created}'
         from s`,
      ),
    ),
  )
  const appointmentsLoaded = performance.now()
  // Prescriptions: one for every third case, ending around now.
  await db.transaction().execute((trx) =>
    insertSeries(trx as unknown as Db, Math.ceil(N / 3), (from, to) =>
      sql.raw(
        `${counter(from, to)} insert into case_prescriptions (id, case_id, person_id, service_id, service_name, need, weeks, expected_sessions, starts_on, ends_on, reviewed_at, continued, created_at)
         select ${uuid(dialect, 6, 'i')}, ${uuid(dialect, 4, 'i * 3')}, ${uuid(dialect, 3, 'i * 3')}, 'bench-service', 'Walking group', null, 12, 12,
           ${day(dialect, `${nowS} - 84 * 86400 + (i % 30) * 86400`)}, ${day(dialect, `${nowS} + (i % 30 - 15) * 86400`)}, null, 0, '${created}'
         from s`,
      ),
    ),
  )
  // A loaded production database has been vacuumed: its visibility map lets the caseload's
  // covering indexes answer without reading the tables, and autovacuum of the new rows does not
  // run during the measurements.
  // The load's writes then reach the disk before the timings (a checkpoint), so the first page
  // measured does not wait behind gigabytes of write-back at its commit.
  if (dialect === 'postgres') {
    await sql`vacuum analyze`.execute(db)
    await sql`checkpoint`.execute(db)
  } else {
    await sql`analyze`.execute(db)
    await sql`pragma wal_checkpoint(truncate)`.execute(db)
  }
  return {
    seconds: {
      cases: (casesLoaded - started) / 1000,
      appointments: (appointmentsLoaded - casesLoaded) / 1000,
      total: (performance.now() - started) / 1000,
    },
  }
}

export async function run(options: BenchOptions): Promise<void> {
  const scale = options.quick ? QUICK : FULL
  const bench = await benchDatabase(options.dialect)
  const { db } = bench
  try {
    const now = new Date()
    const loaded = await load(db, options.dialect, scale, now)
    console.log(
      `Loaded in ${loaded.seconds.total.toFixed(1)} s (cases ${loaded.seconds.cases.toFixed(1)} s, appointments ${loaded.seconds.appointments.toFixed(1)} s)`,
    )
    // Production settings: templates compiled once and cached, as a deployed Kith runs.
    const app = await testApp(db, { env: 'production' }, () => now)
    const workers = Array.from({ length: Math.min(100, scale.workers) }, (_, k) =>
      Math.floor((k * scale.workers) / Math.min(100, scale.workers)),
    )
    const hex = (n: number, width: number) => n.toString(16).padStart(width, '0')
    const workerId = (w: number) => `${hex(1, 8)}-0000-7000-8000-${hex(w, 12)}`
    const caseId = (i: number) => `${hex(4, 8)}-0000-7000-8000-${hex(i, 12)}`
    const cookies: string[] = []
    for (const w of workers)
      cookies.push(
        `${SESSION_COOKIE}=${await createSession(db, workerId(w), { idleMinutes: 600, maxHours: 12 })}`,
      )
    // An open case of worker w: i ≡ w (mod W) and i ≡ 0 (mod 7).
    const openCaseOf = (w: number, k: number) => {
      for (let i = w + k * scale.workers; i < scale.cases; i += scale.workers)
        if (i % 7 === 0) return caseId(i)
      return caseId(w)
    }
    const inject = async (url: string, cookie: string) => {
      const response = await app.inject({ method: 'GET', url, headers: { cookie } })
      if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`)
    }
    const iterations = options.quick ? 100 : 300
    const pick = (i: number) => i % workers.length
    const caseload = await time((i) => inject('/casework', cookies[pick(i)]!), iterations)
    const casePage = await time(
      (i) => inject(`/casework/cases/${openCaseOf(workers[pick(i)]!, i % 3)}`, cookies[pick(i)]!),
      iterations,
    )
    const diary = await time(
      (i) => inject(`/casework/diary?view=week&date=${now.toISOString().slice(0, 10)}`, cookies[pick(i)]!),
      iterations,
    )
    const rows = [
      { page: 'caseload', ...summarise(caseload) },
      { page: 'case page', ...summarise(casePage) },
      { page: 'diary (week)', ...summarise(diary) },
    ]
    printTable(
      `Casework on ${options.dialect}: ${scale.cases} cases, ${scale.appointments} appointments, ${scale.workers} link workers (ms)`,
      rows,
    )
    const all = summarise([...caseload, ...casePage, ...diary])
    await app.close()
    report({
      name: 'casework',
      database: options.dialect,
      sizes: { cases: scale.cases, appointments: scale.appointments, linkWorkers: scale.workers },
      p50: all.p50,
      p95: all.p95,
      p99: all.p99,
      rate: 1000 / all.mean,
      caseloadP95: rows[0]!.p95,
      casePageP95: rows[1]!.p95,
      diaryP95: rows[2]!.p95,
      loadSeconds: loaded.seconds.total,
      targetP95: 20,
    })
  } finally {
    await bench.close()
  }
}
