// The outcomes, attendance and kiosk part of the demo: every programme's measure schedule; Ways
// to Wellness's own star and its outcome-payment rule, with people who have readings (so the SIB
// view has something to count); Luton people with ONS4 and loneliness readings, attendance
// cards, a prescription and check-ins; and a Culm Valley person with a card and a kiosk reading. Demo people are fictional
// and have no NHS number.

import type { Actor } from '../access/audit.ts'
import { type AccessDemo, DEMO_ORGANISATIONS } from '../access/demo.ts'
import { loadCurrentUser } from '../access/store.ts'
import { checkIn, issueCard } from '../attendance/store.ts'
import { openCase, prescribe } from '../casework/cases.ts'
import type { Db } from '../db/schema.ts'
import type { DirectoryDemo } from '../directory/demo.ts'
import { assess } from '../kiosk/measurements.ts'
import { insertCardlessKioskReading, insertKioskReading } from '../kiosk/store.ts'
import { personInputSchema } from '../people/person.ts'
import { createPersonRecord } from '../people/records.ts'
import type { ProgrammesDemo } from '../programmes/demo.ts'
import { recordReading } from './measures.ts'
import type { ScheduledMeasure } from './schedule.ts'
import { updateOutcomeSettings } from './store.ts'

export interface OutcomesDemo {
  /** Demo people's ids by a short key (`wtw.1`). */
  people: Record<string, string>
}

const SYSTEM: Actor = { userId: null, ip: null }

/** The Ways to Wellness star: the programme's own domains (not a licensed instrument's). */
export const WTW_STAR = {
  id: 'ways-to-wellness-star',
  name: 'Ways to Wellness star',
  domains: [
    { id: 'managing-my-condition', label: 'Managing my condition' },
    { id: 'being-active', label: 'Being active' },
    { id: 'eating-well', label: 'Eating well' },
    { id: 'feeling-positive', label: 'Feeling positive' },
    { id: 'people-around-me', label: 'People around me' },
    { id: 'money-and-home', label: 'Money and home' },
  ],
  scale: { min: 1, max: 10, minLabel: 'Struggling a lot', maxLabel: 'Doing as well as I can' },
}

const SCHEDULES: Record<string, ScheduledMeasure[]> = {
  culm: [{ instrumentId: 'ons4', stages: ['baseline', 'exit'] }],
  wtw: [
    { instrumentId: 'star:ways-to-wellness-star', stages: ['baseline', 'review', 'exit'] },
    { instrumentId: 'swemwbs', stages: ['baseline', 'exit'] },
  ],
  luton: [
    { instrumentId: 'ons4', stages: ['baseline', 'review'] },
    { instrumentId: 'loneliness', stages: ['baseline', 'review'] },
  ],
  'bwd.recovery': [{ instrumentId: 'swemwbs', stages: ['baseline', 'exit'] }],
  'bwd.mental-health': [{ instrumentId: 'swemwbs', stages: ['baseline', 'review', 'exit'] }],
  roth: [{ instrumentId: 'ons4', stages: ['baseline', 'exit'] }],
  th: [
    { instrumentId: 'ons4', stages: ['baseline', 'exit'] },
    { instrumentId: 'loneliness', stages: ['baseline', 'exit'] },
  ],
  merton: [{ instrumentId: 'ons4', stages: ['baseline', 'exit'] }],
  // The seeds name no measure for these two; ONS4 at the start and the exit, as the others do.
  cots: [{ instrumentId: 'ons4', stages: ['baseline', 'exit'] }],
  'th.sps': [{ instrumentId: 'ons4', stages: ['baseline', 'exit'] }],
}

// Six domains, baseline then latest, for each Ways to Wellness demo person.
const WTW_READINGS: { name: [string, string]; practice: string; readings: number[][] }[] = [
  {
    name: ['Brenda', 'Example'],
    practice: 'wtw.benwell',
    readings: [
      [3, 2, 4, 3, 2, 5],
      [5, 4, 5, 6, 4, 5],
    ],
  },
  {
    name: ['Colin', 'Sample'],
    practice: 'wtw.denton',
    readings: [
      [4, 3, 3, 4, 5, 4],
      [4, 3, 3, 4, 5, 4],
    ],
  },
  {
    name: ['Doreen', 'Fictional'],
    practice: 'wtw.elswick',
    readings: [
      [2, 2, 3, 2, 3, 3],
      [3, 4, 3, 4, 5, 3],
      [4, 5, 4, 5, 6, 4],
    ],
  },
  {
    name: ['Errol', 'Madeup'],
    practice: 'wtw.fenham',
    readings: [
      [5, 4, 6, 5, 4, 6],
      [4, 3, 6, 5, 4, 5],
    ],
  },
  {
    name: ['Fatima', 'Placeholder'],
    practice: 'wtw.westroad',
    readings: [
      [3, 3, 4, 2, 2, 4],
      [6, 5, 5, 5, 6, 4],
    ],
  },
  { name: ['Gordon', 'Testcase'], practice: 'wtw.benwell', readings: [[4, 4, 4, 4, 4, 4]] },
]

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000)

export async function seedOutcomesDemo(
  db: Db,
  access: AccessDemo,
  programmes: ProgrammesDemo,
  directory: DirectoryDemo,
): Promise<OutcomesDemo> {
  const people: Record<string, string> = {}
  const programme = (key: string) => {
    const id = programmes.programmes[key]
    if (!id) throw new Error(`The demo has no programme ${key}`)
    return id
  }
  const person = async (key: string, [givenName, familyName]: [string, string], practiceKey: string) => {
    const id = await createPersonRecord(
      db,
      SYSTEM,
      personInputSchema(new Date().toISOString().slice(0, 10)).parse({
        givenName,
        familyName,
        dateOfBirth: '1961-03-14',
        registeredPracticeId: access.organisations[practiceKey],
        addressLines: [],
        // Near their practice: its postcode, a real place (shared/reference/demo-places.csv).
        postcode: DEMO_ORGANISATIONS.find((o) => o.key === practiceKey)?.postcode ?? null,
        contactMethods: [],
        conditions: [],
      }),
    )
    people[key] = id
    return id
  }

  for (const [key, measures] of Object.entries(SCHEDULES)) {
    if (!programmes.programmes[key]) continue
    await updateOutcomeSettings(
      db,
      programme(key),
      key === 'wtw'
        ? {
            measures,
            star: WTW_STAR,
            paymentRules: {
              instrumentId: `star:${WTW_STAR.id}`,
              perPersonImprovedPence: 25_000,
              capPence: null,
            },
          }
        : { measures },
      null,
    )
  }

  // Ways to Wellness: star readings for the SIB view.
  const wtw = programme('wtw')
  const wtwWorker = access.users['linkworker.newcastle@kith.example'] ?? null
  for (const [index, demo] of WTW_READINGS.entries()) {
    const id = await person(`wtw.${index + 1}`, demo.name, demo.practice)
    await openCase(db, SYSTEM, { personId: id, programmeId: wtw })
    for (const [n, values] of demo.readings.entries()) {
      await recordReading(
        db,
        { userId: wtwWorker, ip: null },
        {
          personId: id,
          programmeId: wtw,
          instrumentId: `star:${WTW_STAR.id}`,
          stage: n === 0 ? 'baseline' : n === demo.readings.length - 1 && n > 1 ? 'exit' : 'review',
          answers: Object.fromEntries(WTW_STAR.domains.map((d, i) => [d.id, values[i]])),
          enteredBy: 'link_worker',
          takenAt: daysAgo(120 - n * 60).toISOString(),
        },
      )
    }
  }

  // Luton: a case with a 12-week prescription, a card and check-ins at the activity.
  const luton = programme('luton')
  const navigatorId = access.users['navigator.luton@kith.example']
  const navigator = navigatorId ? await loadCurrentUser(db, navigatorId) : undefined
  const exercise = directory.services['luton.exercise']
  const providerId = access.users['provider.luton@kith.example'] ?? null
  for (const [index, name] of (
    [
      ['Harold', 'Example'],
      ['Imani', 'Sample'],
    ] as [string, string][]
  ).entries()) {
    const id = await person(`luton.${index + 1}`, name, 'luton.mersey')
    const caseId = await openCase(db, SYSTEM, { personId: id, programmeId: luton, practiceOdsCode: null })
    const actor = { userId: navigatorId ?? null, ip: null }
    const start = daysAgo(35).toISOString().slice(0, 10)
    if (navigator && exercise)
      await prescribe(db, { user: navigator, actor }, caseId, {
        serviceId: exercise,
        serviceName: 'Active Luton gentle exercise',
        need: null,
        weeks: 12,
        expectedSessions: 12,
        start,
      })
    // Harold has a baseline and a review; Imani only a baseline so far.
    const answers = [
      { ons4: [4, 5, 3, 7], loneliness: [3, 3, 2, 4] },
      { ons4: [6, 6, 6, 4], loneliness: [2, 2, 2, 3] },
    ]
    for (const [n, given] of answers.slice(0, index === 0 ? 2 : 1).entries()) {
      const stage = n === 0 ? 'baseline' : 'review'
      const takenAt = daysAgo(35 - n * 30).toISOString()
      const [life, worthwhile, happiness, anxiety] = given.ons4
      await recordReading(db, actor, {
        personId: id,
        programmeId: luton,
        instrumentId: 'ons4',
        stage,
        answers: { 'life-satisfaction': life, worthwhile, happiness, anxiety },
        enteredBy: 'link_worker',
        takenAt,
      })
      const [companionship, leftOut, isolated, lonely] = given.loneliness
      await recordReading(db, actor, {
        personId: id,
        programmeId: luton,
        instrumentId: 'loneliness',
        stage,
        answers: { 'lack-companionship': companionship, 'left-out': leftOut, isolated, lonely },
        enteredBy: n === 0 ? 'link_worker' : 'person',
        takenAt,
      })
    }
    const card = await issueCard(db, actor, id, luton)
    if (exercise)
      for (const days of index === 0 ? [33, 26, 19, 12, 5] : [33, 19]) {
        await checkIn(
          db,
          { userId: providerId, ip: null },
          {
            presented: { code: card.code },
            programmeId: luton,
            activity: { serviceId: exercise, serviceName: 'Active Luton gentle exercise' },
            at: daysAgo(days),
          },
        )
      }
  }

  // Culm Valley: a card used at the practice's kiosk.
  const culm = programme('culm')
  const culmId = await person('culm.1', ['Jean', 'Example'], 'culm.centre')
  await openCase(db, SYSTEM, { personId: culmId, programmeId: culm })
  const culmCard = await issueCard(
    db,
    { userId: access.users['facilitator.culm@kith.example'] ?? null, ip: null },
    culmId,
    culm,
  )
  const kioskUser = access.users['kiosk.culm@kith.example'] ?? null
  for (const [days, reading] of [
    [21, { systolic: 146, diastolic: 92, weightKg: 84, heightCm: 168 }],
    [7, { systolic: 138, diastolic: 86, weightKg: 82.5, heightCm: 168 }],
  ] as const) {
    await insertKioskReading(
      db,
      { userId: kioskUser, ip: null },
      {
        cardId: culmCard.card.id,
        personId: culmId,
        programmeId: culm,
        organisationId: access.organisations['culm.centre'] as string,
        at: daysAgo(days),
        result: assess(reading),
      },
    )
  }
  // Without her card, by date of birth and postcode; and a visitor's reading kept anonymously.
  await insertCardlessKioskReading(
    db,
    { userId: kioskUser, ip: null },
    {
      link: { personId: culmId, programmeId: culm },
      organisationId: access.organisations['culm.centre'] as string,
      at: daysAgo(2),
      result: assess({ systolic: 134, diastolic: 84, weightKg: 82, heightCm: 168 }),
    },
  )
  await insertCardlessKioskReading(
    db,
    { userId: kioskUser, ip: null },
    {
      organisationId: access.organisations['culm.centre'] as string,
      at: daysAgo(1),
      result: assess({ systolic: 122, diastolic: 78, weightKg: null, heightCm: null }),
    },
  )
  return { people }
}
