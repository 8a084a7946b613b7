// Direct to service (East Riding of Yorkshire): the GP refers straight to one of the programme's
// services, with no link worker in between. The provider accepts it, issues the person's
// attendance card and scans it at a session, marks the referral in progress and then completed
// with what happened; public health sees it among every referral of the programme; the GP is
// notified and reads what happened and the attendance.

import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import type { Page } from 'playwright-core'
import { fullName, ID, literal, main, type Person, textOf, Walker, type World } from './walker.ts'

const PROGRAMME = 'East Riding social prescribing'
const SERVICE = 'Exercise on Prescription'

const PERSON: Person = {
  givenName: 'Brian',
  familyName: 'Journey-EastRiding',
  nhsNumber: '9990000085',
  dateOfBirth: ['12', '10', '1960'],
  practice: 'Beverley Minster Surgery (Z30001)',
  address: ['18 Example Walk', 'Beverley', 'HU17 8JW'],
}

const WHAT_HAPPENED =
  'Came to the supervised sessions at Beverley Leisure Centre; now swims twice a week on his own'

export async function walkDirectToService(world: World, t: TestContext): Promise<void> {
  const walker = new Walker(world, t)
  const { step } = walker
  const arrive = walker.arrive.bind(walker)
  const name = fullName(PERSON)
  let gp: Page
  let provider: Page
  let referralPath = ''
  let code = ''

  try {
    await step('the GP chooses one of the programme’s services and refers to it', async () => {
      gp = await walker.signIn('gp.eastriding@kith.example')
      await gp.getByRole('link', { name: 'Make a referral' }).first().click()
      await arrive(gp, /\/referrals\/new$/)
      await gp.getByRole('link', { name: PROGRAMME, exact: true }).click()
      await arrive(gp, new RegExp(`/referrals/new/programmes/${ID}$`))
      assert.match(await main(gp), /refers people straight to one of its services, with no link worker/)
      for (const service of ['Live Well programme', 'Books on Prescription'])
        assert.match(await main(gp), new RegExp(service))
      await gp.getByRole('link', { name: SERVICE, exact: true }).click()
      await arrive(gp, new RegExp(`/referrals/new/services/${ID}$`))
      await walker.fillPerson(gp, PERSON)
      await gp.getByLabel('Physical activity', { exact: true }).check()
      await gp.getByLabel('What matters to the person').fill('Getting fit enough to walk the Wolds Way again')
      await gp
        .getByLabel('Reason for the referral')
        .fill('Raised blood pressure; would benefit from exercise')
      await walker.giveConsent(gp)
      referralPath = await walker.sendReferral(gp)
      assert.match(await main(gp), new RegExp(`${SERVICE}, part of ${PROGRAMME}`))
    })

    await step('the provider accepts it from their inbox: no case opens', async () => {
      provider = await walker.signIn('provider.eastriding@kith.example')
      assert.equal(await walker.openFromInbox(provider, PERSON), referralPath)
      assert.match(await main(provider), new RegExp(`Referral to ${SERVICE}`))
      await walker.updateReferral(provider, 'Accepted')
      assert.equal(await provider.getByRole('link', { name: /^Open the case/ }).count(), 0)
    })

    await step('issues the person’s attendance card from the referral', async () => {
      await provider.getByRole('button', { name: 'Issue an attendance card' }).click()
      await arrive(provider, new RegExp(`${referralPath}/card$`))
      assert.match(
        await textOf(provider.locator('.kith-card')),
        new RegExp(`${PERSON.givenName} ${PROGRAMME}`),
      )
      code = (await textOf(provider.locator('.kith-card__code'))).trim()
      assert.ok(code.length > 0, 'the card shows its code')
    })

    await step('records the person’s attendance at a session by the card’s code', async () => {
      await walker.navigate(provider, 'Record attendance', /\/attendance\/scan$/)
      await provider.getByLabel('Programme').selectOption({ label: PROGRAMME })
      await provider.getByLabel('Activity').selectOption({ label: SERVICE })
      await provider.getByLabel('Card code').fill(code)
      await provider.getByRole('button', { name: 'Record attendance' }).click()
      await arrive(provider, /\/attendance\/scan$/)
      assert.match(await main(provider), new RegExp(`Attendance recorded Card …\\w+ at ${SERVICE}`))
    })

    await step('marks the referral in progress, then completed with what happened', async () => {
      await walker.navigate(provider, 'Referral inbox', /\/referrals\/inbox$/)
      await provider
        .locator('table')
        .filter({ has: provider.locator('caption', { hasText: 'Accepted and in progress' }) })
        .getByRole('link', { name })
        .click()
      await arrive(provider, new RegExp(`${referralPath}$`))
      await walker.updateReferral(provider, 'In progress')
      await walker.updateReferral(provider, 'Completed', WHAT_HAPPENED)
      assert.match(await main(provider), /Completed/)
    })

    await step(
      'public health sees it among every referral of the programme, and cannot change it',
      async () => {
        const manager = await walker.signIn('manager.eastriding@kith.example')
        await walker.navigate(manager, 'Referral inbox', /\/referrals\/inbox$/)
        await manager.getByRole('link', { name: `Every referral to ${PROGRAMME}` }).click()
        await arrive(manager, new RegExp(`/referrals/programmes/${ID}$`))
        const row = manager.locator('tr').filter({ hasText: name })
        assert.match(await textOf(row), new RegExp(`${SERVICE} .*Completed`))
        await row.getByRole('link', { name }).click()
        await arrive(manager, new RegExp(`${referralPath}$`))
        assert.match(await main(manager), new RegExp(`You see this referral as a manager of ${PROGRAMME}`))
        assert.equal(await manager.locator('form[action$="/status"]').count(), 0)
      },
    )

    await step('the GP sees the referral completed, and is notified', async () => {
      await walker.notifiedOfCompletion(gp, PERSON, referralPath)
    })

    await step('reads the outcome: what happened, and the attendance the provider recorded', async () => {
      const outcome = await walker.readOutcome(gp, referralPath)
      assert.match(outcome, new RegExp(`Outcome for ${name}`))
      assert.match(outcome, new RegExp(`What happened ${literal(WHAT_HAPPENED)}`))
      assert.match(outcome, new RegExp(`Attendance at ${SERVICE} .*${SERVICE}: 1 session`))
    })
  } finally {
    await walker.close()
  }
}
