// Adding, changing and removing criteria in the eligibility language, one at a time by kind: the
// same pages for a programme's eligibility criteria and a service's access criteria. Each owner
// says where its criteria live, who may change them, how they are saved and what the form shows.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Access } from '../access/permissions.ts'
import { londonDate } from '../web/format.ts'
import { formErrors } from '../web/forms.ts'
import { notFound } from '../web/problem.ts'
import type { Criterion } from './criteria.ts'
import {
  ATTESTATION_ROLES,
  CRITERION_KIND_LABELS,
  CRITERION_KINDS,
  CRITERION_LISTS,
  type CriterionKind,
  criterionFormValues,
  isAttestationRole,
  isCriterionKind,
  parseCriterion,
  readyToSave,
} from './forms.ts'

type Body = Record<string, unknown>

/** Where a problem with a criterion's field is shown on the form. */
const ANCHORS = { role: 'role', anyOf: 'anyOf', odsCodes: 'odsCodes', allowed: 'allowed' }

export interface CriteriaOwner<T> {
  /** The routes' prefix, with the owner's `:id`, such as `/programmes/:id`. */
  route: string
  access: Access
  /** The owner the request names, if the user may change its criteria (else a 404 is thrown). */
  load(request: FastifyRequest): Promise<T>
  id(owner: T): string
  name(owner: T): string
  criteria(owner: T): Criterion[]
  /** The owner's list of criteria, which every page goes back to. */
  back(owner: T): { href: string; text: string }
  /** What the criterion form shows beyond the criterion: the owner as `programme`, its practices. */
  formView(
    owner: T,
    kind: CriterionKind,
    values: Body,
    check?: { criterion: Criterion; today: string },
  ): Promise<object>
  /** Saves the owner's criteria as `change` makes them from the ones held now, and audits it. */
  save(
    request: FastifyRequest,
    owner: T,
    change: (criteria: Criterion[]) => Criterion[],
    detail: { criterion: string; change: 'add' | 'update' | 'remove' },
  ): Promise<void>
}

const criterionTemplate = 'programmes/views/criterion.njk'

export function criteriaEditorRoutes<T>(
  app: FastifyInstance,
  now: () => Date,
  owner: CriteriaOwner<T>,
): void {
  const form = { access: owner.access, listFields: CRITERION_LISTS }
  const base = (of: T) => `${owner.route.replace(':id', owner.id(of))}/criteria`

  function criterionIn(of: T, request: FastifyRequest): Criterion {
    const { criterionId } = request.params as { criterionId: string }
    const criterion = owner.criteria(of).find((c) => c.id === criterionId)
    if (!criterion) throw notFound()
    return criterion
  }

  /** The form again: with the problems found, or with the criterion checked against an example. */
  async function formAgain(
    reply: FastifyReply,
    of: T,
    page: { pageTitle: string; action: string; criterion?: Criterion; creating?: true },
    kind: CriterionKind,
    body: Body,
    outcome: { problems: Parameters<typeof formErrors>[0] } | { checking: Criterion },
  ) {
    const values = page.criterion ? { ...body, id: page.criterion.id } : body
    if ('problems' in outcome)
      return reply.status(400).view(criterionTemplate, {
        ...page,
        values,
        ...(await owner.formView(of, kind, body)),
        back: owner.back(of),
        errors: formErrors(outcome.problems, ANCHORS),
      })
    return reply.view(criterionTemplate, {
      ...page,
      values,
      ...(await owner.formView(of, kind, body, { criterion: outcome.checking, today: londonDate(now()) })),
      back: owner.back(of),
    })
  }

  app.get(`${owner.route}/criteria/new`, { config: { access: owner.access } }, async (request, reply) => {
    const of = await owner.load(request)
    const { kind, role } = request.query as { kind?: string; role?: string }
    if (!isCriterionKind(kind)) {
      return reply.status(kind === undefined ? 200 : 400).view('programmes/views/criterion-kind.njk', {
        pageTitle: 'Add a criterion',
        action: `${base(of)}/new`,
        kinds: CRITERION_KINDS.map((k) => ({
          value: k,
          text: CRITERION_KIND_LABELS[k].text,
          hint: { text: CRITERION_KIND_LABELS[k].hint },
        })),
        back: owner.back(of),
        ...(kind === undefined
          ? {}
          : { errors: formErrors([{ field: 'kind', message: 'Select what the criterion checks' }]) }),
      })
    }
    // A yes/no question is either an exclusion or an inclusion: asked first, so that the form can
    // ask for the answer that excludes, or the one that includes.
    if (kind === 'attestation' && !isAttestationRole(role)) {
      return reply.status(role === undefined ? 200 : 400).view('programmes/views/criterion-role.njk', {
        pageTitle: 'Does the question exclude people, or include them?',
        caption: owner.name(of),
        action: `${base(of)}/new`,
        roles: ATTESTATION_ROLES,
        back: owner.back(of),
        ...(role === undefined
          ? {}
          : {
              errors: formErrors([
                { field: 'role', message: 'Select whether the question excludes or includes people' },
              ]),
            }),
      })
    }
    const values: Body = { role: kind === 'redirect' ? 'redirect' : role }
    return reply.view(criterionTemplate, {
      pageTitle: `Add a criterion: ${CRITERION_KIND_LABELS[kind].text.toLowerCase()}`,
      action: base(of),
      values,
      creating: true,
      ...(await owner.formView(of, kind, values)),
      back: owner.back(of),
    })
  })

  app.post(`${owner.route}/criteria`, { config: form }, async (request, reply) => {
    const of = await owner.load(request)
    const body = (request.body ?? {}) as Body
    if (!isCriterionKind(body.kind)) throw notFound()
    const kind = body.kind
    const parsed = parseCriterion(kind, body, { existing: owner.criteria(of).map((c) => c.id) })
    const page = {
      pageTitle: `Add a criterion: ${CRITERION_KIND_LABELS[kind].text.toLowerCase()}`,
      action: base(of),
      creating: true as const,
    }
    if (!parsed.ok) return formAgain(reply, of, page, kind, body, { problems: parsed.problems })
    if (!readyToSave(parsed.value, body))
      return formAgain(reply, of, page, kind, body, { checking: parsed.value })
    await owner.save(request, of, (criteria) => [...criteria, parsed.value], {
      criterion: parsed.value.id,
      change: 'add',
    })
    return reply.redirect(`${base(of)}?saved=1`, 303)
  })

  app.get(
    `${owner.route}/criteria/:criterionId`,
    { config: { access: owner.access } },
    async (request, reply) => {
      const of = await owner.load(request)
      const criterion = criterionIn(of, request)
      const values = criterionFormValues(criterion)
      return reply.view(criterionTemplate, {
        pageTitle: `Change the criterion: ${criterion.text}`,
        action: `${base(of)}/${criterion.id}`,
        values,
        criterion,
        ...(await owner.formView(of, criterion.kind, values)),
        back: owner.back(of),
      })
    },
  )

  app.post(`${owner.route}/criteria/:criterionId`, { config: form }, async (request, reply) => {
    const of = await owner.load(request)
    const criterion = criterionIn(of, request)
    const body = (request.body ?? {}) as Body
    const parsed = parseCriterion(criterion.kind, body, {
      existing: owner.criteria(of).map((c) => c.id),
      editing: criterion.id,
    })
    const page = {
      pageTitle: `Change the criterion: ${criterion.text}`,
      action: `${base(of)}/${criterion.id}`,
      criterion,
    }
    if (!parsed.ok) return formAgain(reply, of, page, criterion.kind, body, { problems: parsed.problems })
    if (!readyToSave(parsed.value, body))
      return formAgain(reply, of, page, criterion.kind, body, { checking: parsed.value })
    await owner.save(
      request,
      of,
      (criteria) => criteria.map((c) => (c.id === criterion.id ? parsed.value : c)),
      { criterion: criterion.id, change: 'update' },
    )
    return reply.redirect(`${base(of)}?saved=1`, 303)
  })

  app.post(
    `${owner.route}/criteria/:criterionId/remove`,
    { config: { access: owner.access } },
    async (request, reply) => {
      const of = await owner.load(request)
      const criterion = criterionIn(of, request)
      await owner.save(request, of, (criteria) => criteria.filter((c) => c.id !== criterion.id), {
        criterion: criterion.id,
        change: 'remove',
      })
      return reply.redirect(`${base(of)}?saved=removed`, 303)
    },
  )
}
