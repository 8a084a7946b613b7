// The link-worker schemes: a referrer refers to the programme, its link worker accepts it and
// works the case (appointment, plan and goal, a prescription or onward referral the provider
// accepts, notes), closes it, and the referrer reads the outcome.

import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import type { Page } from 'playwright-core'
import { DEMO_SERVICES } from '../../../src/directory/demo.ts'
import { assertAccessible } from '../harness.ts'
import { fullName, ID, literal, main, type Person, textOf, Walker, type World, yesterday } from './walker.ts'

/** One scheme's journey: who takes part, the person referred, and what the link worker does. */
export interface LinkWorkerJourney {
  scheme: string
  /** The programme's name as "Make a referral" lists it. */
  programme: string
  /**
   * The listing run for the programme, where it has one: "Make a referral" offers the listing
   * among the services, in place of the programme (decision 0106).
   */
  listing?: string
  /** The prefix of the demo's keys for the scheme's organisations: its area (`luton`). */
  area: string
  referrer: string
  linkWorker: string
  person: Person
  /** The needs ticked on the referral form. */
  needs: string[]
  whatMatters: string
  /** How the initial appointment happens, as the booking form says it. */
  appointmentMode: string
  goal: string
  /** What the link worker arranges with a local service the form offers. */
  support: {
    kind: 'prescription' | 'onward referral'
    /** The service chosen; without one, the first service the form offers in the scheme's area. */
    service?: string
    need: string
    weeks?: string
    sessions?: string
    /** The provider's account, where the service's provider has one. */
    provider?: string
  }
  /** The note for the GP record: its type and text. */
  gpNote: { type: string; text: string }
  exitPlan: string
}

export const LINK_WORKER_JOURNEYS: LinkWorkerJourney[] = [
  {
    scheme: 'Ways to Wellness: a GP in Newcastle West refers to a link worker',
    programme: 'Ways to Wellness',
    listing: 'Ways to Wellness link worker service',
    area: 'wtw',
    referrer: 'gp.newcastle@kith.example',
    linkWorker: 'linkworker.newcastle@kith.example',
    person: {
      givenName: 'Maureen',
      familyName: 'Journey-Newcastle',
      nhsNumber: '9990000018',
      dateOfBirth: ['3', '4', '1962'],
      practice: 'Benwell Village Surgery (Z20001)',
      address: ['7 Example Terrace', 'Newcastle upon Tyne', 'NE4 8QB'],
      conditions: ['Chronic obstructive lung disease'],
    },
    needs: ['Managing a long-term condition', 'Physical activity'],
    whatMatters: 'Getting her breath back so she can walk to the shops',
    appointmentMode: 'At the practice',
    goal: 'Walk to the shops and back twice a week',
    // The demo's directory has no service in Newcastle West but the link worker service itself:
    // without a service named here, the journey takes the first the form offers in the area.
    support: { kind: 'prescription', need: 'Physical activity', weeks: '12', sessions: '12' },
    gpNote: { type: 'General note', text: 'Walks to the shops twice a week; less breathless' },
    exitPlan: 'Carries on walking with a neighbour; the practice can refer her again',
  },
  {
    scheme:
      'Luton: a GP refers to a community navigator, who prescribes 12 weeks with an accredited provider',
    programme: 'Luton social prescribing',
    area: 'luton',
    referrer: 'gp.luton@kith.example',
    linkWorker: 'navigator.luton@kith.example',
    person: {
      givenName: 'Delroy',
      familyName: 'Journey-Luton',
      nhsNumber: '9990000026',
      dateOfBirth: ['21', '9', '1958'],
      practice: 'Mersey Place Surgery (Z50001)',
      address: ['22 Example Road', 'Luton', 'LU1 1HH'],
    },
    needs: ['Physical activity'],
    whatMatters: 'Being fit enough to play with his grandchildren',
    appointmentMode: 'At the practice',
    goal: 'Join an exercise class every week',
    support: {
      kind: 'prescription',
      service: 'Active Luton gentle exercise',
      need: 'Physical activity',
      weeks: '12',
      sessions: '12',
      provider: 'provider.luton@kith.example',
    },
    gpNote: { type: 'General note', text: 'Went to gentle exercise every week of the 12' },
    exitPlan: 'Keeps going to the Monday class; back to the navigator through his GP if needed',
  },
  {
    scheme: 'Rotherham: a social worker refers; the social prescribing worker visits at home',
    programme: 'Rotherham social prescribing',
    listing: 'Rotherham social prescribing service',
    area: 'roth',
    referrer: 'socialworker.rotherham@kith.example',
    linkWorker: 'worker.rotherham@kith.example',
    person: {
      givenName: 'Stanley',
      familyName: 'Journey-Rotherham',
      nhsNumber: '9990000034',
      dateOfBirth: ['8', '11', '1949'],
      practice: 'Doncaster Gate Surgery (Z60001)',
      address: ['3 Example Close', 'Rotherham', 'S65 1DA'],
    },
    needs: ['Social isolation'],
    whatMatters: 'Having somewhere to go and people to talk to since his wife died',
    appointmentMode: 'Home visit',
    goal: 'Get out of the house to meet people twice a week',
    support: {
      kind: 'prescription',
      service: "Men's Metalwork Club",
      need: 'Social isolation',
      weeks: '12',
      sessions: '24',
      provider: 'provider.rotherham@kith.example',
    },
    gpNote: { type: 'General note', text: 'Goes to the metalwork club on Tuesdays and Thursdays' },
    exitPlan: 'Carries on at the club after the prescription; the club secretary knows to call VAR',
  },
  {
    scheme: 'Tower Hamlets: a GP refers to the practice’s named social prescriber, who refers on',
    programme: 'Tower Hamlets social prescribing',
    area: 'th',
    referrer: 'gp.towerhamlets@kith.example',
    linkWorker: 'prescriber.towerhamlets@kith.example',
    person: {
      givenName: 'Rokeya',
      familyName: 'Journey-TowerHamlets',
      nhsNumber: '9990000042',
      dateOfBirth: ['14', '2', '1975'],
      practice: 'Bromley by Bow Centre (Z80001)',
      address: ['Flat 9, Example House', 'London', 'E3 3FF'],
    },
    needs: ['Financial'],
    whatMatters: 'Paying the bills without worrying every month',
    appointmentMode: 'At the practice',
    goal: 'Get advice on the benefits she can claim',
    // The demo's directory has no service in Tower Hamlets but its two link-worker services:
    // without a service named here, the journey takes the first the form offers in the area.
    support: { kind: 'onward referral', need: 'Financial' },
    gpNote: { type: 'General note', text: 'Benefits check done; now claiming what she is entitled to' },
    exitPlan: 'Knows where the advice service is; will ask the practice if money troubles return',
  },
  {
    scheme: 'Merton: a GP refers to the practice’s navigator, whose notes go into the GP record',
    programme: 'Merton social prescribing navigators',
    area: 'merton',
    referrer: 'gp.merton@kith.example',
    linkWorker: 'navigator.merton@kith.example',
    person: {
      givenName: 'Grace',
      familyName: 'Journey-Merton',
      nhsNumber: '9990000050',
      dateOfBirth: ['30', '6', '1981'],
      practice: 'High Street Wimbledon Surgery (Z90001)',
      address: ['41 Example Avenue', 'London', 'SW19 5BY'],
    },
    needs: ['Forms and benefits'],
    whatMatters: 'Keeping the flat for herself and her children',
    appointmentMode: 'At the practice',
    goal: 'Send the housing benefit form',
    support: {
      kind: 'onward referral',
      service: 'Benefits and forms help',
      need: 'Forms and benefits',
      provider: 'provider.merton@kith.example',
    },
    gpNote: {
      type: 'Benefits eligibility check',
      text: 'Eligible for housing benefit; form sent with the MVSC advice worker',
    },
    exitPlan: 'MVSC advice follows up the claim; she can see the navigator at the practice again',
  },
  {
    scheme: 'Cotswold: a GP refers to the council’s link worker',
    programme: 'Cotswold social prescribing',
    area: 'cots',
    referrer: 'gp.cotswold@kith.example',
    linkWorker: 'linkworker.cotswold@kith.example',
    person: {
      givenName: 'Arthur',
      familyName: 'Journey-Cotswold',
      nhsNumber: '9990000069',
      dateOfBirth: ['2', '1', '1944'],
      practice: 'Cirencester Avenue Surgery (Z70001)',
      address: ['5 Example Lane', 'Cirencester', 'GL7 1EH'],
    },
    needs: ['Social isolation'],
    whatMatters: 'Company at mealtimes',
    appointmentMode: 'At the practice',
    goal: 'Have lunch with others once a week',
    // Run by the council, whose link worker accepts it from the council's inbox.
    support: {
      kind: 'prescription',
      service: 'Friendship lunch club',
      need: 'Social isolation',
      weeks: '12',
      sessions: '12',
      provider: 'linkworker.cotswold@kith.example',
    },
    gpNote: { type: 'General note', text: 'Goes to the Friday lunch club, with transport' },
    exitPlan: 'Carries on at the lunch club; the council’s link worker is a phone call away',
  },
  {
    scheme: 'Culm Valley: a GP refers to the health facilitator, who connects to a patient-led group',
    programme: 'Culm Valley health facilitator',
    area: 'culm',
    referrer: 'gp.culm@kith.example',
    linkWorker: 'facilitator.culm@kith.example',
    person: {
      givenName: 'Jean',
      familyName: 'Journey-Culm',
      nhsNumber: '9990000077',
      dateOfBirth: ['17', '5', '1956'],
      practice: 'Culm Valley Integrated Centre for Health (Z10001)',
      address: ['12 Example Way', 'Cullompton', 'EX15 1FE'],
      conditions: ['Heart disease'],
    },
    needs: ['Exercise', 'Heart disease support'],
    whatMatters: 'Staying active after her heart attack',
    appointmentMode: 'At the practice',
    goal: 'Walk for an hour each week',
    support: {
      kind: 'prescription',
      service: 'Amblers Walking Group',
      need: 'Exercise',
      weeks: '12',
      sessions: '12',
      provider: 'provider.culm@kith.example',
    },
    gpNote: { type: 'General note', text: 'Walks with the Amblers every Wednesday' },
    exitPlan: 'Carries on with the Amblers; can refer herself to the health facilitator again',
  },
]

/** What a link worker prescribes or refers on to in a scheme's area: its services, but not link workers. */
function localServices(area: string): string[] {
  return DEMO_SERVICES.filter(
    (service) => service.provider.startsWith(`${area}.`) && service.kind !== 'link_worker',
  ).map((service) => service.name)
}

const PRIVATE_NOTE = 'Working note for the team: not for the GP record'

export async function walkLinkWorkerJourney(
  world: World,
  journey: LinkWorkerJourney,
  t: TestContext,
): Promise<void> {
  const { person, support } = journey
  const name = fullName(person)
  const walker = new Walker(world, t)
  const { step } = walker
  const arrive = walker.arrive.bind(walker)
  const navigate = walker.navigate.bind(walker)

  let gp: Page
  let lw: Page
  let referralPath = ''
  let casePath = ''
  let service = ''
  const openCase = async () => {
    await navigate(lw, 'Caseload', /\/casework$/)
    await lw.getByRole('link', { name }).click()
    await arrive(lw, new RegExp(`/casework/cases/${ID}$`))
  }
  const backToCase = async () => {
    await lw.getByRole('link', { name: 'Back to the case' }).click()
    await arrive(lw, new RegExp(`${casePath}$`))
  }
  const supportRow = () =>
    lw
      .locator(support.kind === 'prescription' ? '#prescriptions + table tr' : '#signposts + table tr')
      .filter({ hasText: service })

  try {
    await step('the referrer makes the referral, with the person’s consent', async () => {
      gp = await walker.signIn(journey.referrer)
      await gp.getByRole('link', { name: 'Make a referral' }).first().click()
      await arrive(gp, /\/referrals\/new$/)
      if (journey.listing) {
        const listing = gp.getByRole('link', { name: journey.listing, exact: true })
        if ((await listing.count()) === 0) {
          await gp.getByRole('link', { name: 'Show services elsewhere' }).click()
          await arrive(gp, /\/referrals\/new\?elsewhere=1$/)
        }
        assert.equal(await gp.getByRole('link', { name: journey.programme, exact: true }).count(), 0)
        await listing.click()
        await arrive(gp, new RegExp(`/referrals/new/services/${ID}$`))
        assert.match(await main(gp), new RegExp(`Refer someone to ${literal(journey.listing)}`))
      } else {
        await gp.getByRole('link', { name: journey.programme, exact: true }).click()
        await arrive(gp, new RegExp(`/referrals/new/programmes/${ID}$`))
      }
      await walker.fillPerson(gp, person)
      for (const need of journey.needs) await gp.getByLabel(need, { exact: true }).check()
      await gp.getByLabel('What matters to the person').fill(journey.whatMatters)
      await gp.getByLabel('Reason for the referral').fill(`Would benefit from ${journey.programme}`)
      await walker.giveConsent(gp)
      referralPath = await walker.sendReferral(gp)
    })

    await step(
      'the link worker accepts it from the inbox, and opens the case from the caseload',
      async () => {
        lw = await walker.signIn(journey.linkWorker)
        assert.equal(await walker.openFromInbox(lw, person), referralPath)
        await walker.updateReferral(lw, 'Accepted')
        await openCase()
        casePath = new URL(lw.url()).pathname
      },
    )

    await step(
      `books the initial appointment (${journey.appointmentMode.toLowerCase()}), which the person attends`,
      async () => {
        await lw.getByRole('link', { name: 'Book an appointment' }).click()
        await arrive(lw, new RegExp(`${casePath}/appointments/new$`))
        await lw.getByLabel('Initial', { exact: true }).check()
        await lw.getByLabel(journey.appointmentMode, { exact: true }).check()
        await lw.getByLabel('Date', { exact: true }).fill(yesterday())
        await lw.getByLabel('Starts at').fill('10:00')
        await lw.getByRole('button', { name: 'Book appointment' }).click()
        // On a day outside the worker's working pattern (Merton's navigator works Monday to
        // Thursday), Kith shows what is outside it and asks first (decision 0403).
        await lw.waitForURL(new RegExp(`${casePath}(/appointments$|\\?saved=booked)`))
        if (new URL(lw.url()).pathname.endsWith('/appointments')) {
          await assertAccessible(lw)
          assert.match(await main(lw), /Check before you go ahead/)
          await lw.getByLabel('Book it anyway').check()
          await lw.getByRole('button', { name: 'Book appointment' }).click()
        }
        await arrive(lw, new RegExp(`${casePath}\\?saved=booked`))
        assert.match(await main(lw), /The appointment has been booked/)
        const appointment = await textOf(lw.locator('#appointments + table'))
        assert.match(appointment, new RegExp(journey.appointmentMode))
        // A home visit shows where the person lives.
        if (journey.appointmentMode === 'Home visit')
          assert.match(appointment, new RegExp(`${literal(person.address[0])}, .*${person.address[2]}`))
        await lw.getByRole('link', { name: /^Record the initial appointment/ }).click()
        await arrive(lw, new RegExp(`/casework/appointments/${ID}$`))
        await lw.getByLabel('Attended', { exact: true }).check()
        await lw.getByRole('button', { name: 'Save' }).click()
        await arrive(lw, new RegExp(`${casePath}\\?saved=recorded`))
      },
    )

    await step('writes what matters to the person and a goal in the care and support plan', async () => {
      await lw.getByRole('link', { name: 'Care and support plan' }).click()
      await arrive(lw, new RegExp(`${casePath}/plan$`))
      await lw.getByLabel('What matters to me').fill(journey.whatMatters)
      await lw.getByRole('button', { name: 'Save plan' }).click()
      await arrive(lw, new RegExp(`${casePath}/plan\\?saved=plan`))
      await lw.getByLabel(/The goal, in the person/).fill(journey.goal)
      await lw.getByLabel('Progress so far').selectOption({ label: 'Started' })
      await lw.getByRole('button', { name: 'Add goal' }).click()
      await arrive(lw, new RegExp(`${casePath}/plan\\?saved=`))
      await backToCase()
      assert.match(await main(lw), new RegExp(`${literal(journey.goal)}: started`))
    })

    await step(
      `adds ${support.kind === 'prescription' ? 'a prescription' : 'an onward referral'} to a local service the form offers`,
      async () => {
        if (support.kind === 'prescription') {
          await lw.getByRole('link', { name: 'Add a prescription' }).click()
          await arrive(lw, new RegExp(`${casePath}/prescriptions/new$`))
        } else {
          await lw.getByRole('link', { name: 'Signpost or refer on' }).click()
          await arrive(lw, new RegExp(`${casePath}/signposts/new$`))
          await lw.getByLabel('Onward referral', { exact: true }).check()
        }
        const local = localServices(journey.area)
        const offered = await lw
          .locator('input[name="serviceId"]')
          .evaluateAll((inputs) =>
            inputs.map(
              (input) => document.querySelector(`label[for="${input.id}"]`)?.textContent?.trim() ?? '',
            ),
          )
        const chosen = support.service ?? offered.find((name) => local.includes(name))
        assert.ok(
          chosen && local.includes(chosen) && offered.includes(chosen),
          `The ${support.kind} form offers no service in the scheme's area${support.service ? ` named ${support.service}` : ''} (the demo's services there, but link workers: ${local.join(', ') || 'none'}; the form offers: ${offered.join(', ') || 'nothing'})`,
        )
        service = chosen
        await lw.getByRole('radio', { name: service, exact: true }).check()
        await lw.getByLabel('The need it meets').selectOption({ label: support.need })
        if (support.kind === 'prescription') {
          await lw.getByLabel('Weeks').fill(support.weeks ?? '12')
          await lw.getByLabel('Expected sessions').fill(support.sessions ?? '12')
          await lw.getByRole('button', { name: 'Add prescription' }).click()
          await arrive(lw, new RegExp(`${casePath}\\?saved=prescribed`))
        } else {
          await lw.getByLabel(/The person has agreed to this referral/).check()
          await lw.getByRole('button', { name: 'Record' }).click()
          await arrive(lw, new RegExp(`${casePath}\\?saved=`))
        }
        assert.equal(await supportRow().count(), 1, `one row for ${service} on the case`)
      },
    )

    // The provider, where it has an account, accepts the referral from its own inbox: someone at
    // the provider, or the link worker where they work for it (a council's own service).
    const providerAccount = support.provider
    if (providerAccount)
      await step('the provider accepts it from their inbox', async () => {
        assert.match(
          await textOf(supportRow()),
          support.kind === 'prescription' ? /Provider: Sent/ : / Sent /,
        )
        const provider = providerAccount === journey.linkWorker ? lw : await walker.signIn(providerAccount)
        await walker.openFromInbox(provider, person)
        assert.match(await main(provider), new RegExp(`Referral to ${literal(service)}`))
        await walker.updateReferral(provider, 'Accepted')
      })

    await step('the link worker sees the provider has accepted it', async () => {
      if (providerAccount === journey.linkWorker) await openCase()
      else {
        await lw.reload()
        await arrive(lw, new RegExp(casePath))
      }
      // A prescription's row says "Provider: <status>"; an onward referral's shows the status alone.
      assert.match(
        await textOf(supportRow()),
        support.kind === 'prescription' ? /Provider: Accepted/ : /Onward referral .* Accepted/,
      )
    })

    await step('records the goal as achieved', async () => {
      await lw.getByRole('link', { name: 'Care and support plan' }).click()
      await arrive(lw, new RegExp(`${casePath}/plan$`))
      await lw.getByLabel(`Progress on “${journey.goal}”`).selectOption({ label: 'Achieved' })
      await lw.getByRole('button', { name: `Save progress on ${journey.goal}` }).click()
      await arrive(lw, new RegExp(`${casePath}/plan\\?saved=progress`))
      await backToCase()
      assert.match(await main(lw), new RegExp(`${literal(journey.goal)}: achieved`))
    })

    await step('adds a note for the team, and a note for the GP record', async () => {
      await lw.getByLabel('Type of note').selectOption({ label: 'General note' })
      await lw.getByLabel('Note', { exact: true }).fill(PRIVATE_NOTE)
      await lw.getByRole('button', { name: 'Add note' }).click()
      await arrive(lw, new RegExp(`${casePath}\\?saved=note`))
      await lw.getByLabel('Type of note').selectOption({ label: journey.gpNote.type })
      await lw.getByLabel('Note', { exact: true }).fill(journey.gpNote.text)
      await lw.getByLabel('For the GP record').check()
      await lw.getByRole('button', { name: 'Add note' }).click()
      await arrive(lw, new RegExp(`${casePath}\\?saved=note`))
    })

    await step('closes the case: goals met, with an exit plan', async () => {
      await lw.getByRole('link', { name: 'Close the case' }).click()
      await arrive(lw, new RegExp(`${casePath}/exit$`))
      await lw.getByLabel('Goals met').check()
      await lw.getByLabel('Exit plan').fill(journey.exitPlan)
      await lw.getByRole('button', { name: 'Close the case' }).click()
      await arrive(lw, new RegExp(`${casePath}\\?saved=closed`))
      assert.match(await main(lw), /Closed .*Goals met/)
    })

    await step('the referrer sees the referral completed in My referrals, and is notified', async () => {
      // Back at the page they left.
      await walker.notifiedOfCompletion(gp, person, referralPath)
    })

    await step(
      'reads the outcome: needs, support, the goal achieved, the exit plan and the note for the GP record, and not the team’s own notes',
      async () => {
        const outcome = await walker.readOutcome(gp, referralPath)
        assert.match(outcome, new RegExp(`Outcome for ${name}`))
        assert.match(outcome, /Case closed: goals met/)
        for (const need of journey.needs) assert.match(outcome, new RegExp(literal(need)))
        assert.match(outcome, new RegExp(`What matters to them: ${literal(journey.whatMatters)}`))
        assert.match(outcome, new RegExp(literal(service)))
        assert.match(outcome, new RegExp(`${literal(journey.goal)}: achieved`))
        assert.match(outcome, new RegExp(`Exit plan: ${literal(journey.exitPlan)}`))
        assert.match(outcome, new RegExp(`Notes for the GP record .*${literal(journey.gpNote.text)}`))
        assert.doesNotMatch(outcome, new RegExp(PRIVATE_NOTE))
      },
    )
  } finally {
    await walker.close()
  }
}
