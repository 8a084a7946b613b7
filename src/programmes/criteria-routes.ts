// Eligibility criteria: listed, added one at a time by kind, changed or removed.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { formErrors } from '../web/forms.ts'
import { notFound } from '../web/problem.ts'
import { GENERATED_CRITERIA, programmeCriteria } from './config.ts'
import type { Criterion } from './criteria.ts'
import {
  ATTESTATION_ROLES,
  CRITERION_KIND_LABELS,
  CRITERION_KINDS,
  CRITERION_LISTS,
  type CriterionKind,
  criterionFormValues,
  criterionFormView,
  isAttestationRole,
  isCriterionKind,
  parseCriterion,
  readyToSave,
} from './forms.ts'
import { ROLE_LABELS } from './present.ts'
import { type Body, back, MANAGE, programmeFor, SAVED, saveSettings } from './route-kit.ts'
import type { Programme } from './store.ts'

/** Forms with checkboxes, whose fields are lists (web/form-body.ts). */
const CRITERION_FORM = { access: MANAGE, listFields: CRITERION_LISTS }

function criterionView(
  programme: Programme,
  kind: CriterionKind,
  values: Body,
  check?: { criterion: Criterion; today: string },
) {
  return criterionFormView(
    kind,
    values,
    programme.practices,
    {
      inclusion: 'People must meet it to be eligible',
      exclusion: 'People who meet it are not eligible',
      rule: 'A rule about the referral, such as who may make it',
    },
    check,
  )
}

export function criteriaRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

  app.get('/programmes/:id/criteria', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const generated = new Set<string>(Object.values(GENERATED_CRITERIA))
    const saved = (request.query as { saved?: string }).saved
    return reply.view('programmes/views/criteria.njk', {
      pageTitle: 'Eligibility criteria',
      programme,
      criteria: programmeCriteria(programme).map((criterion) => ({
        criterion,
        roleLabel: ROLE_LABELS[criterion.role],
        generated: generated.has(criterion.id) && !programme.criteria.some((c) => c.id === criterion.id),
      })),
      flash: saved === 'removed' ? 'The criterion has been removed.' : saved ? SAVED.criteria : undefined,
      back: back(programme),
    })
  })

  const criterionTemplate = 'programmes/views/criterion.njk'

  app.get('/programmes/:id/criteria/new', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const { kind } = request.query as { kind?: string }
    const criteriaBack = { href: `/programmes/${programme.id}/criteria`, text: 'Eligibility criteria' }
    if (!isCriterionKind(kind)) {
      return reply.status(kind === undefined ? 200 : 400).view('programmes/views/criterion-kind.njk', {
        pageTitle: 'Add a criterion',
        programme,
        kinds: CRITERION_KINDS.map((k) => ({
          value: k,
          text: CRITERION_KIND_LABELS[k].text,
          hint: { text: CRITERION_KIND_LABELS[k].hint },
        })),
        back: criteriaBack,
        ...(kind === undefined
          ? {}
          : { errors: formErrors([{ field: 'kind', message: 'Select what the criterion checks' }]) }),
      })
    }
    const role = (request.query as { role?: string }).role
    // A yes/no question is either an exclusion or an inclusion: asked first, so that the form can
    // ask for the answer that excludes, or the one that includes.
    if (kind === 'attestation' && !isAttestationRole(role)) {
      return reply.status(role === undefined ? 200 : 400).view('programmes/views/criterion-role.njk', {
        pageTitle: 'Does the question exclude people, or include them?',
        caption: programme.name,
        action: `/programmes/${programme.id}/criteria/new`,
        roles: ATTESTATION_ROLES,
        back: criteriaBack,
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
      action: `/programmes/${programme.id}/criteria`,
      programme,
      values,
      creating: true,
      ...criterionView(programme, kind, values),
      back: criteriaBack,
    })
  })

  app.post('/programmes/:id/criteria', { config: CRITERION_FORM }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const body = (request.body ?? {}) as Body
    if (!isCriterionKind(body.kind)) throw notFound()
    const kind = body.kind
    const parsed = parseCriterion(kind, body, { existing: programme.criteria.map((c) => c.id) })
    if (!parsed.ok) {
      return reply.status(400).view(criterionTemplate, {
        pageTitle: `Add a criterion: ${CRITERION_KIND_LABELS[kind].text.toLowerCase()}`,
        action: `/programmes/${programme.id}/criteria`,
        programme,
        values: body,
        creating: true,
        ...criterionView(programme, kind, body),
        back: { href: `/programmes/${programme.id}/criteria`, text: 'Eligibility criteria' },
        errors: formErrors(parsed.problems, {
          role: 'role',
          anyOf: 'anyOf',
          odsCodes: 'odsCodes',
          allowed: 'allowed',
        }),
      })
    }
    if (!readyToSave(parsed.value, body)) {
      return reply.view(criterionTemplate, {
        pageTitle: `Add a criterion: ${CRITERION_KIND_LABELS[kind].text.toLowerCase()}`,
        action: `/programmes/${programme.id}/criteria`,
        programme,
        values: body,
        creating: true,
        ...criterionView(programme, kind, body, {
          criterion: parsed.value,
          today: londonDate(context.now()),
        }),
        back: { href: `/programmes/${programme.id}/criteria`, text: 'Eligibility criteria' },
      })
    }
    await saveSettings(
      db,
      request,
      programme,
      'criteria',
      (settings) => ({ ...settings, criteria: [...settings.criteria, parsed.value] }),
      { criterion: parsed.value.id, change: 'add' },
    )
    return reply.redirect(`/programmes/${programme.id}/criteria?saved=1`, 303)
  })

  function criterionIn(programme: Programme, request: FastifyRequest): Criterion {
    const { criterionId } = request.params as { criterionId: string }
    const criterion = programme.criteria.find((c) => c.id === criterionId)
    if (!criterion) throw notFound()
    return criterion
  }

  app.get('/programmes/:id/criteria/:criterionId', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const criterion = criterionIn(programme, request)
    const values = criterionFormValues(criterion)
    return reply.view(criterionTemplate, {
      pageTitle: `Change the criterion: ${criterion.text}`,
      action: `/programmes/${programme.id}/criteria/${criterion.id}`,
      programme,
      values,
      criterion,
      ...criterionView(programme, criterion.kind, values),
      back: { href: `/programmes/${programme.id}/criteria`, text: 'Eligibility criteria' },
    })
  })

  app.post('/programmes/:id/criteria/:criterionId', { config: CRITERION_FORM }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const criterion = criterionIn(programme, request)
    const body = (request.body ?? {}) as Body
    const parsed = parseCriterion(criterion.kind, body, {
      existing: programme.criteria.map((c) => c.id),
      editing: criterion.id,
    })
    if (!parsed.ok) {
      return reply.status(400).view(criterionTemplate, {
        pageTitle: `Change the criterion: ${criterion.text}`,
        action: `/programmes/${programme.id}/criteria/${criterion.id}`,
        programme,
        values: { ...body, id: criterion.id },
        criterion,
        ...criterionView(programme, criterion.kind, body),
        back: { href: `/programmes/${programme.id}/criteria`, text: 'Eligibility criteria' },
        errors: formErrors(parsed.problems, {
          role: 'role',
          anyOf: 'anyOf',
          odsCodes: 'odsCodes',
          allowed: 'allowed',
        }),
      })
    }
    if (!readyToSave(parsed.value, body)) {
      return reply.view(criterionTemplate, {
        pageTitle: `Change the criterion: ${criterion.text}`,
        action: `/programmes/${programme.id}/criteria/${criterion.id}`,
        programme,
        values: { ...body, id: criterion.id },
        criterion,
        ...criterionView(programme, criterion.kind, body, {
          criterion: parsed.value,
          today: londonDate(context.now()),
        }),
        back: { href: `/programmes/${programme.id}/criteria`, text: 'Eligibility criteria' },
      })
    }
    await saveSettings(
      db,
      request,
      programme,
      'criteria',
      (settings) => ({
        ...settings,
        criteria: settings.criteria.map((c) => (c.id === criterion.id ? parsed.value : c)),
      }),
      { criterion: criterion.id, change: 'update' },
    )
    return reply.redirect(`/programmes/${programme.id}/criteria?saved=1`, 303)
  })

  app.post(
    '/programmes/:id/criteria/:criterionId/remove',
    { config: { access: MANAGE } },
    async (request, reply) => {
      const { programme } = await programmeFor(db, request, 'manage')
      const criterion = criterionIn(programme, request)
      await saveSettings(
        db,
        request,
        programme,
        'criteria',
        (settings) => ({ ...settings, criteria: settings.criteria.filter((c) => c.id !== criterion.id) }),
        { criterion: criterion.id, change: 'remove' },
      )
      return reply.redirect(`/programmes/${programme.id}/criteria?saved=removed`, 303)
    },
  )
}
