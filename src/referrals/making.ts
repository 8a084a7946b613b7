// Making a referral: what a referral is made from (the target, the person, the referrer, the
// consent, needs and goals), and createReferral, which checks the target's rules and writes the
// person, the consent, the referral, its first history entry and the receiving team's notice in
// one transaction.

import { type Actor, audit } from '../access/audit.ts'
import { findOrganisationByOdsCode, getUser } from '../access/store.ts'
import type { CurrentUser } from '../access/users.ts'
import { newId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { inTransaction } from '../db/transactions.ts'
import { notify } from '../interop/notifications.ts'
import type { ConsentInput, Person, PersonInput } from '../people/person.ts'
import { createPersonRecord, createPersonRecordWithConsent, recordConsent } from '../people/records.ts'
import { needId } from '../programmes/config.ts'
import type { EligibilityFacts, EligibilityResult, ReferrerKind } from '../programmes/criteria.ts'
import { evaluate } from '../programmes/eligibility.ts'
import { namedLinkWorkerFor } from '../programmes/store.ts'
import { londonDate } from '../web/format.ts'
import { badRequest, conflict, Problem } from '../web/problem.ts'
import { findPerson, type PersonRef } from './person-finding.ts'
import { type PersonAsGiven, type ReferralWithHistory, receivingTeam, referralOf } from './reading.ts'
import {
  getReferralRow,
  insertEvent,
  insertReferral,
  type ReferralRow,
  referralIdBySubmissionKey,
} from './store.ts'
import {
  type PersonPlace,
  type ReferralTarget,
  resolveTarget,
  type Suggestion,
  suggestionsFor,
  type TargetRef,
} from './targets.ts'

export type ConsentRef =
  | { consentId: string }
  | (Omit<ConsentInput, 'relatedRecordType' | 'relatedRecordId' | 'about'> & {
      /** What was consented to; "Referral to" the target's name when not given. */
      about?: string
    })

export interface ReferralInput {
  target: TargetRef
  person: PersonRef
  referrer: {
    kind: ReferrerKind
    /** Null for a self-referral. */
    userId: string | null
    organisationId: string | null
    name: string
    /** A phone number or email address the receiving team can reach them on. */
    contact: string
  }
  consent: ConsentRef
  /** Need ids or labels; labels are turned into ids. */
  needs: string[]
  whatMatters: string
  goals: string[]
  reason: string
  answers: Record<string, boolean>
  sourceCaseId?: string | null
  /** The form's one-time key: the same submission twice makes one referral. */
  submissionKey?: string | null
}

export type ReferralOutcome =
  | {
      outcome: 'sent'
      referralId: string
      flaggedForReview: boolean
      eligibility: EligibilityResult
      /** This submission had been made before: nothing new was made. */
      repeated: boolean
      /** The referral as written, with its first history entry (not for a repeated submission). */
      referral?: ReferralWithHistory
    }
  | { outcome: 'not-sent'; target: ReferralTarget; eligibility: EligibilityResult; suggestions: Suggestion[] }

const DAY = 86_400_000

/** Where the person is, as the referral gives them or as the record the user's team holds says. */
function placeOfGiven(person: PersonInput | Person): PersonPlace {
  return {
    postcode: person.postcode,
    practiceId:
      'registeredPracticeId' in person
        ? person.registeredPracticeId
        : (person.registeredPractice?.id ?? null),
  }
}

function asGiven(person: PersonInput | Person): PersonAsGiven {
  return {
    nhsNumber: person.nhsNumber,
    givenName: person.givenName,
    familyName: person.familyName,
    dateOfBirth: person.dateOfBirth,
    addressLines: person.addressLines,
    postcode: person.postcode,
    phone: person.phone,
    email: person.email,
    registeredPracticeId:
      'registeredPracticeId' in person
        ? person.registeredPracticeId
        : (person.registeredPractice?.id ?? null),
  }
}

function checkText(value: string, field: string, label: string, max: number) {
  if (value.length > max)
    throw badRequest(`${label} is too long.`, [
      { field, message: `${label} must be ${max} characters or fewer` },
    ])
}

/** The refusal of a referral to a retired programme, or to a service run for one. */
export function closedToReferrals(target: ReferralTarget): Problem {
  const field = target.kind === 'service' ? 'serviceId' : 'programmeId'
  const message =
    target.kind === 'service'
      ? `${target.name} is run for a programme that has been retired, and takes no new referrals`
      : `${target.name} has been retired, and takes no new referrals`
  return new Problem(409, 'Closed to new referrals', { detail: `${message}.`, errors: [{ field, message }] })
}

/**
 * Makes a referral in one transaction: finds or creates the person, checks the target's rules,
 * and, unless they fail, records the consent, the referral and its first history entry. An
 * ineligible referral writes nothing and comes back with every reason and suggestions.
 */
export async function createReferral(
  db: Queryable,
  actor: Actor,
  input: ReferralInput,
  /** `user`: who refers, when signed in; decides which existing records the referral may use. */
  options: { now?: Date; user?: CurrentUser | null } = {},
): Promise<ReferralOutcome> {
  const now = options.now ?? new Date()
  const at = now.toISOString()
  checkText(input.whatMatters, 'whatMatters', 'What matters to the person', 5000)
  checkText(input.reason, 'reason', 'The reason for the referral', 5000)
  if (input.goals.length > 20)
    throw badRequest('Too many goals.', [{ field: 'goals', message: 'Enter at most 20 goals' }])
  for (const goal of input.goals) checkText(goal, 'goals', 'Each goal', 500)
  if (input.needs.length > 50)
    throw badRequest('Too many needs.', [{ field: 'needs', message: 'Choose at most 50 needs' }])
  if (input.referrer.contact.trim() === '')
    throw badRequest('Enter how the team can contact the referrer.', [
      {
        field: 'referrerContact',
        message: 'Enter a phone number or email address the team can contact you on',
      },
    ])

  return inTransaction(db, async (trx) => {
    if (input.submissionKey) {
      const existing = await referralIdBySubmissionKey(trx, input.submissionKey)
      if (existing) {
        const row = await getReferralRow(trx, existing)
        // A key names one referrer's submission: anyone else's use of it is refused, not answered.
        if (row && row.referrer_user_id !== input.referrer.userId)
          throw conflict('This submission has already been used for another referral.')
        return {
          outcome: 'sent',
          referralId: existing,
          flaggedForReview: row?.flagged_for_review === 1,
          eligibility: row
            ? JSON.parse(row.eligibility)
            : { outcome: 'eligible', reasons: [], redirects: [] },
          repeated: true,
        }
      }
    }
    const target = await resolveTarget(trx, input.target)
    if (!target) {
      const field = 'serviceId' in input.target ? 'serviceId' : 'programmeId'
      throw badRequest(`There is no such ${field === 'serviceId' ? 'service' : 'programme'}.`, [
        { field, message: `Choose a ${field === 'serviceId' ? 'service' : 'programme'} that Kith lists` },
      ])
    }
    if (target.retiredAt) throw closedToReferrals(target)
    if (target.kind === 'programme' && target.pathway === 'direct_to_service')
      throw badRequest(`${target.name} refers people straight to one of its services.`, [
        { field: 'serviceId', message: `Choose one of the services of ${target.name}` },
      ])
    const found = await findPerson(trx, actor, options.user, input.person)
    let consentGivenBy: 'person' | 'representative' | undefined
    if ('consentId' in input.consent) {
      // A consent already recorded can only be one on a record the user's team holds.
      const consentId = input.consent.consentId
      const consent = 'person' in found ? found.person.consents.find((c) => c.id === consentId) : undefined
      if (!consent || consent.withdrawnAt)
        throw badRequest('There is no consent for this referral.', [
          { field: 'consentId', message: 'Record the person’s consent to the referral' },
        ])
      consentGivenBy = consent.givenBy.kind
    } else consentGivenBy = input.consent.givenBy
    const given = 'person' in found ? found.person : 'linked' in found ? found.given : found.create
    const personFacts =
      'person' in found
        ? {
            dateOfBirth: found.person.dateOfBirth,
            practiceOdsCode: found.person.registeredPractice?.odsCode ?? null,
            conditions: found.person.conditions.map((c) => c.code),
          }
        : {
            dateOfBirth: given.dateOfBirth,
            practiceOdsCode: found.practiceOdsCode,
            conditions: (given as PersonInput).conditions,
          }
    const facts: EligibilityFacts = {
      dateOfBirth: personFacts.dateOfBirth,
      ...(personFacts.practiceOdsCode ? { practiceOdsCode: personFacts.practiceOdsCode } : {}),
      conditions: personFacts.conditions,
      referrerKind: input.referrer.kind,
      consentGiven: true,
      consentGivenBy,
      answers: input.answers,
      goals: input.goals,
      today: londonDate(now),
    }
    const needs = [...new Set(input.needs.map((need) => needId(need)))]
    const eligibility = evaluate(target.criteria, facts)
    if (eligibility.outcome === 'ineligible') {
      const suggestions = await suggestionsFor(trx, {
        needs,
        facts,
        result: eligibility,
        ...(target.serviceId ? { excludeServiceId: target.serviceId } : {}),
        where: placeOfGiven(given),
        targetOrganisationId: target.receivingOrganisationId,
      })
      return { outcome: 'not-sent', target, eligibility, suggestions }
    }

    const referralId = newId(now.getTime())
    const consentInput: ConsentInput | undefined =
      'consentId' in input.consent
        ? undefined
        : {
            ...input.consent,
            about: input.consent.about ?? `Referral to ${target.name}`,
            relatedRecordType: 'referral',
            relatedRecordId: referralId,
          }
    let personId: string
    let consentId: string
    if ('person' in found || 'linked' in found) {
      personId = 'person' in found ? found.person.id : found.linked
      consentId = consentInput
        ? await recordConsent(trx, actor, personId, consentInput)
        : (input.consent as { consentId: string }).consentId
    } else if (consentInput) {
      // Someone new, with the consent given now: written and audited together.
      ;({ personId, consentId } = await createPersonRecordWithConsent(
        trx,
        actor,
        found.create,
        consentInput,
        found.practice ? { practice: found.practice } : {},
      ))
    } else {
      personId = await createPersonRecord(trx, actor, found.create)
      consentId = (input.consent as { consentId: string }).consentId
    }
    const suggestions =
      eligibility.outcome === 'needs-review'
        ? await suggestionsFor(trx, {
            needs,
            facts,
            result: eligibility,
            where: placeOfGiven(given),
            targetOrganisationId: target.receivingOrganisationId,
          })
        : []
    const flagged = eligibility.outcome === 'needs-review'
    const row: ReferralRow = {
      id: referralId,
      programme_id: target.programmeId,
      service_id: target.serviceId,
      target_name: target.name,
      receiving_organisation_id: target.receivingOrganisationId,
      person_id: personId,
      person_as_given: JSON.stringify({
        ...asGiven(given),
        ...('nhsNumberOnAnotherRecord' in found && found.nhsNumberOnAnotherRecord
          ? {
              nhsNumber: 'details' in input.person ? input.person.details.nhsNumber : null,
              nhsNumberOnAnotherRecord: true,
            }
          : {}),
      }),
      practice_ods_code: personFacts.practiceOdsCode,
      referrer_kind: input.referrer.kind,
      referrer_user_id: input.referrer.userId,
      referrer_organisation_id: input.referrer.organisationId,
      referrer_name: input.referrer.name,
      referrer_contact: input.referrer.contact.trim(),
      source_case_id: input.sourceCaseId ?? null,
      status: 'requested',
      flagged_for_review: flagged ? 1 : 0,
      eligibility: JSON.stringify({ ...eligibility, suggestions }),
      answers: JSON.stringify(input.answers),
      needs: JSON.stringify(needs),
      goals: JSON.stringify(input.goals),
      what_matters: input.whatMatters,
      reason: input.reason,
      consent_id: consentId,
      submission_key: input.submissionKey ?? null,
      decision_reason: null,
      decision_note: null,
      first_reply_at: null,
      first_reply: null,
      nudge_due_at: new Date(now.getTime() + target.replyDeadlines.nudgeAfterDays * DAY).toISOString(),
      decline_due_at: new Date(now.getTime() + target.replyDeadlines.declineAfterDays * DAY).toISOString(),
      nudged_at: null,
      created_at: at,
      updated_at: at,
    }
    await insertReferral(trx, row)
    const event = {
      referral_id: referralId,
      from_status: null,
      to_status: 'requested' as const,
      at,
      actor_user_id: input.referrer.userId,
      actor_name: input.referrer.name,
      reason: null,
      note: flagged ? 'Sent for review: the rules could not settle eligibility' : null,
    }
    const eventId = await insertEvent(trx, event)
    await audit(trx, actor, {
      action: 'referral.create',
      recordType: 'referral',
      recordId: referralId,
      detail: { personId, outcome: eligibility.outcome, target: target.kind },
    })
    // The practice's named link worker hears of it first (Tower Hamlets); else the programme's
    // link workers, else the receiving team.
    const practice =
      target.programmeId && personFacts.practiceOdsCode
        ? await findOrganisationByOdsCode(trx, personFacts.practiceOdsCode)
        : undefined
    const named =
      practice && target.programmeId
        ? await namedLinkWorkerFor(trx, target.programmeId, practice.id)
        : undefined
    const team = named
      ? [named.userId]
      : target.linkWorkerIds.length > 0
        ? target.linkWorkerIds
        : await receivingTeam(trx, {
            programme_id: target.programmeId,
            service_id: target.serviceId,
            receiving_organisation_id: target.receivingOrganisationId,
          })
    for (const userId of team) {
      await notify(
        trx,
        {
          userId,
          kind: 'referral.new',
          subject: flagged ? 'New referral to review' : 'New referral',
          body: flagged
            ? 'A new referral has arrived and needs review against the criteria.'
            : 'A new referral has arrived in your inbox.',
          link: `/referrals/${referralId}`,
          channels: [],
        },
        now,
      )
    }
    const referral: ReferralWithHistory = {
      ...referralOf(row),
      history: [
        {
          id: eventId,
          from: null,
          to: event.to_status,
          at,
          actorUserId: event.actor_user_id,
          actorName: event.actor_name,
          reason: null,
          reasonLabel: null,
          note: event.note,
        },
      ],
      codedEntries: [],
    }
    return { outcome: 'sent', referralId, flaggedForReview: flagged, eligibility, repeated: false, referral }
  })
}

/** The name of the user, for the referrer field of a referral. */
export async function userName(db: Queryable, userId: string): Promise<string> {
  return (await getUser(db, userId))?.name ?? 'Unknown'
}
