import assert from 'node:assert/strict'
import { it } from 'node:test'
import { checkInsOf } from '../attendance/store.ts'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { kioskReadingsOf } from '../kiosk/store.ts'
import { findInstrument } from './instruments.ts'
import { paymentSummary, starInstrument } from './schedule.ts'
import { getOutcomeSettings, readingsOfPerson } from './store.ts'

describeEachDatabase('outcomes demo', (database) => {
  it('gives Ways to Wellness readings to count, Luton check-ins and a Culm Valley kiosk reading', async () => {
    const { db } = database()
    const demo = await seedDemo(db)
    const wtw = demo.programmes.programmes.wtw as string
    const settings = await getOutcomeSettings(db, wtw)
    const star = starInstrument(settings)
    assert.ok(star && settings.paymentRules)
    // The six named people (the demo's year adds others' readings, for the reports).
    const named = new Set(
      Object.entries(demo.outcomes.people).flatMap(([k, id]) => (k.startsWith('wtw.') ? [id] : [])),
    )
    const theirs = []
    for (const personId of named) {
      const readings = (await readingsOfPerson(db, personId, wtw)).filter((r) => r.instrumentId === star.id)
      if (readings.length > 0) theirs.push(readings)
    }
    const summary = paymentSummary(star, theirs, settings.paymentRules)
    // Six people; five with two or more readings; Brenda, Doreen and Fatima improved in some domain.
    assert.deepEqual([summary.people, summary.withTwoReadings, summary.improvedInAny], [6, 5, 3])
    assert.equal(summary.paymentPence, 3 * 25_000)
    assert.ok(findInstrument('swemwbs'))

    const luton = demo.programmes.programmes.luton as string
    assert.equal((await checkInsOf(db, demo.outcomes.people['luton.1'] as string, luton)).length, 5)
    assert.equal(
      (
        await kioskReadingsOf(
          db,
          demo.outcomes.people['culm.1'] as string,
          demo.programmes.programmes.culm as string,
        )
      ).length,
      3,
      'two readings with her card, one by date of birth and postcode',
    )
  })
})
