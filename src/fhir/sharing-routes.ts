// What a programme sends the GP practices it covers, set by its managers: the points besides a
// case's end at which the summary goes, and each practice's choice of the whole summary or codes
// only. One page (one form, without JavaScript) and its JSON equivalent; each change audited as a
// change of the programme. Registers the handler that queues a summary at those points.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { isId } from '../db/ids.ts'
import type { Db } from '../db/schema.ts'
import { canManage, getProgramme, type Programme } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import type { FormBody } from '../web/form-body.ts'
import { formErrors, parseOrThrow } from '../web/forms.ts'
import { badRequest, type FieldProblem, forbidden, notFound } from '../web/problem.ts'
import { queueGpSummaryAtPoint } from './gp-record.ts'
import {
  GP_SUMMARY_POINT_HINTS,
  GP_SUMMARY_POINT_LABELS,
  GP_SUMMARY_POINTS,
  type GpSharing,
  type GpSummaryPoint,
  gpSharingOf,
  isPoint,
  saveGpSharing,
} from './sharing.ts'

const MANAGE = rolesAccess('programme_manager')
const TITLE = 'Sharing with GP practices'

/** The programme in the URL, for one of its managers: 404 when there is none, 403 for anyone else. */
async function managedProgramme(db: Db, request: FastifyRequest): Promise<Programme> {
  const { id } = request.params as { id: string }
  const programme = isId(id) ? await getProgramme(db, id) : undefined
  if (!programme) throw notFound()
  if (!canManage(request.user!, programme))
    throw forbidden('Only the programme’s managers can change what it sends GP practices.')
  return programme
}

interface SharingChange {
  points: GpSummaryPoint[]
  codesOnly: Map<string, boolean>
}

const practiceField = (organisationId: string) => `practice-${organisationId}`

/** The page's form: the points ticked, and for each practice `whole` or `codes-only`. */
function readForm(programme: Programme, body: FormBody): { value?: SharingChange; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  const sent = Array.isArray(body.points) ? body.points : []
  if (!sent.every(isPoint)) problems.push({ field: 'points', message: 'Select the points from the list' })
  const codesOnly = new Map<string, boolean>()
  for (const practice of programme.practices) {
    const choice = body[practiceField(practice.organisationId)]
    if (choice === 'whole' || choice === 'codes-only')
      codesOnly.set(practice.organisationId, choice === 'codes-only')
    else
      problems.push({
        field: practiceField(practice.organisationId),
        message: `Select what ${practice.name} takes: the whole summary or codes only`,
      })
  }
  return problems.length > 0 ? { problems } : { value: { points: sent.filter(isPoint), codesOnly }, problems }
}

export function gpSharingRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  // The summary also goes at the points a programme chose (initial assessment, prescription ended).
  context.caseMilestone.push(queueGpSummaryAtPoint)

  async function save(request: FastifyRequest, programme: Programme, change: SharingChange) {
    await db.transaction().execute(async (trx) => {
      const changed = await saveGpSharing(trx, programme, change, context.now())
      if (changed.points || changed.practices.length > 0)
        await audit(trx, request.actor, {
          action: 'programme.update',
          recordType: 'programme',
          recordId: programme.id,
          detail: {
            section: 'gp-sharing',
            changed: [
              ...(changed.points ? ['points'] : []),
              ...(changed.practices.length ? ['codesOnly'] : []),
            ],
            practices: changed.practices,
          },
        })
    })
  }

  const path = '/programmes/:id/gp-sharing'
  function page(
    programme: Programme,
    values: { points: string[]; choices: Record<string, string | undefined> },
  ) {
    return {
      pageTitle: TITLE,
      programme,
      action: `/programmes/${programme.id}/gp-sharing`,
      back: { href: `/programmes/${programme.id}`, text: programme.name },
      pointItems: GP_SUMMARY_POINTS.map((point) => ({
        value: point,
        text: GP_SUMMARY_POINT_LABELS[point],
        hint: { text: GP_SUMMARY_POINT_HINTS[point] },
        checked: values.points.includes(point),
      })),
      practices: programme.practices.map((practice) => ({
        name: practice.name,
        odsCode: practice.odsCode,
        field: practiceField(practice.organisationId),
        items: [
          {
            value: 'whole',
            text: 'The whole summary',
            checked: values.choices[practice.organisationId] !== 'codes-only',
          },
          {
            value: 'codes-only',
            text: 'Codes only',
            hint: { text: 'The coded entries without the free text' },
            checked: values.choices[practice.organisationId] === 'codes-only',
          },
        ],
      })),
    }
  }
  const valuesOf = (sharing: GpSharing) => ({
    points: sharing.points,
    choices: Object.fromEntries(
      sharing.practices.map((p) => [p.organisationId, p.codesOnly ? 'codes-only' : 'whole']),
    ),
  })

  app.get(path, { config: { access: MANAGE } }, async (request, reply) => {
    const programme = await managedProgramme(db, request)
    const saved = (request.query as { saved?: string }).saved === '1'
    return reply.view('fhir/views/gp-sharing.njk', {
      ...page(programme, valuesOf(await gpSharingOf(db, programme))),
      ...(saved ? { flash: 'What the programme sends GP practices has been saved.' } : {}),
    })
  })

  app.post(path, { config: { access: MANAGE, listFields: ['points'] } }, async (request, reply) => {
    const programme = await managedProgramme(db, request)
    const body = (request.body ?? {}) as FormBody
    const read = readForm(programme, body)
    if (!read.value) {
      const sent = valuesOf(await gpSharingOf(db, programme))
      const choices = Object.fromEntries(
        programme.practices.map((p) => {
          const choice = body[practiceField(p.organisationId)]
          return [p.organisationId, typeof choice === 'string' ? choice : sent.choices[p.organisationId]]
        }),
      )
      const points = Array.isArray(body.points) ? body.points : []
      return reply.status(400).view('fhir/views/gp-sharing.njk', {
        ...page(programme, { points, choices }),
        errors: formErrors(read.problems),
      })
    }
    await save(request, programme, read.value)
    return reply.redirect(`/programmes/${programme.id}/gp-sharing?saved=1`, 303)
  })

  // The JSON equivalent.
  const practiceSchema = z.object({
    organisationId: z.string(),
    name: z.string(),
    odsCode: z.string().nullable(),
    codesOnly: z.boolean(),
  })
  const sharingResponse = z.object({
    points: z.array(z.enum(GP_SUMMARY_POINTS)),
    practices: z.array(practiceSchema),
  })
  const sharingRequest = z.object({
    points: z.array(
      z.enum(GP_SUMMARY_POINTS, { error: `Each point must be one of ${GP_SUMMARY_POINTS.join(', ')}` }),
    ),
    practices: z
      .array(
        z.object({
          organisationId: z.string({ error: 'Give the practice’s organisation id' }),
          codesOnly: z.boolean({ error: 'Say whether the practice takes codes only (true or false)' }),
        }),
      )
      .default([]),
  })
  const parameters = [{ name: 'id', in: 'path' as const, description: 'The programme id' }]
  context.api.add({
    method: 'get',
    path: '/api/v1/programmes/{id}/gp-sharing',
    summary:
      'What the programme sends GP practices: the points besides a case’s end at which the summary goes, and each practice’s choice of codes only',
    tags: ['Programmes'],
    parameters,
    response: sharingResponse,
  })
  context.api.add({
    method: 'put',
    path: '/api/v1/programmes/{id}/gp-sharing',
    summary:
      'Sets the points and the practices’ choices (practices not listed keep theirs); 400 naming the field, nothing changed, when one is wrong',
    tags: ['Programmes'],
    parameters,
    requestBody: sharingRequest,
    response: sharingResponse,
  })
  const apiPath = '/api/v1/programmes/:id/gp-sharing'
  app.get(apiPath, { config: { access: MANAGE } }, async (request) =>
    gpSharingOf(db, await managedProgramme(db, request)),
  )
  app.put(apiPath, { config: { access: MANAGE } }, async (request) => {
    const programme = await managedProgramme(db, request)
    const input = parseOrThrow(sharingRequest, request.body ?? {})
    const known = new Set(programme.practices.map((p) => p.organisationId))
    const problems = input.practices.flatMap((p, i) =>
      known.has(p.organisationId)
        ? []
        : [
            {
              field: `practices.${i}.organisationId`,
              message: 'This is not one of the programme’s practices',
            },
          ],
    )
    if (problems.length > 0) throw badRequest('The request is not valid.', problems)
    await save(request, programme, {
      points: input.points,
      codesOnly: new Map(input.practices.map((p) => [p.organisationId, p.codesOnly])),
    })
    return gpSharingOf(db, programme)
  })
}
