// Sustained referral submissions through the HTTP API: `POST /api/v1/referrals` with the
// eligibility check, over real HTTP to a listening Kith, from several clients at once. Each
// submission is a new person (duplicate check, person record, consent, referral, history entry,
// audit events and the team's notification, one transaction). Also times `POST
// /api/v1/eligibility-checks` alone. Target: at least 1,000 referrals a second.
//
//   npm run bench -- referrals [--db sqlite|postgres] [--quick]

import { performance } from 'node:perf_hooks'
import { createOrganisation } from '../src/access/store.ts'
import { createApiToken } from '../src/access/tokens.ts'
import { buildApp } from '../src/app.ts'
import { SOCIAL_PRESCRIBING_CRITERIA } from '../src/directory/index.ts'
import { defaultSettings } from '../src/programmes/config.ts'
import { addLinkWorker, createProgramme, setProgrammePractices } from '../src/programmes/store.ts'
import { createAccount, testConfig } from '../src/web/testing.ts'
import { type BenchOptions, benchDatabase, printTable, report, summarise } from './lib.ts'

const ANSWERS = {
  'capacity-to-engage': true,
  'needs-identified-by-practice': true,
  'wants-to-make-change': true,
  'third-party-without-patient': false,
  'crisis-needs': false,
  intoxication: false,
  'risk-to-staff': false,
  'acute-safeguarding': false,
  'acute-smi': false,
  'open-to-iapt-or-secondary-care-same-need': false,
}

/** Runs `total` requests from `concurrency` clients; returns each one's time in ms and the wall time. */
async function load(
  total: number,
  concurrency: number,
  send: (i: number) => Promise<number>,
): Promise<{ samples: number[]; seconds: number; failures: number }> {
  const samples: number[] = []
  let next = 0
  let failures = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        const t = performance.now()
        const status = await send(i)
        samples.push(performance.now() - t)
        if (status >= 300) failures++
      }
    }),
  )
  return { samples, seconds: (performance.now() - started) / 1000, failures }
}

export async function run({ dialect, quick }: BenchOptions): Promise<void> {
  const concurrency = 64
  const database = await benchDatabase(dialect, concurrency)
  const { db } = database
  try {
    const owner = await createOrganisation(db, {
      name: 'Bench VCS',
      kind: 'vcs',
      parentId: null,
      odsCode: null,
      postcode: null,
    })
    const practice = await createOrganisation(db, {
      name: 'Bench Surgery',
      kind: 'practice',
      parentId: null,
      odsCode: 'Z99001',
      postcode: null,
    })
    const programmeId = await createProgramme(db, {
      name: 'Bench programme',
      ownerOrganisationId: owner,
      settings: {
        ...defaultSettings('Bench programme'),
        practiceRegistrationRequired: true,
        criteria: SOCIAL_PRESCRIBING_CRITERIA.filter((c) => c.kind !== 'referrer'),
        needs: [{ id: 'social-isolation', label: 'Social isolation' }],
      },
    })
    await setProgrammePractices(db, programmeId, [practice])
    const worker = await createAccount(db, 'link_worker', { organisationId: owner })
    await addLinkWorker(db, programmeId, worker.userId)
    const referrer = await createAccount(db, 'referrer', { organisationId: practice })
    const { token } = await createApiToken(db, referrer.userId, 'bench')

    const app = await buildApp(testConfig({ logLevel: 'silent' }), { db })
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${address}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      })
      await response.arrayBuffer()
      return response.status
    }

    const referrals = quick ? 1000 : 10_000
    const checks = quick ? 1000 : 10_000
    const referral = (i: number) => ({
      programmeId,
      person: {
        givenName: `Bench${i}`,
        familyName: `Person${process.pid}`,
        dateOfBirth: `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
        registeredPracticeId: practice,
      },
      referrerKind: 'gp_practice',
      referrerContact: '01632 960 100',
      consent: { givenBy: 'person', method: 'verbal', givenAt: '2026-01-01T10:00:00Z' },
      answers: ANSWERS,
      needs: ['social-isolation'],
      goals: ['Meet people'],
      whatMatters: 'Getting out of the house',
    })
    // Warm up: connections, statement caches, the JIT.
    await load(200, concurrency, (i) => post('/api/v1/referrals', referral(1_000_000 + i)))

    const submitted = await load(referrals, concurrency, (i) => post('/api/v1/referrals', referral(i)))
    const checked = await load(checks, concurrency, () =>
      post('/api/v1/eligibility-checks', {
        programmeId,
        person: { dateOfBirth: '1970-01-01', practiceOdsCode: 'Z99001', conditions: [] },
        referrerKind: 'gp_practice',
        answers: { ...ANSWERS, 'consent-given': true },
        goals: ['Meet people'],
      }),
    )
    const writes = (app as unknown as { referralWrites: { commits: number; writes: number } }).referralWrites
    await app.close()

    const submissions = summarise(submitted.samples)
    const eligibility = summarise(checked.samples)
    const rate = referrals / submitted.seconds
    const checkRate = checks / checked.seconds
    printTable(`Referrals through the HTTP API (${dialect}, ${concurrency} clients)`, [
      {
        operation: 'POST /api/v1/referrals',
        count: referrals,
        'per second': rate,
        ...msOf(submissions),
        failures: submitted.failures,
      },
      {
        operation: 'POST /api/v1/eligibility-checks',
        count: checks,
        'per second': checkRate,
        ...msOf(eligibility),
        failures: checked.failures,
      },
    ])
    report({
      name: 'referrals',
      database: dialect,
      sizes: { referrals, checks, concurrency },
      p50: submissions.p50,
      p95: submissions.p95,
      p99: submissions.p99,
      rate,
      failures: submitted.failures + checked.failures,
      writesPerCommit: writes.writes / Math.max(1, writes.commits),
      eligibilityRate: checkRate,
      eligibilityP50: eligibility.p50,
      eligibilityP95: eligibility.p95,
    })
  } finally {
    await database.close()
  }
}

function msOf(summary: { p50: number; p95: number; p99: number }) {
  return { 'p50 ms': summary.p50, 'p95 ms': summary.p95, 'p99 ms': summary.p99 }
}
