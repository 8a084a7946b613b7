// Making a referral: choosing a programme or service, the referral form, sending it (checked
// against the target's rules: not sent with every reason and suggestions, or sent, flagged when
// the rules cannot settle it), and the same for people referring themselves, where allowed.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { auditRefusal } from '../access/audit.ts'
import { PUBLIC } from '../access/permissions.ts'
import { getOrganisation, listOrganisations } from '../access/store.ts'
import { isId, newId } from '../db/ids.ts'
import { placeFor, programmeIdsWithServices, servicesRunFor, suggestServices } from '../directory/index.ts'
import { LONG_TERM_CONDITIONS } from '../people/conditions.ts'
import { CONSENT_METHOD_LABELS, CONSENT_METHODS } from '../people/person.ts'
import { REFERRER_KIND_LABELS } from '../programmes/criteria.ts'
import { describeCriterion } from '../programmes/present.ts'
import { listProgrammes, programmesCoveringPractice } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { formErrors } from '../web/forms.ts'
import { type FieldProblem, notFound, Problem } from '../web/problem.ts'
import { formQuestions, likelyReferrerKind, parseReferralForm, referrerMembership } from './forms.ts'
import type { GroupCommit } from './group-commit.ts'
import {
  closedToReferrals,
  createReferral,
  PossibleDuplicates,
  personKnownTo,
  type ReferralInput,
  type ReferralOutcome,
  type ReferralTarget,
  resolveTarget,
} from './index.ts'
import { type Body, PROFESSIONAL_KINDS, REFER, referenceOf, targetRef } from './route-kit.ts'

/** The referral form's checkboxes: its fields that are lists (web/form-body.ts). */
const FORM_LISTS = ['conditions', 'needs']
const REFERRAL_FORM = { access: REFER, listFields: FORM_LISTS }

export function makingReferralRoutes(app: FastifyInstance, context: AppContext, writer: GroupCommit) {
  const { db } = context

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
}
