import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'node:test'
import { describeEachDatabase } from '../db/testing.ts'
import { seedDemo } from '../demo.ts'
import { findServiceByName, getService } from './index.ts'
import { countPostcodes, getServiceRecord, lookupPostcode, searchServices } from './store.ts'
import { countServices } from './testing.ts'
import {
  exportDirectoryJson,
  exportServicesCsv,
  importDirectoryJson,
  importDirectoryPackage,
  importPostcodes,
  importServicesCsv,
} from './transfer.ts'

const EXAMPLES = join(import.meta.dirname, 'standards', 'openreferral-uk-3.0', 'examples')

describeEachDatabase('directory import and export', (database) => {
  it('imports every Open Referral example cleanly, and a second time changes nothing', async () => {
    const { db } = database()
    const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.json')).sort()
    assert.ok(files.length >= 10)
    for (const file of files) {
      const text = await readFile(join(EXAMPLES, file), 'utf8')
      const first = await importDirectoryJson(db, text)
      assert.deepEqual(first.rejected, [], file)
      const second = await importDirectoryJson(db, text)
      assert.deepEqual(second.rejected, [], file)
      assert.deepEqual([second.created, second.updated], [[], []], `${file} a second time`)
    }
    const imported = await findServiceByName(db, 'Community Counselling')
    assert.ok(imported)
    const record = await getServiceRecord(db, imported.id)
    assert.equal(record?.providerName, 'Example Organization Inc.')
    assert.ok((record?.locations.length ?? 0) > 0)
    assert.ok((record?.schedules.length ?? 0) > 0)
  })

  it('imports the Open Referral tabular package of CSV files, idempotently', async () => {
    const { db } = database()
    const dir = join(EXAMPLES, 'csv')
    const first = await importDirectoryPackage(db, dir)
    assert.deepEqual(first.rejected, [])
    assert.equal(first.created.length, 1)
    const second = await importDirectoryPackage(db, dir)
    assert.deepEqual([second.created, second.updated, second.rejected], [[], [], []])
    const service = await findServiceByName(db, 'Community Counselling')
    const record = await getServiceRecord(db, service!.id)
    assert.equal(record?.providerName, 'Example Organization Inc.')
    assert.equal(record?.locations[0]?.name, 'MyCity Civic Center')
    assert.equal(record?.contactName, 'Ann Persona')
    assert.ok((record?.schedules.length ?? 0) > 0)
  })

  it('round-trips the demo directory through its own export, and reports bad records', async () => {
    const { db } = database()
    await seedDemo(db)
    const exported = await exportDirectoryJson(db)
    const again = await importDirectoryJson(db, exported)
    assert.deepEqual(again.rejected, [])
    assert.equal(again.unchanged.length, await countServices(db, 'any'))
    assert.deepEqual([again.created, again.updated], [[], []])

    const bad = await importDirectoryJson(
      db,
      JSON.stringify([
        { id: 'not-a-uuid', name: 'A', status: 'active' },
        {
          id: '0193a8f0-0000-7000-8000-00000000abcd',
          name: 'B',
          status: 'sleeping',
          organization: { name: 'X' },
        },
        { id: '0193a8f0-0000-7000-8000-00000000abce', name: 'C', status: 'active' },
      ]),
    )
    assert.deepEqual(
      bad.rejected.map((r) => r.reason),
      [
        'its id is not a UUID',
        'its status "sleeping" is not one of active, inactive, defunct, temporarily closed',
        'it names no organisation that Kith knows, and gives no organisation name',
      ],
    )
    assert.equal((await importDirectoryJson(db, '{not json')).rejected[0]?.record, 'the file')
    const total = await searchServices(db, { page: 1, perPage: 1, status: 'any' })
    assert.equal(total.total, await countServices(db, 'any'))
  })

  it('exports and imports services as CSV, idempotently, with reasons for rejected rows', async () => {
    const { db } = database()
    await seedDemo(db)
    const csv = await exportServicesCsv(db)
    const again = await importServicesCsv(db, csv)
    assert.deepEqual(again.rejected, [])
    assert.deepEqual(
      [again.created.length, again.updated.length, again.unchanged.length],
      [0, 0, await countServices(db, 'any')],
    )
    const added = await importServicesCsv(
      db,
      [
        'name,provider,kind,self_referral,categories,postcode,age_min',
        "Tea dance,Rotherham Men's Metalwork Club,activity_group,yes,Social activity,S65 1DA,",
        "Bad kind,Rotherham Men's Metalwork Club,rocket,yes,,,",
        "Bad postcode,Rotherham Men's Metalwork Club,activity_group,yes,,ZZ9 9ZZ,",
        'No provider,Nobody,activity_group,yes,,,',
        "Bad category,Rotherham Men's Metalwork Club,activity_group,yes,Juggling,,",
      ].join('\n'),
    )
    assert.equal(added.created.length, 1)
    assert.equal(added.rejected.length, 4)
    assert.match(added.rejected[0]!.reason, /kind "rocket"/)
    assert.match(added.rejected[1]!.reason, /ZZ9 9ZZ is not known/)
    assert.match(added.rejected[2]!.reason, /no organisation called "Nobody"/)
    assert.match(added.rejected[3]!.reason, /"Juggling" is not in the taxonomy/)
    const tea = await findServiceByName(db, 'Tea dance')
    assert.equal((await getService(db, tea!.id))?.selfReferral, true)
  })

  it('imports postcodes from the ONS Postcode Directory layout and from a simple CSV', async () => {
    const { db } = database()
    const dir = await mkdtemp(join(tmpdir(), 'kith-postcodes-'))
    const ons = join(dir, 'onspd.csv')
    await writeFile(
      ons,
      [
        'pcd,pcd2,pcds,dointr,doterm,oseast1m,osnrth1m,lat,long',
        '"LU1 1HH","LU1  1HH","LU1 1HH","198001","","508651","0221507",51.88155,-0.42290',
        '"LU9 9ZZ","LU9  9ZZ","LU9 9ZZ","198001","200012","508651","0221507",51.88155,-0.42290',
        '"GY1 1AA","GY1  1AA","GY1 1AA","198001","","","",99.999999,0.000000',
      ].join('\n'),
    )
    const first = await importPostcodes(db, ons)
    assert.equal(first.imported, 1)
    assert.equal(first.rejected.length, 1)
    assert.deepEqual(await lookupPostcode(db, 'LU1 1HH'), { latitude: 51.88155, longitude: -0.4229 })
    const simple = join(dir, 'simple.csv')
    await writeFile(simple, 'postcode,latitude,longitude\ns651da,53.43044,-1.35215\nnonsense,1,2\n')
    const second = await importPostcodes(db, simple)
    assert.equal(second.imported, 1)
    assert.match(second.rejected[0]!.reason, /not a full UK postcode/)
    assert.ok(await lookupPostcode(db, 'S65 1DA'))
    await importPostcodes(db, simple)
    assert.equal(await countPostcodes(db), 2)
  })
})
