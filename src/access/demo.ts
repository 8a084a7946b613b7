// Demo organisations for every scheme in the seeds, and demo accounts for every role.
//
// The schemes, councils and voluntary organisations are the ones the seeds name. Practices are
// invented (names and ODS codes starting with Z), placed at the postcodes of real practices in
// each area (shared/reference/demo-places.csv). Every demo account shares DEMO_PASSWORD.

import type { Db } from '../db/schema.ts'
import { hashPassword } from './passwords.ts'
import type { OrganisationKind, Role } from './roles.ts'
import { addMembership, createOrganisation, createUser } from './store.ts'

export const DEMO_PASSWORD = 'kith-demo-2026'

interface DemoOrganisation {
  key: string
  name: string
  kind: OrganisationKind
  parent?: string
  odsCode?: string
  postcode?: string
}

export const DEMO_ORGANISATIONS: DemoOrganisation[] = [
  { key: 'demo', name: 'Kith demo installation', kind: 'area' },

  // Culm Valley: a health facilitator at an integrated centre; patient-led groups.
  { key: 'culm', name: 'Culm Valley, Devon', kind: 'area', parent: 'demo' },
  {
    key: 'culm.centre',
    name: 'Culm Valley Integrated Centre for Health',
    kind: 'practice',
    parent: 'culm',
    odsCode: 'Z10001',
    postcode: 'EX15 1FE',
  },
  {
    key: 'culm.riverside',
    name: 'Cullompton Riverside Surgery',
    kind: 'practice',
    parent: 'culm',
    odsCode: 'Z10002',
    postcode: 'EX15 1TZ',
  },
  { key: 'culm.amblers', name: 'Amblers Walking Group', kind: 'vcs', parent: 'culm' },
  { key: 'culm.gardening', name: 'Community Gardening Group', kind: 'vcs', parent: 'culm' },

  // Ways to Wellness: a programme body with contracted link worker providers, Newcastle West.
  { key: 'wtw.area', name: 'Newcastle West', kind: 'area', parent: 'demo' },
  { key: 'wtw', name: 'Ways to Wellness', kind: 'programme_body', parent: 'wtw.area' },
  { key: 'wtw.pcn', name: 'Benwell and Fenham PCN', kind: 'pcn', parent: 'wtw.area' },
  {
    key: 'wtw.benwell',
    name: 'Benwell Village Surgery',
    kind: 'practice',
    parent: 'wtw.pcn',
    odsCode: 'Z20001',
    postcode: 'NE4 8QB',
  },
  {
    key: 'wtw.denton',
    name: 'Denton Burn Practice',
    kind: 'practice',
    parent: 'wtw.pcn',
    odsCode: 'Z20002',
    postcode: 'NE15 6TQ',
  },
  {
    key: 'wtw.elswick',
    name: 'Elswick Park Surgery',
    kind: 'practice',
    parent: 'wtw.pcn',
    odsCode: 'Z20003',
    postcode: 'NE4 6SH',
  },
  {
    key: 'wtw.fenham',
    name: 'Fenham Green Surgery',
    kind: 'practice',
    parent: 'wtw.pcn',
    odsCode: 'Z20004',
    postcode: 'NE4 9XD',
  },
  {
    key: 'wtw.westroad',
    name: 'West Road Family Practice',
    kind: 'practice',
    parent: 'wtw.pcn',
    odsCode: 'Z20005',
    postcode: 'NE4 9QB',
  },
  { key: 'wtw.provider', name: 'Tyneside Link Worker Service', kind: 'vcs', parent: 'wtw.area' },
  // Local groups invented for the demo, so that Newcastle's link workers have activities nearby.
  { key: 'wtw.community', name: 'West End Community Groups', kind: 'vcs', parent: 'wtw.area' },

  // East Riding: GPs refer directly to council, leisure and library services.
  { key: 'er', name: 'East Riding of Yorkshire', kind: 'area', parent: 'demo' },
  {
    key: 'er.council',
    name: 'East Riding of Yorkshire Council Public Health',
    kind: 'council',
    parent: 'er',
  },
  { key: 'er.leisure', name: 'East Riding Leisure Centres', kind: 'leisure', parent: 'er' },
  { key: 'er.library', name: 'East Riding Libraries', kind: 'library', parent: 'er', postcode: 'HU17 8HE' },
  {
    key: 'er.beverley',
    name: 'Beverley Minster Surgery',
    kind: 'practice',
    parent: 'er',
    odsCode: 'Z30001',
    postcode: 'HU17 8JW',
  },
  {
    key: 'er.bridlington',
    name: 'Bridlington Quay Practice',
    kind: 'practice',
    parent: 'er',
    odsCode: 'Z30002',
    postcode: 'YO15 2AT',
  },
  {
    key: 'er.goole',
    name: 'Goole Riverside Surgery',
    kind: 'practice',
    parent: 'er',
    odsCode: 'Z30003',
    postcode: 'DN14 6RU',
  },

  // Blackburn with Darwen: volunteering on prescription led by the CVS.
  { key: 'bwd', name: 'Blackburn with Darwen', kind: 'area', parent: 'demo' },
  { key: 'bwd.council', name: 'Blackburn with Darwen Borough Council', kind: 'council', parent: 'bwd' },
  { key: 'bwd.cvs', name: 'Blackburn with Darwen CVS', kind: 'vcs', parent: 'bwd' },
  {
    key: 'bwd.central',
    name: 'Blackburn Central Surgery',
    kind: 'practice',
    parent: 'bwd',
    odsCode: 'Z40001',
    postcode: 'BB2 1AX',
  },
  {
    key: 'bwd.harwood',
    name: 'Little Harwood Family Practice',
    kind: 'practice',
    parent: 'bwd',
    odsCode: 'Z40002',
    postcode: 'BB1 6PH',
  },
  {
    key: 'bwd.fishmoor',
    name: 'Fishmoor Surgery',
    kind: 'practice',
    parent: 'bwd',
    odsCode: 'Z40003',
    postcode: 'BB2 3UY',
  },

  // Luton: council community navigators and accredited providers.
  { key: 'luton', name: 'Luton', kind: 'area', parent: 'demo' },
  { key: 'luton.council', name: 'Luton Borough Council', kind: 'council', parent: 'luton' },
  // Its 20 accredited providers in five areas: council services (kind council, under the council)
  // and external organisations (kind vcs). Invented for the demo, except the council.
  { key: 'luton.active', name: 'Luton Active Lifestyles', kind: 'council', parent: 'luton.council' },
  ...(
    [
      ['luton.parks', 'Luton Council Parks Service'],
      ['luton.libraries', 'Luton Council Libraries'],
      ['luton.learning', 'Luton Council Adult Learning'],
      ['luton.welfare', 'Luton Council Welfare Rights Service'],
      ['luton.housing', 'Luton Council Housing Advice'],
      ['luton.centres', 'Luton Council Community Centres'],
    ] as const
  ).map(([key, name]) => ({ key, name, kind: 'council' as const, parent: 'luton.council' })),
  { key: 'luton.vcs', name: 'Luton Community Wellbeing Network', kind: 'vcs', parent: 'luton' },
  ...(
    [
      ['luton.walks', 'Luton Health Walks Volunteers'],
      ['luton.football', 'Luton Walking Football Club'],
      ['luton.dance', 'Luton Seated Dance Club'],
      ['luton.elders', "Luton Elders' Lunch Club"],
      ['luton.crafts', 'Stopsley Craft Circle'],
      ['luton.workshop', "Luton Men's Workshop"],
      ['luton.hub', 'Luton Volunteering Hub'],
      ['luton.foodshare', 'Luton Community Food Share'],
      ['luton.conservation', 'Lea Valley Conservation Volunteers'],
      ['luton.talking', 'Luton Talking Space'],
      ['luton.carers', "Luton Carers' Wellbeing Circle"],
      ['luton.debt', 'Luton Debt Advice Partnership'],
    ] as const
  ).map(([key, name]) => ({ key, name, kind: 'vcs' as const, parent: 'luton' })),
  {
    key: 'luton.mersey',
    name: 'Mersey Place Surgery',
    kind: 'practice',
    parent: 'luton',
    odsCode: 'Z50001',
    postcode: 'LU1 1HH',
  },
  {
    key: 'luton.grove',
    name: 'Grove Road Practice',
    kind: 'practice',
    parent: 'luton',
    odsCode: 'Z50002',
    postcode: 'LU1 1RW',
  },
  {
    key: 'luton.dunstable',
    name: 'Dunstable Road Surgery',
    kind: 'practice',
    parent: 'luton',
    odsCode: 'Z50003',
    postcode: 'LU4 8BY',
  },

  // Rotherham: a voluntary-sector partnership; integrated case management refers.
  { key: 'roth', name: 'Rotherham', kind: 'area', parent: 'demo' },
  { key: 'roth.var', name: 'Voluntary Action Rotherham', kind: 'vcs', parent: 'roth' },
  { key: 'roth.council', name: 'Rotherham Adult Social Care', kind: 'council', parent: 'roth' },
  { key: 'roth.metalwork', name: "Rotherham Men's Metalwork Club", kind: 'vcs', parent: 'roth' },
  // Partners running exercise clubs, invented for the demo.
  { key: 'roth.football', name: 'Rotherham Walking Football Club', kind: 'vcs', parent: 'roth' },
  { key: 'roth.maltby', name: 'Maltby Active Club', kind: 'vcs', parent: 'roth' },
  { key: 'roth.nordic', name: 'Wath Nordic Walking Club', kind: 'vcs', parent: 'roth' },
  {
    key: 'roth.doncastergate',
    name: 'Doncaster Gate Surgery',
    kind: 'practice',
    parent: 'roth',
    odsCode: 'Z60001',
    postcode: 'S65 1DA',
  },
  {
    key: 'roth.kimberworth',
    name: 'Kimberworth Road Practice',
    kind: 'practice',
    parent: 'roth',
    odsCode: 'Z60002',
    postcode: 'S61 1AH',
  },
  {
    key: 'roth.broom',
    name: 'Broom Valley Surgery',
    kind: 'practice',
    parent: 'roth',
    odsCode: 'Z60003',
    postcode: 'S60 3EW',
  },

  // Cotswold: a council-run scheme.
  { key: 'cots', name: 'Cotswold', kind: 'area', parent: 'demo' },
  { key: 'cots.council', name: 'Cotswold District Council', kind: 'council', parent: 'cots' },
  {
    key: 'cots.avenue',
    name: 'Cirencester Avenue Surgery',
    kind: 'practice',
    parent: 'cots',
    odsCode: 'Z70001',
    postcode: 'GL7 1EH',
  },
  {
    key: 'cots.chesterton',
    name: 'Chesterton Lane Practice',
    kind: 'practice',
    parent: 'cots',
    odsCode: 'Z70002',
    postcode: 'GL7 1XG',
  },

  // Tower Hamlets: the GP Care Group leads across 8 GP networks; a named social prescriber per practice.
  { key: 'th', name: 'Tower Hamlets', kind: 'area', parent: 'demo' },
  { key: 'th.gpcg', name: 'Tower Hamlets GP Care Group', kind: 'programme_body', parent: 'th' },
  // Invented for the demo: advice and company near the borough's practices.
  { key: 'th.advice', name: 'Poplar Community Advice', kind: 'vcs', parent: 'th' },
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({
    key: `th.network${n}`,
    name: `Tower Hamlets GP Network ${n}`,
    kind: 'pcn' as const,
    parent: 'th',
  })),
  {
    key: 'th.bromleybybow',
    name: 'Bromley by Bow Centre',
    kind: 'practice',
    parent: 'th.network1',
    odsCode: 'Z80001',
    // St Andrews Health Centre, Bromley-by-Bow: the nearest practice building to the Centre.
    postcode: 'E3 3FF',
  },
  {
    key: 'th.mission',
    name: 'The Mission Practice',
    kind: 'practice',
    parent: 'th.network2',
    odsCode: 'Z80002',
    postcode: 'E2 9LS',
  },
  {
    key: 'th.mileend',
    name: 'Mile End Green Surgery',
    kind: 'practice',
    parent: 'th.network3',
    odsCode: 'Z80003',
    postcode: 'E1 4DG',
  },
  {
    key: 'th.poplar',
    name: 'Poplar Market Surgery',
    kind: 'practice',
    parent: 'th.network4',
    odsCode: 'Z80004',
    postcode: 'E14 6PG',
  },
  {
    key: 'th.aberfeldy',
    name: 'Aberfeldy Village Surgery',
    kind: 'practice',
    parent: 'th.network4',
    odsCode: 'Z80005',
    postcode: 'E14 0PU',
  },
  {
    key: 'th.bow',
    name: 'Bow Common Surgery',
    kind: 'practice',
    parent: 'th.network1',
    odsCode: 'Z80006',
    postcode: 'E3 3FF',
  },
  {
    key: 'th.whitechapel',
    name: 'Whitechapel Road Surgery',
    kind: 'practice',
    parent: 'th.network5',
    odsCode: 'Z80007',
    postcode: 'E1 1BU',
  },
  {
    key: 'th.wapping',
    name: 'Wapping Riverside Surgery',
    kind: 'practice',
    parent: 'th.network6',
    odsCode: 'Z80008',
    postcode: 'E1W 2RL',
  },
  {
    key: 'th.island',
    name: 'Isle of Dogs Surgery',
    kind: 'practice',
    parent: 'th.network7',
    odsCode: 'Z80009',
    postcode: 'E14 3BQ',
  },
  {
    key: 'th.bethnalgreen',
    name: 'Florida Street Surgery',
    kind: 'practice',
    parent: 'th.network8',
    odsCode: 'Z80010',
    postcode: 'E2 6LL',
  },

  // Merton: MVSC employs the navigator, two days a week in each of two practices.
  { key: 'merton', name: 'Merton', kind: 'area', parent: 'demo' },
  { key: 'merton.mvsc', name: 'Merton Voluntary Service Council (MVSC)', kind: 'vcs', parent: 'merton' },
  {
    key: 'merton.wimbledon',
    name: 'High Street Wimbledon Surgery',
    kind: 'practice',
    parent: 'merton',
    odsCode: 'Z90001',
    postcode: 'SW19 5BY',
  },
  {
    key: 'merton.mitcham',
    name: 'Mitcham Green Surgery',
    kind: 'practice',
    parent: 'merton',
    odsCode: 'Z90002',
    postcode: 'CR4 3DA',
  },
  { key: 'merton.library', name: 'Merton Libraries', kind: 'library', parent: 'merton', postcode: 'SM4 5BL' },
]

interface DemoAccount {
  email: string
  name: string
  roles: { org: string; role: Role; title?: string }[]
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { email: 'admin@kith.example', name: 'Sam Okafor', roles: [{ org: 'demo', role: 'administrator' }] },

  // Referrers
  {
    email: 'gp.culm@kith.example',
    name: 'Dr Tom Ellis',
    roles: [{ org: 'culm.centre', role: 'referrer', title: 'GP' }],
  },
  {
    email: 'gp.newcastle@kith.example',
    name: 'Dr Hannah Reid',
    roles: [{ org: 'wtw.benwell', role: 'referrer', title: 'GP' }],
  },
  {
    email: 'gp.eastriding@kith.example',
    name: 'Dr Amira Khan',
    roles: [{ org: 'er.beverley', role: 'referrer', title: 'GP' }],
  },
  {
    email: 'socialworker.blackburn@kith.example',
    name: 'Jo Whitaker',
    roles: [{ org: 'bwd.council', role: 'referrer', title: 'Social worker' }],
  },
  {
    email: 'gp.blackburn@kith.example',
    name: 'Dr Imran Patel',
    roles: [{ org: 'bwd.central', role: 'referrer', title: 'GP' }],
  },
  {
    email: 'gp.luton@kith.example',
    name: 'Dr Grace Adeyemi',
    roles: [{ org: 'luton.mersey', role: 'referrer', title: 'GP' }],
  },
  {
    email: 'gp.rotherham@kith.example',
    name: 'Dr Owen Hughes',
    roles: [{ org: 'roth.doncastergate', role: 'referrer', title: 'GP' }],
  },
  {
    email: 'socialworker.rotherham@kith.example',
    name: 'Kerry Lawson',
    roles: [{ org: 'roth.council', role: 'referrer', title: 'Social worker' }],
  },
  {
    email: 'gp.cotswold@kith.example',
    name: 'Dr Lucy Barnes',
    roles: [{ org: 'cots.avenue', role: 'referrer', title: 'GP' }],
  },
  {
    email: 'gp.towerhamlets@kith.example',
    name: 'Dr Nadia Rahman',
    roles: [{ org: 'th.bromleybybow', role: 'referrer', title: 'GP' }],
  },
  {
    email: 'gp.merton@kith.example',
    name: 'Dr Peter Walsh',
    roles: [{ org: 'merton.wimbledon', role: 'referrer', title: 'GP' }],
  },

  // Link workers, by the title each scheme gives them
  {
    email: 'facilitator.culm@kith.example',
    name: 'Ruth Penrose',
    roles: [{ org: 'culm.centre', role: 'link_worker', title: 'Health facilitator' }],
  },
  {
    email: 'linkworker.newcastle@kith.example',
    name: 'Callum Armstrong',
    roles: [{ org: 'wtw.provider', role: 'link_worker', title: 'Link worker' }],
  },
  {
    email: 'officer.blackburn@kith.example',
    name: 'Aisha Hussain',
    roles: [{ org: 'bwd.cvs', role: 'link_worker', title: 'Project officer' }],
  },
  {
    email: 'navigator.blackburn@kith.example',
    name: 'Dean Kershaw',
    roles: [{ org: 'bwd.cvs', role: 'link_worker', title: 'Community navigator' }],
  },
  {
    email: 'recovery.blackburn@kith.example',
    name: 'Mel Duckworth',
    roles: [{ org: 'bwd.cvs', role: 'link_worker', title: 'Recovery support officer' }],
  },
  {
    email: 'navigator.luton@kith.example',
    name: 'Priya Chauhan',
    roles: [{ org: 'luton.council', role: 'link_worker', title: 'Community navigator' }],
  },
  {
    email: 'worker.rotherham@kith.example',
    name: 'Gary Fletcher',
    roles: [{ org: 'roth.var', role: 'link_worker', title: 'Social prescribing worker' }],
  },
  {
    email: 'linkworker.cotswold@kith.example',
    name: 'Emma Stroud',
    roles: [{ org: 'cots.council', role: 'link_worker', title: 'Link worker' }],
  },
  {
    email: 'prescriber.towerhamlets@kith.example',
    name: 'Yusuf Begum',
    roles: [{ org: 'th.gpcg', role: 'link_worker', title: 'Social prescriber' }],
  },
  {
    email: 'prescriber2.towerhamlets@kith.example',
    name: 'Shirin Akhtar',
    roles: [{ org: 'th.gpcg', role: 'link_worker', title: 'Social prescriber' }],
  },
  {
    email: 'navigator.merton@kith.example',
    name: 'Chloe Mensah',
    roles: [{ org: 'merton.mvsc', role: 'link_worker', title: 'Social Prescribing Navigator' }],
  },

  // Providers
  {
    email: 'provider.culm@kith.example',
    name: 'Bill Yeo',
    roles: [{ org: 'culm.amblers', role: 'provider', title: 'Group organiser' }],
  },
  {
    email: 'provider.eastriding@kith.example',
    name: 'Sarah Lund',
    roles: [{ org: 'er.leisure', role: 'provider', title: 'Exercise referral lead' }],
  },
  {
    email: 'library.eastriding@kith.example',
    name: 'Martin Cole',
    roles: [{ org: 'er.library', role: 'provider', title: 'Librarian' }],
  },
  {
    email: 'provider.luton@kith.example',
    name: 'Femi Okoro',
    roles: [{ org: 'luton.active', role: 'provider', title: 'Activity coordinator' }],
  },
  {
    email: 'provider.rotherham@kith.example',
    name: 'Keith Bramley',
    roles: [{ org: 'roth.metalwork', role: 'provider', title: 'Club secretary' }],
  },
  {
    email: 'provider.merton@kith.example',
    name: 'Rosa Alvarez',
    roles: [{ org: 'merton.mvsc', role: 'provider', title: 'Advice worker' }],
  },
  {
    email: 'provider.blackburn@kith.example',
    name: 'Tariq Mahmood',
    roles: [{ org: 'bwd.cvs', role: 'provider', title: 'Volunteering coordinator' }],
  },

  // Programme managers and commissioners
  {
    email: 'manager.culm@kith.example',
    name: 'Helen Crocker',
    roles: [{ org: 'culm.centre', role: 'programme_manager' }],
  },
  {
    email: 'manager.wtw@kith.example',
    name: 'Joanne Milburn',
    roles: [{ org: 'wtw', role: 'programme_manager' }],
  },
  {
    email: 'manager.eastriding@kith.example',
    name: 'Graham Pickering',
    roles: [{ org: 'er.council', role: 'programme_manager' }],
  },
  {
    email: 'manager.blackburn@kith.example',
    name: 'Nazia Ali',
    roles: [{ org: 'bwd.cvs', role: 'programme_manager' }],
  },
  {
    email: 'manager.luton@kith.example',
    name: 'Ravi Sharma',
    roles: [{ org: 'luton.council', role: 'programme_manager' }],
  },
  {
    email: 'manager.rotherham@kith.example',
    name: 'Julie Ward',
    roles: [{ org: 'roth.var', role: 'programme_manager' }],
  },
  {
    email: 'manager.cotswold@kith.example',
    name: 'Oliver Hart',
    roles: [{ org: 'cots.council', role: 'programme_manager' }],
  },
  {
    email: 'manager.towerhamlets@kith.example',
    name: 'Farhana Uddin',
    roles: [{ org: 'th.gpcg', role: 'programme_manager' }],
  },
  {
    email: 'manager.merton@kith.example',
    name: 'Simon Green',
    roles: [{ org: 'merton.mvsc', role: 'programme_manager' }],
  },

  // Devices
  {
    email: 'kiosk.culm@kith.example',
    name: 'Waiting room kiosk',
    roles: [{ org: 'culm.centre', role: 'kiosk' }],
  },
]

export interface AccessDemo {
  /** Organisation ids by their demo key (`wtw.benwell`). */
  organisations: Record<string, string>
  /** User ids by email. */
  users: Record<string, string>
}

export async function seedAccessDemo(db: Db): Promise<AccessDemo> {
  const hashes = await Promise.all(DEMO_ACCOUNTS.map(() => hashPassword(DEMO_PASSWORD)))
  return db.transaction().execute(async (trx) => {
    const organisations: Record<string, string> = {}
    for (const organisation of DEMO_ORGANISATIONS) {
      organisations[organisation.key] = await createOrganisation(trx, {
        name: organisation.name,
        kind: organisation.kind,
        parentId: organisation.parent ? (organisations[organisation.parent] ?? null) : null,
        odsCode: organisation.odsCode ?? null,
        postcode: organisation.postcode ?? null,
      })
    }
    const users: Record<string, string> = {}
    for (const [index, account] of DEMO_ACCOUNTS.entries()) {
      const userId = await createUser(trx, {
        email: account.email,
        name: account.name,
        passwordHash: hashes[index] ?? null,
      })
      users[account.email] = userId
      for (const membership of account.roles) {
        const organisationId = organisations[membership.org]
        if (!organisationId)
          throw new Error(`Demo account ${account.email} names unknown organisation ${membership.org}`)
        await addMembership(trx, {
          userId,
          organisationId,
          role: membership.role,
          title: membership.title ?? null,
        })
      }
    }
    return { organisations, users }
  })
}
