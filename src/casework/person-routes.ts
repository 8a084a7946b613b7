// The person's details, changed by the team whose case it is: name, date of birth, NHS number,
// address and postcode (for home visits and for how far services are), contact details, practice
// and conditions. Only someone who may see the case, and only while it is open; the change goes
// through people/records.ts, which audits it with the names of the fields that changed
// (decision 0007). Nothing personal is in the URL: the form is posted.

import type { FastifyInstance, FastifyRequest } from 'fastify'
import { rolesAccess } from '../access/permissions.ts'
import { listOrganisations } from '../access/store.ts'
import { addressField, addressLinesFrom, addressValues } from '../people/address.ts'
import { LONG_TERM_CONDITIONS } from '../people/conditions.ts'
import { CONTACT_METHOD_LABELS, CONTACT_METHODS, type Person, personInputSchema } from '../people/person.ts'
import { readPerson, updatePersonRecord } from '../people/records.ts'
import type { AppContext } from '../web/context.ts'
import { formatNhsNumber } from '../web/format.ts'
import { dateFrom, formErrors } from '../web/forms.ts'
import { type FieldProblem, notFound, Problem } from '../web/problem.ts'
import { caseForUser } from './cases.ts'
import { londonDate } from './rules.ts'

const VIEW = rolesAccess('link_worker', 'programme_manager')
const PERSON_FORM = { access: VIEW, listFields: ['contactMethods', 'conditions'] }
type Body = Record<string, unknown>

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')
const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (item): item is string => typeof item === 'string' && item !== '',
  )
/** Where a problem with the date of birth is shown: its first box. */
const FIELD_IDS: Record<string, string> = { dateOfBirth: 'dateOfBirth-day' }

/** The form's values for a person's record. */
function valuesOf(person: Person): Body {
  const [year, month, day] = person.dateOfBirth.split('-')
  return {
    givenName: person.givenName,
    familyName: person.familyName,
    'dateOfBirth-day': String(Number(day)),
    'dateOfBirth-month': String(Number(month)),
    'dateOfBirth-year': year,
    nhsNumber: person.nhsNumber ? formatNhsNumber(person.nhsNumber) : '',
    sexOrGender: person.sexOrGender ?? '',
    ...addressValues(person.addressLines),
    postcode: person.postcode ?? '',
    phone: person.phone ?? '',
    email: person.email ?? '',
    contactMethods: person.contactPreferences.methods,
    mayLeaveMessages: person.contactPreferences.mayLeaveMessages ? 'yes' : '',
    registeredPracticeId: person.registeredPractice?.id ?? '',
    conditions: person.conditions.map((c) => c.code),
  }
}

export function casePersonRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  const caseId = (request: FastifyRequest) => (request.params as { id: string }).id

  async function formView(caseIdValue: string, name: string, values: Body, problems?: FieldProblem[]) {
    const practices = (await listOrganisations(db)).filter((o) => o.kind === 'practice')
    const methods = list(values.contactMethods)
    const conditions = list(values.conditions)
    return {
      pageTitle: 'Change the person’s details',
      name,
      caseId: caseIdValue,
      values,
      practices: [
        { value: '', text: 'Not known' },
        ...practices.map((p) => ({
          value: p.id,
          text: p.odsCode ? `${p.name} (${p.odsCode})` : p.name,
          selected: values.registeredPracticeId === p.id,
        })),
      ],
      contactMethods: CONTACT_METHODS.map((m) => ({
        value: m,
        text: CONTACT_METHOD_LABELS[m],
        checked: methods.includes(m),
      })),
      mayLeaveMessages: [
        { value: 'yes', text: 'Messages may be left for them', checked: values.mayLeaveMessages === 'yes' },
      ],
      conditions: LONG_TERM_CONDITIONS.map((c) => ({
        value: c.code,
        text: c.display,
        checked: conditions.includes(c.code),
      })),
      back: { href: `/casework/cases/${caseIdValue}`, text: 'Back to the case' },
      ...(problems ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get('/casework/cases/:id/person', { config: { access: VIEW } }, async (request, reply) => {
    const { found, person } = await db.transaction().execute(async (trx) => {
      const found = await caseForUser(trx, request.user!, request.actor, caseId(request), {
        audit: 'case.read',
        open: true,
      })
      const person = await readPerson(trx, request.actor, found.case.personId, {
        via: 'case-person-form',
        caseId: found.case.id,
      })
      return { found, person }
    })
    if (!person) throw notFound()
    return reply.view(
      'casework/views/person.njk',
      await formView(found.case.id, `${person.givenName} ${person.familyName}`, valuesOf(person)),
    )
  })

  app.post('/casework/cases/:id/person', { config: PERSON_FORM }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const id = caseId(request)
    const parsed = personInputSchema(londonDate(context.now())).safeParse({
      nhsNumber: text(body.nhsNumber) || null,
      givenName: text(body.givenName),
      familyName: text(body.familyName),
      dateOfBirth: dateFrom(body, 'dateOfBirth'),
      sexOrGender: text(body.sexOrGender) || null,
      addressLines: addressLinesFrom(body),
      postcode: text(body.postcode) || null,
      phone: text(body.phone) || null,
      email: text(body.email) || null,
      contactMethods: list(body.contactMethods),
      mayLeaveMessages: body.mayLeaveMessages === 'yes',
      registeredPracticeId: text(body.registeredPracticeId) || null,
      conditions: list(body.conditions),
    })
    let problems: FieldProblem[] = []
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '')
        const at = addressField(issue.path) ?? FIELD_IDS[field] ?? field
        if (!problems.some((p) => p.field === at)) problems.push({ field: at, message: issue.message })
      }
    } else {
      const input = parsed.data
      try {
        // The access check and the change in one transaction: the change is audited by the record.
        await db.transaction().execute(async (trx) => {
          const found = await caseForUser(trx, request.user!, request.actor, id, { open: true })
          await updatePersonRecord(trx, request.actor, found.case.personId, input)
        })
        return reply.redirect(`/casework/cases/${id}?saved=person`, 303)
      } catch (error) {
        if (!(error instanceof Problem) || (error.status !== 400 && error.status !== 409)) throw error
        problems = error.errors.length ? error.errors : [{ field: '', message: error.detail ?? error.title }]
      }
    }
    const found = await caseForUser(db, request.user!, request.actor, id, { audit: 'case.read', open: true })
    const person = await readPerson(db, request.actor, found.case.personId, { via: 'case-person-form' })
    if (!person) throw notFound()
    return reply
      .status(400)
      .view(
        'casework/views/person.njk',
        await formView(id, `${person.givenName} ${person.familyName}`, body, problems),
      )
  })
}
