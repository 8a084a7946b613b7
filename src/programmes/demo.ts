// One programme for every scheme in the seeds, each with the rules the seeds give it: who may
// refer, who is eligible, the practices covered, its link workers and how they work, its
// appointment and prescription rules. Where a seed says nothing (Cotswold), the programme is
// built from the same parts as the others and its description says so.

import type { AccessDemo } from '../access/demo.ts'
import type { Db } from '../db/schema.ts'
import { conditionsByCode } from '../people/conditions.ts'
import {
  DEFAULT_APPOINTMENT_RULES,
  defaultSettings,
  type Need,
  needId,
  type ProgrammeSettings,
  programmeSettingsSchema,
  type Weekday,
} from './config.ts'
import type { Criterion } from './criteria.ts'
import {
  addLinkWorker,
  createProgramme,
  setNamedLinkWorkers,
  setProgrammePractices,
  setWorkingPattern,
} from './store.ts'

interface DemoLinkWorker {
  email: string
  /** Practices (demo keys) this worker is the named link worker for. */
  namedFor?: string[]
  /** Working pattern: each day and the practice (demo key) they are at, or null. */
  days?: [Weekday, string | null][]
}

export interface DemoProgramme {
  key: string
  owner: string
  settings: ProgrammeSettings
  /** Practices covered, by demo organisation key. */
  practices: string[]
  linkWorkers: DemoLinkWorker[]
}

const needs = (...labels: string[]): Need[] => labels.map((label) => ({ id: needId(label), label }))

/** Needs for schemes whose seed names none: the practical, social and emotional needs social prescribing meets. */
const GENERAL_NEEDS = needs(
  'Social isolation',
  'Low-level mental health',
  'Physical activity',
  'Money and benefits',
  'Housing',
  'Managing a long-term condition',
)

const consent: Criterion = {
  kind: 'consent',
  id: 'consent-given',
  role: 'inclusion',
  text: 'Has given consent to the referral',
}

/** Ways to Wellness's listed long-term conditions (SNOMED CT, shared/reference/reference.md). */
export const WAYS_TO_WELLNESS_CONDITIONS = conditionsByCode([
  '13645005', // Chronic obstructive lung disease
  '195967001', // Asthma
  '46635009', // Diabetes mellitus type 1
  '44054006', // Diabetes mellitus type 2
  '56265001', // Heart disease
  '414545008', // Ischaemic heart disease
  '84757009', // Epilepsy
  '64859006', // Osteoporosis
])

function programme(
  key: string,
  name: string,
  owner: string,
  settings: Partial<ProgrammeSettings>,
  practices: string[],
  linkWorkers: DemoLinkWorker[],
): DemoProgramme {
  return {
    key,
    owner,
    settings: programmeSettingsSchema.parse({ ...defaultSettings(name), ...settings }),
    practices,
    linkWorkers,
  }
}

const BLACKBURN_PRACTICES = ['bwd.central', 'bwd.harwood', 'bwd.fishmoor']

const TOWER_HAMLETS_PRACTICES = [
  'th.bromleybybow',
  'th.mission',
  'th.mileend',
  'th.poplar',
  'th.aberfeldy',
  'th.bow',
  'th.whitechapel',
  'th.wapping',
  'th.island',
  'th.bethnalgreen',
]

/** Tower Hamlets' social prescribers, each named for five practices. */
const TOWER_HAMLETS_PRESCRIBERS: DemoLinkWorker[] = [
  {
    email: 'prescriber.towerhamlets@kith.example',
    namedFor: ['th.bromleybybow', 'th.bow', 'th.mileend', 'th.whitechapel', 'th.wapping'],
  },
  {
    email: 'prescriber2.towerhamlets@kith.example',
    namedFor: ['th.mission', 'th.poplar', 'th.aberfeldy', 'th.island', 'th.bethnalgreen'],
  },
]

export const DEMO_PROGRAMMES: DemoProgramme[] = [
  programme(
    'culm',
    'Culm Valley health facilitator',
    'culm.centre',
    {
      description:
        'A health facilitator with training in motivational skills is a face-to-face health resource for patients referred by GPs and other professionals, and for people who refer themselves. She gives advice on exercise and nutrition, shows ways to care for yourself, and signposts to voluntary organisations and self-help groups, including groups led by patients.',
      referralSources: ['gp_practice', 'other_professional', 'self'],
      practiceRegistrationRequired: true,
      criteria: [consent],
      needs: needs(
        'Exercise',
        'Nutrition',
        'Self-care',
        'Social isolation',
        'Heart disease support',
        'Diabetes support',
        'Fibromyalgia support',
      ),
      linkWorkerTitle: 'Health facilitator',
      appointments: { ...DEFAULT_APPOINTMENT_RULES, modes: ['practice', 'phone'] },
    },
    ['culm.centre', 'culm.riverside'],
    [{ email: 'facilitator.culm@kith.example', namedFor: ['culm.centre', 'culm.riverside'] }],
  ),
  programme(
    'wtw',
    'Ways to Wellness',
    'wtw',
    {
      description:
        'For people aged 40 to 74 with certain long-term health conditions who attend GP practices in the former NHS Newcastle West Clinical Commissioning Group area. Ways to Wellness contracts the link worker providers and social activities, trains link workers, manages referrals and data, and reports outcomes to social investors.',
      referralSources: ['gp_practice'],
      practiceRegistrationRequired: true,
      criteria: [
        { kind: 'age', id: 'age-40-to-74', role: 'inclusion', text: 'Aged 40 to 74', min: 40, max: 74 },
        {
          kind: 'conditions',
          id: 'eligible-long-term-condition',
          role: 'inclusion',
          text: 'Has COPD or asthma, diabetes (type 1 or 2), heart disease, epilepsy or osteoporosis, with or without depression or anxiety',
          anyOf: WAYS_TO_WELLNESS_CONDITIONS,
        },
        consent,
      ],
      needs: needs(
        'Managing a long-term condition',
        'Physical activity',
        'Social isolation',
        'Low-level mental health',
        'Money and benefits',
        'Housing',
      ),
      appointments: { ...DEFAULT_APPOINTMENT_RULES, modes: ['practice', 'community_venue', 'phone'] },
    },
    ['wtw.benwell', 'wtw.denton', 'wtw.elswick', 'wtw.fenham', 'wtw.westroad'],
    [{ email: 'linkworker.newcastle@kith.example' }],
  ),
  programme(
    'er',
    'East Riding social prescribing',
    'er.council',
    {
      description:
        'GPs refer directly to exercise on prescription, the Live Well programme and books on prescription, run with the council, leisure services and libraries. Funded by public health.',
      pathway: 'direct_to_service',
      referralSources: ['gp_practice'],
      criteria: [consent],
      needs: needs('Physical activity', 'Low-level mental health', 'Healthy lifestyle'),
    },
    ['er.beverley', 'er.bridlington', 'er.goole'],
    [],
  ),
  programme(
    'bwd.recovery',
    'Volunteering on prescription: drug and alcohol recovery',
    'bwd.cvs',
    {
      description:
        'GPs, social care and council teams refer people in recovery from drug or alcohol use to a volunteering scheme led by the CVS. Project officers link each person with the most suitable volunteering opportunity, with the help of a recovery support officer.',
      pathway: 'volunteering',
      referralSources: ['gp_practice', 'social_care', 'council'],
      criteria: [
        {
          kind: 'attestation',
          id: 'drug-or-alcohol-recovery',
          role: 'inclusion',
          text: 'Is recovering from drug or alcohol use',
          question: 'Is the person recovering from drug or alcohol use?',
          expected: true,
          whenUnanswered: 'needs-review',
        },
        consent,
      ],
      needs: needs('Drug and alcohol recovery', 'Confidence and skills', 'Social isolation', 'Routine'),
      linkWorkerTitle: 'Project officer',
      appointments: { ...DEFAULT_APPOINTMENT_RULES, modes: ['community_venue', 'phone'] },
    },
    ['bwd.central', 'bwd.harwood', 'bwd.fishmoor'],
    // The project officer holds the cases; the recovery support officer is named on each to support.
    [
      { email: 'officer.blackburn@kith.example', namedFor: BLACKBURN_PRACTICES },
      { email: 'recovery.blackburn@kith.example' },
    ],
  ),
  programme(
    'bwd.mental-health',
    'Volunteering on prescription: mental health',
    'bwd.cvs',
    {
      description:
        'GPs, social care and council teams refer people with mental health problems to a volunteering scheme led by the CVS. Project officers link each person with the most suitable volunteering opportunity, with the help of a community navigator.',
      pathway: 'volunteering',
      referralSources: ['gp_practice', 'social_care', 'council'],
      criteria: [
        {
          kind: 'attestation',
          id: 'mental-health-problem',
          role: 'inclusion',
          text: 'Has a mental health problem',
          question: 'Does the person have a mental health problem?',
          expected: true,
          whenUnanswered: 'needs-review',
        },
        consent,
      ],
      needs: needs('Low-level mental health', 'Confidence and skills', 'Social isolation', 'Routine'),
      linkWorkerTitle: 'Project officer',
      appointments: { ...DEFAULT_APPOINTMENT_RULES, modes: ['community_venue', 'phone'] },
    },
    ['bwd.central', 'bwd.harwood', 'bwd.fishmoor'],
    // The project officer holds the cases; the community navigator is named on each to support.
    [
      { email: 'officer.blackburn@kith.example', namedFor: BLACKBURN_PRACTICES },
      { email: 'navigator.blackburn@kith.example' },
    ],
  ),
  programme(
    'luton',
    'Luton social prescribing',
    'luton.council',
    {
      description:
        'GPs refer to a community navigator. People set their goals and preferred activities, and the navigator arranges a 12-week prescription with accredited providers in five areas: social activity, volunteering, physical activity, wellbeing and mental health, and information, advice and guidance. People scan a card at each activity; after 12 weeks they return for a review of their progress towards self-care.',
      referralSources: ['gp_practice'],
      criteria: [consent],
      needs: needs(
        'Social activity',
        'Volunteering',
        'Physical activity',
        'Wellbeing and mental health',
        'Information, advice and guidance',
      ),
      linkWorkerTitle: 'Community navigator',
      appointments: { ...DEFAULT_APPOINTMENT_RULES, modes: ['practice', 'community_venue', 'phone'] },
      prescription: { minWeeks: 12, maxWeeks: 12, mayContinueAfter: false },
    },
    ['luton.mersey', 'luton.grove', 'luton.dunstable'],
    [{ email: 'navigator.luton@kith.example' }],
  ),
  programme(
    'roth',
    'Rotherham social prescribing',
    'roth.var',
    {
      description:
        'Integrated case management, led by GPs with social workers and other health professionals, refers people to social prescribing workers from Voluntary Action Rotherham and its 20 partner organisations. The worker visits the person at home for a guided conversation and agrees a prescription of 8 to 16 weeks. People may carry on with an activity after the prescription ends.',
      referralSources: ['gp_practice', 'social_care', 'mdt', 'other_professional'],
      criteria: [consent],
      needs: GENERAL_NEEDS,
      linkWorkerTitle: 'Social prescribing worker',
      appointments: {
        furtherAppointmentsCap: null,
        lengths: { initial: 90, follow_up: 45, review: 45, exit: 30 },
        modes: ['home_visit', 'community_venue', 'phone'],
      },
      prescription: { minWeeks: 8, maxWeeks: 16, mayContinueAfter: true },
    },
    ['roth.doncastergate', 'roth.kimberworth', 'roth.broom'],
    [
      {
        email: 'worker.rotherham@kith.example',
        days: [
          ['monday', null],
          ['tuesday', null],
          ['wednesday', null],
          ['thursday', null],
          ['friday', null],
        ],
      },
    ],
  ),
  programme(
    'cots',
    'Cotswold social prescribing',
    'cots.council',
    {
      description:
        'A social prescribing scheme run by Cotswold District Council: GPs and council teams refer to a link worker, who agrees a plan with the person and connects them to local activities and services.',
      referralSources: ['gp_practice', 'council'],
      criteria: [consent],
      needs: GENERAL_NEEDS,
    },
    ['cots.avenue', 'cots.chesterton'],
    [{ email: 'linkworker.cotswold@kith.example', namedFor: ['cots.avenue', 'cots.chesterton'] }],
  ),
  programme(
    'th',
    'Tower Hamlets social prescribing',
    'th.gpcg',
    {
      description:
        "A borough-wide service led by Tower Hamlets GP Care Group and delivered through the borough's 8 GP networks. Each GP practice has a named social prescriber.",
      referralSources: ['gp_practice', 'pcn'],
      practiceRegistrationRequired: true,
      criteria: [consent],
      needs: needs(
        'Weight management',
        'Low-level mental health',
        'Social isolation',
        'Housing',
        'Financial',
      ),
      linkWorkerTitle: 'Social prescriber',
      appointments: { ...DEFAULT_APPOINTMENT_RULES, modes: ['practice', 'community_venue', 'phone'] },
    },
    TOWER_HAMLETS_PRACTICES,
    TOWER_HAMLETS_PRESCRIBERS,
  ),
  // The seed listing's own programme: the directory runs the Social Prescribing Service (18+)
  // for it (decision 0106), so a referral the listing accepts opens a case with these rules.
  programme(
    'th.sps',
    'Social Prescribing Service (18+)',
    'th.gpcg',
    {
      description:
        "The rules of the Social Prescribing Service (18+) listing in the directory: an initial appointment in practice, then up to 5 further appointments including the exit plan, agreed in a personalised care plan and held at the practice, a community venue or as 'walk and talk' sessions. Referrals come through the listing.",
      referralSources: ['gp_practice', 'pcn', 'social_care', 'council', 'mdt', 'other_professional'],
      criteria: [
        {
          kind: 'consent',
          id: 'consent-given',
          role: 'inclusion',
          text: 'Has given full and direct consent to referral',
          direct: true,
        },
      ],
      needs: needs('Low-level mental health', 'Social isolation', 'Housing', 'Financial'),
      linkWorkerTitle: 'Social prescribing link worker',
      appointments: {
        ...DEFAULT_APPOINTMENT_RULES,
        furtherAppointmentsCap: 5,
        modes: ['practice', 'community_venue', 'walk_and_talk'],
      },
    },
    TOWER_HAMLETS_PRACTICES,
    TOWER_HAMLETS_PRESCRIBERS,
  ),
  programme(
    'merton',
    'Merton social prescribing navigators',
    'merton.mvsc',
    {
      description:
        "A Social Prescribing Navigator employed by Merton Voluntary Service Council works two days a week in each practice as part of the practice team. A GP refers; the navigator books a one-hour initial consultation and offers signposting, a one-to-one assessment where needs are complex, or help with forms, benefits eligibility checks and engaging with counselling, then a follow-up appointment. Notes go into the person's GP record.",
      referralSources: ['gp_practice'],
      practiceRegistrationRequired: true,
      criteria: [consent],
      needs: needs(
        'Home and family stability',
        'Mental health and resilience',
        'Relationships',
        'Volunteering',
        'Social connectedness',
        'Forms and benefits',
      ),
      linkWorkerTitle: 'Social Prescribing Navigator',
      appointments: {
        furtherAppointmentsCap: null,
        lengths: { initial: 60, follow_up: 30, review: 30, exit: 30 },
        modes: ['practice', 'phone'],
      },
    },
    ['merton.wimbledon', 'merton.mitcham'],
    [
      {
        email: 'navigator.merton@kith.example',
        namedFor: ['merton.wimbledon', 'merton.mitcham'],
        days: [
          ['monday', 'merton.wimbledon'],
          ['tuesday', 'merton.wimbledon'],
          ['wednesday', 'merton.mitcham'],
          ['thursday', 'merton.mitcham'],
        ],
      },
    ],
  ),
]

export interface ProgrammesDemo {
  /** Programme ids by their demo key (`wtw`). */
  programmes: Record<string, string>
}

export async function seedProgrammesDemo(db: Db, access: AccessDemo): Promise<ProgrammesDemo> {
  const organisation = (key: string, where: string) => {
    const id = access.organisations[key]
    if (!id) throw new Error(`Demo programme ${where} names unknown organisation ${key}`)
    return id
  }
  const user = (email: string, where: string) => {
    const id = access.users[email]
    if (!id) throw new Error(`Demo programme ${where} names unknown account ${email}`)
    return id
  }
  return db.transaction().execute(async (trx) => {
    const programmes: Record<string, string> = {}
    for (const demo of DEMO_PROGRAMMES) {
      const id = await createProgramme(trx, {
        name: demo.settings.name,
        ownerOrganisationId: organisation(demo.owner, demo.key),
        settings: demo.settings,
      })
      programmes[demo.key] = id
      await setProgrammePractices(
        trx,
        id,
        demo.practices.map((key) => organisation(key, demo.key)),
      )
      const named: Record<string, string> = {}
      for (const worker of demo.linkWorkers) {
        const userId = user(worker.email, demo.key)
        await addLinkWorker(trx, id, userId)
        for (const practice of worker.namedFor ?? []) named[organisation(practice, demo.key)] = userId
        if (worker.days) {
          await setWorkingPattern(
            trx,
            id,
            userId,
            worker.days.map(([weekday, practice]) => ({
              weekday,
              practiceId: practice ? organisation(practice, demo.key) : null,
            })),
          )
        }
      }
      await setNamedLinkWorkers(trx, id, named)
    }
    return { programmes }
  })
}
