import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { assertAccessible, openKith, signedInContext, visit } from './harness.ts'

const { kith, browser } = await openKith()

describe('records kept and released by policy', () => {
  it('an administrator finds a person by NHS number, reads the export and is stopped by the erasure checks, every page passing axe', async () => {
    const person = await kith.db
      .selectFrom('people')
      .select(['id', 'nhs_number', 'family_name'])
      .where('nhs_number', 'is not', null)
      .executeTakeFirstOrThrow()
    const context = await signedInContext(browser, kith, 'admin@kith.example')
    const page = await context.newPage()
    await visit(page, kith, '/admin/records')

    await page.getByLabel('NHS number').fill('123')
    await page.getByRole('button', { name: 'Find their records' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    assert.match(await page.title(), /^Error: Records – Kith$/)

    await page.getByLabel('NHS number').fill(person.nhs_number!)
    await page.getByRole('button', { name: 'Find their records' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    assert.equal(new URL(page.url()).pathname, `/admin/records/people/${person.id}`)

    await page.getByRole('link', { name: 'Read and print it as a document' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    assert.match((await page.locator('main').textContent()) ?? '', /Who read or changed these records/)
    await page.goBack()

    await page.getByRole('button', { name: 'Erase the records' }).click()
    await page.waitForLoadState()
    await assertAccessible(page)
    const text = (await page.locator('main').textContent()) ?? ''
    assert.match(text, /Select why the record is erased/)
    assert.match(text, /Type the person's family name/)
    assert.equal(
      (await kith.db.selectFrom('people').select('id').where('id', '=', person.id).execute()).length,
      1,
    )
    await context.close()
  })
})
