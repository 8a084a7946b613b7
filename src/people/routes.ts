// Administrators' pages for person records that may be one person: the pairs Kith finds, and
// merging a pair into one record after comparing them side by side.

import type { FastifyInstance } from 'fastify'
import type { Actor } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { isId } from '../db/ids.ts'
import type { AppContext } from '../web/context.ts'
import { formatDate, formatNhsNumber, formatPostcode } from '../web/format.ts'
import { formErrors } from '../web/forms.ts'
import { type FieldProblem, notFound, Problem } from '../web/problem.ts'
import { mergePersonRecords } from './merge.ts'
import type { Person } from './person.ts'
import { peoplePersonalData } from './personal-data.ts'
import { readPerson, readPersonSummaries } from './records.ts'
import { duplicatePairs } from './store.ts'

const ADMIN = rolesAccess('administrator')

type Body = Record<string, unknown>
const str = (value: unknown) => (typeof value === 'string' ? value : '')

function recordRows(person: Person) {
  return [
    { key: { text: 'Name' }, value: { text: `${person.givenName} ${person.familyName}` } },
    { key: { text: 'Date of birth' }, value: { text: formatDate(person.dateOfBirth) } },
    {
      key: { text: 'NHS number' },
      value: { text: person.nhsNumber ? formatNhsNumber(person.nhsNumber) : 'Not known' },
    },
    { key: { text: 'GP practice' }, value: { text: person.registeredPractice?.name ?? 'Not known' } },
    {
      key: { text: 'Postcode' },
      value: { text: person.postcode ? formatPostcode(person.postcode) : 'Not known' },
    },
    { key: { text: 'Record made' }, value: { text: formatDate(person.createdAt) } },
  ]
}

export function peopleRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  context.personRecordParts.push(peoplePersonalData)

  context.homeCards.push({
    roles: ['administrator'],
    heading: 'Possible duplicate people',
    description:
      'Records with the same name and date of birth: compare them, and merge those that are one person.',
    href: '/admin/people/duplicates',
    order: 40,
  })

  app.get('/admin/people/duplicates', { config: { access: ADMIN } }, async (request, reply) => {
    const pairs = await duplicatePairs(db)
    const ids = [...new Set(pairs.flatMap((pair) => [pair.olderId, pair.newerId]))]
    const people = new Map(
      (await readPersonSummaries(db, request.actor, ids, { via: 'duplicate-review' })).map((p) => [p.id, p]),
    )
    const merged = (request.query as { merged?: string }).merged === '1'
    return reply.view('people/views/duplicates.njk', {
      pageTitle: 'Possible duplicate people',
      merged,
      pairs: pairs.flatMap(({ olderId, newerId }) => {
        const older = people.get(olderId)
        const newer = people.get(newerId)
        return older && newer
          ? [{ older, newer, href: `/admin/people/merge?keep=${olderId}&merge=${newerId}` }]
          : []
      }),
    })
  })

  /** The two records side by side, and the form that merges them. */
  async function mergePage(
    actor: Actor,
    values: { first: string; second: string; keep: string; confirmed: boolean },
    problems?: FieldProblem[],
  ) {
    if (!isId(values.first) || !isId(values.second) || values.first === values.second) throw notFound()
    const first = await readPerson(db, actor, values.first, { via: 'duplicate-review' })
    const second = await readPerson(db, actor, values.second, { via: 'duplicate-review' })
    if (!first || !second) throw notFound()
    return {
      pageTitle: 'Compare and merge two records',
      first: { id: first.id, rows: recordRows(first) },
      second: { id: second.id, rows: recordRows(second) },
      keepItems: [first, second].map((person, index) => ({
        value: person.id,
        text: `Keep record ${index + 1}`,
        checked: values.keep === person.id,
      })),
      confirmed: values.confirmed,
      ...(problems ? { errors: formErrors(problems) } : {}),
      back: { href: '/admin/people/duplicates', text: 'Possible duplicate people' },
    }
  }

  app.get('/admin/people/merge', { config: { access: ADMIN } }, async (request, reply) => {
    const query = request.query as { keep?: string; merge?: string }
    const first = str(query.keep)
    const page = await mergePage(request.actor, {
      first,
      second: str(query.merge),
      keep: first,
      confirmed: false,
    })
    return reply.view('people/views/merge.njk', page)
  })

  app.post('/admin/people/merge', { config: { access: ADMIN } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const first = str(body.first)
    const second = str(body.second)
    const keep = str(body.keepId)
    const problems: FieldProblem[] = []
    if (keep !== first && keep !== second)
      problems.push({ field: 'keepId', message: 'Choose which record to keep' })
    if (body.confirmed !== 'yes')
      problems.push({ field: 'confirmed', message: 'Confirm that the two records are the same person' })
    if (problems.length === 0) {
      try {
        await mergePersonRecords(
          db,
          request.actor,
          { keepId: keep, mergeId: keep === first ? second : first },
          context.personMerged,
        )
        return reply.redirect('/admin/people/duplicates?merged=1', 303)
      } catch (error) {
        if (!(error instanceof Problem) || error.status !== 400) throw error
        problems.push(...(error.errors ?? []))
      }
    }
    const page = await mergePage(
      request.actor,
      { first, second, keep, confirmed: body.confirmed === 'yes' },
      problems,
    )
    return reply.status(400).view('people/views/merge.njk', page)
  })
}
