// Programme pages: programme managers see and change their programmes' configuration, section by
// section; link workers of a programme read it. Every change is one transaction with its audit
// event. A programme the user neither manages nor works in answers 404.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import {
  createOrganisation,
  findOrganisationByOdsCode,
  findUserByEmail,
  getOrganisation,
  listOrganisations,
  loadCurrentUser,
  organisationAndDescendants,
} from '../access/store.ts'
import { organisationsWhere } from '../access/users.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import {
  areaOf,
  findServiceByName,
  getService,
  servicesRunFor,
  setServiceProgramme,
} from '../directory/index.ts'
import { LONG_TERM_CONDITIONS } from '../people/conditions.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { formErrors, parse, parseOrThrow } from '../web/forms.ts'
import { badRequest, type FieldProblem, forbidden, notFound, Problem } from '../web/problem.ts'
import {
  APPOINTMENT_KIND_LABELS,
  APPOINTMENT_KINDS,
  APPOINTMENT_MODE_LABELS,
  APPOINTMENT_MODES,
  GENERATED_CRITERIA,
  nameSchema,
  PATHWAY_HINTS,
  PATHWAY_LABELS,
  PATHWAYS,
  type ProgrammeSettings,
  programmeCriteria,
  programmeSettingsSchema,
  WEEKDAY_LABELS,
  WEEKDAYS,
} from './config.ts'
import { type Criterion, REFERRER_KIND_LABELS, REFERRER_KINDS } from './criteria.ts'
import { criteriaQuestions } from './eligibility.ts'
import {
  ATTESTATION_ROLES,
  CRITERION_KIND_LABELS,
  CRITERION_KINDS,
  CRITERION_LISTS,
  type CriterionKind,
  checked,
  criterionFormValues,
  criterionFormView,
  emailSchema,
  type FormResult,
  isAttestationRole,
  isCriterionKind,
  parseAppointments,
  parseCriterion,
  parseDetails,
  parseNeeds,
  parsePractices,
  parsePrescription,
  parseReferrals,
  parseWorkingPattern,
  readyToSave,
} from './forms.ts'
import { describeDays, programmeCards, ROLE_LABELS } from './present.ts'
import { parseSample, sampleOutcome } from './rules-test.ts'
import {
  addLinkWorker,
  canManage,
  createProgramme,
  getProgramme,
  getProgrammeForUpdate,
  type Programme,
  programmesOfUser,
  removeLinkWorker,
  retireProgramme,
  runningProgrammeNamed,
  setNamedLinkWorkers,
  setProgrammePractices,
  setWorkingPattern,
  updateProgrammeSettings,
} from './store.ts'

const VIEW = rolesAccess('programme_manager', 'link_worker')
const MANAGE = rolesAccess('programme_manager')
/** Forms with checkboxes, whose fields are lists (web/form-body.ts). */
const PRACTICES_FORM = { access: MANAGE, listFields: ['practiceIds'] }
const CRITERION_FORM = { access: MANAGE, listFields: CRITERION_LISTS }

type Body = Record<string, unknown>

/** A running programme already has the name. */
class NameTaken extends Error {
  constructor(name: string) {
    super(`There is already a programme called ${name}: choose another name`)
  }
}

const SAVED: Record<string, string> = {
  created: 'The programme has been added. Set its rules below.',
  details: 'The details have been saved.',
  referrals: 'Who can refer and the reply deadlines have been saved.',
  practices: 'The practices have been saved.',
  needs: 'The needs have been saved.',
  appointments: 'The appointment rules have been saved.',
  prescription: 'The prescription length has been saved.',
  criteria: 'The eligibility criteria have been saved.',
  'link-workers': 'The link workers have been saved.',
  services: 'The services run for the programme have been saved.',
  retired: 'The programme has been retired. It takes no new referrals; its referrals and cases are kept.',
}

/** Checkbox or radio items, checked where the value is among `selected`. */
function items<T extends string>(
  values: readonly T[],
  labels: Record<T, string>,
  selected: unknown,
  hints?: Record<T, string>,
) {
  const chosen = checked(selected)
  return values.map((value) => ({
    value,
    text: labels[value],
    checked: chosen.includes(value),
    ...(hints ? { hint: { text: hints[value] } } : {}),
  }))
}

const yesNoItems = (selected: unknown, yes = 'Yes', no = 'No') => [
  { value: 'yes', text: yes, checked: selected === 'yes' },
  { value: 'no', text: no, checked: selected === 'no' },
]

const yesNo = (value: boolean) => (value ? 'yes' : 'no')

/** What changed between two settings, by top-level name: for the audit log. */
function changedSettings(before: ProgrammeSettings, after: ProgrammeSettings): string[] {
  return (Object.keys(after) as (keyof ProgrammeSettings)[]).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  )
}

function settingsOf(programme: Programme): ProgrammeSettings {
  const { name, description, pathway, referralSources, practiceRegistrationRequired, criteria, needs } =
    programme
  const { linkWorkerTitle, appointments, prescription, replyDeadlines } = programme
  return {
    name,
    description,
    pathway,
    referralSources,
    practiceRegistrationRequired,
    criteria,
    needs,
    linkWorkerTitle,
    appointments,
    prescription,
    replyDeadlines,
  }
}

interface Section<T> {
  slug: string
  title: string
  template: string
  /** The form's values, as a browser would post them, from the programme. */
  values(programme: Programme): Body
  /** Items and other things the template needs, given the values shown. */
  view?(programme: Programme, values: Body): Record<string, unknown>
  /** The form's fields that are lists (checkboxes): see web/form-body.ts. */
  listFields?: readonly string[]
  parse(body: Body, programme: Programme): FormResult<T>
  apply(settings: ProgrammeSettings, value: T): ProgrammeSettings
}

/** Hides a section's value type so that sections of different types share one list. */
const section = <T>(definition: Section<T>) => definition as unknown as Section<unknown>

const SECTIONS: Section<unknown>[] = [
  section({
    slug: 'details',
    title: 'Change the details',
    template: 'programmes/views/details.njk',
    values: (p) => ({
      name: p.name,
      description: p.description,
      pathway: p.pathway,
      linkWorkerTitle: p.linkWorkerTitle,
    }),
    view: (_p, values) => ({ pathways: items(PATHWAYS, PATHWAY_LABELS, values.pathway, PATHWAY_HINTS) }),
    parse: parseDetails,
    apply: (settings, value) => ({ ...settings, ...value }),
  }),
  section({
    slug: 'referrals',
    title: 'Change who can refer',
    template: 'programmes/views/referrals.njk',
    values: (p) => ({
      referralSources: p.referralSources,
      nudgeAfterDays: String(p.replyDeadlines.nudgeAfterDays),
      declineAfterDays: String(p.replyDeadlines.declineAfterDays),
    }),
    view: (_p, values) => ({
      sources: items(REFERRER_KINDS, REFERRER_KIND_LABELS, values.referralSources),
    }),
    listFields: ['referralSources'],
    parse: parseReferrals,
    apply: (settings, value) => ({ ...settings, ...value }),
  }),
  section({
    slug: 'needs',
    title: 'Change the needs recorded',
    template: 'programmes/views/needs.njk',
    values: (p) => ({ needs: p.needs.map((need) => need.label).join('\n') }),
    parse: parseNeeds,
    apply: (settings, needs) => ({ ...settings, needs }),
  }),
  section({
    slug: 'appointments',
    title: 'Change the appointment rules',
    template: 'programmes/views/appointments.njk',
    values: (p) => ({
      capped: yesNo(p.appointments.furtherAppointmentsCap !== null),
      furtherAppointmentsCap:
        p.appointments.furtherAppointmentsCap === null ? '' : String(p.appointments.furtherAppointmentsCap),
      ...Object.fromEntries(
        APPOINTMENT_KINDS.map((kind) => [`lengths.${kind}`, String(p.appointments.lengths[kind])]),
      ),
      modes: p.appointments.modes,
    }),
    view: (_p, values) => ({
      modes: items(APPOINTMENT_MODES, APPOINTMENT_MODE_LABELS, values.modes),
      lengths: APPOINTMENT_KINDS.map((kind) => ({
        kind,
        label: APPOINTMENT_KIND_LABELS[kind],
        value: values[`lengths.${kind}`],
      })),
    }),
    listFields: ['modes'],
    parse: parseAppointments,
    apply: (settings, appointments) => ({ ...settings, appointments }),
  }),
  section({
    slug: 'prescription',
    title: 'Change the prescription length',
    template: 'programmes/views/prescription.njk',
    values: (p) => {
      const rule = p.prescription
      if (!rule) return { length: 'none' }
      const fixed = rule.minWeeks === rule.maxWeeks
      return {
        length: fixed ? 'fixed' : 'range',
        fixedWeeks: fixed ? String(rule.minWeeks) : '',
        minWeeks: fixed ? '' : String(rule.minWeeks),
        maxWeeks: fixed ? '' : String(rule.maxWeeks),
        mayContinueAfter: yesNo(rule.mayContinueAfter),
      }
    },
    view: (_p, values) => ({ continueItems: yesNoItems(values.mayContinueAfter) }),
    parse: parsePrescription,
    apply: (settings, prescription) => ({ ...settings, prescription }),
  }),
]

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

export function programmeRoutes(app: FastifyInstance, context: AppContext) {
  const { db } = context

  context.navigation.push({
    text: 'Programmes',
    href: '/programmes',
    roles: ['programme_manager', 'link_worker'],
    order: 40,
  })
  context.homeCards.push(
    {
      roles: ['programme_manager'],
      heading: 'Your programmes',
      description:
        'Set who can refer, who is eligible, the practices covered, the needs recorded, appointment and prescription rules, and your link workers.',
      href: '/programmes',
      order: 10,
    },
    {
      roles: ['link_worker'],
      heading: 'Your programmes',
      description:
        'Read the rules of the programmes you work in, the practices they cover and your working pattern.',
      href: '/programmes',
      order: 10,
    },
  )

  /** The programme in the URL, if the user may see it (or, with `manage`, change it). */
  async function programmeFor(request: FastifyRequest, mode: 'view' | 'manage') {
    const { id } = request.params as { id: string }
    const programme = isId(id) ? await getProgramme(db, id) : undefined
    if (!programme) throw notFound()
    const user = request.user!
    const manages = canManage(user, programme)
    if (manages) return { programme, manages }
    if (!programme.linkWorkers.some((worker) => worker.userId === user.id)) throw notFound()
    if (mode === 'manage') throw forbidden('Only the programme’s managers can change it.')
    return { programme, manages }
  }

  /** Names are unique among running programmes: referrers choose among them by name. */
  async function refuseTakenName(trx: Queryable, name: string, exceptId?: string) {
    const taken = await runningProgrammeNamed(trx, name, exceptId)
    if (taken) throw new NameTaken(taken.name)
  }

  /** Runs `work` in a transaction; a name already taken comes back as the form's problem. */
  async function nameChecked<T>(
    work: (trx: Queryable) => Promise<T>,
  ): Promise<T | { problems: FieldProblem[] }> {
    try {
      return await db.transaction().execute(work)
    } catch (error) {
      if (error instanceof NameTaken) return { problems: [{ field: 'name', message: error.message }] }
      throw error
    }
  }

  /**
   * Changes the programme's settings in one transaction with its audit event. `change` is applied
   * to the settings as they are inside the transaction, after the row is locked, so two managers
   * changing different parts at once do not undo each other.
   */
  async function saveSettings(
    request: FastifyRequest,
    programme: Programme,
    section: string,
    change: (settings: ProgrammeSettings) => ProgrammeSettings,
    extra: Record<string, unknown> = {},
    alsoInTransaction?: (trx: Queryable) => Promise<void>,
  ) {
    await db.transaction().execute(async (trx) => {
      const current = await getProgrammeForUpdate(trx, programme.id)
      if (!current) throw notFound()
      const before = settingsOf(current)
      const settings = programmeSettingsSchema.parse(change(before))
      await alsoInTransaction?.(trx)
      await updateProgrammeSettings(trx, programme.id, settings)
      await audit(trx, request.actor, {
        action: 'programme.update',
        recordType: 'programme',
        recordId: programme.id,
        detail: { section, changed: changedSettings(before, settings), ...extra },
      })
    })
  }

  const back = (programme: Programme) => ({ href: `/programmes/${programme.id}`, text: programme.name })

  app.get('/programmes', { config: { access: VIEW } }, async (request, reply) => {
    const user = request.user!
    const programmes = await programmesOfUser(db, user)
    return reply.view('programmes/views/list.njk', {
      pageTitle: 'Programmes',
      programmes: programmes.map((p) => ({
        ...p,
        pathwayLabel: PATHWAY_LABELS[p.pathway],
        as: [p.manages ? 'Manager' : null, p.linkWorker ? 'Link worker' : null].filter(Boolean).join(' and '),
        retiredOn: p.retiredAt,
      })),
      canAdd: organisationsWhere(user, 'programme_manager').length > 0,
    })
  })

  function ownerItems(request: FastifyRequest, selected: unknown) {
    const user = request.user!
    return user.memberships
      .filter((m) => m.role === 'programme_manager')
      .map((m) => ({
        value: m.organisationId,
        text: m.organisationName,
        checked: selected === m.organisationId,
      }))
  }

  app.get('/programmes/new', { config: { access: MANAGE } }, async (request, reply) => {
    const owners = ownerItems(request, undefined)
    return reply.view('programmes/views/new.njk', {
      pageTitle: 'Add a programme',
      values: { ownerOrganisationId: owners.length === 1 ? owners[0]?.value : undefined },
      owners,
    })
  })

  app.post('/programmes', { config: { access: MANAGE } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const owners = ownerItems(request, body.ownerOrganisationId)
    const parsed = parse(
      z.object({
        name: nameSchema,
        ownerOrganisationId: z
          .string({ error: 'Select the organisation that runs the programme' })
          .refine(
            (value) => owners.some((owner) => owner.value === value),
            'Select the organisation that runs the programme',
          ),
      }),
      { name: typeof body.name === 'string' ? body.name : '', ownerOrganisationId: body.ownerOrganisationId },
    )
    if (!parsed.ok) {
      return reply.status(400).view('programmes/views/new.njk', {
        pageTitle: 'Add a programme',
        values: body,
        owners,
        errors: formErrors(parsed.problems, { ownerOrganisationId: 'ownerOrganisationId' }),
      })
    }
    const id = await nameChecked(async (trx) => {
      await refuseTakenName(trx, parsed.value.name)
      const created = await createProgramme(trx, parsed.value)
      await audit(trx, request.actor, {
        action: 'programme.create',
        recordType: 'programme',
        recordId: created,
      })
      return created
    })
    if (typeof id !== 'string')
      return reply.status(400).view('programmes/views/new.njk', {
        pageTitle: 'Add a programme',
        values: body,
        owners,
        errors: formErrors(id.problems),
      })
    return reply.redirect(`/programmes/${id}?saved=created`, 303)
  })

  app.get('/programmes/:id', { config: { access: VIEW } }, async (request, reply) => {
    const { programme, manages } = await programmeFor(request, 'view')
    const saved = (request.query as { saved?: string }).saved
    const mine = programme.linkWorkers.find((worker) => worker.userId === request.user!.id)
    const practiceNames = new Map(programme.practices.map((p) => [p.organisationId, p.name]))
    const services = await servicesRunFor(db, programme.id)
    return reply.view('programmes/views/show.njk', {
      pageTitle: programme.name,
      programme,
      manages,
      cards: [
        ...programmeCards(programme, manages),
        {
          id: 'services',
          heading: 'Services run for the programme',
          change: manages ? `/programmes/${programme.id}/services` : undefined,
          rows: [
            services.length > 0
              ? { key: 'Services', value: '', lines: services.map((s) => `${s.name} (${s.providerName})`) }
              : {
                  key: 'Services',
                  value:
                    programme.pathway === 'direct_to_service'
                      ? 'None yet: referrers choose among these services, so add them'
                      : 'None: referrals come to the programme itself',
                },
          ],
        },
      ],
      retiredOn: programme.retiredAt,
      myDays: mine ? describeDays(mine, practiceNames) : undefined,
      myPractices: programme.practices.filter((p) => p.namedLinkWorker?.userId === request.user!.id),
      flash: saved ? SAVED[saved] : undefined,
      back: { href: '/programmes', text: 'Programmes' },
    })
  })

  for (const part of SECTIONS) {
    const render = (reply: FastifyReply, programme: Programme, values: Body, problems?: FieldProblem[]) =>
      reply.status(problems ? 400 : 200).view(part.template, {
        pageTitle: part.title,
        action: `/programmes/${programme.id}/${part.slug}`,
        programme,
        values,
        ...(part.view?.(programme, values) ?? {}),
        back: back(programme),
        ...(problems ? { errors: formErrors(problems) } : {}),
      })

    app.get(`/programmes/:id/${part.slug}`, { config: { access: MANAGE } }, async (request, reply) => {
      const { programme } = await programmeFor(request, 'manage')
      return render(reply, programme, part.values(programme))
    })

    const config = { access: MANAGE, listFields: part.listFields ?? [] }
    app.post(`/programmes/:id/${part.slug}`, { config }, async (request, reply) => {
      const { programme } = await programmeFor(request, 'manage')
      const body = (request.body ?? {}) as Body
      const parsed = part.parse(body, programme)
      if (!parsed.ok) return render(reply, programme, body, parsed.problems)
      const name = part.apply(settingsOf(programme), parsed.value).name
      try {
        await saveSettings(
          request,
          programme,
          part.slug,
          (settings) => part.apply(settings, parsed.value),
          {},
          async (trx) => {
            if (name !== programme.name) await refuseTakenName(trx, name, programme.id)
          },
        )
      } catch (error) {
        if (!(error instanceof NameTaken)) throw error
        return render(reply, programme, body, [{ field: 'name', message: error.message }])
      }
      return reply.redirect(`/programmes/${programme.id}?saved=${part.slug}`, 303)
    })
  }

  // JSON API: a manager adds a programme and retires one, as the pages do.
  const programmeRequest = z.object({ name: nameSchema, ownerOrganisationId: z.string() })
  const programmeResponse = z.object({
    id: z.string(),
    name: z.string(),
    ownerOrganisationId: z.string(),
    retiredAt: z.string().nullable(),
  })
  context.api.add({
    method: 'post',
    path: '/api/v1/programmes',
    summary:
      'Adds a programme run by one of the manager’s organisations: 201; 409 naming `name` when a running programme already has it',
    tags: ['Programmes'],
    requestBody: programmeRequest,
    response: programmeResponse,
  })
  app.post('/api/v1/programmes', { config: { access: MANAGE } }, async (request, reply) => {
    const input = parseOrThrow(programmeRequest, request.body ?? {})
    if (!organisationsWhere(request.user!, 'programme_manager').includes(input.ownerOrganisationId))
      throw badRequest('You manage programmes of other organisations only.', [
        { field: 'ownerOrganisationId', message: 'Choose an organisation where you are a programme manager' },
      ])
    const created = await nameChecked(async (trx) => {
      await refuseTakenName(trx, input.name)
      const id = await createProgramme(trx, input)
      await audit(trx, request.actor, { action: 'programme.create', recordType: 'programme', recordId: id })
      return id
    })
    if (typeof created !== 'string')
      throw new Problem(409, 'Conflict', { detail: created.problems[0]?.message, errors: created.problems })
    reply.status(201)
    return { id: created, name: input.name, ownerOrganisationId: input.ownerOrganisationId, retiredAt: null }
  })

  context.api.add({
    method: 'post',
    path: '/api/v1/programmes/{id}/retire',
    summary: 'Retires a programme: it takes no new referrals; its referrals and cases are kept',
    tags: ['Programmes'],
    parameters: [{ name: 'id', in: 'path', description: 'The programme id' }],
    response: programmeResponse,
  })
  app.post('/api/v1/programmes/:id/retire', { config: { access: MANAGE } }, async (request) => {
    const { programme } = await programmeFor(request, 'manage')
    const at = context.now().toISOString()
    await db.transaction().execute(async (trx) => {
      if (await retireProgramme(trx, programme.id, at))
        await audit(trx, request.actor, {
          action: 'programme.retire',
          recordType: 'programme',
          recordId: programme.id,
        })
    })
    const after = await getProgramme(db, programme.id)
    return {
      id: programme.id,
      name: programme.name,
      ownerOrganisationId: programme.ownerOrganisationId,
      retiredAt: after?.retiredAt ?? at,
    }
  })

  // Retiring: the programme takes no new referrals and leaves referrers' lists; its referrals,
  // cases and records are kept and stay readable.
  app.get('/programmes/:id/retire', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
    if (programme.retiredAt) return reply.redirect(`/programmes/${programme.id}`, 303)
    return reply.view('programmes/views/retire.njk', {
      pageTitle: `Retire ${programme.name}`,
      programme,
      back: back(programme),
    })
  })

  app.post('/programmes/:id/retire', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
    await db.transaction().execute(async (trx) => {
      if (await retireProgramme(trx, programme.id, context.now().toISOString()))
        await audit(trx, request.actor, {
          action: 'programme.retire',
          recordType: 'programme',
          recordId: programme.id,
        })
    })
    return reply.redirect(`/programmes/${programme.id}?saved=retired`, 303)
  })

  // Practices: those in the owner's area are offered; any other practice can be added by ODS code.
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
    const { programme } = await programmeFor(request, 'manage')
    return renderPractices(reply, programme, {
      practiceIds: programme.practices.map((p) => p.organisationId),
      practiceRegistrationRequired: yesNo(programme.practiceRegistrationRequired),
    })
  })

  app.post('/programmes/:id/practices', { config: PRACTICES_FORM }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
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

  // The services run for the programme (decision 0106): a direct-to-service programme's choices,
  // or a listing that carries the programme's rules. Added by their name in the directory.
  async function renderServices(
    reply: FastifyReply,
    programme: Programme,
    values: Body,
    problems?: FieldProblem[],
  ) {
    const services = await servicesRunFor(db, programme.id)
    return reply.status(problems ? 400 : 200).view('programmes/views/services.njk', {
      pageTitle: 'Services run for the programme',
      programme,
      services,
      values,
      back: back(programme),
      ...(problems ? { errors: formErrors(problems) } : {}),
    })
  }

  app.get('/programmes/:id/services', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
    return renderServices(reply, programme, {})
  })

  app.post('/programmes/:id/services', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
    const body = (request.body ?? {}) as Body
    const name = typeof body.serviceName === 'string' ? body.serviceName.trim() : ''
    const problem = (message: string) =>
      renderServices(reply, programme, body, [{ field: 'serviceName', message }])
    if (!name) return problem('Enter the name of a service in the directory')
    const service = await findServiceByName(db, name)
    if (!service) return problem(`No service in the directory is called ${name}`)
    if (service.programmeId && service.programmeId !== programme.id)
      return problem(`${service.name} is already run for another programme`)
    await db.transaction().execute(async (trx) => {
      await setServiceProgramme(trx, service.id, programme.id)
      await audit(trx, request.actor, {
        action: 'programme.services',
        recordType: 'programme',
        recordId: programme.id,
        detail: { added: service.id },
      })
    })
    return reply.redirect(`/programmes/${programme.id}?saved=services`, 303)
  })

  app.post(
    '/programmes/:id/services/:serviceId/remove',
    { config: { access: MANAGE } },
    async (request, reply) => {
      const { programme } = await programmeFor(request, 'manage')
      const { serviceId } = request.params as { serviceId: string }
      const service = isId(serviceId) ? await getService(db, serviceId) : undefined
      if (service?.programmeId !== programme.id) throw notFound()
      await db.transaction().execute(async (trx) => {
        await setServiceProgramme(trx, service.id, null)
        await audit(trx, request.actor, {
          action: 'programme.services',
          recordType: 'programme',
          recordId: programme.id,
          detail: { removed: service.id },
        })
      })
      return reply.redirect(`/programmes/${programme.id}?saved=services`, 303)
    },
  )

  // Eligibility criteria: listed, added one at a time by kind, changed or removed.
  app.get('/programmes/:id/criteria', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
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
    const { programme } = await programmeFor(request, 'manage')
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
    const { programme } = await programmeFor(request, 'manage')
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
    const { programme } = await programmeFor(request, 'manage')
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
    const { programme } = await programmeFor(request, 'manage')
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
      const { programme } = await programmeFor(request, 'manage')
      const criterion = criterionIn(programme, request)
      await saveSettings(
        request,
        programme,
        'criteria',
        (settings) => ({ ...settings, criteria: settings.criteria.filter((c) => c.id !== criterion.id) }),
        { criterion: criterion.id, change: 'remove' },
      )
      return reply.redirect(`/programmes/${programme.id}/criteria?saved=removed`, 303)
    },
  )

  // Testing the rules: a sample person checked against the programme's criteria as they stand,
  // with every reason. Nothing is saved and no record is read. A form that posts, so what a
  // manager types stays out of addresses and logs.
  async function renderRulesTest(
    reply: FastifyReply,
    programme: Programme,
    values: Body,
    extra: { problems?: FieldProblem[]; result?: ReturnType<typeof sampleOutcome> } = {},
  ) {
    const criteria = programmeCriteria(programme)
    const chosen = new Set(checked(values.conditions))
    const practices = (await listOrganisations(db)).filter((o) => o.kind === 'practice' && o.odsCode)
    const covered = new Set(programme.practices.map((p) => p.odsCode))
    const practiceItem = (p: { name: string; odsCode: string | null }) => ({
      value: p.odsCode ?? '',
      text: `${p.name} (${p.odsCode})`,
      selected: values.practiceOdsCode === p.odsCode,
    })
    return reply.status(extra.problems ? 400 : 200).view('programmes/views/rules-test.njk', {
      pageTitle: 'Test the rules',
      programme,
      values,
      criteriaCount: criteria.length,
      result: extra.result,
      practices: [
        { value: '', text: 'Not known' },
        ...practices.filter((p) => covered.has(p.odsCode)).map(practiceItem),
        ...practices.filter((p) => !covered.has(p.odsCode)).map(practiceItem),
      ],
      conditions: LONG_TERM_CONDITIONS.map((c) => ({
        value: c.code,
        text: c.display,
        checked: chosen.has(c.code),
      })),
      referrers: [
        { value: '', text: 'Not known', checked: !values.referrerKind },
        ...REFERRER_KINDS.map((k) => ({
          value: k,
          text: REFERRER_KIND_LABELS[k],
          checked: values.referrerKind === k,
        })),
      ],
      questions: criteriaQuestions(criteria).map((q) => ({
        ...q,
        items: [
          { value: 'yes', text: 'Yes', checked: values[`answer-${q.id}`] === 'yes' },
          { value: 'no', text: 'No', checked: values[`answer-${q.id}`] === 'no' },
          {
            value: '',
            text: 'Not answered',
            checked: values[`answer-${q.id}`] !== 'yes' && values[`answer-${q.id}`] !== 'no',
          },
        ],
      })),
      ...(extra.problems ? { errors: formErrors(extra.problems, { conditions: 'conditions' }) } : {}),
      back: { href: `/programmes/${programme.id}/criteria`, text: 'Eligibility criteria' },
    })
  }

  app.get('/programmes/:id/rules/test', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
    return renderRulesTest(reply, programme, {})
  })

  app.post(
    '/programmes/:id/rules/test',
    { config: { access: MANAGE, listFields: ['conditions'] } },
    async (request, reply) => {
      const { programme } = await programmeFor(request, 'manage')
      const body = (request.body ?? {}) as Body
      const criteria = programmeCriteria(programme)
      const parsed = parseSample(body, criteriaQuestions(criteria), londonDate(context.now()))
      if (!parsed.ok) return renderRulesTest(reply, programme, body, { problems: parsed.problems })
      return renderRulesTest(reply, programme, body, { result: sampleOutcome(criteria, parsed.value) })
    },
  )

  // Link workers: who they are, the practice each is named for, and their working patterns.
  function renderLinkWorkers(
    reply: FastifyReply,
    programme: Programme,
    extra: { values?: Body; named?: Body; problems?: FieldProblem[]; flash?: string } = {},
  ) {
    const practiceNames = new Map(programme.practices.map((p) => [p.organisationId, p.name]))
    const named = extra.named ?? {}
    return reply.status(extra.problems ? 400 : 200).view('programmes/views/link-workers.njk', {
      pageTitle: 'Link workers',
      programme,
      values: extra.values ?? {},
      workers: programme.linkWorkers.map((worker) => ({
        ...worker,
        pattern: describeDays(worker, practiceNames),
      })),
      practices: programme.practices.map((practice) => {
        const selected =
          extra.named !== undefined
            ? named[`named.${practice.organisationId}`]
            : practice.namedLinkWorker?.userId
        return {
          ...practice,
          items: [
            { value: '', text: 'No one named', selected: !selected },
            ...programme.linkWorkers.map((w) => ({
              value: w.userId,
              text: w.name,
              selected: selected === w.userId,
            })),
          ],
        }
      }),
      flash: extra.flash,
      back: back(programme),
      ...(extra.problems ? { errors: formErrors(extra.problems) } : {}),
    })
  }

  app.get('/programmes/:id/link-workers', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
    const saved = (request.query as { saved?: string }).saved
    const flashes: Record<string, string> = {
      added: 'The link worker has been added.',
      removed: 'The link worker has been removed from the programme.',
      named: 'The named link workers have been saved.',
      pattern: 'The working pattern has been saved.',
    }
    return renderLinkWorkers(reply, programme, { flash: saved ? flashes[saved] : undefined })
  })

  app.post('/programmes/:id/link-workers', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
    const body = (request.body ?? {}) as Body
    const parsed = parse(z.object({ email: emailSchema }), {
      email: typeof body.email === 'string' ? body.email : '',
    })
    const refuse = (message: string) =>
      renderLinkWorkers(reply, programme, { values: body, problems: [{ field: 'email', message }] })
    if (!parsed.ok) return renderLinkWorkers(reply, programme, { values: body, problems: parsed.problems })
    const account = await findUserByEmail(db, parsed.value.email)
    const user = account?.active === 1 ? await loadCurrentUser(db, account.id) : undefined
    if (!user)
      return refuse(
        'There is no active Kith account with this email address: invite them from Your team first',
      )
    if (!user.memberships.some((m) => m.role === 'link_worker'))
      return refuse(`${user.name} does not have the link worker role: give it to them on Your team`)
    if (programme.linkWorkers.some((w) => w.userId === user.id))
      return refuse(`${user.name} is already a link worker of this programme`)
    await db.transaction().execute(async (trx) => {
      await addLinkWorker(trx, programme.id, user.id)
      await audit(trx, request.actor, {
        action: 'programme.link-worker-add',
        recordType: 'programme',
        recordId: programme.id,
        detail: { userId: user.id },
      })
    })
    return reply.redirect(`/programmes/${programme.id}/link-workers?saved=added`, 303)
  })

  app.post('/programmes/:id/link-workers/named', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
    const body = (request.body ?? {}) as Body
    const named: Record<string, string | null> = {}
    const problems: FieldProblem[] = []
    for (const practice of programme.practices) {
      const field = `named.${practice.organisationId}`
      const value = typeof body[field] === 'string' ? (body[field] as string) : ''
      if (value === '') named[practice.organisationId] = null
      else if (programme.linkWorkers.some((w) => w.userId === value)) named[practice.organisationId] = value
      else problems.push({ field, message: `Select a link worker of this programme for ${practice.name}` })
    }
    if (problems.length > 0) return renderLinkWorkers(reply, programme, { named: body, problems })
    await db.transaction().execute(async (trx) => {
      await setNamedLinkWorkers(trx, programme.id, named)
      await audit(trx, request.actor, {
        action: 'programme.named-link-workers',
        recordType: 'programme',
        recordId: programme.id,
        detail: { named },
      })
    })
    return reply.redirect(`/programmes/${programme.id}/link-workers?saved=named`, 303)
  })

  function workerIn(programme: Programme, request: FastifyRequest) {
    const { userId } = request.params as { userId: string }
    const worker = programme.linkWorkers.find((w) => w.userId === userId)
    if (!worker) throw notFound()
    return worker
  }

  app.post(
    '/programmes/:id/link-workers/:userId/remove',
    { config: { access: MANAGE } },
    async (request, reply) => {
      const { programme } = await programmeFor(request, 'manage')
      const worker = workerIn(programme, request)
      await db.transaction().execute(async (trx) => {
        await removeLinkWorker(trx, programme.id, worker.userId)
        await audit(trx, request.actor, {
          action: 'programme.link-worker-remove',
          recordType: 'programme',
          recordId: programme.id,
          detail: { userId: worker.userId },
        })
      })
      return reply.redirect(`/programmes/${programme.id}/link-workers?saved=removed`, 303)
    },
  )

  function renderPattern(
    reply: FastifyReply,
    programme: Programme,
    worker: Programme['linkWorkers'][number],
    values: Body,
    problems?: FieldProblem[],
  ) {
    return reply.status(problems ? 400 : 200).view('programmes/views/working-pattern.njk', {
      pageTitle: `Working pattern of ${worker.name}`,
      programme,
      worker,
      days: WEEKDAYS.map((weekday) => {
        const selected = values[`days.${weekday}`] ?? ''
        return {
          weekday,
          label: WEEKDAY_LABELS[weekday],
          items: [
            { value: '', text: 'Not working', selected: selected === '' },
            ...programme.practices.map((p) => ({
              value: p.organisationId,
              text: `At ${p.name}`,
              selected: selected === p.organisationId,
            })),
            { value: 'away', text: 'Working away from practices', selected: selected === 'away' },
          ],
        }
      }),
      back: { href: `/programmes/${programme.id}/link-workers`, text: 'Link workers' },
      ...(problems ? { errors: formErrors(problems) } : {}),
    })
  }

  app.get('/programmes/:id/link-workers/:userId', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
    const worker = workerIn(programme, request)
    const values = Object.fromEntries(
      worker.days.map((day) => [`days.${day.weekday}`, day.practiceId ?? 'away']),
    )
    return renderPattern(reply, programme, worker, values)
  })

  app.post('/programmes/:id/link-workers/:userId', { config: { access: MANAGE } }, async (request, reply) => {
    const { programme } = await programmeFor(request, 'manage')
    const worker = workerIn(programme, request)
    const body = (request.body ?? {}) as Body
    const parsed = parseWorkingPattern(
      body,
      programme.practices.map((p) => p.organisationId),
    )
    if (!parsed.ok) return renderPattern(reply, programme, worker, body, parsed.problems)
    await db.transaction().execute(async (trx) => {
      await setWorkingPattern(trx, programme.id, worker.userId, parsed.value)
      await audit(trx, request.actor, {
        action: 'programme.working-pattern',
        recordType: 'programme',
        recordId: programme.id,
        detail: { userId: worker.userId, days: parsed.value.length },
      })
    })
    return reply.redirect(`/programmes/${programme.id}/link-workers?saved=pattern`, 303)
  })
}
