// Eligibility criteria: listed, added one at a time by kind, changed or removed.

import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../web/context.ts'
import { GENERATED_CRITERIA, programmeCriteria } from './config.ts'
import type { Criterion } from './criteria.ts'
import { criteriaEditorRoutes } from './criteria-editor.ts'
import { type CriterionKind, criterionFormView } from './forms.ts'
import { ROLE_LABELS } from './present.ts'
import { type Body, back, MANAGE, programmeFor, SAVED, saveSettings } from './route-kit.ts'
import type { Programme } from './store.ts'

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

  criteriaEditorRoutes(app, context.now, {
    route: '/programmes/:id',
    access: MANAGE,
    load: async (request) => (await programmeFor(db, request, 'manage')).programme,
    id: (programme) => programme.id,
    name: (programme) => programme.name,
    criteria: (programme) => programme.criteria,
    back: (programme) => ({ href: `/programmes/${programme.id}/criteria`, text: 'Eligibility criteria' }),
    formView: async (programme, kind, values, check) => ({
      programme,
      ...criterionView(programme, kind, values, check),
    }),
    save: (request, programme, change, detail) =>
      saveSettings(
        db,
        request,
        programme,
        'criteria',
        (settings) => ({ ...settings, criteria: change(settings.criteria) }),
        detail,
      ),
  })
}
