// Demo referrals across the schemes, in every status of the lifecycle, made through the same
// functions as real ones (so each has its history, consent, audit events and notifications).
// The people are fictional; the three with NHS numbers use the test values in
// shared/reference/reference.md (section 3). The Social Prescribing Service (18+) gets enough
// replies for its "usually replies in" and "accepted" statistics to show.

import { type AccessDemo, DEMO_ORGANISATIONS } from '../access/demo.ts'
import { loadCurrentUser } from '../access/store.ts'
import type { Db } from '../db/schema.ts'
import { type DirectoryDemo, SOCIAL_PRESCRIBING_SUITABLE_ANSWERS } from '../directory/demo.ts'
import type { PersonInput } from '../people/person.ts'
import type { ReferrerKind } from '../programmes/criteria.ts'
import type { ProgrammesDemo } from '../programmes/demo.ts'
import {
  applyReplyDeadlines,
  changeReferralStatus,
  createReferral,
  type ReferralAcceptedHandler,
  type TargetRef,
} from './index.ts'
import type { DeclineReason, ReferralStatus } from './lifecycle.ts'

const DAY = 86_400_000

interface DemoPerson {
  givenName: string
  familyName: string
  dateOfBirth: string
  practice: string
  nhsNumber?: string
  conditions?: string[]
}

interface DemoReferral {
  person: DemoPerson
  target: { programme: string } | { service: string }
  referrer: string
  referrerKind: ReferrerKind
  receiver: string
  /** The statuses it goes through after being sent, with the reason for a decline. */
  path: (ReferralStatus | [ReferralStatus, DeclineReason, string?])[]
  daysAgo: number
  /** Days from sending to the first reply. */
  replyAfterDays?: number
  needs?: string[]
  whatMatters: string
  goals: string[]
  answers?: Record<string, boolean>
}

const person = (
  givenName: string,
  familyName: string,
  dateOfBirth: string,
  practice: string,
  extra: Partial<DemoPerson> = {},
): DemoPerson => ({ givenName, familyName, dateOfBirth, practice, ...extra })

const sps = (
  p: DemoPerson,
  path: DemoReferral['path'],
  daysAgo: number,
  replyAfterDays: number,
): DemoReferral => ({
  person: p,
  target: { service: 'th.sps' },
  referrer: 'gp.towerhamlets@kith.example',
  referrerKind: 'gp_practice',
  receiver: 'prescriber.towerhamlets@kith.example',
  path,
  daysAgo,
  replyAfterDays,
  needs: ['social-isolation'],
  whatMatters: 'Feeling less alone and more confident going out',
  goals: ['Meet people nearby', 'Get out of the house twice a week'],
  answers: SOCIAL_PRESCRIBING_SUITABLE_ANSWERS,
})

export const DEMO_REFERRALS: DemoReferral[] = [
  {
    person: person('Maureen', 'Fictional', '1958-04-12', 'wtw.benwell', {
      nhsNumber: '9434765919',
      conditions: ['44054006', '35489007'],
    }),
    target: { programme: 'wtw' },
    referrer: 'gp.newcastle@kith.example',
    referrerKind: 'gp_practice',
    receiver: 'linkworker.newcastle@kith.example',
    path: ['received', 'accepted', 'in-progress'],
    daysAgo: 20,
    replyAfterDays: 2,
    needs: ['managing-a-long-term-condition'],
    whatMatters: 'Staying well enough to look after my grandchildren',
    goals: ['Walk to the park and back'],
    answers: {},
  },
  {
    person: person('Derek', 'Example', '1965-09-30', 'wtw.denton', {
      nhsNumber: '9434765870',
      conditions: ['13645005'],
    }),
    target: { programme: 'wtw' },
    referrer: 'gp.newcastle@kith.example',
    referrerKind: 'gp_practice',
    receiver: 'linkworker.newcastle@kith.example',
    path: [],
    daysAgo: 1,
    whatMatters: 'Breathing easier and getting out more',
    goals: ['Join a singing for lung health group'],
  },
  {
    person: person('Olive', 'Sample', '1950-01-20', 'culm.centre', { conditions: ['203082005'] }),
    target: { programme: 'culm' },
    referrer: 'gp.culm@kith.example',
    referrerKind: 'gp_practice',
    receiver: 'facilitator.culm@kith.example',
    path: ['accepted', 'completed'],
    daysAgo: 60,
    replyAfterDays: 1,
    whatMatters: 'Managing pain without more tablets',
    goals: ['Try the gentle exercise group'],
  },
  {
    person: person('Ray', 'Placeholder', '1972-06-05', 'er.beverley'),
    target: { service: 'er.exercise' },
    referrer: 'gp.eastriding@kith.example',
    referrerKind: 'gp_practice',
    receiver: 'provider.eastriding@kith.example',
    path: ['accepted'],
    daysAgo: 9,
    replyAfterDays: 3,
    whatMatters: 'Getting fitter after my heart scare',
    goals: ['Exercise three times a week'],
  },
  // East Riding: GPs refer straight to the programme's services; each provider replies, and
  // public health sees them all.
  {
    person: person('Hilda', 'Pretendson', '1959-03-17', 'er.beverley'),
    target: { service: 'er.livewell' },
    referrer: 'gp.eastriding@kith.example',
    referrerKind: 'gp_practice',
    receiver: 'manager.eastriding@kith.example',
    path: ['accepted', 'in-progress'],
    daysAgo: 26,
    replyAfterDays: 2,
    needs: ['healthy-lifestyle'],
    whatMatters: 'Stopping smoking before my grandson is born',
    goals: ['Stop smoking', 'Walk to the shops instead of driving'],
  },
  {
    person: person('Colin', 'Fakename', '1977-12-02', 'er.bridlington'),
    target: { service: 'er.books' },
    referrer: 'gp.eastriding@kith.example',
    referrerKind: 'gp_practice',
    receiver: 'library.eastriding@kith.example',
    path: [],
    daysAgo: 1,
    needs: ['low-level-mental-health'],
    whatMatters: 'Sleeping better and worrying less',
    goals: ['Read a self-help book on anxiety'],
  },
  // Blackburn with Darwen: accepted referrals open cases held by the project officer, with the
  // recovery support officer or the community navigator named to support.
  {
    person: person('Shaun', 'Inventedson', '1984-07-07', 'bwd.harwood'),
    target: { programme: 'bwd.recovery' },
    referrer: 'gp.blackburn@kith.example',
    referrerKind: 'gp_practice',
    receiver: 'officer.blackburn@kith.example',
    path: ['accepted'],
    daysAgo: 10,
    replyAfterDays: 2,
    needs: ['drug-and-alcohol-recovery', 'routine'],
    whatMatters: 'Keeping busy and staying sober',
    goals: ['Volunteer two mornings a week', 'Learn to cook for others'],
    answers: { 'drug-or-alcohol-recovery': true },
  },
  {
    person: person('Leanne', 'Storyteller', '1993-05-25', 'bwd.fishmoor'),
    target: { programme: 'bwd.mental-health' },
    referrer: 'socialworker.blackburn@kith.example',
    referrerKind: 'social_care',
    receiver: 'officer.blackburn@kith.example',
    path: ['accepted'],
    daysAgo: 8,
    replyAfterDays: 1,
    needs: ['low-level-mental-health', 'confidence-and-skills'],
    whatMatters: 'Getting my confidence back after being off work',
    goals: ['Help out in the community garden'],
    answers: { 'mental-health-problem': true },
  },
  {
    person: person('Janet', 'Madeup', '1981-11-11', 'bwd.central'),
    target: { programme: 'bwd.mental-health' },
    referrer: 'socialworker.blackburn@kith.example',
    referrerKind: 'social_care',
    receiver: 'navigator.blackburn@kith.example',
    path: ['received'],
    daysAgo: 3,
    whatMatters: 'Having something useful to do each week',
    goals: ['Volunteer one morning a week'],
  },
  {
    person: person('Kevin', 'Notreal', '1990-02-14', 'luton.mersey'),
    target: { programme: 'luton' },
    referrer: 'gp.luton@kith.example',
    referrerKind: 'gp_practice',
    receiver: 'navigator.luton@kith.example',
    path: [['rejected', 'person-declined', 'He would rather wait until after his operation.']],
    daysAgo: 12,
    replyAfterDays: 4,
    whatMatters: 'Losing touch with friends since the accident',
    goals: ['See friends again'],
  },
  {
    person: person('Edith', 'Imaginary', '1945-07-19', 'roth.doncastergate'),
    target: { programme: 'roth' },
    referrer: 'gp.rotherham@kith.example',
    referrerKind: 'gp_practice',
    receiver: 'worker.rotherham@kith.example',
    path: ['accepted', 'failed'],
    daysAgo: 40,
    replyAfterDays: 2,
    whatMatters: 'Staying in her own home',
    goals: ['Get help with the garden'],
  },
  {
    person: person('Bernard', 'Pretend', '1968-03-03', 'cots.avenue'),
    target: { programme: 'cots' },
    referrer: 'gp.cotswold@kith.example',
    referrerKind: 'gp_practice',
    receiver: 'linkworker.cotswold@kith.example',
    path: ['cancelled'],
    daysAgo: 15,
    whatMatters: 'Getting back to work',
    goals: ['Find help with money'],
  },
  {
    person: person('Priya', 'Invented', '1985-08-22', 'merton.wimbledon', { nhsNumber: '9000000009' }),
    target: { programme: 'merton' },
    referrer: 'gp.merton@kith.example',
    referrerKind: 'gp_practice',
    receiver: 'navigator.merton@kith.example',
    path: [],
    daysAgo: 16,
    whatMatters: 'Sorting out the benefits forms',
    goals: ['Fill in the PIP form'],
  },
  // Tower Hamlets: the Social Prescribing Service (18+), enough replies for its statistics.
  sps(person('Amina', 'Fictitious', '1979-05-01', 'th.bromleybybow'), ['accepted', 'in-progress'], 30, 2),
  sps(person('Tom', 'Hypothetical', '1983-10-10', 'th.mission'), ['accepted', 'completed'], 50, 3),
  sps(person('Lena', 'Storybook', '1992-12-12', 'th.mileend'), ['accepted'], 25, 4),
  sps(person('George', 'Nobody', '1960-06-30', 'th.poplar'), ['accepted'], 22, 3),
  sps(
    person('Sadia', 'Unreal', '1975-09-09', 'th.bow'),
    [
      [
        'rejected',
        'more-suitable-service',
        'Her needs are mainly about debt: referred to the advice service.',
      ],
    ],
    18,
    2,
  ),
  sps(person('Frank', 'Testcase', '1955-02-28', 'th.bromleybybow'), ['accepted', 'in-progress'], 14, 3),
  sps(person('Nora', 'Demo', '1988-04-04', 'th.mission'), ['received'], 2, 0),
]

export interface ReferralsDemo {
  referrals: string[]
}

/** Where a demo person lives: their practice's postcode, a real place (src/directory/demo.ts DEMO_PLACES). */
function homePostcode(practice: string): string | null {
  return DEMO_ORGANISATIONS.find((o) => o.key === practice)?.postcode ?? null
}

function birthFacts(p: DemoPerson, practiceId: string): PersonInput {
  return {
    nhsNumber: p.nhsNumber ?? null,
    givenName: p.givenName,
    familyName: p.familyName,
    dateOfBirth: p.dateOfBirth,
    sexOrGender: null,
    addressLines: [],
    postcode: homePostcode(p.practice),
    phone: '01632 960 123',
    email: null,
    contactMethods: ['phone'],
    mayLeaveMessages: true,
    registeredPracticeId: practiceId,
    conditions: p.conditions ?? [],
  }
}

export async function seedReferralsDemo(
  db: Db,
  access: AccessDemo,
  programmes: ProgrammesDemo,
  directory: DirectoryDemo,
  options: { now?: Date; onAccepted?: readonly ReferralAcceptedHandler[] } = {},
): Promise<ReferralsDemo> {
  const now = options.now ?? new Date()
  const referrals: string[] = []
  for (const demo of DEMO_REFERRALS) {
    const referrerId = access.users[demo.referrer]
    const receiverId = access.users[demo.receiver]
    const practiceId = access.organisations[demo.person.practice]
    if (!referrerId || !receiverId || !practiceId)
      throw new Error(`Demo referral names an unknown account or practice`)
    const referrer = await loadCurrentUser(db, referrerId)
    const receiver = await loadCurrentUser(db, receiverId)
    if (!referrer || !receiver) throw new Error('Demo referral account missing')
    let target: TargetRef
    if ('programme' in demo.target) {
      const id = programmes.programmes[demo.target.programme]
      if (!id) throw new Error(`Demo referral names unknown programme ${demo.target.programme}`)
      target = { programmeId: id }
    } else {
      const id = directory.services[demo.target.service]
      if (!id) throw new Error(`Demo referral names unknown service ${demo.target.service}`)
      target = { serviceId: id }
    }
    const sentAt = new Date(now.getTime() - demo.daysAgo * DAY)
    const outcome = await createReferral(
      db,
      { userId: referrerId, ip: null },
      {
        target,
        person: { details: birthFacts(demo.person, practiceId), createNew: true },
        referrer: {
          kind: demo.referrerKind,
          userId: referrerId,
          organisationId: referrer.memberships[0]?.organisationId ?? null,
          name: referrer.name,
          contact: referrer.email,
        },
        consent: {
          about: 'Referral',
          givenBy: 'person',
          representativeName: null,
          representativeRelationship: null,
          method: 'verbal',
          givenAt: sentAt.toISOString(),
        },
        needs: demo.needs ?? [],
        whatMatters: demo.whatMatters,
        goals: demo.goals,
        reason: 'Demo referral',
        answers: demo.answers ?? { 'consent-given': true },
      },
      { now: sentAt },
    )
    if (outcome.outcome !== 'sent') {
      throw new Error(
        `Demo referral for ${demo.person.givenName} was not sent: ${outcome.eligibility.reasons
          .filter((r) => r.met === false)
          .map((r) => r.message)
          .join(' ')}`,
      )
    }
    referrals.push(outcome.referralId)
    let at = sentAt.getTime() + (demo.replyAfterDays ?? 1) * DAY
    for (const step of demo.path) {
      const [to, reason, note] = Array.isArray(step) ? step : [step, null, null]
      const by = to === 'cancelled' ? referrer : receiver
      at = Math.min(at, now.getTime())
      await changeReferralStatus(
        db,
        { userId: by.id, ip: null },
        outcome.referralId,
        {
          to,
          reason: reason ?? null,
          // A provider finishing a referral says what happened: the referrer reads it as the outcome.
          note: note ?? (to === 'completed' ? 'Came to every session and has finished the course.' : null),
        },
        { user: by },
        { now: new Date(at), onAccepted: options.onAccepted ?? [] },
      )
      at += 2 * DAY
    }
  }
  // A referral left without a reply past its deadline is declined, as the scheduler would.
  await applyReplyDeadlines(db, now)
  return { referrals }
}
