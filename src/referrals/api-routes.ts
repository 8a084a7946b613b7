// The referrals JSON API (/api/v1): eligibility checks, a target's criteria, making a referral,
// the referrals sent and received, one referral, and changing its status.

import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { auditRefusal } from '../access/audit.ts'
import { SIGNED_IN } from '../access/permissions.ts'
import { type CaseForUser, getCaseForUser } from '../casework/index.ts'
import { isId } from '../db/ids.ts'
import { CONSENT_METHODS, personInputSchema } from '../people/person.ts'
import { REFERRER_KINDS, type ReferrerKind } from '../programmes/criteria.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { parseOrThrow } from '../web/forms.ts'
import { idempotencyKey, idempotencyParameter } from '../web/idempotency.ts'
import { badRequest, notFound } from '../web/problem.ts'
import { formQuestions, referrerMembership } from './forms.ts'
import type { GroupCommit } from './group-commit.ts'
import {
  changeReferralStatus,
  checkEligibility,
  createReferral,
  getReferral,
  PossibleDuplicates,
  partiesOf,
  personKnownTo,
  type Referral,
  type ReferralInput,
  type ReferralOutcome,
  type ReferralTarget,
  readReferral,
  referralsReceivedBy,
  referralsSentBy,
  resolveTarget,
  type TargetRef,
} from './index.ts'
import { REFERRAL_STATUSES } from './lifecycle.ts'
import { PROFESSIONAL_KINDS, REFER, targetRef } from './route-kit.ts'

let personSchemaOf: { today: string; schema: ReturnType<typeof personInputSchema> } | undefined
/** The person schema for today, made once a day rather than once a request. */
function personSchema(today: string) {
  if (personSchemaOf?.today !== today) personSchemaOf = { today, schema: personInputSchema(today) }
  return personSchemaOf.schema
}

export function referralApiRoutes(app: FastifyInstance, context: AppContext, writer: GroupCommit) {
  const { db } = context

  const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A date is YYYY-MM-DD')
  const eligibilityRequest = z
    .object({
      serviceId: z.string().optional(),
      programmeId: z.string().optional(),
      person: z
        .object({
          dateOfBirth: dateSchema.optional(),
          practiceOdsCode: z.string().max(10).optional(),
          conditions: z
            .array(z.string().regex(/^\d{6,18}$/, 'A SNOMED CT concept id is 6 to 18 digits'))
            .max(50)
            .optional(),
        })
        .default({}),
      referrerKind: z.enum(REFERRER_KINDS).optional(),
      /** Who gave consent, for a criterion that takes only the person's own. */
      consentGivenBy: z.enum(['person', 'representative']).optional(),
      answers: z.record(z.string(), z.boolean()).default({}),
      goals: z.array(z.string().max(500)).max(20).default([]),
      needs: z.array(z.string().max(100)).max(50).default([]),
    })
    .refine((b) => (b.serviceId ? 1 : 0) + (b.programmeId ? 1 : 0) === 1, {
      path: ['serviceId'],
      message: 'Give either serviceId or programmeId',
    })
  const reasonSchema = z.object({ criterion: z.string(), met: z.boolean().nullable(), message: z.string() })
  const suggestionSchema = z.object({
    serviceId: z.string(),
    name: z.string(),
    why: z.string(),
    /** Kilometres from the person (their postcode, else their practice's); null when not known. */
    distanceKm: z.number().nullable(),
    /** In the person's area (their practice's, else the target's): those elsewhere come last. */
    inArea: z.boolean(),
  })
  const eligibilityResponse = z.object({
    outcome: z.enum(['eligible', 'ineligible', 'needs-review']),
    reasons: z.array(reasonSchema),
    suggestions: z.array(suggestionSchema),
  })

  context.api.add({
    method: 'post',
    path: '/api/v1/eligibility-checks',
    summary:
      'Checks a person against a service’s or a programme’s rules, with every reason and suggested services',
    tags: ['Referrals'],
    requestBody: eligibilityRequest,
    response: eligibilityResponse,
  })
  app.post('/api/v1/eligibility-checks', { config: { access: SIGNED_IN } }, async (request) => {
    const body = parseOrThrow(eligibilityRequest, request.body ?? {})
    const ref: TargetRef = body.serviceId ? { serviceId: body.serviceId } : { programmeId: body.programmeId! }
    const field = body.serviceId ? 'serviceId' : 'programmeId'
    if (!isId(body.serviceId ?? body.programmeId))
      throw badRequest('There is no such service or programme.', [{ field, message: 'Unknown id' }])
    if (body.person.dateOfBirth && body.person.dateOfBirth > londonDate(context.now()))
      throw badRequest('The date of birth is in the future.', [
        { field: 'person.dateOfBirth', message: 'Date of birth must be today or in the past' },
      ])
    const check = await checkEligibility(
      db,
      ref,
      {
        ...(body.person.dateOfBirth ? { dateOfBirth: body.person.dateOfBirth } : {}),
        ...(body.person.practiceOdsCode ? { practiceOdsCode: body.person.practiceOdsCode } : {}),
        ...(body.person.conditions ? { conditions: body.person.conditions } : {}),
        ...(body.referrerKind ? { referrerKind: body.referrerKind } : {}),
        ...(body.consentGivenBy ? { consentGivenBy: body.consentGivenBy } : {}),
        answers: body.answers,
        goals: body.goals,
      },
      { needs: body.needs, now: context.now() },
    )
    if (!check) throw badRequest('There is no such service or programme.', [{ field, message: 'Unknown id' }])
    return { outcome: check.result.outcome, reasons: check.result.reasons, suggestions: check.suggestions }
  })

  const criteriaResponse = z.object({
    id: z.string(),
    name: z.string(),
    selfReferralAllowed: z.boolean(),
    criteria: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        role: z.string(),
        text: z.string(),
        question: z.string().nullable(),
      }),
    ),
  })
  function criteriaOf(target: ReferralTarget) {
    const questions = new Map(formQuestions(target).map((q) => [q.id, q.question]))
    return {
      id: target.id,
      name: target.name,
      selfReferralAllowed: target.selfReferralAllowed,
      criteria: target.criteria.map((c) => ({
        id: c.id,
        kind: c.kind,
        role: c.role,
        text: c.text,
        question:
          c.kind === 'consent'
            ? 'Has the person given consent to this referral?'
            : (questions.get(c.id) ?? null),
      })),
    }
  }
  for (const kind of ['services', 'programmes'] as const) {
    context.api.add({
      method: 'get',
      path: `/api/v1/${kind}/{id}/criteria`,
      summary: `A ${kind === 'services' ? 'service' : 'programme'}’s eligibility criteria, with ids and the question a referrer answers`,
      tags: ['Referrals'],
      parameters: [
        { name: 'id', in: 'path', description: `The ${kind === 'services' ? 'service' : 'programme'} id` },
      ],
      response: criteriaResponse,
    })
    app.get(`/api/v1/${kind}/:id/criteria`, { config: { access: SIGNED_IN } }, async (request) => {
      const { id } = request.params as { id: string }
      const ref = targetRef(kind, id)
      const target = ref ? await resolveTarget(db, ref) : undefined
      if (!target) throw notFound(`There is no such ${kind === 'services' ? 'service' : 'programme'}.`)
      return criteriaOf(target)
    })
  }

  const consentSchema = z.object({
    givenBy: z.enum(['person', 'representative']),
    representativeName: z.string().max(200).nullish(),
    representativeRelationship: z.string().max(100).nullish(),
    method: z.enum(CONSENT_METHODS),
    givenAt: z.iso.datetime({ offset: true }),
  })
  const referralRequest = z
    .object({
      serviceId: z.string().optional(),
      programmeId: z.string().optional(),
      personId: z.string().optional(),
      person: z.record(z.string(), z.unknown()).optional(),
      createNewPerson: z.boolean().default(false),
      referrerKind: z.enum(PROFESSIONAL_KINDS as [ReferrerKind, ...ReferrerKind[]]),
      referrerContact: z.string().trim().min(1, 'Enter how the team can contact the referrer').max(200),
      consent: consentSchema.optional(),
      consentId: z.string().optional(),
      needs: z.array(z.string().max(100)).max(50).default([]),
      whatMatters: z.string().max(5000).default(''),
      goals: z.array(z.string().max(500)).max(20).default([]),
      reason: z.string().max(5000).default(''),
      answers: z.record(z.string(), z.boolean()).default({}),
      sourceCaseId: z.string().optional(),
      submissionKey: z.uuid().optional(),
    })
    .refine((b) => (b.serviceId ? 1 : 0) + (b.programmeId ? 1 : 0) === 1, {
      path: ['serviceId'],
      message: 'Give either serviceId or programmeId',
    })
    .refine((b) => (b.personId ? 1 : 0) + (b.person ? 1 : 0) === 1, {
      path: ['person'],
      message: 'Give either personId or person',
    })
    .refine((b) => b.consent || b.consentId, {
      path: ['consent'],
      message: 'Record the person’s consent to the referral',
    })

  const eventSchema = z.object({
    from: z.string().nullable(),
    to: z.string(),
    at: z.string(),
    actorName: z.string(),
    reason: z.string().nullable(),
    note: z.string().nullable(),
  })
  const referralResponse = z.object({
    id: z.string(),
    status: z.enum(REFERRAL_STATUSES),
    flaggedForReview: z.boolean(),
    target: z.object({
      kind: z.string(),
      programmeId: z.string().nullable(),
      serviceId: z.string().nullable(),
      name: z.string(),
    }),
    personId: z.string().nullable(),
    needs: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    history: z.array(eventSchema).optional(),
  })
  /** A referral as the API shows it: the person's record id only to the receiving team. */
  const apiReferral = (r: Referral & { history?: unknown[] }, parties: readonly string[]) => ({
    id: r.id,
    status: r.status,
    flaggedForReview: r.flaggedForReview,
    target: r.target,
    personId: parties.includes('receiver') ? r.personId : null,
    referrer: r.referrer,
    needs: r.needs,
    goals: r.goals,
    whatMatters: r.whatMatters,
    reason: r.reason,
    answers: r.answers,
    eligibility: r.eligibility,
    decision: r.decision,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    ...(r.history ? { history: r.history } : {}),
  })

  context.api.add({
    method: 'post',
    path: '/api/v1/referrals',
    summary:
      'Makes a referral after checking the target’s rules: 201 when sent (flagged when it needs review), 422 with every reason and suggestions when not sent, 409 when the person may already be in Kith',
    tags: ['Referrals'],
    parameters: [idempotencyParameter],
    requestBody: referralRequest,
    response: referralResponse,
  })
  app.post('/api/v1/referrals', { config: { access: REFER } }, async (request, reply) => {
    const body = parseOrThrow(referralRequest, request.body ?? {})
    const now = context.now()
    const user = request.user!
    const membership = referrerMembership(user)
    // Every id the request names is checked before anything is written, and answered with a
    // 400 naming the field; a record the user's team does not hold reads as one that does not exist.
    let sourceCase: CaseForUser | undefined
    if (body.sourceCaseId) {
      sourceCase = await getCaseForUser(db, user, body.sourceCaseId)
      if (!sourceCase) {
        if (isId(body.sourceCaseId))
          await auditRefusal(db, request.actor, { recordType: 'case', recordId: body.sourceCaseId })
        throw badRequest('There is no such case.', [
          { field: 'sourceCaseId', message: 'There is no such case' },
        ])
      }
    }
    let person: ReferralInput['person']
    if (body.personId) {
      const heldThrough = sourceCase?.case.personId === body.personId ? 'case' : undefined
      if (!isId(body.personId) || (!heldThrough && !(await personKnownTo(db, user, body.personId)))) {
        if (isId(body.personId))
          await auditRefusal(db, request.actor, { recordType: 'person', recordId: body.personId })
        throw badRequest('There is no such person.', [
          { field: 'personId', message: 'There is no such person' },
        ])
      }
      person = heldThrough ? { personId: body.personId, heldThrough } : { personId: body.personId }
    } else {
      if (sourceCase)
        throw badRequest('An onward referral from a case is about the case’s person.', [
          { field: 'personId', message: 'Give the personId of the case’s person' },
        ])
      if (body.consentId)
        throw badRequest('A consent already recorded belongs to someone already in your caseload.', [
          {
            field: 'consentId',
            message: 'Give the consent with the referral, or the personId it belongs to',
          },
        ])
      const details = personSchema(londonDate(now)).safeParse({ contactMethods: [], ...body.person })
      if (!details.success)
        throw badRequest(
          'The person’s details are not valid.',
          details.error.issues.map((issue) => ({
            field: `person.${issue.path.join('.')}`,
            message: issue.message,
          })),
        )
      person = { details: details.data, createNew: body.createNewPerson }
    }
    const ref: TargetRef = body.serviceId ? { serviceId: body.serviceId } : { programmeId: body.programmeId! }
    if (!isId(body.serviceId ?? body.programmeId))
      throw badRequest('There is no such service or programme.', [
        { field: body.serviceId ? 'serviceId' : 'programmeId', message: 'Unknown id' },
      ])
    let consent: ReferralInput['consent']
    if (body.consentId) consent = { consentId: body.consentId }
    else {
      const c = body.consent!
      if (new Date(c.givenAt).getTime() > now.getTime() + 60_000)
        throw badRequest('Consent cannot be given in the future.', [
          { field: 'consent.givenAt', message: 'Consent cannot be given in the future' },
        ])
      // What was consented to ("Referral to" the target) is filled in with the target.
      consent = {
        givenBy: c.givenBy,
        representativeName: c.representativeName ?? null,
        representativeRelationship: c.representativeRelationship ?? null,
        method: c.method,
        givenAt: new Date(c.givenAt).toISOString(),
      }
    }
    const submissionKey = idempotencyKey(request, user) ?? body.submissionKey ?? null
    let outcome: ReferralOutcome
    try {
      outcome = await writer.run((trx) =>
        createReferral(
          trx,
          request.actor,
          {
            target: ref,
            person,
            referrer: {
              kind: body.referrerKind,
              userId: user.id,
              organisationId: membership?.organisationId ?? null,
              name: user.name,
              contact: body.referrerContact,
            },
            consent,
            needs: body.needs,
            whatMatters: body.whatMatters,
            goals: body.goals,
            reason: body.reason,
            answers: body.answers,
            sourceCaseId: body.sourceCaseId ?? null,
            submissionKey,
          },
          { now, user },
        ),
      )
    } catch (error) {
      if (error instanceof PossibleDuplicates) {
        return reply
          .status(409)
          .type('application/problem+json')
          .send({
            type: 'about:blank',
            title: error.title,
            status: 409,
            detail: error.detail,
            candidates: error.candidates.map((c) => ({ personId: c.id })),
          })
      }
      throw error
    }
    if (outcome.outcome === 'not-sent') {
      return reply.status(422).send({
        outcome: 'ineligible',
        sent: false,
        reasons: outcome.eligibility.reasons,
        suggestions: outcome.suggestions,
      })
    }
    // A new referral comes back as written; a repeated submission is read again.
    const referral = outcome.referral ?? (await getReferral(db, outcome.referralId))
    return reply
      .status(outcome.repeated ? 200 : 201)
      .send(apiReferral(referral!, await partiesOf(db, user, referral!)))
  })

  context.api.add({
    method: 'get',
    path: '/api/v1/referrals',
    summary: 'The referrals you made (box=sent, the default) or your team received (box=inbox)',
    tags: ['Referrals'],
    parameters: [{ name: 'box', in: 'query', description: 'sent or inbox' }],
    response: z.object({ referrals: z.array(referralResponse) }),
  })
  app.get('/api/v1/referrals', { config: { access: REFER } }, async (request) => {
    const box = (request.query as { box?: string }).box ?? 'sent'
    if (box !== 'sent' && box !== 'inbox')
      throw badRequest('box must be sent or inbox.', [{ field: 'box', message: 'Use sent or inbox' }])
    const referrals =
      box === 'sent'
        ? await referralsSentBy(db, request.user!.id)
        : await referralsReceivedBy(db, request.user!)
    const user = request.user!
    return {
      referrals: await Promise.all(referrals.map(async (r) => apiReferral(r, await partiesOf(db, user, r)))),
    }
  })

  context.api.add({
    method: 'get',
    path: '/api/v1/referrals/{id}',
    summary: 'A referral with its status history',
    tags: ['Referrals'],
    parameters: [{ name: 'id', in: 'path', description: 'The referral id' }],
    response: referralResponse,
  })
  app.get('/api/v1/referrals/:id', { config: { access: REFER } }, async (request) => {
    const { id } = request.params as { id: string }
    const { referral, parties } = await readReferral(db, request.actor, request.user!, id)
    return apiReferral(referral, parties)
  })

  const statusRequest = z.object({
    status: z.enum(REFERRAL_STATUSES, {
      error:
        'Give a status: requested, received, accepted, rejected, in-progress, completed, cancelled or failed',
    }),
    reason: z.string().max(40).nullish(),
    note: z.string().max(2000).nullish(),
  })
  context.api.add({
    method: 'post',
    path: '/api/v1/referrals/{id}/status',
    summary:
      'Changes a referral’s status (FHIR Task statuses). Declining needs a reason: not-eligible, person-declined, unable-to-contact, no-capacity, more-suitable-service, duplicate or other (with a note). 409 when the lifecycle forbids the change.',
    tags: ['Referrals'],
    parameters: [{ name: 'id', in: 'path', description: 'The referral id' }],
    requestBody: statusRequest,
    response: referralResponse,
  })
  app.post('/api/v1/referrals/:id/status', { config: { access: REFER } }, async (request) => {
    const { id } = request.params as { id: string }
    if (!isId(id)) throw notFound()
    const body = parseOrThrow(statusRequest, request.body ?? {})
    await changeReferralStatus(
      db,
      request.actor,
      id,
      { to: body.status, reason: body.reason ?? null, note: body.note ?? null },
      { user: request.user! },
      { now: context.now(), onAccepted: context.referralAccepted },
    )
    const referral = (await getReferral(db, id))!
    return apiReferral(referral, await partiesOf(db, request.user!, referral))
  })
}
