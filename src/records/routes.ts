// Records kept and released by policy (decision 0017), for administrators: what is due for
// erasure under the retention policy, a person's records exported whole (subject access) as a
// page that prints and as JSON, and erasure on request. Every read and change is audited.

import type { FastifyInstance } from 'fastify'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { DEFAULT_RETENTION } from '../config.ts'
import { isId } from '../db/ids.ts'
import { isValidNhsNumber, nhsNumberDigits } from '../people/nhs-number.ts'
import { personIdentity } from '../people/personal-data.ts'
import { personIdByNhsNumber } from '../people/store.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors } from '../web/forms.ts'
import { type FieldProblem, notFound, Problem } from '../web/problem.ts'
import { ERASURE_GROUNDS, erasePersonOnRequest } from './erasure.ts'
import { activityOf, applyRetention, dueForErasure, RULE_LABELS, retentionOf } from './retention.ts'
import { fieldLabel, subjectAccess } from './subject-access.ts'

const ADMIN = rolesAccess('administrator')
const DAY = 24 * 3_600_000

type Body = Record<string, string | undefined>

export async function recordsRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const { db } = context
  const policy = context.config.retention ?? DEFAULT_RETENTION
  const parts = context.personRecordParts

  context.jobs.add({
    name: 'records.apply-retention',
    every: DAY,
    run: async (jobDb, now) => {
      await applyRetention(jobDb, parts, policy, now)
    },
  })
  context.navigation.push({ text: 'Records', href: '/admin/records', roles: ['administrator'], order: 83 })
  context.homeCards.push({
    roles: ['administrator'],
    heading: 'Records',
    description:
      'Records due for erasure under the retention policy; export everything Kith holds on a person, or erase it on request.',
    href: '/admin/records',
    order: 4,
  })

  const indexPage = async (values: { nhsNumber?: string } = {}, problems: FieldProblem[] = []) => {
    const due = await dueForErasure(db, parts, policy, context.now())
    return {
      pageTitle: 'Records',
      policy,
      due: due.map((d) => ({ ...d, ruleLabel: RULE_LABELS[d.rule] })),
      values,
      errors: problems.length > 0 ? formErrors(problems) : undefined,
    }
  }

  app.get('/admin/records', { config: { access: ADMIN } }, async (request, reply) => {
    const page = await indexPage()
    await audit(db, request.actor, {
      action: 'records.retention-report',
      detail: { due: page.due.length },
    })
    const query = request.query as { erased?: string }
    return reply.view('records/views/index.njk', { ...page, erased: query.erased === '1' })
  })

  // By NHS number, in the body: a person's details never go in a URL.
  app.post('/admin/records/find', { config: { access: ADMIN } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const typed = body.nhsNumber ?? ''
    const digits = nhsNumberDigits(typed)
    let personId: string | undefined
    let problem: string | undefined
    if (digits === '') problem = 'Enter the NHS number of the person whose records you need'
    else if (!isValidNhsNumber(digits)) problem = 'Enter a valid 10-digit NHS number'
    else {
      personId = await personIdByNhsNumber(db, digits)
      if (!personId) problem = 'Kith holds no record with this NHS number'
    }
    if (problem || !personId) {
      const page = await indexPage({ nhsNumber: typed }, [{ field: 'nhsNumber', message: problem ?? '' }])
      return reply.status(400).view('records/views/index.njk', page)
    }
    return reply.redirect(`/admin/records/people/${personId}`, 303)
  })

  const personPage = async (personId: string, values: Body = {}, problems: FieldProblem[] = []) => {
    const person = isId(personId) ? await personIdentity(db, personId) : undefined
    if (!person) throw notFound('There is no such person.')
    const retention = retentionOf(
      { id: person.id, dateOfBirth: person.dateOfBirth },
      await activityOf(db, parts, person.id),
      policy,
    )
    return {
      pageTitle: `Records of ${person.givenName} ${person.familyName}`,
      person,
      retention: { ...retention, ruleLabel: RULE_LABELS[retention.rule] },
      grounds: Object.entries(ERASURE_GROUNDS).map(([value, text]) => ({
        value,
        text,
        checked: values.ground === value,
      })),
      values,
      errors: problems.length > 0 ? formErrors(problems) : undefined,
    }
  }

  app.get('/admin/records/people/:id', { config: { access: ADMIN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const page = await personPage(id)
    await audit(db, request.actor, {
      action: 'person.read',
      recordType: 'person',
      recordId: id,
      detail: { for: 'records' },
    })
    return reply.view('records/views/person.njk', page)
  })

  const exported = async (id: string) => {
    const document = isId(id) ? await subjectAccess(db, parts, id, context.now()) : undefined
    if (!document) throw notFound('There is no such person.')
    return document
  }

  app.get('/admin/records/people/:id/export', { config: { access: ADMIN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const document = await exported(id)
    await audit(db, request.actor, {
      action: 'person.subject-access',
      recordType: 'person',
      recordId: id,
      detail: { format: 'html' },
    })
    return reply.view('records/views/export.njk', {
      pageTitle: `Everything Kith holds on ${document.person.givenName} ${document.person.familyName}`,
      document,
      parts: document.parts.map((part) => ({
        name: part.name,
        sections: part.sections.map((section) => ({
          title: section.title,
          rows: section.rows.map((row) =>
            Object.entries(row).map(([key, value]) => ({
              key: { text: fieldLabel(key) },
              value: { text: value === null || value === '' ? 'Not recorded' : String(value) },
            })),
          ),
        })),
      })),
    })
  })

  app.get('/admin/records/people/:id/export.json', { config: { access: ADMIN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const document = await exported(id)
    await audit(db, request.actor, {
      action: 'person.subject-access',
      recordType: 'person',
      recordId: id,
      detail: { format: 'json' },
    })
    return reply
      .header('content-disposition', `attachment; filename="kith-subject-access-${id}.json"`)
      .header('cache-control', 'no-store')
      .send(document)
  })

  app.post('/admin/records/people/:id/erase', { config: { access: ADMIN } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const body = (request.body ?? {}) as Body
    if (!isId(id)) throw notFound('There is no such person.')
    try {
      await erasePersonOnRequest(db, request.actor, parts, id, {
        ground: body.ground ?? '',
        reason: body.reason ?? '',
        confirmName: body.confirmName ?? '',
        lawAllows: body.lawAllows === 'yes',
      })
    } catch (error) {
      if (!(error instanceof Problem) || error.status !== 400) throw error
      const page = await personPage(id, body, error.errors)
      return reply.status(400).view('records/views/person.njk', page)
    }
    return reply.redirect('/admin/records?erased=1', 303)
  })
}
