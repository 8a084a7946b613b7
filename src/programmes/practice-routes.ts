// The practices a programme covers: those in the owner's area are offered; any other practice
// can be added by ODS code.

import type { FastifyInstance, FastifyReply } from 'fastify'
import { audit } from '../access/audit.ts'
import {
  createOrganisation,
  findOrganisationByOdsCode,
  getOrganisation,
  listOrganisations,
  organisationAndDescendants,
} from '../access/store.ts'
import { areaOf } from '../directory/index.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors } from '../web/forms.ts'
import type { FieldProblem } from '../web/problem.ts'
import { checked, parsePractices } from './forms.ts'
import { type Body, back, MANAGE, programmeFor, saveSettings, yesNo, yesNoItems } from './route-kit.ts'
import { type Programme, setProgrammePractices } from './store.ts'

/** Forms with checkboxes, whose fields are lists (web/form-body.ts). */
const PRACTICES_FORM = { access: MANAGE, listFields: ['practiceIds'] }

export function practiceRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

  async function practiceChoices(programme: Programme) {
    const owner = await getOrganisation(db, programme.ownerOrganisationId)
    const area = await organisationAndDescendants(db, owner?.parentId ?? programme.ownerOrganisationId)
    const all = await listOrganisations(db)
    const covered = new Set(programme.practices.map((p) => p.organisationId))
    return all.filter((o) => o.kind === 'practice' && (area.includes(o.id) || covered.has(o.id)))
  }

  async function renderPractices(
    reply: FastifyReply,
    programme: Programme,
    values: Body,
    problems?: FieldProblem[],
  ) {
    const choices = await practiceChoices(programme)
    const chosen = checked(values.practiceIds)
    return reply.status(problems ? 400 : 200).view('programmes/views/practices.njk', {
      pageTitle: 'Change the practices covered',
      programme,
      values,
      practices: choices.map((o) => ({
        value: o.id,
        text: o.odsCode ? `${o.name} (${o.odsCode})` : o.name,
        checked: chosen.includes(o.id),
      })),
      registrationItems: yesNoItems(
        values.practiceRegistrationRequired,
        'Yes, only people registered at one of these practices',
        'No, people registered anywhere',
      ),
      back: back(programme),
      ...(problems ? { errors: formErrors(problems, { practiceIds: 'practiceIds' }) } : {}),
    })
  }

  app.get('/programmes/:id/practices', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    return renderPractices(reply, programme, {
      practiceIds: programme.practices.map((p) => p.organisationId),
      practiceRegistrationRequired: yesNo(programme.practiceRegistrationRequired),
    })
  })

  app.post('/programmes/:id/practices', { config: PRACTICES_FORM }, async (request, reply) => {
    const { programme } = await programmeFor(db, request, 'manage')
    const body = (request.body ?? {}) as Body
    const parsed = parsePractices(body)
    if (!parsed.ok) return renderPractices(reply, programme, body, parsed.problems)
    const choices = await practiceChoices(programme)
    const problems: FieldProblem[] = []
    const ids = parsed.value.practiceIds
    if (ids.some((id) => !choices.some((o) => o.id === id)))
      problems.push({ field: 'practiceIds', message: 'Select practices from the list' })
    // A practice added by ODS code: one Kith knows, or a new one with its name and postcode,
    // placed in the programme's area so its referrals and services are local to each other.
    let newPractice: { odsCode: string; name: string; postcode: string } | undefined
    const { addOdsCode, addName, addPostcode } = parsed.value
    if (addOdsCode) {
      const added = await findOrganisationByOdsCode(db, addOdsCode)
      if (added && added.kind !== 'practice')
        problems.push({
          field: 'addOdsCode',
          message: `The ODS code ${addOdsCode} belongs to ${added.name}, which is not a GP practice`,
        })
      else if (added) {
        if (!ids.includes(added.id)) ids.push(added.id)
      } else if (addName && addPostcode)
        newPractice = { odsCode: addOdsCode, name: addName, postcode: addPostcode }
      else {
        if (!addName)
          problems.push({
            field: 'addName',
            message: `Kith does not know the practice ${addOdsCode} yet: enter its name`,
          })
        if (!addPostcode)
          problems.push({
            field: 'addPostcode',
            message: `Kith does not know the practice ${addOdsCode} yet: enter its postcode`,
          })
      }
    }
    const withCodes = (await listOrganisations(db)).filter((o) => ids.includes(o.id) && o.odsCode)
    if (
      problems.length === 0 &&
      parsed.value.practiceRegistrationRequired &&
      withCodes.length === 0 &&
      !newPractice
    )
      problems.push({
        field: 'practiceRegistrationRequired',
        message:
          'Select at least one practice with an ODS code, or let people registered anywhere be referred',
      })
    if (problems.length > 0) return renderPractices(reply, programme, body, problems)
    let change = { added: [] as string[], removed: [] as string[] }
    await saveSettings(
      db,
      request,
      programme,
      'practices',
      (settings) => ({
        ...settings,
        practiceRegistrationRequired: parsed.value.practiceRegistrationRequired,
      }),
      {},
      async (trx) => {
        if (newPractice) {
          const area = await areaOf(trx, programme.ownerOrganisationId)
          const owner = await getOrganisation(trx, programme.ownerOrganisationId)
          const created = await createOrganisation(trx, {
            ...newPractice,
            kind: 'practice',
            parentId: area?.id ?? owner?.parentId ?? null,
          })
          await audit(trx, request.actor, {
            action: 'organisation.create',
            recordType: 'organisation',
            recordId: created,
            detail: {
              kind: 'practice',
              odsCode: newPractice.odsCode,
              by: 'programme',
              programmeId: programme.id,
            },
          })
          ids.push(created)
        }
        change = await setProgrammePractices(trx, programme.id, ids)
        await audit(trx, request.actor, {
          action: 'programme.practices',
          recordType: 'programme',
          recordId: programme.id,
          detail: change,
        })
      },
    )
    return reply.redirect(`/programmes/${programme.id}?saved=practices`, 303)
  })
}
