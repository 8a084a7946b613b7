// Providers state who their service is for in the eligibility language (programmes/criteria.ts):
// listed, added one at a time by kind, changed or removed, as programme managers do for
// programmes. The criterion form is the programmes' own template.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { listOrganisations } from '../access/store.ts'
import { organisationsWhere } from '../access/users.ts'
import { isId } from '../db/ids.ts'
import { type Criterion, criteriaSchema } from '../programmes/criteria.ts'
import { criteriaEditorRoutes } from '../programmes/criteria-editor.ts'
import { type CriterionKind, criterionFormView } from '../programmes/forms.ts'
import { ROLE_LABELS } from '../programmes/present.ts'
import type { AppContext } from '../web/context.ts'
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

export function criteriaRoutes(app: FastifyInstance, context: AppContext) {
  const { db } = context

  async function ownService(id: string, organisations: string[]): Promise<ServiceRecord> {
    const service = isId(id) ? await getServiceRecord(db, id) : undefined
    if (!service || !organisations.includes(service.providerOrganisationId)) throw notFound()
    return service
  }

  const serviceOf = (request: FastifyRequest) =>
    ownService(
      (request.params as { id: string }).id,
      organisationsWhere(request.user as Parameters<typeof organisationsWhere>[0], ...MAINTAINERS),
    )

  async function formView(
    service: ServiceRecord,
    kind: CriterionKind,
    values: Body,
    check?: { criterion: Criterion; today: string },
  ) {
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
        check,
      ),
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

  criteriaEditorRoutes(app, context.now, {
    route: '/directory/services/:id',
    access: PROVIDER,
    load: serviceOf,
    id: (service) => service.id,
    name: (service) => service.name,
    criteria: (service) => service.criteria,
    back: (service) => ({ href: `/directory/services/${service.id}/criteria`, text: 'Access criteria' }),
    formView,
    save: (request, service, change, detail) =>
      save(request, service, change(service.criteria), detail.change),
  })
}
