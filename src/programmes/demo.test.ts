import assert from 'node:assert/strict'
import { it } from 'node:test'
import { loadCurrentUser } from '../access/store.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { conditionByCode } from '../people/conditions.ts'
import {
  describePrescription,
  furtherAppointmentProblem,
  prescriptionWeeksProblem,
  programmeCriteria,
} from './config.ts'
import { evaluate } from './eligibility.ts'
import {
  getProgramme,
  isLinkWorkerOf,
  namedLinkWorkerFor,
  type Programme,
  programmesCoveringPractice,
  programmesManagedBy,
  programmesOfUser,
} from './store.ts'

const TODAY = '2026-11-22'

describeEachDatabase('the demo programmes', (database) => {
  it('holds every scheme in the seeds with its own rules, and the functions others call read them', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const programmes: Record<string, Programme> = {}
    for (const [key, id] of Object.entries(demo.programmes.programmes)) {
      const programme = await getProgramme(db, id)
      assert.ok(programme, key)
      programmes[key] = programme
    }
    assert.deepEqual(Object.keys(programmes).sort(), [
      'bwd.mental-health',
      'bwd.recovery',
      'cots',
      'culm',
      'er',
      'luton',
      'merton',
      'roth',
      'th',
      'th.sps',
      'wtw',
    ])
    const { wtw, er, luton, roth, th, merton, culm, cots } = programmes as Record<string, Programme>
    const organisation = (key: string) => demo.access.organisations[key] as string
    const user = (email: string) => demo.access.users[email] as string

    // Every SNOMED CT code in any programme's criteria is one Kith lists, with its display text.
    for (const programme of Object.values(programmes)) {
      for (const criterion of programme.criteria) {
        if (criterion.kind !== 'conditions') continue
        for (const condition of criterion.anyOf) assert.deepEqual(conditionByCode(condition.code), condition)
      }
    }

    // Ways to Wellness: 40 to 74, the listed conditions, a practice in its area, GP referral.
    assert.ok(wtw)
    const wtwCriteria = programmeCriteria(wtw)
    const person = {
      today: TODAY,
      dateOfBirth: '1970-06-01',
      conditions: ['13645005', '35489007'],
      practiceOdsCode: 'Z20003',
      referrerKind: 'gp_practice' as const,
      consentGiven: true,
    }
    assert.equal(evaluate(wtwCriteria, person).outcome, 'eligible')
    assert.equal(evaluate(wtwCriteria, { ...person, conditions: ['35489007'] }).outcome, 'ineligible')
    assert.equal(evaluate(wtwCriteria, { ...person, practiceOdsCode: 'Z30001' }).outcome, 'ineligible')
    assert.equal(evaluate(wtwCriteria, { ...person, dateOfBirth: '1990-06-01' }).outcome, 'ineligible')
    assert.deepEqual(
      wtw.practices.map((p) => p.odsCode),
      ['Z20001', 'Z20002', 'Z20003', 'Z20004', 'Z20005'],
    )

    // East Riding: GPs refer directly to services.
    assert.equal(er?.pathway, 'direct_to_service')
    assert.deepEqual(er?.referralSources, ['gp_practice'])

    // Blackburn with Darwen: two volunteering programmes taking GP, social care and council referrals.
    for (const key of ['bwd.recovery', 'bwd.mental-health']) {
      assert.equal(programmes[key]?.pathway, 'volunteering')
      assert.deepEqual(programmes[key]?.referralSources, ['gp_practice', 'social_care', 'council'])
      assert.equal(programmes[key]?.linkWorkerTitle, 'Project officer')
    }

    // Luton: a 12-week prescription. Rotherham: 8 to 16 weeks, home visits, may continue after.
    assert.equal(describePrescription(luton?.prescription ?? null), '12 weeks')
    assert.equal(
      prescriptionWeeksProblem(luton?.prescription ?? null, 10),
      'Prescriptions in this programme are 12 weeks',
    )
    assert.equal(prescriptionWeeksProblem(luton?.prescription ?? null, 12), undefined)
    assert.deepEqual(roth?.prescription, { minWeeks: 8, maxWeeks: 16, mayContinueAfter: true })
    assert.equal(
      prescriptionWeeksProblem(roth?.prescription ?? null, 17),
      'Prescriptions in this programme are 8 to 16 weeks',
    )
    assert.ok(roth?.appointments.modes.includes('home_visit'))
    assert.deepEqual(roth?.referralSources, ['gp_practice', 'social_care', 'mdt', 'other_professional'])

    // Tower Hamlets: its needs taxonomy, and a named social prescriber for every practice.
    assert.deepEqual(
      th?.needs.map((n) => n.label),
      ['Weight management', 'Low-level mental health', 'Social isolation', 'Housing', 'Financial'],
    )
    assert.equal(th?.linkWorkerTitle, 'Social prescriber')
    assert.ok(th?.practices.length === 10 && th.practices.every((p) => p.namedLinkWorker !== null))
    assert.deepEqual(await namedLinkWorkerFor(db, th.id, organisation('th.mission')), {
      userId: user('prescriber2.towerhamlets@kith.example'),
      name: 'Shirin Akhtar',
    })

    // The Social Prescribing Service (18+) listing's own programme: an initial appointment and at
    // most 5 further ones, the exit included, at the practice, a community venue or walking.
    const listing = programmes['th.sps']!
    assert.equal(listing.pathway, 'link_worker')
    assert.equal(listing.ownerOrganisationId, organisation('th.gpcg'))
    assert.equal(listing.appointments.furtherAppointmentsCap, 5)
    assert.deepEqual(listing.appointments.modes, ['practice', 'community_venue', 'walk_and_talk'])
    assert.equal(furtherAppointmentProblem(listing.appointments, 4), undefined)
    assert.match(furtherAppointmentProblem(listing.appointments, 5) ?? '', /at most 5 further appointments/)
    assert.deepEqual(
      listing.linkWorkers.map((w) => w.email),
      ['prescriber2.towerhamlets@kith.example', 'prescriber.towerhamlets@kith.example'],
    )
    assert.ok(listing.practices.every((p) => p.namedLinkWorker !== null))

    // Merton: a navigator two days a week in each of two practices; a one-hour initial appointment.
    assert.equal(merton?.appointments.lengths.initial, 60)
    assert.equal(merton?.linkWorkerTitle, 'Social Prescribing Navigator')
    assert.deepEqual(
      merton?.linkWorkers[0]?.days.map((d) => [
        d.weekday,
        merton.practices.find((p) => p.organisationId === d.practiceId)?.name,
      ]),
      [
        ['monday', 'High Street Wimbledon Surgery'],
        ['tuesday', 'High Street Wimbledon Surgery'],
        ['wednesday', 'Mitcham Green Surgery'],
        ['thursday', 'Mitcham Green Surgery'],
      ],
    )
    assert.equal(furtherAppointmentProblem(merton!.appointments, 50), undefined)

    // Culm Valley: self-referral allowed; Cotswold built from the same parts.
    assert.equal(culm?.selfReferralAllowed, true)
    assert.equal(culm?.linkWorkerTitle, 'Health facilitator')
    assert.equal(cots?.pathway, 'link_worker')
    assert.equal(
      evaluate(programmeCriteria(culm!), {
        today: TODAY,
        referrerKind: 'self',
        consentGiven: true,
        practiceOdsCode: 'Z10001',
      }).outcome,
      'eligible',
    )
    assert.equal(evaluate(programmeCriteria(wtw), { ...person, referrerKind: 'self' }).outcome, 'ineligible')

    // Who works where.
    const manager = await loadCurrentUser(db, user('manager.blackburn@kith.example'))
    assert.deepEqual(
      (await programmesManagedBy(db, manager!)).map((p) => p.name),
      [
        'Volunteering on prescription: drug and alcohol recovery',
        'Volunteering on prescription: mental health',
      ],
    )
    const officer = await loadCurrentUser(db, user('recovery.blackburn@kith.example'))
    assert.deepEqual(
      (await programmesOfUser(db, officer!)).map((p) => [p.name, p.manages, p.linkWorker]),
      [['Volunteering on prescription: drug and alcohol recovery', false, true]],
    )
    assert.equal(await isLinkWorkerOf(db, th.id, user('prescriber.towerhamlets@kith.example')), true)
    assert.equal(await isLinkWorkerOf(db, th.id, user('navigator.merton@kith.example')), false)
    assert.deepEqual(
      (await programmesCoveringPractice(db, organisation('bwd.central'))).map((p) => p.name),
      [
        'Volunteering on prescription: drug and alcohol recovery',
        'Volunteering on prescription: mental health',
      ],
    )
  })
})
