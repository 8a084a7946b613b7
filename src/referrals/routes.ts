// Referral pages and the referrals JSON API. Referrers make referrals and follow them on "My
// referrals"; the receiving team works from its inbox; people refer themselves where a target
// allows it. A referral the user is neither the referrer nor the receiver of answers 404.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { type Actor, auditRefusal, refused } from '../access/audit.ts'
import { PUBLIC, rolesAccess, SIGNED_IN } from '../access/permissions.ts'
import { getOrganisation, listOrganisations } from '../access/store.ts'
import { cardQrSvg, formatCardCode } from '../attendance/cards.ts'
import { issueCard } from '../attendance/store.ts'
import {
  type CaseForUser,
  caseOfReferral,
  caseSummary,
  getCaseForUser,
  gpSummaryText,
} from '../casework/index.ts'
import { isId, newId } from '../db/ids.ts'
import {
  placeFor,
  programmeIdsWithServices,
  serviceStatistics,
  servicesRunFor,
  suggestServices,
} from '../directory/index.ts'
import { LONG_TERM_CONDITIONS } from '../people/conditions.ts'
import { CONSENT_METHOD_LABELS, CONSENT_METHODS, personInputSchema } from '../people/person.ts'
import { readPersonSummaries } from '../people/records.ts'
import { REFERRER_KIND_LABELS, REFERRER_KINDS, type ReferrerKind } from '../programmes/criteria.ts'
import { describeCriterion } from '../programmes/present.ts'
import {
  canManage,
  getProgrammeForReferral,
  listProgrammes,
  programmesCoveringPractice,
  programmesManagedBy,
} from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { formErrors, parseOrThrow } from '../web/forms.ts'
import { idempotencyKey, idempotencyParameter } from '../web/idempotency.ts'
import { badRequest, conflict, type FieldProblem, notFound, Problem } from '../web/problem.ts'
import { formQuestions, likelyReferrerKind, parseReferralForm, referrerMembership } from './forms.ts'
import { GroupCommit } from './group-commit.ts'
import {
  allowedChanges,
  applyReplyDeadlines,
  changeReferralStatus,
  checkEligibility,
  closedToReferrals,
  createReferral,
  describeStatistics,
  getReferral,
  namedForOthers,
  PossibleDuplicates,
  partiesOf,
  personKnownTo,
  type Referral,
  type ReferralInput,
  type ReferralOutcome,
  type ReferralTarget,
  readReferral,
  referralsOfProgramme,
  referralsReceivedBy,
  referralsSentBy,
  serviceStatistics as replyStatisticsOfService,
  resolveTarget,
  type TargetRef,
} from './index.ts'
import {
  CHOOSABLE_DECLINE_REASONS,
  DECLINE_REASON_LABELS,
  isStatus,
  OPEN_STATUSES,
  REFERRAL_STATUSES,
  STATUS_COLOURS,
  STATUS_LABELS,
} from './lifecycle.ts'
import { referralsPersonalData } from './personal-data.ts'
import { movePersonReferrals } from './store.ts'

const REFER = rolesAccess('referrer', 'link_worker', 'programme_manager', 'provider')
/** The referral form's checkboxes: its fields that are lists (web/form-body.ts). */
const FORM_LISTS = ['conditions', 'needs']
const REFERRAL_FORM = { access: REFER, listFields: FORM_LISTS }
const RECEIVE = rolesAccess('link_worker', 'provider', 'programme_manager')
const PROFESSIONAL_KINDS = REFERRER_KINDS.filter((kind) => kind !== 'self')

type Body = Record<string, unknown>

/** A short reference people can read out: the last six characters of the id. */
export function referenceOf(id: string): string {
  return id.replace(/-/g, '').slice(-6).toUpperCase()
}

function targetRef(kind: string, id: string): TargetRef | undefined {
  if (!isId(id)) return undefined
  if (kind === 'programmes') return { programmeId: id }
  if (kind === 'services') return { serviceId: id }
  return undefined
}

function present(referral: Referral, names?: Map<string, string>) {
  return {
    ...referral,
    reference: referenceOf(referral.id),
    personName: names?.get(referral.personId) ?? '',
    statusLabel: STATUS_LABELS[referral.status],
    statusColour: STATUS_COLOURS[referral.status],
  }
}

async function namesOf(db: AppContext['db'], actor: Actor, referrals: Referral[], why: string) {
  const people = await readPersonSummaries(
    db,
    actor,
    referrals.map((r) => r.personId),
    { via: why },
  )
  return new Map(people.map((p) => [p.id, `${p.givenName} ${p.familyName}`]))
}

let personSchemaOf: { today: string; schema: ReturnType<typeof personInputSchema> } | undefined
/** The person schema for today, made once a day rather than once a request. */
function personSchema(today: string) {
  if (personSchemaOf?.today !== today) personSchemaOf = { today, schema: personInputSchema(today) }
  return personSchemaOf.schema
}

/** The lines the directory's service page shows, from this service's referrals. */
async function statisticsLines(db: AppContext['db'], serviceId: string) {
  return describeStatistics(await replyStatisticsOfService(db, serviceId)).map((text) => ({ text }))
}

export function referralRoutes(app: FastifyInstance, context: AppContext) {
  context.personMerged.push(movePersonReferrals)
  context.personRecordParts.push(referralsPersonalData)
  const { db } = context
  // Referrals submitted together share one commit (group-commit.ts).
  const writer = new GroupCommit(db)
  app.decorate('referralWrites', writer.counts)
  // Referrals made elsewhere (BaRS messages through FHIR) share the same commits.
  context.writeReferral = (work) => writer.run(work)

  context.navigation.push(
    { text: 'Refer yourself', href: '/self-referral', roles: [], order: 20, public: true },
    { text: 'My referrals', href: '/referrals', roles: ['referrer'], order: 20 },
    {
      text: 'Referral inbox',
      href: '/referrals/inbox',
      roles: ['link_worker', 'provider', 'programme_manager'],
      order: 25,
    },
  )
  context.homeCards.push(
    {
      roles: ['referrer'],
      heading: 'Make a referral',
      description: 'Check whether someone fits a programme or service, and refer them with their consent.',
      href: '/referrals/new',
      order: 5,
    },
    {
      roles: ['referrer'],
      heading: 'My referrals',
      description: 'Follow the referrals you made, with every change of status.',
      href: '/referrals',
      order: 6,
    },
    {
      roles: ['link_worker', 'provider'],
      heading: 'Referral inbox',
      description: 'New referrals to your team: accept or decline them with a reason.',
      href: '/referrals/inbox',
      order: 5,
    },
  )
  if (!serviceStatistics.includes(statisticsLines)) serviceStatistics.push(statisticsLines)
  context.jobs.add({
    name: 'referrals.reply-deadlines',
    every: 15 * 60_000,
    run: (jobDb, now) => applyReplyDeadlines(jobDb, now),
  })

  // ---------------------------------------------------------------------------------------------
  // Lists

  app.get('/referrals', { config: { access: REFER } }, async (request, reply) => {
    const referrals = await referralsSentBy(db, request.user!.id)
    // A referrer's list names people as they gave them: it reads no one's record.
    const names = new Map(
      referrals.map((r) => [
        r.personId,
        r.personAsGiven ? `${r.personAsGiven.givenName} ${r.personAsGiven.familyName}` : '',
      ]),
    )
    return reply.view('referrals/views/mine.njk', {
      pageTitle: 'My referrals',
      referrals: referrals.map((r) => present(r, names)),
    })
  })

  app.get('/referrals/inbox', { config: { access: RECEIVE } }, async (request, reply) => {
    const query = request.query as { show?: string; list?: string }
    const all = query.show === 'all'
    const team = query.list === 'all'
    const received = await referralsReceivedBy(db, request.user!, all ? {} : { statuses: OPEN_STATUSES })
    // A practice's referrals reach its named link worker first: the others' inboxes leave them
    // out, and "All referrals" shows every one the team receives.
    const forOthers = await namedForOthers(db, request.user!, received)
    const referrals = team ? received : received.filter((r) => !forOthers.has(r.id))
    const names = await namesOf(db, request.actor, referrals, 'inbox')
    const shown = referrals.map((r) => ({
      ...present(r, names),
      namedElsewhere: forOthers.has(r.id),
    }))
    const suffix = all ? '&show=all' : ''
    return reply.view('referrals/views/inbox.njk', {
      pageTitle: team ? 'All referrals' : 'Referral inbox',
      managed: await programmesManagedBy(db, request.user!),
      all,
      team,
      hasTeamList: forOthers.size > 0 || team,
      lists: [
        { href: `/referrals/inbox${all ? '?show=all' : ''}`, text: 'Your referrals', current: !team },
        { href: `/referrals/inbox?list=all${suffix}`, text: 'All referrals', current: team },
      ],
      finishedLink: all
        ? { href: team ? '/referrals/inbox?list=all' : '/referrals/inbox', text: 'Show open referrals only' }
        : {
            href: team ? '/referrals/inbox?list=all&show=all' : '/referrals/inbox?show=all',
            text: 'Show finished referrals too',
          },
      awaiting: shown.filter((r) => r.status === 'requested' || r.status === 'received'),
      others: shown.filter((r) => r.status !== 'requested' && r.status !== 'received'),
    })
  })

  // Every referral of a programme, to it or to the services run for it, for its managers (East
  // Riding's public health sees the referrals its GPs make to its services).
  app.get('/referrals/programmes/:id', { config: { access: RECEIVE } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const programme = isId(id) ? await getProgrammeForReferral(db, id) : undefined
    if (!programme || !canManage(request.user!, programme)) {
      if (programme) await auditRefusal(db, request.actor, { recordType: 'programme', recordId: id })
      throw notFound()
    }
    const referrals = await referralsOfProgramme(db, programme.id)
    const names = await namesOf(db, request.actor, referrals, 'programme-referrals')
    return reply.view('referrals/views/programme.njk', {
      pageTitle: `Referrals to ${programme.name}`,
      programme,
      referrals: referrals.map((r) => present(r, names)),
      back: { href: '/referrals/inbox', text: 'Referral inbox' },
    })
  })

  // ---------------------------------------------------------------------------------------------
  // Making a referral

  app.get('/referrals/new', { config: { access: REFER } }, async (request, reply) => {
    // A programme whose referrals come through a listing run for it is found as that listing.
    const throughListings = new Set(await programmeIdsWithServices(db))
    const membership = referrerMembership(request.user!)
    // The referrer's own area first, nearest their organisation first (decision 0103).
    const organisation = membership ? await getOrganisation(db, membership.organisationId) : undefined
    const place = await placeFor(db, {
      postcodes: [organisation?.postcode],
      areaOrganisationId: organisation?.id,
    })
    // Programmes still running; those covering the referrer's practice, or run in their area, first.
    const covering = new Set(
      organisation?.kind === 'practice'
        ? (await programmesCoveringPractice(db, organisation.id)).map((p) => p.id)
        : [],
    )
    const programmes = (await listProgrammes(db, { running: true }))
      .filter((p) => p.pathway === 'direct_to_service' || !throughListings.has(p.id))
      .map((p) => ({
        ...p,
        inArea: covering.has(p.id) || !place.area || place.area.organisationIds.has(p.ownerOrganisationId),
      }))
    // Services this referrer may refer to: those whose rules do not already rule out their kind of referrer.
    const services = (
      await suggestServices(db, {
        facts: {
          today: londonDate(context.now()),
          referrerKind: likelyReferrerKind(membership?.organisationKind, membership?.title),
        },
        limit: 200,
        place,
      })
    ).map(({ service, distanceKm, inArea }) => ({
      id: service.id,
      name: service.name,
      organisationName: service.providerName,
      distanceKm,
      inArea,
    }))
    const elsewhere = (request.query as { elsewhere?: string }).elsewhere === '1'
    const othersExist = services.some((s) => !s.inArea) || programmes.some((p) => !p.inArea)
    return reply.view('referrals/views/choose.njk', {
      pageTitle: 'Make a referral',
      programmes: elsewhere ? programmes : programmes.filter((p) => p.inArea),
      services: elsewhere ? services : services.filter((s) => s.inArea),
      areaName: place.area?.name,
      elsewhereLink: !othersExist
        ? null
        : elsewhere
          ? { href: '/referrals/new', text: `Show only ${place.area?.name ?? 'your area'}` }
          : { href: '/referrals/new?elsewhere=1', text: 'Show programmes and services elsewhere' },
    })
  })

  /** The page for a target closed to new referrals (a retired programme), or undefined. */
  function closedPage(reply: FastifyReply, target: ReferralTarget, self: boolean) {
    if (!target.retiredAt) return undefined
    const problem = closedToReferrals(target)
    return reply.status(409).view('referrals/views/closed.njk', {
      pageTitle: `${target.name} takes no new referrals`,
      message: problem.errors[0]?.message,
      self,
    })
  }

  async function targetOr404(kind: string, id: string): Promise<ReferralTarget> {
    const ref = targetRef(kind, id)
    const target = ref ? await resolveTarget(db, ref) : undefined
    if (!target) throw notFound()
    return target
  }

  async function practiceItems(selected: unknown, self: boolean) {
    const practices = (await listOrganisations(db)).filter((o) => o.kind === 'practice')
    return [
      { value: '', text: self ? 'Select your GP practice' : 'Select their GP practice' },
      ...practices.map((p) => ({
        value: p.id,
        text: p.odsCode ? `${p.name} (${p.odsCode})` : p.name,
        selected: selected === p.id,
      })),
    ]
  }

  async function formView(
    request: FastifyRequest,
    target: ReferralTarget,
    self: boolean,
    values: Body,
    extra: Record<string, unknown> = {},
  ) {
    const questions = formQuestions(target).map((q) => ({
      ...q,
      items: [
        { value: 'yes', text: 'Yes', checked: values[`answer-${q.id}`] === 'yes' },
        { value: 'no', text: 'No', checked: values[`answer-${q.id}`] === 'no' },
        { value: 'unknown', text: 'Not known', checked: values[`answer-${q.id}`] === 'unknown' },
      ],
    }))
    const chosenNeeds = new Set(Array.isArray(values.needs) ? values.needs : [values.needs])
    const chosenConditions = new Set(
      Array.isArray(values.conditions) ? values.conditions : [values.conditions],
    )
    const membership = request.user ? referrerMembership(request.user) : undefined
    const referrerKind =
      values.referrerKind ?? likelyReferrerKind(membership?.organisationKind, membership?.title)
    return {
      pageTitle: self ? `Refer yourself to ${target.name}` : `Refer someone to ${target.name}`,
      target,
      self,
      action: `${self ? '/self-referral' : '/referrals/new'}/${target.kind}s/${target.id}`,
      values: { submissionKey: newId(), ...values },
      criteria: target.criteria.map((c) => ({ id: c.id, text: describeCriterion(c), role: c.role })),
      directConsent: target.criteria.some((c) => c.kind === 'consent' && c.direct),
      questions,
      needs: target.needs.map((n) => ({ value: n.id, text: n.label, checked: chosenNeeds.has(n.id) })),
      conditions: LONG_TERM_CONDITIONS.map((c) => ({
        value: c.code,
        text: c.display,
        checked: chosenConditions.has(c.code),
      })),
      // The referrer's own practice is the likeliest: a GP refers their own patients.
      practices: await practiceItems(
        values.registeredPracticeId ??
          (membership?.organisationKind === 'practice' ? membership.organisationId : undefined),
        self,
      ),
      consentMethods: CONSENT_METHODS.map((m) => ({
        value: m,
        text: CONSENT_METHOD_LABELS[m],
        checked: values.consentMethod === m,
      })),
      referrerKinds: PROFESSIONAL_KINDS.map((k) => ({
        value: k,
        text: REFERRER_KIND_LABELS[k],
        checked: referrerKind === k,
      })),
      referrerContact: values.referrerContact ?? request.user?.email ?? '',
      ...extra,
    }
  }

  async function submit(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: string,
    id: string,
    self: boolean,
  ) {
    const target = await targetOr404(kind, id)
    const closed = closedPage(reply, target, self)
    if (closed) return closed
    const body = (request.body ?? {}) as Body
    const now = context.now()
    const template = 'referrals/views/form.njk'
    if (self && !target.selfReferralAllowed) {
      return reply.status(403).view('referrals/views/self-refused.njk', {
        pageTitle: `${target.name} does not take self-referrals`,
        target,
        rules: target.criteria.filter((c) => c.kind === 'referrer').map((c) => c.text),
      })
    }
    const form = parseReferralForm(body, target, {
      today: londonDate(now),
      now,
      self,
      allowedReferrerKinds: PROFESSIONAL_KINDS,
    })
    if (form.problems.length > 0 || !form.person || !form.consent) {
      return reply
        .status(400)
        .view(template, await formView(request, target, self, body, { errors: formErrors(form.problems) }))
    }
    const user = request.user
    const membership = user ? referrerMembership(user) : undefined
    const choice = form.personChoice
    const input: ReferralInput = {
      target: target.kind === 'programme' ? { programmeId: target.id } : { serviceId: target.id },
      person: isId(choice)
        ? { personId: choice }
        : { details: form.person, createNew: choice === 'new' || self },
      referrer: self
        ? {
            kind: 'self',
            userId: null,
            organisationId: null,
            name: 'The person themselves',
            contact: form.person.phone ?? form.person.email ?? '',
          }
        : {
            kind: form.referrerKind,
            userId: user!.id,
            organisationId: membership?.organisationId ?? null,
            name: user!.name,
            contact: form.referrerContact,
          },
      consent: form.consent,
      needs: form.needs,
      whatMatters: form.whatMatters,
      goals: form.goals,
      reason: form.reason,
      answers: form.answers,
      submissionKey: form.submissionKey,
    }
    if ('personId' in input.person && !(await personKnownTo(db, user, input.person.personId))) {
      // Only people the form showed may be chosen: anyone else is refused, and the refusal audited.
      await auditRefusal(db, request.actor, { recordType: 'person', recordId: input.person.personId })
      return reply.status(400).view(
        template,
        await formView(request, target, self, body, {
          errors: formErrors([
            { field: 'personChoice', message: 'Choose whether this is someone already in Kith' },
          ]),
        }),
      )
    }
    let outcome: ReferralOutcome
    try {
      outcome = await writer.run((trx) => createReferral(trx, request.actor, input, { now, user }))
    } catch (error) {
      if (error instanceof PossibleDuplicates && !self) {
        return reply.status(409).view(
          template,
          await formView(request, target, self, body, {
            errors: formErrors([
              { field: 'personChoice', message: 'Choose whether this is someone already in Kith' },
            ]),
            duplicates: error.candidates,
          }),
        )
      }
      if (error instanceof Problem && error.status < 500 && error.errors.length > 0) {
        const problems: FieldProblem[] = self
          ? error.errors.map((p) =>
              p.field === 'nhsNumber'
                ? { field: 'nhsNumber', message: 'Check your NHS number and date of birth' }
                : p.field === 'registeredPracticeId'
                  ? { field: 'registeredPracticeId', message: 'Select your GP practice from the list' }
                  : p,
            )
          : error.errors
        return reply
          .status(error.status)
          .view(template, await formView(request, target, self, body, { errors: formErrors(problems) }))
      }
      throw error
    }
    if (outcome.outcome === 'not-sent') {
      return reply.view('referrals/views/not-sent.njk', {
        pageTitle: 'The referral was not sent',
        target,
        self,
        reasons: outcome.eligibility.reasons,
        unmet: outcome.eligibility.reasons.filter((r) => r.met === false),
        suggestions: outcome.suggestions,
        back: { href: `${self ? '/self-referral' : '/referrals/new'}/${target.kind}s/${target.id}` },
      })
    }
    if (self) {
      return reply.view('referrals/views/self-sent.njk', {
        pageTitle: 'Your referral has been sent',
        target,
        reference: referenceOf(outcome.referralId),
      })
    }
    return reply.redirect(
      `/referrals/${outcome.referralId}?sent=${outcome.repeated ? 'again' : outcome.flaggedForReview ? 'review' : '1'}`,
      303,
    )
  }

  /**
   * A programme whose services are run for it (decision 0106) is referred to through them: a
   * direct-to-service programme (East Riding) has no team of its own to receive referrals, and a
   * listing's programme takes its referrals through the listing. Undefined for any other target.
   */
  async function serviceChoice(target: ReferralTarget, self: boolean) {
    if (target.kind !== 'programme') return undefined
    const services = (await servicesRunFor(db, target.id)).filter((s) => s.status === 'active')
    if (services.length === 0 && target.pathway !== 'direct_to_service') return undefined
    const choices = []
    for (const service of services) {
      const resolved = await resolveTarget(db, { serviceId: service.id })
      if (!resolved || (self && !resolved.selfReferralAllowed)) continue
      choices.push({ id: service.id, name: service.name, providerName: service.providerName })
    }
    return {
      pageTitle: self ? `Refer yourself to ${target.name}` : `Refer someone to ${target.name}`,
      target,
      self,
      direct: target.pathway === 'direct_to_service',
      services: choices,
    }
  }

  /**
   * The page a referral starts on: the form, or for a programme referred to through its services
   * the choice of them; where one listing is a link-worker programme's only door, its form.
   */
  async function referralStart(
    request: FastifyRequest,
    reply: FastifyReply,
    target: ReferralTarget,
    self: boolean,
  ) {
    const choice = await serviceChoice(target, self)
    const only = choice && !choice.direct && choice.services.length === 1 ? choice.services[0] : undefined
    if (only)
      return reply.view(
        'referrals/views/form.njk',
        await formView(request, await targetOr404('services', only.id), self, {}),
      )
    if (choice) return reply.view('referrals/views/choose-service.njk', choice)
    return reply.view('referrals/views/form.njk', await formView(request, target, self, {}))
  }

  app.get('/referrals/new/:kind/:id', { config: { access: REFER } }, async (request, reply) => {
    const { kind, id } = request.params as { kind: string; id: string }
    const target = await targetOr404(kind, id)
    const closed = closedPage(reply, target, false)
    if (closed) return closed
    return referralStart(request, reply, target, false)
  })
  app.post('/referrals/new/:kind/:id', { config: REFERRAL_FORM }, async (request, reply) => {
    const { kind, id } = request.params as { kind: string; id: string }
    const target = await targetOr404(kind, id)
    // No form is made to a direct-to-service programme: the referrer chooses one of its services.
    if (target.kind === 'programme' && target.pathway === 'direct_to_service')
      return reply.redirect(`/referrals/new/programmes/${target.id}`, 303)
    return submit(request, reply, kind, id, false)
  })

  app.get('/self-referral/:kind/:id', { config: { access: PUBLIC } }, async (request, reply) => {
    const { kind, id } = request.params as { kind: string; id: string }
    const target = await targetOr404(kind, id)
    const closed = closedPage(reply, target, true)
    if (closed) return closed
    if (!target.selfReferralAllowed) {
      return reply.view('referrals/views/self-refused.njk', {
        pageTitle: `${target.name} does not take self-referrals`,
        target,
        rules: target.criteria.filter((c) => c.kind === 'referrer').map((c) => c.text),
      })
    }
    return referralStart(request, reply, target, true)
  })
  app.post(
    '/self-referral/:kind/:id',
    { config: { access: PUBLIC, listFields: FORM_LISTS, rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const { kind, id } = request.params as { kind: string; id: string }
      const target = await targetOr404(kind, id)
      if (target.kind === 'programme' && target.pathway === 'direct_to_service')
        return reply.redirect(`/self-referral/programmes/${target.id}`, 303)
      return submit(request, reply, kind, id, true)
    },
  )

  // ---------------------------------------------------------------------------------------------
  // One referral

  const SENT: Record<string, string> = {
    '1': 'The referral has been sent. You will be told here and by email when its status changes.',
    review:
      'The referral has been sent, flagged for review: the rules could not settle eligibility, so the team will check it.',
    again: 'This referral had already been sent: it was not sent twice.',
  }

  async function detailView(request: FastifyRequest, id: string, extra: Record<string, unknown> = {}) {
    if (!isId(id)) throw notFound()
    const user = request.user!
    const { referral, person, parties } = await readReferral(db, request.actor, user, id)
    const changes = await allowedChanges(db, user, referral)
    const target = await resolveTarget(
      db,
      referral.target.serviceId
        ? { serviceId: referral.target.serviceId }
        : { programmeId: referral.target.programmeId! },
    )
    // A service run for a programme: the programme it is part of (decision 0106).
    const programme =
      referral.target.serviceId && referral.target.programmeId
        ? await getProgrammeForReferral(db, referral.target.programmeId)
        : undefined
    // Once accepted, the receiving team's next step is the case it opened, if they may see it.
    const opened =
      parties.includes('receiver') && (referral.status === 'accepted' || referral.status === 'in-progress')
        ? await caseOfReferral(db, referral.id)
        : undefined
    const openedCase = opened ? await getCaseForUser(db, user, opened.case.id) : undefined
    const needLabels = new Map((target?.needs ?? []).map((n) => [n.id, n.label]))
    const questions = target ? formQuestions(target) : []
    const values = (extra.values ?? {}) as Body
    return {
      pageTitle: `Referral ${referenceOf(referral.id)}`,
      referral: present(referral),
      programmeName: programme?.name ?? null,
      caseHref: openedCase ? `/casework/cases/${openedCase.case.id}` : null,
      // The receiving team issues an attendance card for an accepted referral to a programme or
      // to a service run for one (a card belongs to a programme: decision 0600).
      cardHref:
        parties.includes('receiver') &&
        !openedCase &&
        referral.target.programmeId &&
        (referral.status === 'accepted' || referral.status === 'in-progress')
          ? `/referrals/${referral.id}/card`
          : null,
      overseer: parties.includes('overseer') && !parties.includes('receiver'),
      // The receiving team of an accepted referral that opened no case follows it here: straight
      // to a service, or to a listing run for no programme (decision 0106). A link worker's
      // prescription or onward referral is followed on their case as well.
      followedHere:
        parties.includes('receiver') &&
        !opened &&
        !referral.sourceCaseId &&
        (referral.status === 'accepted' || referral.status === 'in-progress'),
      person,
      needs: referral.needs.map((need) => needLabels.get(need) ?? need),
      answers: Object.entries(referral.answers).map(([criterion, answer]) => ({
        question: questions.find((q) => q.id === criterion)?.question ?? criterion,
        answer: answer ? 'Yes' : 'No',
      })),
      history: referral.history.map((event) => ({
        ...event,
        toLabel: STATUS_LABELS[event.to],
      })),
      changes: changes.map((status) => ({
        value: status,
        text: STATUS_LABELS[status],
        checked: values.status === status,
        declines: status === 'rejected',
      })),
      declineReasons: [
        { value: '', text: 'Choose a reason' },
        ...CHOOSABLE_DECLINE_REASONS.map((r) => ({
          value: r,
          text: DECLINE_REASON_LABELS[r],
          selected: values.reason === r,
        })),
      ],
      flash:
        SENT[(request.query as { sent?: string }).sent ?? ''] ??
        ((request.query as { changed?: string }).changed ? 'The referral has been updated.' : extra.flash),
      back: { href: referral.referrer.userId === user.id ? '/referrals' : '/referrals/inbox' },
      ...extra,
    }
  }

  app.get('/referrals/:id', { config: { access: REFER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!isId(id)) throw notFound()
    // The receiving team opening a new referral is its receipt: the referrer sees "Received".
    const referral = await getReferral(db, id)
    if (referral?.status === 'requested') {
      const parties = await partiesOf(db, request.user!, referral)
      if (parties.includes('receiver')) {
        await changeReferralStatus(
          db,
          request.actor,
          id,
          { to: 'received' },
          { user: request.user! },
          {
            now: context.now(),
          },
        ).catch((error: unknown) => {
          // Someone else moved it on first: the page shows where it is now.
          if (!(error instanceof Problem && error.status === 409)) throw error
        })
      }
    }
    return reply.view('referrals/views/show.njk', await detailView(request, id))
  })

  // An attendance card for an accepted referral: the person shows it at each session, and the
  // provider scans it (/attendance/scan). Only the receiving team issues one.
  app.post('/referrals/:id/card', { config: { access: RECEIVE } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const { referral, person, parties } = await readReferral(db, request.actor, request.user!, id)
    if (!parties.includes('receiver'))
      throw refused({
        recordType: 'referral',
        recordId: referral.id,
        detail: { attempted: 'attendance-card' },
      })
    const programmeId = referral.target.programmeId
    if (!programmeId || (referral.status !== 'accepted' && referral.status !== 'in-progress'))
      throw conflict(
        'An attendance card is issued once a referral to a programme, or to a service run for one, is accepted.',
      )
    const programme = await getProgrammeForReferral(db, programmeId)
    const issued = await issueCard(db, request.actor, referral.personId, programmeId)
    // The card is drawn once, now: only digests of its token and code are kept.
    reply.header('cache-control', 'no-store')
    return reply.view('attendance/views/card.njk', {
      pageTitle: 'Attendance card',
      back: { href: `/referrals/${referral.id}`, text: 'Back to the referral' },
      firstName: person.givenName,
      programme,
      qr: await cardQrSvg(issued.token, { label: 'QR code of the attendance card' }),
      code: formatCardCode(issued.code),
    })
  })

  // The loop closed: what the referrer reads when the case or the service has finished. A
  // referrer outside the team reads this summary and the status history, nothing else of the case.
  app.get('/referrals/:id/outcome', { config: { access: REFER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const { referral, person, parties } = await readReferral(db, request.actor, request.user!, id)
    const found = await caseOfReferral(db, referral.id)
    const team = parties.includes('receiver')
    const given = referral.personAsGiven
    const practice = person.registeredPractice
    const summary =
      found && (found.case.status === 'closed' || team)
        ? await caseSummary(
            db,
            request.actor,
            found.case,
            found.programme,
            context.caseSummarySections,
            team ? 'referral-outcome' : 'referrer',
            team || !given
              ? undefined
              : {
                  nhsNumber: given.nhsNumber,
                  givenName: given.givenName,
                  familyName: given.familyName,
                  dateOfBirth: given.dateOfBirth,
                  postcode: given.postcode,
                  practice: practice ? { name: practice.name, odsCode: null } : null,
                },
          )
        : undefined
    // Straight to a service, with no case: what the receiving team recorded of it since accepting.
    const accepted = referral.history.find((e) => e.to === 'accepted')
    const { serviceId, programmeId } = referral.target
    const followed =
      !found && accepted && serviceId && programmeId
        ? (
            await Promise.all(
              [...context.referralOutcomeSections]
                .sort((a, b) => a.order - b.order)
                .map((section) =>
                  section.load(db, {
                    referralId: referral.id,
                    personId: referral.personId,
                    programmeId,
                    serviceId,
                    since: accepted.at,
                  }),
                ),
            )
          ).filter((section) => section !== undefined)
        : []
    const ending = [...referral.history]
      .reverse()
      .find((e) => e.to === 'completed' || e.to === 'failed' || e.to === 'rejected' || e.to === 'cancelled')
    return reply.view('referrals/views/outcome.njk', {
      pageTitle: `Outcome of referral ${referenceOf(referral.id)}`,
      referral: present(referral),
      person,
      caseOpen: found?.case.status === 'open',
      ending: ending ? { ...ending, toLabel: STATUS_LABELS[ending.to] } : undefined,
      summary,
      followed,
      text: summary ? gpSummaryText(summary) : undefined,
      history: referral.history.map((event) => ({ ...event, toLabel: STATUS_LABELS[event.to] })),
      back: { href: `/referrals/${referral.id}`, text: 'Back to the referral' },
    })
  })

  /** The programmes and services that take self-referrals, by name. */
  async function selfReferralTargets() {
    const programmes = []
    for (const summary of await listProgrammes(db, { running: true })) {
      const target = await resolveTarget(db, { programmeId: summary.id })
      if (target?.selfReferralAllowed)
        programmes.push({ id: target.id, name: target.name, by: summary.ownerOrganisationName })
    }
    const services = (
      await suggestServices(db, {
        facts: { today: londonDate(context.now()), referrerKind: 'self' },
        limit: 200,
      })
    )
      .filter(({ service }) => service.selfReferral)
      .map(({ service }) => ({ id: service.id, name: service.name, by: service.providerName }))
      .sort((a, b) => a.name.localeCompare(b.name))
    return { programmes, services }
  }

  app.get('/self-referral', { config: { access: PUBLIC } }, async (_request, reply) => {
    return reply.view('referrals/views/self-choose.njk', {
      pageTitle: 'Refer yourself',
      ...(await selfReferralTargets()),
    })
  })
  context.startSections.push({
    order: 20,
    load: async () => ({ template: 'referrals/views/start-section.njk', data: await selfReferralTargets() }),
  })

  app.post('/referrals/:id/status', { config: { access: REFER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!isId(id)) throw notFound()
    const body = (request.body ?? {}) as Body
    const status = typeof body.status === 'string' ? body.status : ''
    if (!isStatus(status)) {
      return reply.status(400).view(
        'referrals/views/show.njk',
        await detailView(request, id, {
          values: body,
          errors: formErrors([{ field: 'status', message: 'Choose what has happened to the referral' }]),
        }),
      )
    }
    try {
      await changeReferralStatus(
        db,
        request.actor,
        id,
        {
          to: status,
          reason: typeof body.reason === 'string' && body.reason ? body.reason : null,
          note: typeof body.note === 'string' ? body.note : null,
        },
        { user: request.user! },
        { now: context.now(), onAccepted: context.referralAccepted },
      )
    } catch (error) {
      if (error instanceof Problem && (error.status === 400 || error.status === 409)) {
        return reply.status(error.status).view(
          'referrals/views/show.njk',
          await detailView(request, id, {
            values: body,
            errors: formErrors(
              error.errors.length > 0
                ? error.errors
                : [{ field: 'status', message: error.detail ?? error.title }],
            ),
          }),
        )
      }
      throw error
    }
    return reply.redirect(`/referrals/${id}?changed=1`, 303)
  })

  // ---------------------------------------------------------------------------------------------
  // JSON API

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
