import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parse } from '../web/forms.ts'
import { consentInputSchema, nameKey, normalisePostcode, personInputSchema } from './person.ts'

const TODAY = '2026-11-22'
const schema = personInputSchema(TODAY)

const minimal = { givenName: 'Ada', familyName: 'Nwosu', dateOfBirth: '1961-04-09' }

function problems(input: unknown) {
  const parsed = parse(schema, input)
  return parsed.ok ? {} : Object.fromEntries(parsed.problems.map((p) => [p.field, p.message]))
}

describe('a person’s details', () => {
  it('needs only names and a date of birth, and tidies what it is given', () => {
    const parsed = schema.parse({
      ...minimal,
      givenName: '  Ada ',
      nhsNumber: '943 476 5919',
      postcode: 'ne4 8qb',
      addressLines: ['12 Elswick Road', '', 'Newcastle upon Tyne'],
      contactMethods: ['letter', 'email'],
      email: 'ada@example.com',
      conditions: ['44054006', '44054006', '35489007'],
    })
    assert.equal(parsed.givenName, 'Ada')
    assert.equal(parsed.nhsNumber, '9434765919')
    assert.equal(parsed.postcode, 'NE4 8QB')
    assert.deepEqual(parsed.addressLines, ['12 Elswick Road', 'Newcastle upon Tyne'])
    assert.deepEqual(parsed.contactMethods, ['email', 'letter'])
    assert.deepEqual(parsed.conditions, ['44054006', '35489007'])
    const bare = schema.parse(minimal)
    assert.equal(bare.nhsNumber, null)
    assert.equal(bare.registeredPracticeId, null)
    assert.deepEqual(bare.contactMethods, [])
  })

  it('refuses an NHS number that fails its check digit, or is not 10 digits', () => {
    assert.match(
      problems({ ...minimal, nhsNumber: '943 476 5918' }).nhsNumber ?? '',
      /does not pass the NHS number check/,
    )
    assert.equal(
      problems({ ...minimal, nhsNumber: '123456789' }).nhsNumber,
      'NHS number must be 10 digits, like 943 476 5919',
    )
    assert.match(problems({ ...minimal, nhsNumber: '1234567890' }).nhsNumber ?? '', /does not pass/)
    assert.deepEqual(problems({ ...minimal, nhsNumber: '' }), {})
  })

  it('refuses a date of birth in the future, or one that is not a real date', () => {
    assert.equal(
      problems({ ...minimal, dateOfBirth: '2026-11-23' }).dateOfBirth,
      'Date of birth must be today or in the past',
    )
    assert.deepEqual(problems({ ...minimal, dateOfBirth: TODAY }), {})
    assert.equal(
      problems({ ...minimal, dateOfBirth: '1990-02-30' }).dateOfBirth,
      'Date of birth must be a real date',
    )
    assert.equal(problems({ ...minimal, dateOfBirth: '' }).dateOfBirth, 'Enter their date of birth')
  })

  it('names every missing or malformed field', () => {
    assert.deepEqual(
      problems({
        givenName: '',
        familyName: ' ',
        dateOfBirth: '1980-01-01',
        postcode: 'nowhere',
        phone: '12345',
        email: 'not-an-email',
        registeredPracticeId: 'a practice',
        conditions: ['22298006'],
      }),
      {
        givenName: 'Enter their first name',
        familyName: 'Enter their last name',
        postcode: 'Enter a full UK postcode, like EX15 1FE',
        phone: 'Enter a UK phone number, like 01632 960 001 or 07700 900 982',
        email: 'Enter an email address in the correct format, like name@example.com',
        registeredPracticeId: 'Select their GP practice from the list',
        'conditions.0': 'Select conditions from the list',
      },
    )
  })

  it('asks for the details each contact preference needs', () => {
    assert.deepEqual(problems({ ...minimal, contactMethods: ['email', 'sms', 'letter'] }), {
      email: 'Enter an email address, as they prefer to be contacted by email',
      phone: 'Enter a mobile phone number, as they prefer to be contacted by text message',
      addressLines: 'Enter their address and postcode, as they prefer to be contacted by letter',
    })
    assert.equal(
      problems({ ...minimal, contactMethods: ['sms'], phone: '01632 960 001' }).phone,
      'Enter a mobile phone number, as they prefer to be contacted by text message',
    )
    assert.deepEqual(problems({ ...minimal, contactMethods: ['sms', 'phone'], phone: '+44 7700 900982' }), {})
    assert.equal(
      problems({ ...minimal, contactMethods: ['letter'], addressLines: ['1 High Street'] }).postcode,
      'Enter their address and postcode, as they prefer to be contacted by letter',
    )
  })

  it('speaks to the person themselves in the self voice, naming every field the same way', () => {
    const self = (input: unknown) => {
      const parsed = parse(personInputSchema(TODAY, 'self'), input)
      return parsed.ok ? {} : Object.fromEntries(parsed.problems.map((p) => [p.field, p.message]))
    }
    assert.deepEqual(self({ givenName: '', familyName: '', dateOfBirth: '', registeredPracticeId: 'x' }), {
      givenName: 'Enter your first name',
      familyName: 'Enter your last name',
      dateOfBirth: 'Enter your date of birth',
      registeredPracticeId: 'Select your GP practice from the list',
    })
    assert.deepEqual(self({ ...minimal, contactMethods: ['email', 'sms', 'letter'] }), {
      email: 'Enter an email address, as you prefer to be contacted by email',
      phone: 'Enter a mobile phone number, as you prefer to be contacted by text message',
      addressLines: 'Enter your address and postcode, as you prefer to be contacted by letter',
    })
    assert.equal(
      self({ ...minimal, contactMethods: ['phone'] }).phone,
      'Enter a phone number, as you prefer to be contacted by phone',
    )
    assert.equal(
      self({ ...minimal, contactMethods: ['fax'] })['contactMethods.0'],
      'Select how you prefer to be contacted from the list',
    )
    // The professional voice is the default, and says "their".
    assert.equal(problems({ ...minimal, givenName: '' }).givenName, 'Enter their first name')
  })

  it('compares names without accents, case or extra spaces', () => {
    assert.equal(nameKey('  ZOË  O’Brien'), "zoe o'brien")
    assert.equal(nameKey('Siobhán'), nameKey('SIOBHAN'))
    assert.notEqual(nameKey('Ann'), nameKey('Anne'))
    assert.equal(normalisePostcode('sw19 5by'), 'SW19 5BY')
    assert.equal(normalisePostcode('SW19'), undefined)
  })
})

describe('a consent', () => {
  const now = new Date('2026-11-22T10:00:00Z')
  const consents = consentInputSchema(now)

  it('records what, who, when and how', () => {
    const consent = consents.parse({
      about: 'Referral to Ways to Wellness',
      givenBy: 'person',
      method: 'verbal',
      givenAt: '2026-11-22T09:30:00+00:00',
    })
    assert.equal(consent.givenAt, '2026-11-22T09:30:00.000Z')
    assert.equal(consent.relatedRecordId, null)
  })

  it('needs the name and relationship of someone consenting on the person’s behalf, and a past time', () => {
    const parsed = parse(consents, {
      about: 'Referral to Ways to Wellness',
      givenBy: 'representative',
      method: 'written',
      givenAt: '2026-11-23T09:30:00Z',
    })
    assert.equal(parsed.ok, false)
    assert.deepEqual(parsed.ok ? [] : parsed.problems, [
      { field: 'givenAt', message: 'Consent cannot be given in the future' },
      {
        field: 'representativeName',
        message: 'Enter the name of the person who gave consent on their behalf',
      },
      {
        field: 'representativeRelationship',
        message: 'Enter their relationship to the person, such as daughter or lasting power of attorney',
      },
    ])
    const missing = parse(consents, { about: '', givenBy: 'someone', method: 'telepathy' })
    assert.deepEqual(missing.ok ? [] : missing.problems.map((p) => p.message), [
      'Enter what they consented to',
      'Select who gave consent',
      'Select how consent was given',
      'Enter when consent was given',
    ])
  })
})
