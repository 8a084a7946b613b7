// The community part of the demo. Blackburn with Darwen: volunteering opportunities at real kinds
// of host (a food bank, a community garden, a charity shop, the CVS's café and green spaces) and
// people in placements at every stage, one of them stalled. Culm Valley: its groups from the seed
// with their details, meetings over the last months (the creative writing group has gone quiet),
// the support the health facilitator gave, and a fibromyalgia group being started. Every demo
// link worker has training records; the programmes that train their link workers require some.
// Demo people are fictional and have no NHS number.

import type { Actor } from '../access/audit.ts'
import { type AccessDemo, DEMO_ACCOUNTS, DEMO_ORGANISATIONS } from '../access/demo.ts'
import { createOrganisation } from '../access/store.ts'
import { openCase } from '../casework/index.ts'
import { newId, nowIso } from '../db/ids.ts'
import type { Db } from '../db/schema.ts'
import type { DirectoryDemo } from '../directory/demo.ts'
import { personInputSchema } from '../people/person.ts'
import { createPersonRecord } from '../people/records.ts'
import type { ProgrammesDemo } from '../programmes/demo.ts'
import { opportunitySchema } from './forms.ts'
import { saveGroupDetails, saveNewGroup } from './groups-store.ts'
import {
  insertHours,
  insertPlacement,
  saveOpportunityDetails,
  saveProfile,
  setPlacementStatus,
} from './store.ts'
import { setRequiredTraining } from './training-store.ts'
import { publishOpportunity } from './volunteering.ts'

const SYSTEM: Actor = { userId: null, ip: null }
const DAY = 86_400_000

export interface CommunityDemo {
  /** Opportunity (service) ids by demo key (`bwd.foodbank`). */
  opportunities: Record<string, string>
  placements: string[]
  /** The cases of the people placed, by given name in lower case (`marie`). */
  cases: Record<string, string>
}

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 10)
const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString()

const opportunity = (over: Record<string, unknown>) =>
  opportunitySchema.parse({
    dbsLevel: 'none',
    referencesNeeded: '0',
    active: 'yes',
    town: 'Blackburn',
    ...over,
  })

export async function seedCommunityDemo(
  db: Db,
  access: AccessDemo,
  programmes: ProgrammesDemo,
  directory: DirectoryDemo,
): Promise<CommunityDemo> {
  const org = (key: string) => access.organisations[key]!
  const user = (email: string) => access.users[email]!
  const programme = (key: string) => programmes.programmes[key]!
  const today = day(0)
  return db.transaction().execute(async (trx) => {
    // Hosts: a food bank and a charity shop beside the CVS, in Blackburn with Darwen.
    const host = (name: string) =>
      createOrganisation(trx, { name, kind: 'vcs', parentId: org('bwd'), odsCode: null, postcode: null })
    const foodBank = await host('Blackburn Community Food Bank')
    const charityShop = await host('East Lancashire Hospice Shop, Darwen')
    const opportunities: Record<string, string> = {}
    opportunities['bwd.foodbank'] = await publishOpportunity(
      trx,
      SYSTEM,
      foodBank,
      opportunity({
        name: 'Food bank volunteering',
        role: 'Warehouse and packing volunteer',
        involves:
          'Sort donations, pack food parcels and help hand them out, in a friendly team with a volunteer lead.',
        skillsGained: 'teamwork, food hygiene, stock control',
        interests: 'cooking, helping people',
        times: 'Tuesday and Thursday mornings, 9:30am to 12:30pm',
        days: ['TU', 'TH'],
        accessibility: 'Step-free access. Seated packing tasks available.',
        placesAvailable: '4',
        suits: ['drug-alcohol', 'mental-health'],
        stages: ['early', 'stable'],
        needs: ['routine', 'confidence-and-skills'],
        address: 'Bangor Street',
        postcode: 'BB1 6DY',
        contactName: 'Volunteer lead',
        email: 'foodbank@kith.example',
      }),
      today,
    )
    opportunities['bwd.communitygarden'] = await publishOpportunity(
      trx,
      SYSTEM,
      org('bwd.cvs'),
      opportunity({
        name: 'Community garden volunteering',
        role: 'Community garden volunteer',
        involves:
          'Grow vegetables and flowers, build raised beds and keep the garden tidy, working alongside a gardener.',
        skillsGained: 'horticulture, teamwork',
        interests: 'gardening, outdoors',
        times: 'Wednesdays and Fridays, 10am to 2pm',
        days: ['WE', 'FR'],
        accessibility: 'Raised beds and a level path. Toilets and a warm cabin.',
        placesAvailable: '6',
        suits: ['mental-health'],
        needs: ['low-level-mental-health', 'physical-activity'],
        address: 'Roman Road',
        postcode: 'BB2 3UY',
        contactName: 'Garden coordinator',
        email: 'garden@kith.example',
      }),
      today,
    )
    opportunities['bwd.charityshop'] = await publishOpportunity(
      trx,
      SYSTEM,
      charityShop,
      opportunity({
        name: 'Charity shop volunteering',
        role: 'Shop floor and till volunteer',
        involves: 'Sort and price donations, dress the window and serve customers at the till.',
        skillsGained: 'customer service, till skills, retail',
        interests: 'retail, fashion, people',
        times: 'Any weekday, 10am to 1pm or 1pm to 4pm',
        accessibility: 'Step-free shop floor; the sorting room is up a few steps.',
        dbsLevel: 'basic',
        referencesNeeded: '1',
        placesAvailable: '3',
        stages: ['stable', 'sustained'],
        needs: ['confidence-and-skills', 'social-isolation'],
        address: 'Market Street',
        town: 'Darwen',
        postcode: 'BB2 1AX',
        contactName: 'Shop manager',
        email: 'hospiceshop@kith.example',
      }),
      today,
    )
    // The CVS's own café and green spaces roles, already in the directory, get their details.
    const cvsRoles: [string, Parameters<typeof saveOpportunityDetails>[2]][] = [
      [
        'bwd.cafe',
        {
          hostOrganisationId: org('bwd.cvs'),
          role: 'Café assistant',
          involves: 'Serve customers, prepare food and help run the till.',
          skillsGained: ['food hygiene', 'customer service'],
          interests: ['cooking', 'people'],
          times: 'Weekdays, 9am to 1pm',
          days: ['MO', 'TU', 'WE', 'TH', 'FR'],
          accessibility: 'Step-free access.',
          dbsLevel: 'none',
          referencesNeeded: 0,
          placesAvailable: 3,
          suits: ['drug-alcohol'],
          stages: [],
          needs: ['routine', 'confidence-and-skills'],
          point: { latitude: 53.75735, longitude: -2.47586 },
          active: true,
        },
      ],
      [
        'bwd.garden',
        {
          hostOrganisationId: org('bwd.cvs'),
          role: 'Green spaces volunteer',
          involves: 'Planting, clearing paths and litter picks in a small team with a supervisor.',
          skillsGained: ['horticulture', 'teamwork'],
          interests: ['outdoors', 'walking', 'gardening'],
          times: 'Mondays, 10am to 3pm',
          days: ['MO'],
          accessibility: 'Outdoor work on uneven ground.',
          dbsLevel: 'none',
          referencesNeeded: 0,
          placesAvailable: 5,
          suits: [],
          stages: [],
          needs: ['physical-activity', 'routine'],
          point: { latitude: 53.72844, longitude: -2.47219 },
          active: true,
        },
      ],
    ]
    for (const [key, details] of cvsRoles) {
      const serviceId = directory.services[key]
      if (serviceId) {
        await saveOpportunityDetails(trx, serviceId, details)
        opportunities[key] = serviceId
      }
    }

    // People in placements at every stage, with what they look for.
    const postcodeOf = (practice: string) =>
      DEMO_ORGANISATIONS.find((o) => o.key === practice)?.postcode ?? null
    const placed: {
      given: string
      family: string
      born: string
      practice: string
      programme: string
      opportunity: string
      stage: 'proposed' | 'introduced' | 'started' | 'ended'
      startedDaysAgo?: number
      hours?: [number, number, boolean][]
      ended?: string
      interests: string[]
      recovery: string
    }[] = [
      {
        given: 'Dale',
        family: 'Pretendson',
        born: '1979-04-02',
        practice: 'bwd.harwood',
        programme: 'bwd.recovery',
        opportunity: 'bwd.foodbank',
        stage: 'started',
        startedDaysAgo: 35,
        hours: [
          [33, 3, true],
          [28, 3, true],
          [21, 3, true],
          [14, 2.5, true],
          [7, 3, false],
        ],
        interests: ['cooking'],
        recovery: 'drug-alcohol',
      },
      {
        given: 'Marie',
        family: 'Fakename',
        born: '1975-09-19',
        practice: 'bwd.central',
        programme: 'bwd.recovery',
        opportunity: 'bwd.cafe',
        stage: 'started',
        startedDaysAgo: 60,
        hours: [
          [56, 4, true],
          [49, 4, true],
          [42, 3, false],
        ],
        interests: ['cooking', 'people'],
        recovery: 'drug-alcohol',
      },
      {
        given: 'Owen',
        family: 'Unrealsby',
        born: '1988-12-01',
        practice: 'bwd.fishmoor',
        programme: 'bwd.mental-health',
        opportunity: 'bwd.communitygarden',
        stage: 'introduced',
        interests: ['gardening', 'outdoors'],
        recovery: 'mental-health',
      },
      {
        given: 'Priti',
        family: 'Imaginary',
        born: '1996-03-30',
        practice: 'bwd.central',
        programme: 'bwd.mental-health',
        opportunity: 'bwd.communitygarden',
        stage: 'proposed',
        interests: ['gardening'],
        recovery: 'mental-health',
      },
      {
        given: 'Gary',
        family: 'Nobodyton',
        born: '1970-06-06',
        practice: 'bwd.harwood',
        programme: 'bwd.recovery',
        opportunity: 'bwd.garden',
        stage: 'ended',
        startedDaysAgo: 120,
        hours: [
          [115, 5, true],
          [108, 5, true],
          [101, 5, true],
        ],
        ended: 'Found paid work as a groundsman',
        interests: ['outdoors'],
        recovery: 'drug-alcohol',
      },
    ]
    const placements: string[] = []
    const cases: Record<string, string> = {}
    for (const p of placed) {
      const personId = await createPersonRecord(
        trx,
        SYSTEM,
        personInputSchema(today).parse({
          givenName: p.given,
          familyName: p.family,
          dateOfBirth: p.born,
          registeredPracticeId: org(p.practice),
          addressLines: [],
          postcode: postcodeOf(p.practice),
          contactMethods: [],
          conditions: [],
        }),
      )
      const opened = 30 + (p.startedDaysAgo ?? 0)
      const caseId = await openCase(trx, SYSTEM, {
        personId,
        programmeId: programme(p.programme),
        practiceOdsCode: DEMO_ORGANISATIONS.find((o) => o.key === p.practice)?.odsCode ?? null,
        needs:
          p.recovery === 'drug-alcohol'
            ? ['drug-and-alcohol-recovery', 'routine']
            : ['low-level-mental-health'],
        openedAt: at(opened),
      })
      await saveProfile(trx, null, {
        caseId,
        personId,
        interests: p.interests,
        skills: ['teamwork'],
        days: ['TU', 'WE', 'TH', 'FR'],
        postcode: postcodeOf(p.practice),
        travelKm: 8,
        recovery: p.recovery,
        stage: p.recovery === 'drug-alcohol' ? 'early' : 'stable',
        dbsLevel: 'none',
        dbsCheckedOn: null,
        referencesReceived: 0,
      })
      const supporting = user(
        p.programme === 'bwd.recovery'
          ? 'recovery.blackburn@kith.example'
          : 'navigator.blackburn@kith.example',
      )
      const opportunityId = opportunities[p.opportunity]!
      const hostId = p.opportunity === 'bwd.foodbank' ? foodBank : org('bwd.cvs')
      const placementId = await insertPlacement(trx, {
        caseId,
        personId,
        programmeId: programme(p.programme),
        opportunityId,
        hostOrganisationId: hostId,
        reason: `Matches their interest in ${p.interests.join(' and ')}, and suits their stage of recovery.`,
        supportingUserId: supporting,
        createdByUserId: user('officer.blackburn@kith.example'),
        at: at(opened - 5),
      })
      if (p.stage !== 'proposed') await setPlacementStatus(trx, placementId, 'introduced', at(opened - 10))
      if (p.stage === 'started' || p.stage === 'ended')
        await setPlacementStatus(trx, placementId, 'started', at(p.startedDaysAgo ?? 0))
      for (const [daysAgo, hours, confirmed] of p.hours ?? []) {
        const id = await insertHours(trx, {
          placementId,
          personId,
          workedOn: day(daysAgo),
          hours,
          userId: user('officer.blackburn@kith.example'),
          at: at(daysAgo - 1),
        })
        if (confirmed)
          await trx
            .updateTable('placement_hours')
            .set({
              confirmed_at: at(daysAgo - 2),
              confirmed_by_user_id: user('provider.blackburn@kith.example'),
            })
            .where('id', '=', id)
            .execute()
      }
      if (p.stage === 'ended') await setPlacementStatus(trx, placementId, 'ended', at(95), p.ended ?? null)
      placements.push(placementId)
      cases[p.given.toLowerCase()] = caseId
    }

    // Culm Valley's groups, with their meetings over the last half year.
    const facilitator = user('facilitator.culm@kith.example')
    const groups: [
      string,
      Omit<Parameters<typeof saveGroupDetails>[1], 'serviceId' | 'recordedOn'>,
      number,
      number,
    ][] = [
      [
        'culm.amblers',
        {
          runBy: 'members',
          facilitatorUserId: facilitator,
          leaderUserId: user('provider.culm@kith.example'),
          meetingPattern: 'Wednesdays, 10am to 11am',
          place: 'From the Culm Valley Integrated Centre for Health',
          contact: 'amblers@kith.example',
          forNeed: 'Gentle exercise and company; heart disease and diabetes welcome',
          members: 18,
          openToNew: true,
          running: true,
        },
        7,
        2,
      ],
      [
        'culm.gardening',
        {
          runBy: 'members',
          facilitatorUserId: facilitator,
          leaderUserId: null,
          meetingPattern: 'Tuesdays and Fridays, 9:30am to 12 noon',
          place: 'The shared garden, Cullompton',
          contact: 'Ask at reception',
          forNeed: 'Anyone who would like fresh air and company',
          members: 11,
          openToNew: true,
          running: true,
        },
        7,
        4,
      ],
      [
        'culm.knit',
        {
          runBy: 'facilitator',
          facilitatorUserId: facilitator,
          leaderUserId: null,
          meetingPattern: 'Thursdays, 2pm to 4pm',
          place: 'Culm Valley Integrated Centre for Health',
          contact: 'Ask at reception',
          forNeed: 'People who are isolated',
          members: 9,
          openToNew: true,
          running: true,
        },
        7,
        1,
      ],
      [
        'culm.writing',
        {
          runBy: 'members',
          facilitatorUserId: facilitator,
          leaderUserId: null,
          meetingPattern: 'Every other Monday, 6pm to 7:30pm',
          place: 'Culm Valley Integrated Centre for Health',
          contact: 'Ask at reception',
          forNeed: 'Confidence and low mood',
          members: 5,
          openToNew: true,
          running: true,
        },
        14,
        125,
      ],
      [
        'culm.books',
        {
          runBy: 'members',
          facilitatorUserId: null,
          leaderUserId: null,
          meetingPattern: 'First Tuesday of the month, 7pm to 8:30pm',
          place: 'Cullompton library',
          contact: 'Ask at the library',
          forNeed: 'Anyone who enjoys reading',
          members: 8,
          openToNew: false,
          running: true,
        },
        30,
        20,
      ],
    ]
    const meetings = []
    for (const [key, details, every, lastDaysAgo] of groups) {
      const serviceId = directory.services[key]
      if (!serviceId) continue
      await saveGroupDetails(trx, { serviceId, recordedOn: day(200), ...details })
      for (let daysAgo = lastDaysAgo; daysAgo <= 182; daysAgo += every)
        meetings.push({
          id: newId(),
          service_id: serviceId,
          met_on: day(daysAgo),
          attended: Math.max(2, details.members - (Math.round(daysAgo / every) % 5)),
          recorded_by_user_id: details.leaderUserId ?? facilitator,
          recorded_at: at(daysAgo - 1),
        })
    }
    if (meetings.length > 0) await trx.insertInto('group_meetings').values(meetings).execute()
    const support = [
      [
        'culm.amblers',
        'accessibility',
        'Walked the route with the leader to find a step-free loop for people with sticks.',
        40,
      ],
      [
        'culm.amblers',
        'safeguarding',
        'Talked through what to do if someone is taken ill on a walk; first aid kit bought.',
        90,
      ],
      ['culm.gardening', 'funding', 'Helped write a bid to the town council for raised beds.', 60],
      ['culm.knit', 'publicity', 'Posters in the waiting room and a note in the practice newsletter.', 30],
      ['culm.writing', 'venue', 'Looked for an evening room nearer the town centre.', 150],
    ] as const
    for (const [key, kind, note, daysAgo] of support) {
      const serviceId = directory.services[key]
      if (!serviceId) continue
      await trx
        .insertInto('group_support')
        .values({
          id: newId(),
          service_id: serviceId,
          kind,
          note,
          given_on: day(daysAgo),
          by_user_id: facilitator,
          created_at: nowIso(),
        })
        .execute()
    }
    await saveNewGroup(
      trx,
      {
        name: 'Fibromyalgia support group',
        idea: 'A monthly peer support group for people living with fibromyalgia, to share what helps.',
        forNeed: 'Fibromyalgia',
        interested: 6,
        interestedNote:
          'Met through the practice’s pain clinic; they will hear of the first meeting by text.',
        facilitatorUserId: facilitator,
        stepsDone: ['idea', 'people', 'leader'],
        firstMeetingOn: null,
      },
      facilitator,
    )

    // Training: every demo link worker has records; three programmes require training.
    const required = [
      'Safeguarding adults level 2',
      'Motivational interviewing',
      'NHS England link worker induction',
    ]
    for (const key of ['wtw', 'bwd.recovery', 'bwd.mental-health'])
      if (programmes.programmes[key]) await setRequiredTraining(trx, programme(key), required)
    const workers = DEMO_ACCOUNTS.filter((a) => a.roles.some((r) => r.role === 'link_worker'))
    const records = workers.flatMap((account, i) => {
      const userId = user(account.email)
      // The recovery support officer's safeguarding has lapsed: their caseload says so.
      const lapsed = account.email === 'recovery.blackburn@kith.example'
      const safeguardingDone = lapsed ? 1100 : 200 + i * 37
      return [
        ['Safeguarding adults level 2', 'The local safeguarding adults board', safeguardingDone, 3 * 365],
        ['Motivational interviewing', 'Ways to Wellness', 300 + i * 11, null],
        ['NHS England link worker induction', 'NHS England', 500 + i * 5, null],
      ].map(([course, provider, doneDaysAgo, lasts]) => ({
        id: newId(),
        user_id: userId,
        course: course as string,
        provider: provider as string,
        completed_on: day(doneDaysAgo as number),
        expires_on: lasts === null ? null : day((doneDaysAgo as number) - (lasts as number)),
        recorded_by_user_id: null,
        created_at: nowIso(),
      }))
    })
    if (records.length > 0) await trx.insertInto('training_records').values(records).execute()
    const sessions = workers.map((account, i) => ({
      id: newId(),
      user_id: user(account.email),
      supervisor: 'Their programme manager',
      held_on: day(10 + i * 3),
      recorded_by_user_id: null,
      created_at: nowIso(),
    }))
    if (sessions.length > 0) await trx.insertInto('supervision_sessions').values(sessions).execute()
    return { opportunities, placements, cases }
  })
}
