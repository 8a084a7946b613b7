// Providers state who their service is for in the eligibility language (programmes/criteria.ts):
// listed, added one at a time by kind, changed or removed, as programme managers do for
// programmes. The criterion form is the programmes' own template.

import type { FastifyInstance, FastifyReply } from 'fastify'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { listOrganisations } from '../access/store.ts'
import { organisationsWhere } from '../access/users.ts'
import { isId } from '../db/ids.ts'
import { type Criterion, criteriaSchema } from '../programmes/criteria.ts'
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
} from '../programmes/forms.ts'
import { ROLE_LABELS } from '../programmes/present.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { formErrors } from '../web/forms.ts'
import { notFound } from '../web/problem.ts'
import { getServiceRecord, type ServiceRecord, setServiceCriteria } from './store.ts'

type Body = Record<string, unknown>
/**
 * Who maintains services: providers' staff, and programme managers for the services their own
 * organisation runs (Culm Valley Centre's groups), with no administrator.
 */
const PROVIDER = rolesAccess('provider', 'programme_manager')
/** The roles whose organisations' services a user maintains. */
const MAINTAINERS = ['provider', 'programme_manager'] as const
/** The criterion form's checkboxes are lists (web/form-body.ts). */
const CRITERION_FORM = { access: PROVIDER, listFields: CRITERION_LISTS }
const ANCHORS = { role: 'role', anyOf: 'anyOf', odsCodes: 'odsCodes', allowed: 'allowed' }

export function criteriaRoutes(app: FastifyInstance, context: AppContext) {
  const { db } = context

  async function ownService(id: string, organisations: string[]): Promise<ServiceRecord> {
    const service = isId(id) ? await getServiceRecord(db, id) : undefined
    if (!service || !organisations.includes(service.providerOrganisationId)) throw notFound()
    return service
  }

  const serviceOf = (request: { params: unknown; user: unknown }) =>
    ownService(
      (request.params as { id: string }).id,
      organisationsWhere(request.user as Parameters<typeof organisationsWhere>[0], ...MAINTAINERS),
    )

  async function formView(service: ServiceRecord, kind: CriterionKind, values: Body, checking?: Criterion) {
    const practices = (await listOrganisations(db)).filter((o) => o.kind === 'practice' && o.odsCode)
    return {
      programme: { name: service.name },
      ...criterionFormView(
        kind,
        values,
        practices,
        {
          inclusion: 'People must meet it to be referred',
          exclusion: 'People who meet it cannot be referred',
          rule: 'A rule about the referral, such as who may make it',
        },
        checking && { criterion: checking, today: londonDate(context.now()) },
      ),
      back: { href: `/directory/services/${service.id}/criteria`, text: 'Access criteria' },
    }
  }

  async function save(
    request: { actor: Parameters<typeof audit>[1] },
    service: ServiceRecord,
    criteria: Criterion[],
    change: string,
  ) {
    const valid = criteriaSchema.parse(criteria)
    await db.transaction().execute(async (trx) => {
      await setServiceCriteria(trx, service.id, valid)
      await audit(trx, request.actor, {
        action: 'service.update',
        recordType: 'service',
        recordId: service.id,
        detail: { criteria: change },
      })
    })
  }

  app.get('/directory/services/:id/criteria', { config: { access: PROVIDER } }, async (request, reply) => {
    const service = await serviceOf(request)
    const saved = (request.query as { saved?: string }).saved
    return reply.view('directory/views/criteria.njk', {
      pageTitle: 'Access criteria',
      service,
      criteria: service.criteria.map((criterion) => ({ criterion, roleLabel: ROLE_LABELS[criterion.role] })),
      flash:
        saved === 'removed'
          ? 'The criterion has been removed.'
          : saved
            ? 'The access criteria have been saved.'
            : undefined,
      back: { href: `/directory/services/${service.id}`, text: service.name },
    })
  })

  const criterionTemplate = 'programmes/views/criterion.njk'

  app.get(
    '/directory/services/:id/criteria/new',
    { config: { access: PROVIDER } },
    async (request, reply: FastifyReply) => {
      const service = await serviceOf(request)
      const { kind } = request.query as { kind?: string }
      if (!isCriterionKind(kind)) {
        return reply.status(kind === undefined ? 200 : 400).view('directory/views/criterion-kind.njk', {
          pageTitle: 'Add a criterion',
          service,
          kinds: CRITERION_KINDS.map((k) => ({
            value: k,
            text: CRITERION_KIND_LABELS[k].text,
            hint: { text: CRITERION_KIND_LABELS[k].hint },
          })),
          back: { href: `/directory/services/${service.id}/criteria`, text: 'Access criteria' },
          ...(kind === undefined
            ? {}
            : { errors: formErrors([{ field: 'kind', message: 'Select what the criterion checks' }]) }),
        })
      }
      const role = (request.query as { role?: string }).role
      // A yes/no question excludes people or includes them: asked first (see programmes/criteria-routes.ts).
      if (kind === 'attestation' && !isAttestationRole(role)) {
        return reply.status(role === undefined ? 200 : 400).view('programmes/views/criterion-role.njk', {
          pageTitle: 'Does the question exclude people, or include them?',
          caption: service.name,
          action: `/directory/services/${service.id}/criteria/new`,
          roles: ATTESTATION_ROLES,
          back: { href: `/directory/services/${service.id}/criteria`, text: 'Access criteria' },
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
        action: `/directory/services/${service.id}/criteria`,
        values,
        creating: true,
        ...(await formView(service, kind, values)),
      })
    },
  )

  app.post('/directory/services/:id/criteria', { config: CRITERION_FORM }, async (request, reply) => {
    const service = await serviceOf(request)
    const body = (request.body ?? {}) as Body
    if (!isCriterionKind(body.kind)) throw notFound()
    const kind = body.kind
    const parsed = parseCriterion(kind, body, { existing: service.criteria.map((c) => c.id) })
    if (!parsed.ok) {
      return reply.status(400).view(criterionTemplate, {
        pageTitle: `Add a criterion: ${CRITERION_KIND_LABELS[kind].text.toLowerCase()}`,
        action: `/directory/services/${service.id}/criteria`,
        values: body,
        creating: true,
        ...(await formView(service, kind, body)),
        errors: formErrors(parsed.problems, ANCHORS),
      })
    }
    if (!readyToSave(parsed.value, body)) {
      return reply.view(criterionTemplate, {
        pageTitle: `Add a criterion: ${CRITERION_KIND_LABELS[kind].text.toLowerCase()}`,
        action: `/directory/services/${service.id}/criteria`,
        values: body,
        creating: true,
        ...(await formView(service, kind, body, parsed.value)),
      })
    }
    await save(request, service, [...service.criteria, parsed.value], 'add')
    return reply.redirect(`/directory/services/${service.id}/criteria?saved=1`, 303)
  })

  function criterionIn(service: ServiceRecord, request: { params: unknown }): Criterion {
    const { criterionId } = request.params as { criterionId: string }
    const criterion = service.criteria.find((c) => c.id === criterionId)
    if (!criterion) throw notFound()
    return criterion
  }

  app.get(
    '/directory/services/:id/criteria/:criterionId',
    { config: { access: PROVIDER } },
    async (request, reply) => {
      const service = await serviceOf(request)
      const criterion = criterionIn(service, request)
      const values = criterionFormValues(criterion)
      return reply.view(criterionTemplate, {
        pageTitle: `Change the criterion: ${criterion.text}`,
        action: `/directory/services/${service.id}/criteria/${criterion.id}`,
        values,
        criterion,
        ...(await formView(service, criterion.kind, values)),
      })
    },
  )

  app.post(
    '/directory/services/:id/criteria/:criterionId',
    { config: CRITERION_FORM },
    async (request, reply) => {
      const service = await serviceOf(request)
      const criterion = criterionIn(service, request)
      const body = (request.body ?? {}) as Body
      const parsed = parseCriterion(criterion.kind, body, {
        existing: service.criteria.map((c) => c.id),
        editing: criterion.id,
      })
      if (!parsed.ok) {
        return reply.status(400).view(criterionTemplate, {
          pageTitle: `Change the criterion: ${criterion.text}`,
          action: `/directory/services/${service.id}/criteria/${criterion.id}`,
          values: { ...body, id: criterion.id },
          criterion,
          ...(await formView(service, criterion.kind, body)),
          errors: formErrors(parsed.problems, ANCHORS),
        })
      }
      if (!readyToSave(parsed.value, body)) {
        return reply.view(criterionTemplate, {
          pageTitle: `Change the criterion: ${criterion.text}`,
          action: `/directory/services/${service.id}/criteria/${criterion.id}`,
          values: { ...body, id: criterion.id },
          criterion,
          ...(await formView(service, criterion.kind, body, parsed.value)),
        })
      }
      await save(
        request,
        service,
        service.criteria.map((c) => (c.id === criterion.id ? parsed.value : c)),
        'update',
      )
      return reply.redirect(`/directory/services/${service.id}/criteria?saved=1`, 303)
    },
  )

  app.post(
    '/directory/services/:id/criteria/:criterionId/remove',
    { config: { access: PROVIDER } },
    async (request, reply) => {
      const service = await serviceOf(request)
      const criterion = criterionIn(service, request)
      await save(
        request,
        service,
        service.criteria.filter((c) => c.id !== criterion.id),
        'remove',
      )
      return reply.redirect(`/directory/services/${service.id}/criteria?saved=removed`, 303)
    },
  )
}
