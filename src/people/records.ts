// A person's record as the rest of Kith uses it: every read and every change goes through one of
// these functions, which writes the audit event in the same transaction. The audit detail names
// fields and reasons, never a person's details.
//
// Input is validated by the caller with the schemas in person.ts (so that a form can show its
// errors); the checks that need the database (the practice exists, the NHS number is not someone
// else's) are made here and fail with a Problem naming the field.

import { type Actor, audit, auditMany } from '../access/audit.ts'
import { getOrganisation, type Organisation } from '../access/store.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import { badRequest, Problem } from '../web/problem.ts'
import type { ConsentInput, Person, PersonInput, PersonSummary } from './person.ts'
import {
  addConsent,
  createPerson,
  type DuplicateCandidate,
  findDuplicates,
  getPeople,
  getPerson,
  getPersonSummaries,
  markConsentWithdrawn,
  type PossibleDuplicate,
  personExists,
  personIdByNhsNumber,
  updatePerson,
} from './store.ts'

/** Runs `work` in the caller's transaction, or in a new one. */

/** `known`: the registered practice, when the caller has just read it in the same transaction. */
async function checkReferences(
  db: Queryable,
  input: PersonInput,
  personId?: string,
  known?: Organisation,
): Promise<void> {
  if (input.registeredPracticeId) {
    const practice =
      known?.id === input.registeredPracticeId ? known : await getOrganisation(db, input.registeredPracticeId)
    if (practice?.kind !== 'practice') {
      throw badRequest('The GP practice is not one Kith knows.', [
        { field: 'registeredPracticeId', message: 'Select their GP practice from the list' },
      ])
    }
  }
  if (input.nhsNumber) {
    const holder = await personIdByNhsNumber(db, input.nhsNumber)
    if (holder && holder !== personId) {
      throw new Problem(409, 'Conflict', {
        detail: 'Another person already has this NHS number.',
        errors: [
          {
            field: 'nhsNumber',
            message:
              'Someone else in Kith already has this NHS number: check it, or find that person instead',
          },
        ],
      })
    }
  }
}

/** Reads a person's record and audits the read. Undefined (and nothing audited) when there is no such person. */
export async function readPerson(
  db: Queryable,
  actor: Actor,
  id: string,
  why?: Record<string, unknown>,
): Promise<Person | undefined> {
  return inTransaction(db, async (trx) => {
    const person = await getPerson(trx, id)
    if (person)
      await audit(trx, actor, {
        action: 'person.read',
        recordType: 'person',
        recordId: id,
        ...(why ? { detail: why } : {}),
      })
    return person
  })
}

/**
 * Several people's records, in the order asked, each read audited: one transaction for them all.
 * Ids with no person are left out.
 */
export async function readPeople(
  db: Queryable,
  actor: Actor,
  ids: readonly string[],
  why?: Record<string, unknown>,
): Promise<Person[]> {
  if (ids.length === 0) return []
  return inTransaction(db, async (trx) => {
    const people = await getPeople(trx, ids)
    await auditMany(
      trx,
      actor,
      people.map((person) => ({
        action: 'person.read',
        recordType: 'person',
        recordId: person.id,
        ...(why ? { detail: why } : {}),
      })),
    )
    return people
  })
}

/**
 * Summaries of several people (a caseload, an inbox), each audited as read. Ids with no person
 * are left out.
 */
export async function readPersonSummaries(
  db: Queryable,
  actor: Actor,
  ids: readonly string[],
  why?: Record<string, unknown>,
): Promise<PersonSummary[]> {
  return inTransaction(db, async (trx) => {
    const people = await getPersonSummaries(trx, ids)
    await auditMany(
      trx,
      actor,
      people.map((person) => ({
        action: 'person.read',
        recordType: 'person',
        recordId: person.id,
        detail: { summary: true, ...why },
      })),
    )
    return people
  })
}

/**
 * The people who may be the candidate (same NHS number, or same names and date of birth), to
 * show before a new record is made. Each person returned is audited as read.
 */
export async function findPossibleDuplicates(
  db: Queryable,
  actor: Actor,
  candidate: DuplicateCandidate,
  options: { excludingId?: string } = {},
): Promise<PossibleDuplicate[]> {
  return inTransaction(db, async (trx) => {
    const found = await findDuplicates(trx, candidate, options)
    for (const duplicate of found) {
      await audit(trx, actor, {
        action: 'person.read',
        recordType: 'person',
        recordId: duplicate.person.id,
        detail: { via: 'duplicate-check', match: duplicate.match },
      })
    }
    return found
  })
}

/**
 * Creates a person's record and audits it. Does not look for duplicates: call
 * `findPossibleDuplicates` first and let the user choose. Refuses an NHS number someone else has.
 */
export async function createPersonRecord(db: Queryable, actor: Actor, input: PersonInput): Promise<string> {
  return inTransaction(db, async (trx) => {
    await checkReferences(trx, input)
    const id = await createPerson(trx, input)
    await audit(trx, actor, { action: 'person.create', recordType: 'person', recordId: id })
    return id
  })
}

/**
 * Creates a person's record together with the consent they gave (a referral of someone new), and
 * audits both in one statement. The same checks as `createPersonRecord`; the person is known to
 * exist, so the consent needs no look-up first. `practice`: their registered practice, when the
 * caller has read it in this transaction already.
 */
export async function createPersonRecordWithConsent(
  db: Queryable,
  actor: Actor,
  input: PersonInput,
  consent: ConsentInput,
  options: { practice?: Organisation } = {},
): Promise<{ personId: string; consentId: string }> {
  return inTransaction(db, async (trx) => {
    await checkReferences(trx, input, undefined, options.practice)
    const personId = await createPerson(trx, input)
    const consentId = await addConsent(trx, personId, consent, actor.userId)
    await auditMany(trx, actor, [
      { action: 'person.create', recordType: 'person', recordId: personId },
      {
        action: 'person.consent-record',
        recordType: 'person',
        recordId: personId,
        detail: { consentId, method: consent.method, givenBy: consent.givenBy },
      },
    ])
    return { personId, consentId }
  })
}

const FIELDS: Record<string, (person: Person, input: PersonInput) => boolean> = {
  nhsNumber: (p, i) => p.nhsNumber !== i.nhsNumber,
  givenName: (p, i) => p.givenName !== i.givenName,
  familyName: (p, i) => p.familyName !== i.familyName,
  dateOfBirth: (p, i) => p.dateOfBirth !== i.dateOfBirth,
  sexOrGender: (p, i) => p.sexOrGender !== i.sexOrGender,
  address: (p, i) =>
    JSON.stringify(p.addressLines) !== JSON.stringify(i.addressLines) || p.postcode !== i.postcode,
  phone: (p, i) => p.phone !== i.phone,
  email: (p, i) => p.email !== i.email,
  contactPreferences: (p, i) =>
    JSON.stringify(p.contactPreferences.methods) !== JSON.stringify(i.contactMethods) ||
    p.contactPreferences.mayLeaveMessages !== i.mayLeaveMessages,
  registeredPractice: (p, i) => (p.registeredPractice?.id ?? null) !== i.registeredPracticeId,
  conditions: (p, i) =>
    JSON.stringify(p.conditions.map((c) => c.code).sort()) !== JSON.stringify([...i.conditions].sort()),
}

/**
 * Replaces a person's details and audits the change with the names of the fields that changed.
 * False when there is no such person.
 */
export async function updatePersonRecord(
  db: Queryable,
  actor: Actor,
  id: string,
  input: PersonInput,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const before = await getPerson(trx, id)
    if (!before) return false
    await checkReferences(trx, input, id)
    const changed = Object.keys(FIELDS).filter((field) => FIELDS[field]?.(before, input))
    await updatePerson(trx, id, input)
    await audit(trx, actor, {
      action: 'person.update',
      recordType: 'person',
      recordId: id,
      detail: { fields: changed },
    })
    return true
  })
}

/** Records a consent the person (or someone on their behalf) gave; returns its id. */
export async function recordConsent(
  db: Queryable,
  actor: Actor,
  personId: string,
  consent: ConsentInput,
): Promise<string> {
  return inTransaction(db, async (trx) => {
    if (!(await personExists(trx, personId)))
      throw new Problem(404, 'Not found', { detail: 'There is no such person.' })
    const id = await addConsent(trx, personId, consent, actor.userId)
    await audit(trx, actor, {
      action: 'person.consent-record',
      recordType: 'person',
      recordId: personId,
      detail: { consentId: id, method: consent.method, givenBy: consent.givenBy },
    })
    return id
  })
}

/** Records that a consent was withdrawn at `at` (an ISO instant); false when there was nothing to withdraw. */
export async function withdrawConsent(
  db: Queryable,
  actor: Actor,
  personId: string,
  consentId: string,
  at: string,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const done = await markConsentWithdrawn(trx, personId, consentId, at)
    if (done)
      await audit(trx, actor, {
        action: 'person.consent-withdraw',
        recordType: 'person',
        recordId: personId,
        detail: { consentId },
      })
    return done
  })
}
