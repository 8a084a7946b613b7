// Demo cases for the link-worker schemes: open cases at different stages (waiting for a first
// contact, mid-plan with appointments and goals, a prescription ending or overdue for review, a
// home visit), so that every caseload, diary and case page has something to show. The people
// are fictional and have no NHS number; their postcodes are real places near their practice
// (shared/reference/demo-places.csv), so Kith knows where they are and how far services are.

import type { Actor } from '../access/audit.ts'
import type { Db, Queryable } from '../db/schema.ts'
import { personInputSchema } from '../people/person.ts'
import { createPersonRecord } from '../people/records.ts'
import type { AppointmentKind, AppointmentMode } from '../programmes/config.ts'
import type { ProgrammesDemo } from '../programmes/demo.ts'
import { openCase } from './cases.ts'
import {
  type AppointmentStatus,
  addDays,
  type GoalProgress,
  type NoteType,
  prescriptionEnd,
} from './rules.ts'
import { findService } from './services.ts'
import {
  addEvent,
  getCase,
  insertAppointment,
  insertGoal,
  insertNote,
  insertPrescription,
  insertPrescriptionReview,
  insertSignpost,
  markFirstContact,
  reviewPrescription,
  savePlan,
} from './store.ts'

interface DemoAppointment {
  kind: AppointmentKind
  mode: AppointmentMode
  /** Days from today (negative: past) and the London-ish hour (UTC in winter). */
  day: number
  hour: number
  minutes: number
  status: AppointmentStatus
  place?: string
  visit?: 'arrived' | 'both'
}

interface DemoCase {
  programme: string
  practice: string
  person: {
    givenName: string
    familyName: string
    dateOfBirth: string
    postcode: string
    conditions?: string[]
  }
  openedDaysAgo: number
  needs: string[]
  plan?: {
    whatMatters: string
    agreedFocus: string
    actions: string
    followUpMode: AppointmentMode
    followUpLocation: string
    followUpFrequency: string
  }
  goals?: { text: string; targetInDays: number; progress: GoalProgress }[]
  appointments?: DemoAppointment[]
  prescriptions?: {
    service: string
    need: string
    weeks: number
    sessions: number
    startedDaysAgo: number
    reviewed?: 'continued' | 'ended'
  }[]
  signposts?: { service: string; need: string; note: string }[]
  notes?: { type: NoteType; text: string }[]
}

const A = (
  kind: AppointmentKind,
  mode: AppointmentMode,
  day: number,
  hour: number,
  minutes: number,
  status: AppointmentStatus,
  extra: Partial<DemoAppointment> = {},
): DemoAppointment => ({
  kind,
  mode,
  day,
  hour,
  minutes,
  status,
  ...extra,
})

export const DEMO_CASES: DemoCase[] = [
  {
    programme: 'th',
    practice: 'Z80001',
    person: { givenName: 'Rahima', familyName: 'Demo-Khatun', dateOfBirth: '1958-04-12', postcode: 'E3 3FF' },
    openedDaysAgo: 9,
    needs: ['social-isolation', 'housing'],
  },
  {
    programme: 'th',
    practice: 'Z80001',
    person: {
      givenName: 'Joseph',
      familyName: 'Demo-Okafor',
      dateOfBirth: '1971-09-30',
      postcode: 'E3 3FF',
      conditions: ['44054006'],
    },
    openedDaysAgo: 30,
    needs: ['weight-management', 'low-level-mental-health'],
    plan: {
      whatMatters: 'Feeling less tired and getting back to playing with my grandchildren.',
      agreedFocus: 'Moving more and eating better, one step at a time.',
      actions: 'Joseph to try the weight management group. Link worker to check on the housing repair.',
      followUpMode: 'practice',
      followUpLocation: 'Bromley by Bow practice',
      followUpFrequency: 'Every 2 weeks',
    },
    goals: [
      { text: 'Walk to the park and back three times a week', targetInDays: 42, progress: 'started' },
      { text: 'Cook a proper meal twice a week', targetInDays: 56, progress: 'not_started' },
    ],
    appointments: [
      A('initial', 'practice', -21, 10, 60, 'attended', { place: 'Room 4' }),
      A('follow_up', 'community_venue', -7, 14, 45, 'attended', { place: 'Community centre' }),
      A('follow_up', 'practice', 2, 10, 45, 'booked', { place: 'Room 4' }),
      A('review', 'phone', 2, 10, 30, 'booked'),
    ],
    signposts: [
      {
        service: 'Social Prescribing for Weight Management',
        need: 'weight-management',
        note: 'Leaflet given; Joseph will call them.',
      },
    ],
  },
  {
    programme: 'merton',
    practice: 'Z90001',
    person: {
      givenName: 'Maria',
      familyName: 'Demo-Santos',
      dateOfBirth: '1966-01-20',
      postcode: 'SW19 1NX',
      conditions: ['197480006'],
    },
    openedDaysAgo: 20,
    needs: ['forms-and-benefits', 'home-and-family-stability'],
    plan: {
      whatMatters: 'Keeping my flat and not worrying about money every day.',
      agreedFocus: 'Sort out the benefits claim first.',
      actions: 'Navigator to help fill in the claim form. Maria to bring her letters.',
      followUpMode: 'practice',
      followUpLocation: 'Wimbledon surgery',
      followUpFrequency: 'Weekly for a month',
    },
    goals: [{ text: 'Get the benefits I am entitled to', targetInDays: 28, progress: 'half_way' }],
    appointments: [
      A('initial', 'practice', -14, 9, 60, 'attended', { place: 'Navigator room' }),
      A('follow_up', 'practice', 1, 9, 45, 'booked', { place: 'Navigator room' }),
    ],
    notes: [
      {
        type: 'benefits_check',
        text: 'Checked eligibility: likely entitled to pension credit top-up. Form started.',
      },
      { type: 'form_filling', text: 'Completed first half of the claim form together.' },
      {
        type: 'counselling_engagement',
        text: 'Talked about the counselling service; Maria will think about it.',
      },
    ],
  },
  {
    programme: 'merton',
    practice: 'Z90002',
    person: { givenName: 'Tom', familyName: 'Demo-Price', dateOfBirth: '1949-07-03', postcode: 'CR4 3DA' },
    openedDaysAgo: 3,
    needs: ['social-connectedness'],
  },
  {
    programme: 'luton',
    practice: 'Z50001',
    person: {
      givenName: 'Aisha',
      familyName: 'Demo-Begum',
      dateOfBirth: '1980-11-11',
      postcode: 'LU1 1HH',
      conditions: ['35489007'],
    },
    openedDaysAgo: 100,
    needs: ['physical-activity', 'wellbeing-and-mental-health'],
    plan: {
      whatMatters: 'Getting my confidence back after a hard year.',
      agreedFocus: 'Gentle exercise and meeting people.',
      actions: 'Aisha to go to the gentle exercise class each week, using her card.',
      followUpMode: 'community_venue',
      followUpLocation: 'Active Luton centre',
      followUpFrequency: 'Monthly',
    },
    goals: [
      { text: 'Go to a class every week without missing one', targetInDays: -2, progress: 'nearly_there' },
    ],
    appointments: [
      A('initial', 'practice', -95, 11, 60, 'attended'),
      A('follow_up', 'community_venue', -60, 11, 45, 'attended'),
      A('review', 'practice', 5, 11, 30, 'booked'),
    ],
    prescriptions: [
      {
        service: 'Active Luton gentle exercise',
        need: 'physical-activity',
        weeks: 12,
        sessions: 12,
        startedDaysAgo: 88,
      },
    ],
  },
  {
    programme: 'luton',
    practice: 'Z50002',
    person: {
      givenName: 'Daniel',
      familyName: 'Demo-Walker',
      dateOfBirth: '1975-05-05',
      postcode: 'LU4 8BY',
    },
    openedDaysAgo: 50,
    needs: ['social-activity'],
    appointments: [
      A('initial', 'practice', -45, 15, 60, 'attended'),
      A('follow_up', 'phone', -10, 15, 30, 'did_not_attend'),
    ],
    prescriptions: [
      { service: 'Friendship café', need: 'social-activity', weeks: 12, sessions: 12, startedDaysAgo: 75 },
    ],
  },
  {
    programme: 'roth',
    practice: 'Z60001',
    person: {
      givenName: 'Brenda',
      familyName: 'Demo-Hall',
      dateOfBirth: '1944-02-28',
      postcode: 'S65 1DA',
      conditions: ['13645005'],
    },
    openedDaysAgo: 120,
    needs: ['social-isolation'],
    plan: {
      whatMatters: 'Having someone to talk to and getting out of the house.',
      agreedFocus: 'Meeting people nearby.',
      actions: 'Brenda to try the lunch club with her neighbour.',
      followUpMode: 'home_visit',
      followUpLocation: 'Home',
      followUpFrequency: 'Every 3 weeks',
    },
    goals: [
      { text: 'Go out for lunch with other people once a week', targetInDays: 14, progress: 'achieved' },
    ],
    appointments: [
      A('initial', 'home_visit', -115, 10, 60, 'attended', { visit: 'both' }),
      A('follow_up', 'home_visit', 0, 8, 60, 'booked', { visit: 'arrived' }),
    ],
    prescriptions: [
      {
        service: 'Friendship lunch club',
        need: 'social-isolation',
        weeks: 10,
        sessions: 10,
        startedDaysAgo: 100,
        reviewed: 'continued',
      },
    ],
  },
  {
    programme: 'roth',
    practice: 'Z60002',
    person: { givenName: 'Gary', familyName: 'Demo-Lee', dateOfBirth: '1962-08-14', postcode: 'S61 1AH' },
    openedDaysAgo: 6,
    needs: [],
  },
  {
    programme: 'wtw',
    practice: 'Z20001',
    person: {
      givenName: 'Colin',
      familyName: 'Demo-Reed',
      dateOfBirth: '1957-12-01',
      postcode: 'NE4 9QB',
      conditions: ['13645005'],
    },
    openedDaysAgo: 12,
    needs: [],
  },
]

const DEMO_ACTOR: Actor = { userId: null, ip: null }

export interface CaseworkDemo {
  /** Case ids, in the order of DEMO_CASES. */
  cases: string[]
}

function at(day: number, hour: number, minutes = 0): string {
  const base = new Date()
  base.setUTCHours(hour, minutes, 0, 0)
  return new Date(base.getTime() + day * 86_400_000).toISOString()
}

async function seedCase(trx: Queryable, demo: DemoCase, programmes: ProgrammesDemo) {
  const programmeId = programmes.programmes[demo.programme]
  if (!programmeId) throw new Error(`Demo case names unknown programme ${demo.programme}`)
  const today = new Date().toISOString().slice(0, 10)
  const personId = await createPersonRecord(
    trx,
    DEMO_ACTOR,
    personInputSchema(today).parse({
      nhsNumber: null,
      givenName: demo.person.givenName,
      familyName: demo.person.familyName,
      dateOfBirth: demo.person.dateOfBirth,
      postcode: demo.person.postcode,
      registeredPracticeId: null,
      conditions: demo.person.conditions ?? [],
    }),
  )
  const caseId = await openCase(trx, DEMO_ACTOR, {
    personId,
    programmeId,
    practiceOdsCode: demo.practice,
    needs: demo.needs,
  })
  const opened = at(-demo.openedDaysAgo, 9)
  await trx.updateTable('cases').set({ opened_at: opened }).where('id', '=', caseId).execute()
  await trx.updateTable('case_events').set({ at: opened }).where('case_id', '=', caseId).execute()
  const kase = await getCase(trx, caseId)
  const worker = kase?.linkWorkerUserId
  if (!worker) return caseId
  if (demo.plan) await savePlan(trx, caseId, demo.plan)
  for (const goal of demo.goals ?? [])
    await insertGoal(trx, caseId, {
      text: goal.text,
      targetDate: addDays(today, goal.targetInDays),
      progress: goal.progress,
    })
  for (const a of demo.appointments ?? []) {
    const startsAt = at(a.day, a.hour)
    const endsAt = at(a.day, a.hour, a.minutes)
    const id = await insertAppointment(trx, {
      caseId,
      linkWorkerUserId: worker,
      kind: a.kind,
      mode: a.mode,
      place: a.place ?? '',
      startsAt,
      endsAt,
      capExceptionReason: null,
      capExceptionByUserId: null,
      status: a.status,
    })
    if (a.visit) {
      await trx
        .updateTable('case_appointments')
        .set({ arrived_at: startsAt, departed_at: a.visit === 'both' ? endsAt : null })
        .where('id', '=', id)
        .execute()
    }
    if (a.status === 'attended') await markFirstContact(trx, caseId, startsAt)
    await addEvent(trx, caseId, {
      kind: 'appointment',
      summary: `Appointment booked (${a.kind.replace('_', '-')})`,
      userId: worker,
      at: startsAt,
    })
  }
  for (const p of demo.prescriptions ?? []) {
    const start = addDays(today, -p.startedDaysAgo)
    const id = await insertPrescription(trx, {
      caseId,
      personId,
      serviceId: (await findService(trx, p.service))?.id ?? 'not-in-directory',
      serviceName: p.service,
      need: p.need,
      weeks: p.weeks,
      expectedSessions: p.sessions,
      start,
      end: prescriptionEnd(start, p.weeks),
    })
    if (p.reviewed) {
      const at = new Date().toISOString()
      await insertPrescriptionReview(trx, {
        prescriptionId: id,
        caseId,
        userId: worker,
        reviewedAt: at,
        earlyReason: null,
        sessionsAttended: Math.max(0, p.sessions - 2),
        sessionsExpected: p.sessions,
        goals: [],
        selfCare: p.reviewed === 'continued' ? 'independent' : 'growing',
        assessment:
          p.reviewed === 'continued'
            ? 'Goes every week with her neighbour and will carry on without the prescription.'
            : '',
        nextStep: p.reviewed === 'continued' ? 'continue' : 'end',
        previousEnd: null,
        newEnd: null,
      })
      await reviewPrescription(trx, id, { continued: p.reviewed === 'continued', at })
    }
  }
  for (const s of demo.signposts ?? [])
    await insertSignpost(trx, caseId, {
      kind: 'signpost',
      referralId: null,
      serviceId: (await findService(trx, s.service))?.id ?? null,
      serviceName: s.service,
      need: s.need,
      note: s.note,
      userId: worker,
    })
  for (const n of demo.notes ?? []) await insertNote(trx, caseId, { ...n, authorUserId: worker })
  return caseId
}

/** Seeds the demo cases; the directory must be seeded first so prescriptions name its services. */
export async function seedCaseworkDemo(db: Db, programmes: ProgrammesDemo): Promise<CaseworkDemo> {
  return db.transaction().execute(async (trx) => {
    const cases: string[] = []
    for (const demo of DEMO_CASES) cases.push(await seedCase(trx, demo, programmes))
    return { cases }
  })
}
