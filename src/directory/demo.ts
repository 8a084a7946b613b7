// The directory's demo: the services every seed scheme names, at real places in their areas
// (shared/reference/demo-places.csv), the postcodes those places use, and Luton's accredited
// providers. The Social Prescribing Service (18+) is the seed listing, encoded in full.

import type { AccessDemo } from '../access/demo.ts'
import type { Db, Queryable } from '../db/schema.ts'
import { needId } from '../programmes/config.ts'
import type { Criteria, Criterion } from '../programmes/criteria.ts'
import { criteriaSchema } from '../programmes/criteria.ts'
import {
  addAccreditation,
  createService,
  findTerm,
  type LocationInput,
  type ServiceInput,
  upsertPostcodes,
} from './store.ts'
import type { ServiceKind } from './taxonomy.ts'

/**
 * Real places (postcode centroids from OS Code-Point Open), from shared/reference/demo-places.csv
 * and, for more of Luton, Rotherham and Tower Hamlets, docs/demo-places-added.csv.
 */
export const DEMO_PLACES: {
  postcode: string
  latitude: number
  longitude: number
  place: string
  town: string
}[] = [
  {
    postcode: 'EX15 1FE',
    latitude: 50.86418,
    longitude: -3.39273,
    place: 'Culm Valley Integrated Centre for Health, Willand Road',
    town: 'Cullompton',
  },
  {
    postcode: 'EX15 1TZ',
    latitude: 50.85988,
    longitude: -3.3905,
    place: 'Bramblehaies Surgery, College Road',
    town: 'Cullompton',
  },
  {
    postcode: 'NE4 8QB',
    latitude: 54.96905,
    longitude: -1.6602,
    place: 'Holmside Medical Group, 142 Armstrong Road, Benwell',
    town: 'Newcastle upon Tyne',
  },
  {
    postcode: 'NE15 6TQ',
    latitude: 54.97329,
    longitude: -1.67585,
    place: 'Betts Avenue Medical Group, 2 Betts Avenue, Benwell',
    town: 'Newcastle upon Tyne',
  },
  {
    postcode: 'NE4 6SH',
    latitude: 54.96925,
    longitude: -1.64047,
    place: 'Elswick Health Centre, Meldon Street, Elswick',
    town: 'Newcastle upon Tyne',
  },
  {
    postcode: 'NE4 9XD',
    latitude: 54.9845,
    longitude: -1.66033,
    place: 'Fenham Hall Surgery, Fenham Hall Drive, Fenham',
    town: 'Newcastle upon Tyne',
  },
  {
    postcode: 'NE4 9QB',
    latitude: 54.97618,
    longitude: -1.65626,
    place: 'West Road Medical Centre, 170 West Road, Fenham',
    town: 'Newcastle upon Tyne',
  },
  {
    postcode: 'HU17 8HE',
    latitude: 53.83958,
    longitude: -0.43334,
    place: 'Beverley Library (Treasure House), Champney Road',
    town: 'Beverley',
  },
  {
    postcode: 'HU17 8JW',
    latitude: 53.8408,
    longitude: -0.43507,
    place: 'Old Fire Station Surgery, Albert Terrace',
    town: 'Beverley',
  },
  {
    postcode: 'YO15 2AT',
    latitude: 54.08668,
    longitude: -0.19326,
    place: 'Field House Surgery, 18 Victoria Road',
    town: 'Bridlington',
  },
  {
    postcode: 'YO15 2QW',
    latitude: 54.08595,
    longitude: -0.18681,
    place: 'Manor House Surgery, Providence Place',
    town: 'Bridlington',
  },
  {
    postcode: 'DN14 6RU',
    latitude: 53.71484,
    longitude: -0.87548,
    place: 'Goole Health Centre, Woodland Avenue',
    town: 'Goole',
  },
  {
    postcode: 'DN14 6JD',
    latitude: 53.70702,
    longitude: -0.87282,
    place: 'Montague Medical Centre, Fifth Avenue',
    town: 'Goole',
  },
  {
    postcode: 'BB2 1AX',
    latitude: 53.75024,
    longitude: -2.48669,
    place: 'Barbara Castle Way Health Centre, Simmons Street',
    town: 'Blackburn',
  },
  {
    postcode: 'BB1 6PH',
    latitude: 53.75868,
    longitude: -2.46726,
    place: 'Little Harwood Health Centre, Plane Tree Road',
    town: 'Blackburn',
  },
  {
    postcode: 'BB1 6DY',
    latitude: 53.75735,
    longitude: -2.47586,
    place: 'Bangor Street Health and Resource Centre, Bangor Street',
    town: 'Blackburn',
  },
  {
    postcode: 'BB2 3UY',
    latitude: 53.72844,
    longitude: -2.47219,
    place: 'Roman Road Health Centre, off Fishmoor Drive',
    town: 'Blackburn',
  },
  {
    postcode: 'LU1 1HH',
    latitude: 51.88155,
    longitude: -0.4229,
    place: 'Liverpool Road Health Centre, 9 Mersey Place',
    town: 'Luton',
  },
  {
    postcode: 'LU1 1RW',
    latitude: 51.88017,
    longitude: -0.42398,
    place: 'Bute House Medical Centre, Grove Road',
    town: 'Luton',
  },
  {
    postcode: 'LU1 2SE',
    latitude: 51.87765,
    longitude: -0.41605,
    place: '14-16 Chapel Street',
    town: 'Luton',
  },
  {
    postcode: 'LU4 8BY',
    latitude: 51.88972,
    longitude: -0.44172,
    place: 'Kingsway Health Centre, 385 Dunstable Road',
    town: 'Luton',
  },
  {
    postcode: 'LU2 0NN',
    latitude: 51.88523,
    longitude: -0.41231,
    place: '40 Wenlock Street',
    town: 'Luton',
  },
  {
    postcode: 'LU1 1BW',
    latitude: 51.88395,
    longitude: -0.4271,
    place: '163 Dunstable Road',
    town: 'Luton',
  },
  {
    postcode: 'LU2 9AU',
    latitude: 51.90111,
    longitude: -0.39416,
    place: '26 Ashcroft Road, Stopsley',
    town: 'Luton',
  },
  {
    postcode: 'LU1 3AG',
    latitude: 51.87543,
    longitude: -0.41556,
    place: '27 Castle Street',
    town: 'Luton',
  },
  {
    postcode: 'LU3 3AH',
    latitude: 51.9149,
    longitude: -0.46922,
    place: '142-144 Sundon Park Road, Sundon Park',
    town: 'Luton',
  },
  {
    postcode: 'LU4 0PF',
    latitude: 51.90003,
    longitude: -0.48574,
    place: 'Pastures Way, Lewsey Farm',
    town: 'Luton',
  },
  {
    postcode: 'LU3 4BG',
    latitude: 51.91801,
    longitude: -0.43544,
    place: 'Lucas Gardens, Barton Hills',
    town: 'Luton',
  },
  {
    postcode: 'LU2 9SB',
    latitude: 51.89252,
    longitude: -0.36917,
    place: '322 Crawley Green Road',
    town: 'Luton',
  },
  {
    postcode: 'S65 1DA',
    latitude: 53.43044,
    longitude: -1.35215,
    place: 'Rotherham Health Village, Doncaster Gate',
    town: 'Rotherham',
  },
  {
    postcode: 'S61 1AH',
    latitude: 53.4314,
    longitude: -1.37806,
    place: '1 Kimberworth Road',
    town: 'Rotherham',
  },
  {
    postcode: 'S60 3EW',
    latitude: 53.41738,
    longitude: -1.33231,
    place: 'Broom Lane Medical Centre, 70 Broom Lane',
    town: 'Rotherham',
  },
  {
    postcode: 'S62 6AE',
    latitude: 53.45724,
    longitude: -1.33824,
    place: 'Rawmarsh Health Centre',
    town: 'Rotherham',
  },
  {
    postcode: 'S60 4JW',
    latitude: 53.41821,
    longitude: -1.31913,
    place: '162 Wickersley Road',
    town: 'Rotherham',
  },
  {
    postcode: 'S66 8JE',
    latitude: 53.42383,
    longitude: -1.20449,
    place: 'Maltby Services Centre, Braithwell Road, Maltby',
    town: 'Rotherham',
  },
  {
    postcode: 'S63 7RA',
    latitude: 53.50264,
    longitude: -1.34605,
    place: 'Warehouse Lane, Wath-upon-Dearne',
    town: 'Rotherham',
  },
  {
    postcode: 'GL7 1EH',
    latitude: 51.71342,
    longitude: -1.96409,
    place: 'The Avenue Surgery, 1 The Avenue',
    town: 'Cirencester',
  },
  {
    postcode: 'GL7 1US',
    latitude: 51.71387,
    longitude: -1.97425,
    place: 'The Park Surgery, Old Tetbury Road',
    town: 'Cirencester',
  },
  {
    postcode: 'GL7 1XG',
    latitude: 51.70978,
    longitude: -1.9769,
    place: 'Phoenix Health Group, 9 Chesterton Lane',
    town: 'Cirencester',
  },
  {
    postcode: 'E3 3FF',
    latitude: 51.52386,
    longitude: -0.01456,
    place: 'St Andrews Health Centre, 2 Hannaford Walk, Bow',
    town: 'London',
  },
  {
    postcode: 'E1 4DG',
    latitude: 51.52451,
    longitude: -0.04265,
    place: 'XX Place Health Centre, Bancroft Road, Mile End',
    town: 'London',
  },
  {
    postcode: 'E14 6PG',
    latitude: 51.51421,
    longitude: -0.01434,
    place: 'Chrisp Street Health Centre, 100 Chrisp Street, Poplar',
    town: 'London',
  },
  {
    postcode: 'E14 0PU',
    latitude: 51.51448,
    longitude: -0.00493,
    place: 'Aberfeldy Practice, 2A Ettrick Street, Poplar',
    town: 'London',
  },
  {
    postcode: 'E2 9LS',
    latitude: 51.53137,
    longitude: -0.05648,
    place: '208 Cambridge Heath Road, Bethnal Green',
    town: 'London',
  },
  {
    postcode: 'E1 1BU',
    latitude: 51.52002,
    longitude: -0.05766,
    place: 'Albion Health Centre, 333 Whitechapel Road, Whitechapel',
    town: 'London',
  },
  {
    postcode: 'E1W 2RL',
    latitude: 51.50614,
    longitude: -0.05895,
    place: 'Wapping Health Centre, 22 Wapping Lane, Wapping',
    town: 'London',
  },
  {
    postcode: 'E14 3BQ',
    latitude: 51.49525,
    longitude: -0.01323,
    place: '145 East Ferry Road, Isle of Dogs',
    town: 'London',
  },
  {
    postcode: 'E2 6LL',
    latitude: 51.52692,
    longitude: -0.06426,
    place: 'Bethnal Green Health Centre, 60 Florida Street',
    town: 'London',
  },
  {
    postcode: 'SW19 5BY',
    latitude: 51.42523,
    longitude: -0.2194,
    place: 'Wimbledon Village Practice, 35A High Street',
    town: 'London',
  },
  {
    postcode: 'SW19 1NX',
    latitude: 51.41756,
    longitude: -0.19866,
    place: 'Patrick Doody Health Centre, 79 Pelham Road, Wimbledon',
    town: 'London',
  },
  {
    postcode: 'CR4 3DA',
    latitude: 51.4046,
    longitude: -0.17395,
    place: 'Cricket Green Medical Practice, 75-79 Miles Road',
    town: 'Mitcham',
  },
  {
    postcode: 'SM4 5RT',
    latitude: 51.39823,
    longitude: -0.18893,
    place: 'Central Medical Centre, 42-46 Central Road',
    town: 'Morden',
  },
  {
    postcode: 'SM4 5BL',
    latitude: 51.40184,
    longitude: -0.19613,
    place: 'Morden Library (Morden Baptist Church, Crown Lane)',
    town: 'Morden',
  },
]

export const WEIGHT_MANAGEMENT_SERVICE_NAME = 'Social Prescribing for Weight Management'
export const SOCIAL_PRESCRIBING_SERVICE_NAME = 'Social Prescribing Service (18+)'

const asked = (id: string, role: 'inclusion' | 'exclusion', text: string, question: string): Criterion => ({
  kind: 'attestation',
  id,
  role,
  text,
  question,
  expected: role === 'inclusion',
  whenUnanswered: 'needs-review',
})

/** The seed listing's access criteria (shared/seeds/004), every line of it. */
export const SOCIAL_PRESCRIBING_CRITERIA: Criteria = criteriaSchema.parse([
  { kind: 'age', id: 'age-18-plus', role: 'inclusion', text: 'Aged 18+', min: 18 },
  asked(
    'capacity-to-engage',
    'inclusion',
    'Has capacity to engage with the service',
    'Does the person have capacity to engage with the service?',
  ),
  {
    kind: 'consent',
    id: 'consent-given',
    role: 'inclusion',
    text: 'Has given full and direct consent to referral',
    // Full and direct: the person's own consent, not someone's on their behalf.
    direct: true,
  },
  asked(
    'needs-identified-by-practice',
    'inclusion',
    'Has had Social Prescribing needs identified by GP/PCN staff, where suitable support is not already in place',
    'Have GP or PCN staff identified social prescribing needs, with no suitable support already in place?',
  ),
  asked(
    'wants-to-make-change',
    'inclusion',
    'Wishing to make change and collaborate with service to create goals and support plan',
    'Does the person wish to make a change and work with the service on goals and a support plan?',
  ),
  asked(
    'third-party-without-patient',
    'exclusion',
    'Referral has been requested by third party/external professional without patient present',
    'Was the referral requested by a third party or external professional without the person present?',
  ),
  asked(
    'crisis-needs',
    'exclusion',
    'Emergency, urgent or crisis needs (including mental health, emergency food, safety, acute care crisis)',
    'Does the person have emergency, urgent or crisis needs (mental health, emergency food, safety, acute care)?',
  ),
  asked(
    'intoxication',
    'exclusion',
    'Intoxication or unable to engage with Social Prescribers',
    'Is the person intoxicated or unable to engage with social prescribers?',
  ),
  asked(
    'risk-to-staff',
    'exclusion',
    'Poses risk to Social Prescribers or unable to keep themselves safe',
    'Does the person pose a risk to social prescribers, or are they unable to keep themselves safe?',
  ),
  asked(
    'acute-safeguarding',
    'exclusion',
    'Acute/active safeguarding concern re the patient or a dependant',
    'Is there an acute or active safeguarding concern about the person or a dependant?',
  ),
  asked(
    'acute-smi',
    'exclusion',
    'Acute/uncontrolled SMI presentation (e.g. psychosis)',
    'Does the person have an acute or uncontrolled serious mental illness presentation (psychosis, say)?',
  ),
  asked(
    'open-to-iapt-or-secondary-care-same-need',
    'exclusion',
    'Mental health referral if open to IAPT or Secondary Care for same need',
    'Is this a mental health referral for someone open to IAPT (talking therapies) or secondary care for the same need?',
  ),
  {
    kind: 'referrer',
    id: 'professional-referrals-only',
    role: 'rule',
    text: 'Professional referrals only',
    allowed: ['gp_practice', 'pcn', 'social_care', 'council', 'mdt', 'other_professional'],
  },
  {
    kind: 'redirect',
    id: 'weight-related-goal',
    role: 'redirect',
    text: `If the patient's goal is weight related, please refer to '${WEIGHT_MANAGEMENT_SERVICE_NAME}' instead`,
    goalKeywords: ['weight', 'lose weight', 'weight loss', 'overweight', 'obesity', 'obese', 'BMI'],
    toServiceName: WEIGHT_MANAGEMENT_SERVICE_NAME,
  },
])

/** Answers to the seed listing's questions from someone it suits: each as its criterion expects. */
export const SOCIAL_PRESCRIBING_SUITABLE_ANSWERS: Readonly<Record<string, boolean>> = Object.fromEntries(
  SOCIAL_PRESCRIBING_CRITERIA.flatMap((c) => (c.kind === 'attestation' ? [[c.id, c.expected]] : [])),
)

const SPS_DESCRIPTION = `Social Prescribing (SP) connects people to activities, groups, and services in their community to meet the practical, social and emotional needs that affect their health and wellbeing.
Social prescribing link workers (SPLW's) give people time, focusing on 'what matters to me?' to coproduce a simple personalised care and support plan, and support people to take control of their own health and wellbeing.

Patients will be invited to an initial appointment in practice to holistically explore their goals, and support needs. They will be provided with information and onward referrals as appropriate, at the time. If SP and patient agree that ongoing support is needed, they will then be offered up to a maximum of 5 further appointments (goal and needs dependant), including exit plan. The focus, location and frequency of these follow up appointments will be agreed as part of a personalised care plan, they may be held at a community venue or be 'walk and talk' sessions, for example. SP work must remain goal focussed, and sessions are directly supporting the patients agreed goal plan.

Alongside direct referral work, SPLW's also work proactively to tackle health inequalities at community level, support existing groups to be accessible and sustainable, and help people to start new groups, working collaboratively with all local partners.

If the patients goal is weight related, please refer to '${WEIGHT_MANAGEMENT_SERVICE_NAME}', instead.`

const JOY_DISCLAIMER =
  'Please note that services on the Joy Marketplace are independent and are not necessarily endorsed by your locality/area.'
const DISCLAIMER =
  'Services in this directory are run by independent organisations and are not necessarily endorsed by your area.'

const consentOnly: Criteria = [
  { kind: 'consent', id: 'consent-given', role: 'inclusion', text: 'Has given consent to the referral' },
]
const adults: Criterion = { kind: 'age', id: 'age-18-plus', role: 'inclusion', text: 'Aged 18+', min: 18 }
const gpOnly: Criterion = {
  kind: 'referrer',
  id: 'gp-referral-only',
  role: 'rule',
  text: 'Referral by a GP or practice staff',
  allowed: ['gp_practice'],
}

interface DemoService {
  key: string
  provider: string
  /** The programme it is run for (demo key), whose rules and pathway it carries (decision 0106). */
  programme?: string
  name: string
  kind: ServiceKind
  description: string
  /** Term codes, any vocabulary. */
  terms: string[]
  places: string[]
  selfReferral: boolean
  criteria?: Criteria
  criteriaNotes?: string
  additionalNeeds?: string
  disclaimer?: string
  cost?: string
  ageMin?: number
  ageMax?: number
  schedule?: string
  contactName?: string
  email?: string
  phone?: string
  /** Days since it was last reviewed; over 183 shows as unreviewed. */
  reviewedDaysAgo?: number
  status?: 'active' | 'inactive' | 'temporarily_closed'
  /** Structured sessions: iCalendar days, opening and closing times. */
  sessions?: [string, string, string][]
}

const t = (...labels: string[]) => labels.map(needId)

export const DEMO_SERVICES: DemoService[] = [
  {
    key: 'culm.amblers',
    provider: 'culm.amblers',
    name: 'Amblers Walking Group',
    kind: 'patient_led_group',
    description:
      'A friendly walking group led by patients of the Culm Valley practices. Gentle walks of about an hour along lanes and riverside paths around Cullompton, at a pace everyone can manage, finishing with a cup of tea.',
    terms: t('Walking', 'Physical activity', 'Social activity', 'Exercise', 'Social isolation'),
    places: ['EX15 1FE'],
    selfReferral: true,
    criteria: consentOnly,
    schedule: 'Wednesdays, 10am to 11am, from the Culm Valley Integrated Centre for Health',
    sessions: [['WE', '10:00:00', '11:00:00']],
    cost: 'Free',
    contactName: 'Bill Yeo',
    email: 'amblers@kith.example',
  },
  {
    key: 'culm.gardening',
    provider: 'culm.gardening',
    name: 'Community Gardening Group',
    kind: 'patient_led_group',
    description:
      'Grow fruit, vegetables and flowers with others in a shared garden. No experience needed; tools and gloves provided. Good for fresh air, gentle exercise and meeting people.',
    terms: t('Gardening', 'Physical activity', 'Social activity', 'Social isolation', 'Mental wellbeing'),
    places: ['EX15 1TZ'],
    selfReferral: true,
    criteria: consentOnly,
    schedule: 'Tuesdays and Fridays, 9:30am to 12 noon',
    sessions: [['TU,FR', '09:30:00', '12:00:00']],
    cost: 'Free',
  },
  {
    key: 'culm.knit',
    provider: 'culm.centre',
    name: 'Knit and Natter',
    kind: 'patient_led_group',
    description:
      'Bring your knitting or crochet (or learn from scratch) and chat over tea and cake. Wool and needles available to borrow.',
    terms: t('Arts and crafts', 'Social activity', 'Social isolation', 'Peer support'),
    places: ['EX15 1FE'],
    selfReferral: true,
    criteria: consentOnly,
    schedule: 'Thursdays, 2pm to 4pm',
    sessions: [['TH', '14:00:00', '16:00:00']],
    cost: 'Free; donations for tea welcome',
  },
  {
    key: 'culm.writing',
    provider: 'culm.centre',
    name: 'Creative Writing Group',
    kind: 'patient_led_group',
    description:
      'A small, supportive group that writes together: short exercises, poems and memories, shared only if you want to. Helps with confidence and low mood.',
    terms: t('Creative writing', 'Arts and crafts', 'Wellbeing and mental health', 'Low-level mental health'),
    places: ['EX15 1FE'],
    selfReferral: true,
    criteria: consentOnly,
    schedule: 'Every other Monday, 6pm to 7:30pm',
    cost: 'Free',
    reviewedDaysAgo: 240,
  },
  {
    key: 'culm.books',
    provider: 'culm.centre',
    name: 'Book Reading Group',
    kind: 'patient_led_group',
    description:
      'Read a book a month and meet to talk about it. Large-print and audio copies available through the library.',
    terms: t('Reading', 'Social activity', 'Social isolation'),
    places: ['EX15 1FE'],
    selfReferral: true,
    criteria: consentOnly,
    schedule: 'First Tuesday of the month, 7pm to 8:30pm',
    cost: 'Free',
  },
  {
    key: 'wtw.linkworker',
    programme: 'wtw',
    provider: 'wtw.provider',
    name: 'Ways to Wellness link worker service',
    kind: 'link_worker',
    description:
      'Link workers support people aged 40 to 74 living with long-term conditions to set goals, manage their health and connect with activities and support in the West End of Newcastle.',
    terms: t(
      'Managing a long-term condition',
      'COPD',
      'Asthma',
      'Diabetes',
      'Heart disease',
      'Epilepsy',
      'Osteoporosis',
      'Social prescribing',
    ),
    places: ['NE4 8QB', 'NE4 6SH', 'NE4 9XD'],
    selfReferral: false,
    criteria: [
      { kind: 'age', id: 'age-40-to-74', role: 'inclusion', text: 'Aged 40 to 74', min: 40, max: 74 },
      gpOnly,
      ...consentOnly,
    ],
    ageMin: 40,
    ageMax: 74,
    cost: 'Free',
  },
  {
    key: 'er.exercise',
    programme: 'er',
    provider: 'er.leisure',
    name: 'Exercise on Prescription',
    kind: 'activity_group',
    description:
      'A 12-week supervised exercise programme at East Riding leisure centres for people whose GP refers them, with an instructor who builds a plan around your health.',
    terms: t('Exercise', 'Physical activity', 'Weight management', 'Managing a long-term condition'),
    places: ['HU17 8JW', 'YO15 2AT', 'DN14 6RU'],
    selfReferral: false,
    criteria: [
      { kind: 'age', id: 'age-16-plus', role: 'inclusion', text: 'Aged 16+', min: 16 },
      gpOnly,
      ...consentOnly,
    ],
    ageMin: 16,
    cost: 'Reduced rate: £2.50 a session',
    schedule: 'Sessions on weekdays at each centre, booked with the instructor',
  },
  {
    key: 'er.livewell',
    programme: 'er',
    provider: 'er.council',
    name: 'Live Well programme',
    kind: 'advice',
    description:
      'Support to eat well, move more, stop smoking and drink less, with a health trainer over 12 weeks, one to one or in a group.',
    terms: t('Healthy lifestyle', 'Healthy eating', 'Weight management', 'Wellbeing and mental health'),
    places: ['HU17 8JW', 'YO15 2QW', 'DN14 6JD'],
    selfReferral: false,
    criteria: [adults, gpOnly, ...consentOnly],
    ageMin: 18,
    cost: 'Free',
  },
  {
    key: 'er.books',
    programme: 'er',
    provider: 'er.library',
    name: 'Books on Prescription',
    kind: 'book_on_prescription',
    description:
      'Self-help books recommended by health professionals for common mental health problems such as anxiety, depression and stress, to borrow free from any East Riding library.',
    terms: t('Reading', 'Low-level mental health', 'Wellbeing and mental health', 'Depression', 'Anxiety'),
    places: ['HU17 8HE'],
    // Prescribed by a GP in East Riding's scheme, which takes GP referrals only.
    selfReferral: false,
    criteria: [],
    cost: 'Free with a library card',
    schedule: 'Library opening hours',
  },
  {
    key: 'bwd.cafe',
    provider: 'bwd.cvs',
    name: 'Community café volunteering',
    kind: 'volunteering',
    description:
      'Volunteer in a community café: serve customers, prepare food and help run the till, with a volunteer coordinator alongside you. Builds routine, confidence and skills.',
    terms: t(
      'Volunteering',
      'Confidence and skills',
      'Routine',
      'Social isolation',
      'Drug and alcohol recovery',
    ),
    places: ['BB1 6DY'],
    selfReferral: false,
    criteria: [adults, ...consentOnly],
    ageMin: 18,
    cost: 'Free; travel expenses paid',
  },
  {
    key: 'bwd.garden',
    provider: 'bwd.cvs',
    name: 'Green spaces volunteering',
    kind: 'volunteering',
    description:
      'Help look after parks and green spaces in Blackburn: planting, clearing paths and litter picks, in a small team with a supervisor.',
    terms: t('Volunteering', 'Gardening', 'Physical activity', 'Routine', 'Low-level mental health'),
    places: ['BB2 3UY'],
    selfReferral: false,
    criteria: [adults, ...consentOnly],
    ageMin: 18,
    cost: 'Free',
  },
  {
    key: 'luton.exercise',
    provider: 'luton.active',
    name: 'Active Luton gentle exercise',
    kind: 'activity_group',
    description:
      'Low-impact exercise classes (chair-based, walking football and gentle circuits) for people starting to be more active. Accredited by Luton social prescribing.',
    terms: t('Physical activity', 'Exercise', 'Weight management'),
    places: ['LU4 8BY'],
    selfReferral: true,
    criteria: consentOnly,
    cost: '£1 a session on prescription',
    schedule: 'Mondays, Wednesdays and Fridays, 11am to 12 noon',
    sessions: [['MO,WE,FR', '11:00:00', '12:00:00']],
  },
  {
    key: 'luton.social',
    provider: 'luton.vcs',
    name: 'Friendship café',
    kind: 'activity_group',
    description: 'A weekly drop-in café to meet people, play games and join in with activities.',
    terms: t('Social activity', 'Social isolation', 'Social connectedness'),
    places: ['LU1 2SE'],
    selfReferral: true,
    criteria: consentOnly,
    cost: 'Free',
    schedule: 'Thursdays, 1pm to 3pm',
    sessions: [['TH', '13:00:00', '15:00:00']],
  },
  {
    key: 'luton.volunteering',
    provider: 'luton.vcs',
    name: 'Volunteering taster sessions',
    kind: 'volunteering',
    description:
      'Try volunteering with local charities for a few sessions, with support to find a role that suits you.',
    terms: t('Volunteering', 'Confidence and skills'),
    places: ['LU1 1RW'],
    selfReferral: true,
    criteria: [adults, ...consentOnly],
    ageMin: 18,
    cost: 'Free',
  },
  {
    key: 'luton.wellbeing',
    provider: 'luton.vcs',
    name: 'Wellbeing and mindfulness group',
    kind: 'activity_group',
    description:
      'A six-week group on managing stress and low mood, with relaxation and mindfulness practice.',
    terms: t('Wellbeing and mental health', 'Low-level mental health', 'Mental wellbeing', 'Anxiety'),
    places: ['LU1 1HH'],
    selfReferral: false,
    criteria: [adults, ...consentOnly],
    ageMin: 18,
    cost: 'Free',
  },
  {
    key: 'luton.advice',
    provider: 'luton.vcs',
    name: 'Money and housing advice drop-in',
    kind: 'advice',
    description: 'Free, confidential advice on benefits, debt, housing and bills from trained advisers.',
    terms: t(
      'Information, advice and guidance',
      'Financial',
      'Money and benefits',
      'Housing',
      'Benefits and money advice',
    ),
    places: ['LU1 2SE'],
    selfReferral: true,
    criteria: [],
    cost: 'Free',
  },
  {
    key: 'roth.metalwork',
    provider: 'roth.metalwork',
    name: "Men's Metalwork Club",
    kind: 'activity_group',
    description:
      'A workshop where men make and mend things in metal together: welding, forging and repairs, with experienced members to show newcomers the ropes. A place to talk shoulder to shoulder.',
    terms: t("Men's groups", 'Social activity', 'Social isolation', 'Mental wellbeing', 'Peer support'),
    places: ['S61 1AH'],
    selfReferral: true,
    criteria: [adults, ...consentOnly],
    ageMin: 18,
    cost: '£2 a session towards materials',
    schedule: 'Tuesdays and Thursdays, 10am to 3pm',
    sessions: [['TU,TH', '10:00:00', '15:00:00']],
    contactName: 'Keith Bramley',
  },
  {
    key: 'roth.linkworker',
    programme: 'roth',
    provider: 'roth.var',
    name: 'Rotherham social prescribing service',
    kind: 'link_worker',
    description:
      'Social prescribing workers from Voluntary Action Rotherham visit people at home for a guided conversation and agree a prescription of activities with partner organisations.',
    terms: t('Social prescribing', 'Managing a long-term condition', 'Social isolation'),
    places: ['S65 1DA'],
    selfReferral: false,
    criteria: consentOnly,
    cost: 'Free',
  },
  {
    key: 'cots.lunch',
    provider: 'cots.council',
    name: 'Friendship lunch club',
    kind: 'activity_group',
    description: 'A hot lunch and good company once a week in Cirencester; transport can be arranged.',
    terms: t('Social activity', 'Social isolation', 'Healthy eating'),
    places: ['GL7 1EH'],
    selfReferral: true,
    criteria: consentOnly,
    cost: '£5 for lunch',
    schedule: 'Fridays, 12 noon to 2pm',
    sessions: [['FR', '12:00:00', '14:00:00']],
  },
  {
    key: 'merton.benefits',
    provider: 'merton.mvsc',
    name: 'Benefits and forms help',
    kind: 'advice',
    description:
      "Help to fill in forms, check what benefits you may be entitled to and prepare for assessments, from MVSC's advice workers.",
    terms: t(
      'Forms and benefits',
      'Money and benefits',
      'Financial',
      'Information, advice and guidance',
      'Benefits and money advice',
    ),
    places: ['SM4 5BL', 'CR4 3DA'],
    selfReferral: true,
    criteria: consentOnly,
    cost: 'Free',
    schedule: 'By appointment, Monday to Thursday',
    contactName: 'Rosa Alvarez',
  },
  {
    key: 'th.sps',
    programme: 'th.sps',
    provider: 'th.gpcg',
    name: SOCIAL_PRESCRIBING_SERVICE_NAME,
    kind: 'link_worker',
    description: SPS_DESCRIPTION,
    terms: t('Social prescribing', 'Low-level mental health', 'Social isolation', 'Housing', 'Financial'),
    places: ['E3 3FF', 'E1 4DG', 'E14 6PG', 'E14 0PU'],
    selfReferral: false,
    criteria: SOCIAL_PRESCRIBING_CRITERIA,
    criteriaNotes:
      "If the referral is submitted not inline with the above it will be declined. Please review 'core needs' information sheet for guidance on more suitable services.",
    additionalNeeds: 'N/A',
    disclaimer: JOY_DISCLAIMER,
    ageMin: 18,
    cost: 'Free',
  },
  // Run for no programme: its provider follows each referral on the referral itself (decision 0106).
  {
    key: 'th.weight',
    provider: 'th.gpcg',
    name: WEIGHT_MANAGEMENT_SERVICE_NAME,
    kind: 'link_worker',
    description:
      'Social prescribing link workers who specialise in weight: they help people set goals about eating, activity and weight, and connect them with local groups and services that support those goals.',
    terms: t('Social prescribing', 'Weight management', 'Healthy eating', 'Physical activity'),
    places: ['E3 3FF', 'E14 6PG'],
    selfReferral: false,
    criteria: [adults, { ...SOCIAL_PRESCRIBING_CRITERIA.find((c) => c.id === 'consent-given')! }],
    disclaimer: JOY_DISCLAIMER,
    ageMin: 18,
    cost: 'Free',
  },
  // Local activities invented for the demo in Newcastle West and Tower Hamlets, at real places.
  {
    key: 'wtw.walk',
    provider: 'wtw.community',
    name: 'Elswick walking for health',
    kind: 'activity_group',
    description:
      'A gentle hour-long walk from Elswick Health Centre, led by trained volunteers, at the pace of the slowest walker. Good for people starting to be active again, including people with heart or lung conditions.',
    terms: t('Physical activity', 'Managing a long-term condition', 'Social isolation'),
    places: ['NE4 6SH'],
    selfReferral: true,
    criteria: consentOnly,
    cost: 'Free',
    schedule: 'Wednesdays, 10am to 11am, from Elswick Health Centre',
    sessions: [['WE', '10:00:00', '11:00:00']],
  },
  {
    key: 'wtw.living-well',
    provider: 'wtw.community',
    name: 'Living well with a long-term condition',
    kind: 'activity_group',
    description:
      'A six-week group course for people living with diabetes, COPD or heart disease: managing symptoms, being active, eating well and dealing with low mood, with others in the same position.',
    terms: t('Managing a long-term condition', 'Low-level mental health', 'Physical activity'),
    places: ['NE4 9QB'],
    selfReferral: false,
    criteria: [adults, ...consentOnly],
    ageMin: 18,
    cost: 'Free',
    schedule: 'Tuesdays, 2pm to 4pm, for six weeks',
    sessions: [['TU', '14:00:00', '16:00:00']],
  },
  {
    key: 'th.money',
    provider: 'th.advice',
    name: 'Money and benefits advice drop-in',
    kind: 'advice',
    description:
      'Advisers help with benefits checks, debts, bills and forms, and with housing problems, at Chrisp Street Health Centre.',
    terms: t('Financial', 'Housing'),
    places: ['E14 6PG'],
    selfReferral: true,
    criteria: consentOnly,
    cost: 'Free',
    schedule: 'Mondays and Thursdays, 10am to 1pm',
    sessions: [['MO,TH', '10:00:00', '13:00:00']],
  },
  {
    key: 'th.coffee',
    provider: 'th.advice',
    name: 'Bromley-by-Bow coffee morning',
    kind: 'activity_group',
    description:
      'A weekly coffee morning for anyone who would like company, with a volunteer to welcome newcomers.',
    terms: t('Social isolation', 'Low-level mental health'),
    places: ['E3 3FF'],
    selfReferral: true,
    criteria: consentOnly,
    cost: 'Free',
    schedule: 'Fridays, 10am to 12 noon',
    sessions: [['FR', '10:00:00', '12:00:00']],
  },
  // Culm Valley: groups for specific disease areas and needs, and self-care in the surgery and
  // online (the seed's Calm Zone and its free online thought field therapy programme). A
  // fibromyalgia group is being started (the community's demo), so none is listed here.
  {
    key: 'culm.heart',
    provider: 'culm.centre',
    name: 'Heart support group',
    kind: 'patient_led_group',
    description:
      'For patients living with heart disease and the people close to them: share what helps, keep active together and hear from a guest speaker now and then. The health facilitator helped patients set it up.',
    terms: t('Heart disease', 'Managing a long-term condition', 'Peer support', 'Social isolation'),
    places: ['EX15 1FE'],
    selfReferral: true,
    criteria: consentOnly,
    schedule: 'Second Monday of the month, 2pm to 3:30pm',
    cost: 'Free',
  },
  {
    key: 'culm.diabetes',
    provider: 'culm.centre',
    name: 'Diabetes support group',
    kind: 'patient_led_group',
    description:
      'Patients living with type 1 or type 2 diabetes meet to swap tips on food, activity and everyday life with diabetes, over a cup of tea.',
    terms: t('Diabetes', 'Managing a long-term condition', 'Peer support', 'Healthy eating'),
    places: ['EX15 1FE'],
    selfReferral: true,
    criteria: consentOnly,
    schedule: 'Last Thursday of the month, 10:30am to 12 noon',
    cost: 'Free',
  },
  {
    key: 'culm.printing',
    provider: 'culm.centre',
    name: 'Printing group',
    kind: 'patient_led_group',
    description:
      'Make prints together: lino cuts, block printing and cards, with everything provided. A directed activity and good company for people who want to get out and do something with others.',
    terms: t('Arts and crafts', 'Social activity', 'Social isolation'),
    places: ['EX15 1FE'],
    selfReferral: true,
    criteria: consentOnly,
    schedule: 'Mondays, 10am to 12 noon',
    sessions: [['MO', '10:00:00', '12:00:00']],
    cost: 'Free; donations towards materials welcome',
  },
  {
    key: 'culm.calmzone',
    provider: 'culm.centre',
    name: 'Calm Zone',
    kind: 'self_care_online',
    description:
      'Thought field therapy you do yourself: a self-help technique for stress and worry, rather like CBT. Use it in the Calm Zone at the Integrated Centre without an appointment, or at home online. The health facilitator can show you how.',
    terms: t('Self-care', 'Wellbeing and mental health', 'Low-level mental health', 'Anxiety'),
    places: ['EX15 1FE'],
    selfReferral: true,
    criteria: [],
    schedule: 'When the Integrated Centre is open',
    cost: 'Free',
  },
  {
    key: 'culm.online',
    provider: 'culm.centre',
    name: 'Thought field therapy online programme',
    kind: 'self_care_online',
    description:
      'A free online self-help programme in thought field therapy, rather like CBT, to use at home at any time. Ask the health facilitator for the link and a first go together.',
    terms: t('Self-care', 'Wellbeing and mental health', 'Low-level mental health'),
    places: [],
    selfReferral: true,
    criteria: [],
    cost: 'Free',
  },
  {
    key: 'culm.selfcare',
    provider: 'culm.centre',
    name: 'Self-care advice on exercise and nutrition',
    kind: 'self_care_online',
    description:
      "The health facilitator's own guides to being more active and eating well, online and printed in the waiting room, with how to measure your own blood pressure, weight and BMI on the machine in the Centre.",
    terms: t('Self-care', 'Exercise', 'Nutrition', 'Healthy lifestyle'),
    places: [],
    selfReferral: true,
    criteria: [],
    cost: 'Free',
  },
  // Ways to Wellness: more of the social activities it contracts in Newcastle West.
  {
    key: 'wtw.singing',
    provider: 'wtw.community',
    name: 'Singing for better breathing',
    kind: 'activity_group',
    description:
      'A friendly singing group for people with COPD or asthma: breathing exercises and songs to help control your breath, no experience needed.',
    terms: t('COPD', 'Asthma', 'Managing a long-term condition', 'Social activity', 'Social isolation'),
    places: ['NE15 6TQ'],
    selfReferral: true,
    criteria: consentOnly,
    cost: 'Free',
    schedule: 'Mondays, 1:30pm to 3pm',
    sessions: [['MO', '13:30:00', '15:00:00']],
  },
  {
    key: 'wtw.cooking',
    provider: 'wtw.community',
    name: 'Cook and eat well',
    kind: 'activity_group',
    description:
      'Cook simple, cheap meals together and eat them together: a six-week course for people with diabetes or heart disease and anyone who cooks for them.',
    terms: t('Healthy eating', 'Diabetes', 'Heart disease', 'Managing a long-term condition'),
    places: ['NE4 8QB'],
    selfReferral: false,
    criteria: [adults, ...consentOnly],
    ageMin: 18,
    cost: 'Free',
    schedule: 'Thursdays, 10am to 12:30pm, for six weeks',
    sessions: [['TH', '10:00:00', '12:30:00']],
  },
  {
    key: 'wtw.strength',
    provider: 'wtw.community',
    name: 'Strength and balance class',
    kind: 'activity_group',
    description:
      'Gentle exercises to build strength and balance and prevent falls, for people with osteoporosis or who feel unsteady, led by a qualified instructor.',
    terms: t('Osteoporosis', 'Physical activity', 'Exercise', 'Managing a long-term condition'),
    places: ['NE4 9XD'],
    selfReferral: true,
    criteria: consentOnly,
    cost: 'Free',
    schedule: 'Fridays, 11am to 12 noon',
    sessions: [['FR', '11:00:00', '12:00:00']],
  },
  // Rotherham: partners' exercise clubs.
  {
    key: 'roth.football',
    provider: 'roth.football',
    name: 'Walking football',
    kind: 'activity_group',
    description:
      'Football at walking pace: no running, no tackling from behind, and plenty of laughs. For men and women getting back into exercise, whatever their fitness.',
    terms: t('Physical activity', 'Exercise', 'Social activity', "Men's groups"),
    places: ['S60 4JW'],
    selfReferral: true,
    criteria: [adults, ...consentOnly],
    ageMin: 18,
    cost: '£2 a session',
    schedule: 'Wednesdays, 6pm to 7pm',
    sessions: [['WE', '18:00:00', '19:00:00']],
  },
  {
    key: 'roth.maltby',
    provider: 'roth.maltby',
    name: 'Chair-based exercise club',
    kind: 'activity_group',
    description:
      'Seated exercise to music to keep joints moving and build strength, followed by a chat over tea. Good for people with limited mobility.',
    terms: t('Physical activity', 'Exercise', 'Social isolation'),
    places: ['S66 8JE'],
    selfReferral: true,
    criteria: consentOnly,
    cost: '£1.50 a session',
    schedule: 'Tuesdays, 10:30am to 11:30am',
    sessions: [['TU', '10:30:00', '11:30:00']],
  },
  {
    key: 'roth.nordic',
    provider: 'roth.nordic',
    name: 'Nordic walking club',
    kind: 'activity_group',
    description:
      'Walking with poles around Wath: a full-body workout that is easy on the joints. Poles lent for your first sessions; walks of 45 minutes to an hour.',
    terms: t('Walking', 'Physical activity', 'Exercise', 'Social activity'),
    places: ['S63 7RA'],
    selfReferral: true,
    criteria: consentOnly,
    cost: 'Free',
    schedule: 'Saturdays, 9:30am to 10:30am',
    sessions: [['SA', '09:30:00', '10:30:00']],
  },
  // Luton: services of its accredited providers, council-run and external, in its five areas.
  ...lutonService(
    'luton.parks',
    'luton.parks',
    'Park volunteering',
    'volunteering',
    'Help the rangers look after Luton\u2019s parks: planting, path work and litter picks, with tools and gloves provided.',
    ['Volunteering', 'Gardening', 'Physical activity'],
    'LU4 0PF',
  ),
  ...lutonService(
    'luton.libraries',
    'luton.libraries',
    'Reading for wellbeing',
    'book_on_prescription',
    'Self-help books for low mood, stress and anxiety, and a friendly monthly reading group, at Luton libraries.',
    ['Wellbeing and mental health', 'Reading', 'Low-level mental health'],
    'LU1 3AG',
  ),
  ...lutonService(
    'luton.learning',
    'luton.learning',
    'Learning for wellbeing courses',
    'activity_group',
    'Short, free courses for adults on managing stress, confidence and sleep, in small friendly groups.',
    ['Wellbeing and mental health', 'Confidence and skills', 'Mental wellbeing'],
    'LU2 0NN',
  ),
  ...lutonService(
    'luton.welfare',
    'luton.welfare',
    'Welfare rights advice',
    'advice',
    'The council\u2019s welfare rights officers check what benefits you are entitled to and help with claims, appeals and forms.',
    ['Information, advice and guidance', 'Money and benefits', 'Benefits and money advice'],
    'LU1 2SE',
  ),
  ...lutonService(
    'luton.housing',
    'luton.housing',
    'Housing advice',
    'advice',
    'Advice on renting, repairs, rent arrears and finding somewhere to live, from the council\u2019s housing advisers.',
    ['Information, advice and guidance', 'Housing'],
    'LU1 1BW',
  ),
  ...lutonService(
    'luton.centres',
    'luton.centres',
    'Community centre social club',
    'activity_group',
    'Games, quizzes and a cuppa at a council community centre: come along to meet people.',
    ['Social activity', 'Social isolation', 'Social connectedness'],
    'LU3 3AH',
  ),
  ...lutonService(
    'luton.walks',
    'luton.walks',
    'Luton health walks',
    'activity_group',
    'Free, short, led walks in parks across Luton at an easy pace, with a volunteer walk leader.',
    ['Physical activity', 'Walking', 'Social activity'],
    'LU3 4BG',
  ),
  ...lutonService(
    'luton.football',
    'luton.football',
    'Walking football for over-50s',
    'activity_group',
    'Football at walking pace for men and women over 50, whatever their fitness.',
    ['Physical activity', 'Exercise', "Men's groups"],
    'LU4 8BY',
  ),
  ...lutonService(
    'luton.dance',
    'luton.dance',
    'Seated dance',
    'activity_group',
    'Dance to music from every decade without leaving your chair: gentle exercise and lots of fun.',
    ['Physical activity', 'Exercise', 'Social activity'],
    'LU2 9AU',
  ),
  ...lutonService(
    'luton.elders',
    'luton.elders',
    'Lunch club for older people',
    'activity_group',
    'A hot two-course lunch and company every week, with transport for those who need it.',
    ['Social activity', 'Social isolation', 'Healthy eating'],
    'LU2 9SB',
  ),
  ...lutonService(
    'luton.crafts',
    'luton.crafts',
    'Craft circle',
    'activity_group',
    'Knitting, sewing, card making and more: bring a project or start one, with materials to share.',
    ['Social activity', 'Arts and crafts', 'Social isolation'],
    'LU2 9AU',
  ),
  ...lutonService(
    'luton.workshop',
    'luton.workshop',
    "Men's workshop",
    'activity_group',
    'Woodwork and repairs in a shared workshop, where men can make things, learn skills and talk.',
    ['Social activity', "Men's groups", 'Peer support'],
    'LU1 3AG',
  ),
  ...lutonService(
    'luton.hub',
    'luton.hub',
    'Find a volunteering role',
    'volunteering',
    'One-to-one help to find a volunteering role with a Luton charity that suits your interests and time.',
    ['Volunteering', 'Confidence and skills', 'Routine'],
    'LU2 0NN',
  ),
  ...lutonService(
    'luton.foodshare',
    'luton.foodshare',
    'Food share volunteering',
    'volunteering',
    'Sort, pack and hand out food at a community food share, as part of a friendly team.',
    ['Volunteering', 'Routine', 'Social connectedness'],
    'LU1 1BW',
  ),
  ...lutonService(
    'luton.conservation',
    'luton.conservation',
    'Conservation volunteering',
    'volunteering',
    'Outdoor conservation tasks along the river Lea: hedge laying, clearing scrub and wildlife surveys.',
    ['Volunteering', 'Gardening', 'Physical activity'],
    'LU3 4BG',
  ),
  ...lutonService(
    'luton.talking',
    'luton.talking',
    'Talking space peer support',
    'activity_group',
    'A weekly peer support group for people with low mood or anxiety, run by people who have been there.',
    ['Wellbeing and mental health', 'Peer support', 'Anxiety', 'Depression'],
    'LU4 0PF',
  ),
  ...lutonService(
    'luton.carers',
    'luton.carers',
    'Carers\u2019 wellbeing group',
    'activity_group',
    'Time for yourself if you look after someone: relaxation, a listening ear and information for carers.',
    ['Wellbeing and mental health', 'Mental wellbeing', 'Peer support'],
    'LU3 3AH',
  ),
  ...lutonService(
    'luton.debt',
    'luton.debt',
    'Debt advice',
    'advice',
    'Free, confidential help to deal with debts: budgeting, talking to creditors and debt solutions.',
    ['Information, advice and guidance', 'Financial', 'Benefits and money advice'],
    'LU2 9SB',
  ),
]

/** One Luton accredited provider's service: self-referral allowed, consent, free. */
function lutonService(
  key: string,
  provider: string,
  name: string,
  kind: ServiceKind,
  description: string,
  terms: string[],
  place: string,
): DemoService[] {
  return [
    {
      key,
      provider,
      name,
      kind,
      description,
      terms: t(...terms),
      places: [place],
      selfReferral: true,
      criteria: consentOnly,
      cost: 'Free',
    },
  ]
}

/** Luton's 20 accredited providers (demo organisation keys): 7 council services, 13 external. */
export const LUTON_ACCREDITED_PROVIDERS = [
  'luton.active',
  'luton.parks',
  'luton.libraries',
  'luton.learning',
  'luton.welfare',
  'luton.housing',
  'luton.centres',
  'luton.vcs',
  'luton.walks',
  'luton.football',
  'luton.dance',
  'luton.elders',
  'luton.crafts',
  'luton.workshop',
  'luton.hub',
  'luton.foodshare',
  'luton.conservation',
  'luton.talking',
  'luton.carers',
  'luton.debt',
]

export interface DirectoryDemo {
  /** Service ids by demo key (`th.sps`). */
  services: Record<string, string>
}

function isoDate(daysAgo: number): string {
  return new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10)
}

export async function seedPostcodes(db: Queryable): Promise<void> {
  await upsertPostcodes(
    db,
    DEMO_PLACES.map(({ postcode, latitude, longitude }) => ({ postcode, latitude, longitude })),
  )
}

export async function seedDirectoryDemo(
  db: Db,
  access: AccessDemo,
  programmes: { programmes: Record<string, string> },
): Promise<DirectoryDemo> {
  return db.transaction().execute(async (trx) => {
    await seedPostcodes(trx)
    const services: Record<string, string> = {}
    for (const demo of DEMO_SERVICES) {
      const provider = access.organisations[demo.provider]
      if (!provider) throw new Error(`Demo service ${demo.key} names unknown organisation ${demo.provider}`)
      const termIds: string[] = []
      for (const code of demo.terms) {
        const term =
          (await findTerm(trx, 'category', code)) ??
          (await findTerm(trx, 'area', code)) ??
          (await findTerm(trx, 'need', code))
        if (!term) throw new Error(`Demo service ${demo.key} names unknown term ${code}`)
        termIds.push(term.id)
        // A label in two vocabularies (Volunteering, Physical activity) is tagged in each.
        for (const vocabulary of ['area', 'need']) {
          const also = await findTerm(trx, vocabulary, code)
          if (also && also.id !== term.id) termIds.push(also.id)
        }
      }
      const locations: LocationInput[] = demo.places.map((postcode) => {
        const place = DEMO_PLACES.find((p) => p.postcode === postcode)
        if (!place) throw new Error(`Demo service ${demo.key} names unknown place ${postcode}`)
        return {
          name: place.place.split(',')[0] ?? place.place,
          address: place.place,
          town: place.town,
          postcode: place.postcode,
          latitude: place.latitude,
          longitude: place.longitude,
        }
      })
      const programmeId = demo.programme ? programmes.programmes[demo.programme] : null
      if (programmeId === undefined)
        throw new Error(`Demo service ${demo.key} names unknown programme ${demo.programme}`)
      const input: ServiceInput = {
        programmeId,
        name: demo.name,
        description: demo.description,
        kind: demo.kind,
        status: demo.status ?? 'active',
        selfReferral: demo.selfReferral,
        criteria: criteriaSchema.parse(demo.criteria ?? []),
        criteriaNotes: demo.criteriaNotes ?? '',
        additionalNeeds: demo.additionalNeeds ?? '',
        disclaimer: demo.disclaimer ?? DISCLAIMER,
        cost: demo.cost ?? '',
        free: (demo.cost ?? 'Free').startsWith('Free'),
        ageMin: demo.ageMin ?? null,
        ageMax: demo.ageMax ?? null,
        schedule: demo.schedule ?? '',
        contactName: demo.contactName ?? '',
        email: demo.email ?? '',
        phone: demo.phone ?? '',
        url: '',
        lastReviewedOn: isoDate(demo.reviewedDaysAgo ?? 20),
        termIds,
        locations,
        schedules: (demo.sessions ?? []).map(([byday, opensAt, closesAt]) => ({
          freq: 'WEEKLY',
          byday,
          opensAt,
          closesAt,
          description: demo.schedule ?? '',
        })),
      }
      services[demo.key] = await createService(trx, provider, input)
    }
    const luton = programmes.programmes.luton
    if (luton) {
      for (const key of LUTON_ACCREDITED_PROVIDERS) {
        const organisationId = access.organisations[key]
        if (!organisationId) continue
        await addAccreditation(trx, {
          subjectType: 'organisation',
          subjectId: organisationId,
          programmeId: luton,
          accreditedFrom: isoDate(200),
          accreditedTo: null,
        })
      }
      for (const key of [
        'luton.exercise',
        'luton.social',
        'luton.volunteering',
        'luton.wellbeing',
        'luton.advice',
      ]) {
        const serviceId = services[key]
        if (!serviceId) continue
        await addAccreditation(trx, {
          subjectType: 'service',
          subjectId: serviceId,
          programmeId: luton,
          accreditedFrom: isoDate(200),
          accreditedTo: isoDate(-165),
        })
      }
    }
    return { services }
  })
}
