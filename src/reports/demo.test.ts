import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createApiToken } from '../access/tokens.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { getProgramme } from '../programmes/store.ts'
import { testApp } from '../web/testing.ts'

// A count the API shows as null is from 1 to 4 (suppressed): not zero.
const some = (count: number | null | undefined) => count !== 0 && count !== undefined

describeEachDatabase('the demo year in the reports', (database) => {
  it('gives every report figures for every seed scheme on the demo data', async (t) => {
    const { db } = database()
    const demo = await seedDemo(db)
    const app = await testApp(db)
    t.after(() => app.close())
    const { token } = await createApiToken(db, demo.access.users['admin@kith.example']!, 'demo reports')
    const today = new Date().toISOString().slice(0, 10)
    const report = async (name: string, programmeId: string) => {
      const response = await app.inject({
        method: 'GET',
        url: `/api/v1/reports/${name}?programme=${programmeId}&to=${today}`,
        headers: { authorization: `Bearer ${token}` },
      })
      assert.equal(response.statusCode, 200, `${name}: ${response.body.slice(0, 200)}`)
      return response.json()
    }
    const problems: string[] = []
    const expect = (ok: boolean, what: string) => {
      if (!ok) problems.push(what)
    }
    for (const [key, programmeId] of Object.entries(demo.programmes.programmes)) {
      const programme = (await getProgramme(db, programmeId))!
      const referrals = await report('referrals', programmeId)
      expect(referrals.received >= 20, `${key}: referrals received ${referrals.received}`)
      expect(some(referrals.accepted), `${key}: referrals accepted`)
      expect(referrals.declinedByReason.length > 0, `${key}: declines with reasons`)
      expect(some(referrals.withdrawn), `${key}: withdrawals`)
      expect(referrals.medianDaysToReply !== null, `${key}: median days to reply`)
      expect(referrals.shareAccepted !== null, `${key}: share accepted`)
      // The marketplace listing's figures, as the seed quotes them.
      if (key === 'th.sps')
        expect(
          referrals.medianDaysToReply === 3 && referrals.shareAccepted === 0.94,
          `th.sps: replies in ${referrals.medianDaysToReply} days, ${referrals.shareAccepted} accepted`,
        )
      const sources = new Set(referrals.bySource.map((s: { source: string }) => s.source))
      for (const source of programme.referralSources)
        if (source !== 'self' || key !== 'th.sps')
          expect(sources.has(source), `${key}: referrals from ${source}`)
      // East Riding's GPs refer straight to its services: no link worker, no cases.
      if (programme.pathway === 'direct_to_service') continue

      const activity = await report('activity', programmeId)
      expect(activity.clients >= 50, `${key}: activity clients ${activity.clients}`)
      expect(
        some(activity.onwardReferrals) && some(activity.signposts),
        `${key}: onward referrals and signposts`,
      )
      expect(activity.threeOrMoreShare !== null, `${key}: share given three or more`)

      const outcomes = await report('outcomes', programmeId)
      expect(outcomes.instruments.length > 0, `${key}: outcome measures`)
      for (const instrument of outcomes.instruments)
        expect(instrument.withFirstAndLatest >= 20, `${key}: ${instrument.id} first and latest readings`)
      if (key === 'wtw') expect(outcomes.payments[0]?.paymentPence > 0, 'wtw: outcome payment due')

      const caseload = await report('caseload', programmeId)
      expect(caseload.medianDaysToFirstAppointment !== null, `${key}: days to first appointment`)
      for (const mode of programme.appointments.modes)
        expect(
          some(caseload.appointmentsByMode.find((m: { mode: string }) => m.mode === mode)?.count),
          `${key}: appointments ${mode}`,
        )
      expect(
        caseload.capUse.some((c: { cases: number | null }) => some(c.cases)),
        `${key}: cases against the cap`,
      )

      if (programme.prescription) {
        const prescriptions = await report('prescriptions', programmeId)
        expect(prescriptions.started >= 20, `${key}: prescriptions started ${prescriptions.started}`)
        expect(
          some(prescriptions.completed) && some(prescriptions.endedEarly),
          `${key}: completed and ended early`,
        )
        expect(prescriptions.attendedHalfShare !== null, `${key}: attended half`)
        expect(
          prescriptions.byWeek.some((w: { attendances: number | null }) => some(w.attendances)),
          `${key}: attendances by week`,
        )
        if (programme.prescription.mayContinueAfter)
          expect(prescriptions.continuedShare > 0, `${key}: continued after the prescription`)
      }
    }
    assert.deepEqual(problems, [])
  })
})
