// Finding the person a referral is about (decisions 0302 and 0305): a record the user's team
// holds, a record someone else holds with the same NHS number and date of birth (linked, not
// shown), or someone new; possible duplicates by name and date of birth come back to the referrer
// only from records their team holds.

import { type Actor, audit } from '../access/audit.ts'
import { getOrganisation, type Organisation } from '../access/store.ts'
import type { CurrentUser } from '../access/users.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import type { Person, PersonInput, PersonSummary } from '../people/person.ts'
import { readPerson } from '../people/records.ts'
import { findDuplicates } from '../people/store.ts'
import { badRequest, Problem } from '../web/problem.ts'
import { partiesOf, referralOf } from './reading.ts'
import { listReferralRows } from './store.ts'

/** The person is already known: by id, or by details checked for duplicates first. */
export type PersonRef =
  | {
      personId: string
      /** Casework has checked that the user holds the person's case: no referral needs to show it. */
      heldThrough?: 'case'
    }
  | {
      details: PersonInput
      /** The referrer has seen the possible duplicates and says this is someone else. */
      createNew?: boolean
    }

/** The details match someone already in Kith by name and date of birth: the referrer must choose. */
export class PossibleDuplicates extends Problem {
  readonly candidates: PersonSummary[]
  constructor(candidates: PersonSummary[]) {
    super(409, 'Possible duplicate', {
      detail:
        'Someone with the same name and date of birth is already in Kith. Choose them, or say that this is someone else.',
      errors: [
        { field: 'personChoice', message: 'Choose whether this is the same person as one already in Kith' },
      ],
    })
    this.candidates = candidates
  }
}

/**
 * Whether the user's team holds the person's record: they are in the receiving team of one of
 * the person's referrals. Only then may a referral name the person by id, or a duplicate check
 * show them (decision 0305). The one rule for "may use this person's record" in referrals.
 */
export async function personKnownTo(
  db: Queryable,
  user: CurrentUser | null | undefined,
  personId: string,
): Promise<boolean> {
  if (!user) return false
  for (const row of await listReferralRows(db, { personId, limit: 500 })) {
    if ((await partiesOf(db, user, referralOf(row))).includes('receiver')) return true
  }
  return false
}

type FoundPerson =
  /** A record the user's team holds: its facts decide eligibility. */
  | { person: Person }
  /**
   * A record someone else holds, with the same NHS number and date of birth: the referral links
   * to it for the receiving team, and the referrer's own words decide eligibility.
   */
  | { linked: string; given: PersonInput; practiceOdsCode: string | null }
  /** Someone new. */
  | {
      create: PersonInput
      practiceOdsCode: string | null
      practice?: Organisation
      nhsNumberOnAnotherRecord?: boolean
    }

const noSuchPerson = () =>
  badRequest('There is no such person.', [{ field: 'personId', message: 'There is no such person' }])

/**
 * Finds the person the input means, or the details of one to create; checks duplicates first.
 * Nothing here tells the user about a record their team does not hold.
 */
export async function findPerson(
  trx: Queryable,
  actor: Actor,
  user: CurrentUser | null | undefined,
  ref: PersonRef,
): Promise<FoundPerson> {
  if ('personId' in ref) {
    if (!isId(ref.personId)) throw noSuchPerson()
    if (ref.heldThrough !== 'case' && !(await personKnownTo(trx, user, ref.personId))) throw noSuchPerson()
    const person = await readPerson(trx, actor, ref.personId, { via: 'referral-create' })
    if (!person) throw noSuchPerson()
    return { person }
  }
  const details = ref.details
  const practice = details.registeredPracticeId
    ? await getOrganisation(trx, details.registeredPracticeId)
    : undefined
  if (details.registeredPracticeId && practice?.kind !== 'practice')
    throw badRequest('The GP practice is not one Kith knows.', [
      { field: 'registeredPracticeId', message: 'Select their GP practice from the list' },
    ])
  const practiceOdsCode = practice?.odsCode ?? null
  const found = await findDuplicates(trx, details)
  const byNumber = found.find((match) => match.match === 'nhs-number')
  if (byNumber) {
    const known = await personKnownTo(trx, user, byNumber.person.id)
    if (byNumber.person.dateOfBirth !== details.dateOfBirth) {
      if (known)
        throw new Problem(409, 'Conflict', {
          detail: 'Someone else in Kith already has this NHS number.',
          errors: [
            {
              field: 'nhsNumber',
              message:
                'Someone in Kith has this NHS number with another date of birth: check the number and the date',
            },
          ],
        })
      // Not the user's to see: a new record without the number, for the receiving team to check.
      return {
        create: { ...details, nhsNumber: null },
        practiceOdsCode,
        ...(practice ? { practice } : {}),
        nhsNumberOnAnotherRecord: true,
      }
    }
    if (!known) return { linked: byNumber.person.id, given: details, practiceOdsCode }
    const person = await readPerson(trx, actor, byNumber.person.id, {
      via: 'referral-create',
      match: 'nhs-number',
    })
    if (person) return { person }
  }
  const byName: PersonSummary[] = []
  for (const match of found) {
    if (match.match !== 'name-and-date-of-birth') continue
    if (details.nhsNumber && match.person.nhsNumber) continue
    if (await personKnownTo(trx, user, match.person.id)) byName.push(match.person)
  }
  if (byName.length > 0 && !ref.createNew) {
    for (const person of byName) {
      await audit(trx, actor, {
        action: 'person.read',
        recordType: 'person',
        recordId: person.id,
        detail: { via: 'duplicate-check', match: 'name-and-date-of-birth' },
      })
    }
    throw new PossibleDuplicates(byName)
  }
  return { create: details, practiceOdsCode, ...(practice ? { practice } : {}) }
}
