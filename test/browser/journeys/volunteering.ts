// Volunteering on prescription (Blackburn with Darwen), both programmes: a referrer refers; the
// project officer accepts and holds the case, with the recovery support officer or the community
// navigator named on it as supporting worker, who has it in their caseload; the officer agrees
// what matters and a goal, and arranges volunteering with the CVS's volunteering team, who accept
// it from their inbox; the goal met, the officer closes the case and the referrer reads the outcome.

import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import type { Page } from 'playwright-core'
import { fullName, ID, literal, main, type Person, textOf, Walker, type World } from './walker.ts'

export interface VolunteeringJourney {
  scheme: string
  programme: string
  referrer: string
  /** The programme's question about the person, answered yes. */
  question: string
  /** The worker named on the case to support: their account and name. */
  supporting: { email: string; name: string }
  person: Person
  need: string
  whatMatters: string
  goal: string
  /** The volunteering arranged: a prescription or an onward referral to a CVS opportunity. */
  volunteering: { kind: 'prescription' | 'onward referral'; service: string }
  exitPlan: string
}

export const VOLUNTEERING_JOURNEYS: VolunteeringJourney[] = [
  {
    scheme:
      'Blackburn with Darwen, drug and alcohol recovery: a social worker refers; the project officer and the recovery support officer arrange volunteering',
    programme: 'Volunteering on prescription: drug and alcohol recovery',
    referrer: 'socialworker.blackburn@kith.example',
    question: 'Is the person recovering from drug or alcohol use?',
    supporting: { email: 'recovery.blackburn@kith.example', name: 'Mel Duckworth' },
    person: {
      givenName: 'Lee',
      familyName: 'Journey-Recovery',
      nhsNumber: '9990000093',
      dateOfBirth: ['9', '7', '1984'],
      practice: 'Blackburn Central Surgery (Z40001)',
      address: ['27 Example Street', 'Blackburn', 'BB2 1AX'],
    },
    need: 'Drug and alcohol recovery',
    whatMatters: 'A reason to get up in the morning, and people around him who do not drink',
    goal: 'Volunteer at the café two mornings a week',
    volunteering: { kind: 'prescription', service: 'Community café volunteering' },
    exitPlan: 'Keeps volunteering at the café; the recovery support officer checks in monthly',
  },
  {
    scheme:
      'Blackburn with Darwen, mental health: a GP refers; the project officer and the community navigator arrange volunteering',
    programme: 'Volunteering on prescription: mental health',
    referrer: 'gp.blackburn@kith.example',
    question: 'Does the person have a mental health problem?',
    supporting: { email: 'navigator.blackburn@kith.example', name: 'Dean Kershaw' },
    person: {
      givenName: 'Sana',
      familyName: 'Journey-MentalHealth',
      nhsNumber: '9990000107',
      dateOfBirth: ['23', '1', '1990'],
      practice: 'Blackburn Central Surgery (Z40001)',
      address: ['4 Example Row', 'Blackburn', 'BB2 1AX'],
    },
    need: 'Low-level mental health',
    whatMatters: 'Feeling useful again and being outdoors',
    goal: 'Join the green spaces team every week',
    volunteering: { kind: 'onward referral', service: 'Green spaces volunteering' },
    exitPlan: 'Carries on with the green spaces team; can ask the GP to refer again',
  },
]

export async function walkVolunteeringJourney(
  world: World,
  journey: VolunteeringJourney,
  t: TestContext,
): Promise<void> {
  const { person, volunteering } = journey
  const name = fullName(person)
  const walker = new Walker(world, t)
  const { step } = walker
  const arrive = walker.arrive.bind(walker)
  let referrer: Page
  let officer: Page
  let referralPath = ''
  let casePath = ''
  const supportRow = () =>
    officer
      .locator(volunteering.kind === 'prescription' ? '#prescriptions + table tr' : '#signposts + table tr')
      .filter({ hasText: volunteering.service })
  const backToCase = async () => {
    await officer.getByRole('link', { name: 'Back to the case' }).click()
    await arrive(officer, new RegExp(`${casePath}$`))
  }

  try {
    await step('the referrer refers to the volunteering programme, with the person’s consent', async () => {
      referrer = await walker.signIn(journey.referrer)
      await referrer.getByRole('link', { name: 'Make a referral' }).first().click()
      await arrive(referrer, /\/referrals\/new$/)
      await referrer.getByRole('link', { name: journey.programme, exact: true }).click()
      await arrive(referrer, new RegExp(`/referrals/new/programmes/${ID}$`))
      await walker.fillPerson(referrer, person)
      await referrer.getByRole('group', { name: journey.question }).getByLabel('Yes', { exact: true }).check()
      await referrer.getByLabel(journey.need, { exact: true }).check()
      await referrer.getByLabel('What matters to the person').fill(journey.whatMatters)
      await referrer.getByLabel('Reason for the referral').fill('Would benefit from volunteering')
      await walker.giveConsent(referrer)
      referralPath = await walker.sendReferral(referrer)
    })

    await step(
      `the project officer accepts it: the case opens with the ${journey.supporting.name} named to support`,
      async () => {
        officer = await walker.signIn('officer.blackburn@kith.example')
        assert.equal(await walker.openFromInbox(officer, person), referralPath)
        await walker.updateReferral(officer, 'Accepted')
        await officer.getByRole('link', { name: /^Open the case/ }).click()
        await arrive(officer, new RegExp(`/casework/cases/${ID}$`))
        casePath = new URL(officer.url()).pathname
        const page = await main(officer)
        assert.match(page, new RegExp(journey.programme))
        assert.match(page, new RegExp(`Supporting worker ${journey.supporting.name}`))
      },
    )

    await step('the supporting worker has the case in their caseload', async () => {
      const supporting = await walker.signIn(journey.supporting.email)
      await walker.navigate(supporting, 'Caseload', /\/casework$/)
      const row = supporting.locator('tr').filter({ hasText: name })
      assert.match(await textOf(row), /You support/)
      await row.getByRole('link', { name }).click()
      await arrive(supporting, new RegExp(`${casePath}$`))
    })

    await step('the officer writes what matters and a goal in the plan', async () => {
      await officer.getByRole('link', { name: 'Care and support plan' }).click()
      await arrive(officer, new RegExp(`${casePath}/plan$`))
      assert.equal(await officer.getByLabel('What matters to me').inputValue(), journey.whatMatters)
      await officer.getByLabel(/The goal, in the person/).fill(journey.goal)
      await officer.getByLabel('Progress so far').selectOption({ label: 'Started' })
      await officer.getByRole('button', { name: 'Add goal' }).click()
      await arrive(officer, new RegExp(`${casePath}/plan\\?saved=`))
      await backToCase()
    })

    await step(
      `arranges volunteering as ${volunteering.kind === 'prescription' ? 'a prescription' : 'an onward referral'}`,
      async () => {
        if (volunteering.kind === 'prescription') {
          await officer.getByRole('link', { name: 'Add a prescription' }).click()
          await arrive(officer, new RegExp(`${casePath}/prescriptions/new$`))
        } else {
          await officer.getByRole('link', { name: 'Signpost or refer on' }).click()
          await arrive(officer, new RegExp(`${casePath}/signposts/new$`))
          await officer.getByLabel('Onward referral', { exact: true }).check()
        }
        await officer.getByRole('radio', { name: volunteering.service, exact: true }).check()
        await officer.getByLabel('The need it meets').selectOption({ label: journey.need })
        if (volunteering.kind === 'prescription') {
          await officer.getByLabel('Weeks').fill('12')
          await officer.getByLabel('Expected sessions').fill('24')
          await officer.getByRole('button', { name: 'Add prescription' }).click()
          await arrive(officer, new RegExp(`${casePath}\\?saved=prescribed`))
          assert.match(await textOf(supportRow()), /Provider: Sent/)
        } else {
          await officer.getByLabel(/The person has agreed to this referral/).check()
          await officer.getByRole('button', { name: 'Record' }).click()
          await arrive(officer, new RegExp(`${casePath}\\?saved=`))
          assert.match(await textOf(supportRow()), / Sent /)
        }
      },
    )

    await step('the CVS’s volunteering coordinator accepts it from their inbox', async () => {
      const provider = await walker.signIn('provider.blackburn@kith.example')
      await walker.openFromInbox(provider, person)
      assert.match(await main(provider), new RegExp(`Referral to ${literal(volunteering.service)}`))
      await walker.updateReferral(provider, 'Accepted')
    })

    await step('the officer sees it accepted and records the goal as achieved', async () => {
      await officer.reload()
      await arrive(officer, new RegExp(casePath))
      assert.match(
        await textOf(supportRow()),
        volunteering.kind === 'prescription' ? /Provider: Accepted/ : /Onward referral .* Accepted/,
      )
      await officer.getByRole('link', { name: 'Care and support plan' }).click()
      await arrive(officer, new RegExp(`${casePath}/plan$`))
      await officer.getByLabel(`Progress on “${journey.goal}”`).selectOption({ label: 'Achieved' })
      await officer.getByRole('button', { name: `Save progress on ${journey.goal}` }).click()
      await arrive(officer, new RegExp(`${casePath}/plan\\?saved=progress`))
      await backToCase()
    })

    await step('closes the case: goals met, with an exit plan', async () => {
      await officer.getByRole('link', { name: 'Close the case' }).click()
      await arrive(officer, new RegExp(`${casePath}/exit$`))
      await officer.getByLabel('Goals met').check()
      await officer.getByLabel('Exit plan').fill(journey.exitPlan)
      await officer.getByRole('button', { name: 'Close the case' }).click()
      await arrive(officer, new RegExp(`${casePath}\\?saved=closed`))
      assert.match(await main(officer), /Closed .*Goals met/)
    })

    await step('the referrer is notified and reads the outcome', async () => {
      await walker.notifiedOfCompletion(referrer, person, referralPath)
      const outcome = await walker.readOutcome(referrer, referralPath)
      assert.match(outcome, new RegExp(`Outcome for ${name}`))
      assert.match(outcome, /Case closed: goals met/)
      assert.match(outcome, new RegExp(literal(journey.need)))
      assert.match(outcome, new RegExp(`What matters to them: ${literal(journey.whatMatters)}`))
      assert.match(outcome, new RegExp(literal(volunteering.service)))
      assert.match(outcome, new RegExp(`${literal(journey.goal)}: achieved`))
      assert.match(outcome, new RegExp(`Exit plan: ${literal(journey.exitPlan)}`))
    })
  } finally {
    await walker.close()
  }
}
