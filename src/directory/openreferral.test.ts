import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { it } from 'node:test'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { testApp } from '../web/testing.ts'
import { countServices } from './testing.ts'

const SCHEMA = join(import.meta.dirname, 'standards', 'openreferral-uk-3.0', 'schema')
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

const ajv = new Ajv({ strict: false, allErrors: true })
addFormats(ajv)
const validators = new Map<string, ValidateFunction>()
// taxonomy.json refers to taxonomy_term.json by that name.
const termSchema = JSON.parse(readFileSync(join(SCHEMA, 'taxonomy_term.json'), 'utf8'))
delete termSchema.$id
ajv.addSchema(termSchema, 'taxonomy_term.json')
validators.set('taxonomy_term.json', ajv.getSchema('taxonomy_term.json')!)

function validator(file: string): ValidateFunction {
  let validate = validators.get(file)
  if (!validate) {
    const schema = JSON.parse(readFileSync(join(SCHEMA, file), 'utf8'))
    delete schema.$id
    validate = ajv.compile(schema)
    validators.set(file, validate)
  }
  return validate
}

function assertValid(file: string, value: unknown, where: string) {
  const validate = validator(file)
  assert.ok(validate(value), `${where} against ${file}: ${ajv.errorsText(validate.errors)}`)
}

const PAGE_KEYS = [
  'total_items',
  'total_pages',
  'page_number',
  'size',
  'first_page',
  'last_page',
  'empty',
  'contents',
]

function assertPage(body: Record<string, unknown>, itemSchema: string, where: string) {
  for (const key of PAGE_KEYS) assert.ok(key in body, `${where}: Page has ${key}`)
  assert.equal(typeof body.total_items, 'number')
  for (const item of body.contents as unknown[]) assertValid(itemSchema, item, where)
}

describeEachDatabase('Open Referral UK 3.0', (database) => {
  it('answers every endpoint with bodies that validate against the standard', async () => {
    const { db } = database()
    await seedDemo(db)
    const app = await testApp(db)
    const get = async (url: string) => {
      const response = await app.inject({ method: 'GET', url })
      assert.equal(response.headers['access-control-allow-origin'], '*', url)
      return response
    }
    const root = await get('/openreferral/')
    assert.equal(root.statusCode, 200)
    assert.equal(root.json().version, 'HSDS-UK-3.0')

    const services = await get('/openreferral/services?per_page=5')
    assert.equal(services.statusCode, 200)
    const list = services.json()
    assertPage(list, 'compiled/service_list.json', 'services')
    const total = await countServices(db)
    assert.ok(total > 20)
    assert.equal(list.total_items, total)
    assert.equal(list.total_pages, Math.ceil(total / 5))
    assert.equal(list.size, 5)
    const last = (await get(`/openreferral/services?per_page=5&page=${Math.ceil(total / 5)}`)).json()
    assert.equal(last.last_page, true)
    assert.equal(last.size, total % 5 || 5)

    for (const summary of list.contents) {
      const full = await get(`/openreferral/services/${summary.id}`)
      assert.equal(full.statusCode, 200)
      assertValid('compiled/service.json', full.json(), `service ${summary.name}`)
    }

    const sal = (await get('/openreferral/service_at_locations?postcode=E3%203FF&proximity=2000')).json()
    assertPage(sal, 'compiled/service_at_location_list.json', 'service_at_locations')
    assert.ok(sal.total_items >= 2)
    const everywhere = (await get('/openreferral/service_at_locations?per_page=100')).json()
    assert.ok(everywhere.total_items > sal.total_items)
    const one = await get(`/openreferral/service_at_locations/${sal.contents[0].id}`)
    assert.equal(one.statusCode, 200)
    assertValid('compiled/service_at_location.json', one.json(), 'service_at_location')

    const taxonomies = (await get('/openreferral/taxonomies')).json()
    assertPage(taxonomies, 'taxonomy.json', 'taxonomies')
    const taxonomy = (await get(`/openreferral/taxonomies/${taxonomies.contents[0].id}`)).json()
    assertValid('taxonomy.json', taxonomy, 'taxonomy')
    const terms = (await get('/openreferral/taxonomy_terms?per_page=100')).json()
    assertPage(terms, 'taxonomy_term.json', 'taxonomy_terms')
    const term = (await get(`/openreferral/taxonomy_terms/${terms.contents[0].id}`)).json()
    assertValid('taxonomy_term.json', term, 'taxonomy_term')
  })

  it('narrows by each query parameter and refuses bad ones with a 4xx JSON error', async () => {
    const { db } = database()
    await seedDemo(db)
    const app = await testApp(db)
    const total = async (url: string) => {
      const response = await app.inject({ method: 'GET', url })
      assert.equal(response.statusCode, 200, `${url}: ${response.body}`)
      return response.json().total_items as number
    }
    const all = await total('/openreferral/services')
    const terms = (
      await app.inject({ method: 'GET', url: '/openreferral/taxonomy_terms?per_page=100' })
    ).json()
    const walking = terms.contents.find((t: { term: string }) => t.term === 'walking')
    const taxonomies = (await app.inject({ method: 'GET', url: '/openreferral/taxonomies' })).json()
    const areas = taxonomies.contents.find((t: { name: string }) => t.name === 'Areas of support')
    for (const query of [
      'search=walks',
      `taxonomy_term_id=${walking.id}`,
      `taxonomy_id=${areas.id}`,
      'minimum_age=18',
      'maximum_age=74',
      'day=TH',
      'start_time=12:00',
      'end_time=12:00',
    ]) {
      const narrowed = await total(`/openreferral/services?${query}`)
      assert.ok(narrowed > 0 && narrowed < all, `${query}: ${narrowed} of ${all}`)
    }
    const allLocations = await total('/openreferral/service_at_locations')
    const near = await total('/openreferral/service_at_locations?postcode=LU1%201HH&proximity=1000')
    const wider = await total('/openreferral/service_at_locations?postcode=LU1%201HH&proximity=5000')
    assert.ok(near > 0 && near < wider && wider < allLocations, `${near} ${wider} ${allLocations}`)

    for (const bad of [
      '/openreferral/services?page=0',
      '/openreferral/services?per_page=100000',
      '/openreferral/services?taxonomy_term_id=nope',
      '/openreferral/services?minimum_age=old',
      '/openreferral/services?day=someday',
      `/openreferral/services?search=${'x'.repeat(10_000)}`,
      '/openreferral/service_at_locations?postcode=not-a-postcode',
      '/openreferral/service_at_locations?postcode=ZZ9%209ZZ',
      '/openreferral/service_at_locations?proximity=far',
      '/openreferral/taxonomy_terms?page=-1',
    ]) {
      const response = await app.inject({ method: 'GET', url: bad })
      assert.equal(response.statusCode, 400, bad)
      assert.match(response.headers['content-type'] as string, /json/)
      assert.ok(response.json().errors.length > 0, bad)
    }
    const long = await app.inject({
      method: 'GET',
      url: `/openreferral/services?search=${'x'.repeat(10_000)}`,
    })
    assert.equal(long.json().errors[0].pointer, '#/search')
    const sql = await app.inject({
      method: 'GET',
      url: `/openreferral/services?search=${encodeURIComponent("'; drop table services; --")}`,
    })
    assert.equal(sql.statusCode, 200)
    assert.equal(await total('/openreferral/services'), all)
    assert.equal(
      (await app.inject({ method: 'GET', url: '/openreferral/services/not-an-id' })).statusCode,
      404,
    )
    assert.ok(readdirSync(SCHEMA).includes('openapi.json'))
  })
})
