// One-line set-ups for referral tests: a programme with its team, a practice and a referrer.

import { createOrganisation } from '../access/store.ts'
import type { Db } from '../db/schema.ts'
import { defaultSettings, type ProgrammeSettings } from '../programmes/config.ts'
import { addLinkWorker, createProgramme, setProgrammePractices } from '../programmes/store.ts'
import { createAccount } from '../web/testing.ts'
import type { ReferralInput } from './index.ts'

let practices = 0

export async function referralSetUp(db: Db, settings: Partial<ProgrammeSettings> = {}) {
  const area = await createOrganisation(db, {
    name: 'Merton',
    kind: 'area',
    parentId: null,
    odsCode: null,
    postcode: null,
  })
  const owner = await createOrganisation(db, {
    name: 'Merton Voluntary Service Council',
    kind: 'vcs',
    parentId: area,
    odsCode: null,
    postcode: null,
  })
  const practice = await createOrganisation(db, {
    name: 'High Street Wimbledon Surgery',
    kind: 'practice',
    parentId: area,
    odsCode: `Z9${String(++practices).padStart(4, '0')}`,
    postcode: null,
  })
  const programmeId = await createProgramme(db, {
    name: 'Merton navigators',
    ownerOrganisationId: owner,
    settings: {
      ...defaultSettings('Merton navigators'),
      needs: [
        { id: 'social-isolation', label: 'Social isolation' },
        { id: 'housing', label: 'Housing' },
      ],
      criteria: [
        { kind: 'consent', id: 'consent-given', role: 'inclusion', text: 'Has given consent' },
        { kind: 'age', id: 'age-18-plus', role: 'inclusion', text: 'Aged 18 or over', min: 18 },
        {
          kind: 'attestation',
          id: 'crisis-needs',
          role: 'exclusion',
          text: 'Crisis needs',
          question: 'Is the person in crisis?',
          expected: false,
          whenUnanswered: 'needs-review',
        },
      ],
      ...settings,
    },
  })
  await setProgrammePractices(db, programmeId, [practice])
  const worker = await createAccount(db, 'link_worker', { organisationId: owner, name: 'Chloe Mensah' })
  await addLinkWorker(db, programmeId, worker.userId)
  const manager = await createAccount(db, 'programme_manager', { organisationId: owner, name: 'Simon Green' })
  const referrer = await createAccount(db, 'referrer', { organisationId: practice, name: 'Dr Peter Walsh' })
  const stranger = await createAccount(db, 'referrer', { name: 'Dr Someone Else' })
  const otherWorker = await createAccount(db, 'link_worker', { name: 'Yusuf Begum' })
  return { area, owner, practice, programmeId, worker, manager, referrer, stranger, otherWorker }
}

export type ReferralSetUp = Awaited<ReturnType<typeof referralSetUp>>

/** A referral input that passes the set-up programme's rules. */
export function referralInput(t: ReferralSetUp, overrides: Partial<ReferralInput> = {}): ReferralInput {
  return {
    target: { programmeId: t.programmeId },
    person: {
      details: {
        nhsNumber: '9434765919',
        givenName: 'Alex',
        familyName: 'Testperson',
        dateOfBirth: '1970-03-01',
        sexOrGender: null,
        addressLines: [],
        postcode: null,
        phone: '01632 960 001',
        email: null,
        contactMethods: ['phone'],
        mayLeaveMessages: false,
        registeredPracticeId: t.practice,
        conditions: [],
      },
    },
    referrer: {
      kind: 'gp_practice',
      userId: t.referrer.userId,
      organisationId: t.practice,
      name: 'Dr Peter Walsh',
      contact: '01632 960 100',
    },
    consent: {
      about: 'Referral to Merton navigators',
      givenBy: 'person',
      representativeName: null,
      representativeRelationship: null,
      method: 'verbal',
      givenAt: '2026-11-20T10:00:00.000Z',
    },
    needs: ['social-isolation'],
    whatMatters: 'Getting out of the house and meeting people',
    goals: ['Join a walking group'],
    reason: 'Lonely since moving',
    answers: { 'crisis-needs': false },
    ...overrides,
  }
}

/** The referral form's fields for the set-up programme's person; `overrides` change or add any. */
export function referralForm(
  t: { practice: string },
  overrides: Record<string, string | string[]> = {},
): Record<string, string | string[]> {
  return {
    submissionKey: '0190a000-0000-7000-8000-00000000abcd',
    nhsNumber: '943 476 5919',
    givenName: 'Alex',
    familyName: 'Testperson',
    'dateOfBirth-day': '1',
    'dateOfBirth-month': '3',
    'dateOfBirth-year': '1970',
    registeredPracticeId: t.practice,
    phone: '01632 960 001',
    'answer-crisis-needs': 'no',
    needs: ['social-isolation'],
    whatMatters: 'Meeting people',
    goals: 'Join a walking group',
    reason: 'Lonely',
    consentGiven: 'yes',
    consentGivenBy: 'person',
    consentMethod: 'verbal',
    referrerKind: 'gp_practice',
    referrerContact: '01632 960 100',
    ...overrides,
  }
}

/** The JSON API's body for a referral that passes the set-up programme's rules; `overrides` change any field. */
export function apiReferralBody(
  t: { programmeId: string; practice: string },
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    programmeId: t.programmeId,
    person: {
      nhsNumber: '9434765919',
      givenName: 'Alex',
      familyName: 'Testperson',
      dateOfBirth: '1970-03-01',
      registeredPracticeId: t.practice,
    },
    referrerKind: 'gp_practice',
    referrerContact: '01632 960 100',
    consent: { givenBy: 'person', method: 'verbal', givenAt: '2026-01-01T10:00:00Z' },
    answers: { 'crisis-needs': false },
    needs: ['social-isolation'],
    ...overrides,
  }
}
