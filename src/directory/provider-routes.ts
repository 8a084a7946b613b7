// Providers keep their services up to date ("Your services"); programme managers accredit
// providers and services.

import type { FastifyInstance } from 'fastify'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { findUserByEmail, getOrganisation, loadCurrentUser } from '../access/store.ts'
import { organisationsWhere } from '../access/users.ts'
import { isId } from '../db/ids.ts'
import { programmesManagedBy } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { formErrors, parse } from '../web/forms.ts'
import { type FieldProblem, notFound } from '../web/problem.ts'
import { accreditationFormSchema, parseServiceForm, type ServiceForm } from './forms.ts'
import { providerKindLabel, summaryOf } from './present.ts'
import {
  describeSchedule,
  MAX_SESSIONS,
  parseSessions,
  sessionField,
  sessionsOf,
  WEEKDAYS,
} from './schedules.ts'
import {
  accreditationsOf,
  addAccreditation,
  createService,
  getAccreditation,
  getServiceRecord,
  getServiceRecords,
  listTerms,
  lookupPostcode,
  markReviewed,
  providerIdsWithServices,
  removeAccreditation,
  type ServiceInput,
  type ServiceRecord,
  serviceIdsOfProviders,
  setServiceProvider,
  updateService,
} from './store.ts'
import {
  SERVICE_KIND_LABELS,
  SERVICE_KINDS,
  SERVICE_STATUS_LABELS,
  SERVICE_STATUSES,
  VOCABULARY_LABELS,
  type Vocabulary,
} from './taxonomy.ts'

/**
 * Who maintains services: providers' staff, and programme managers for the services their own
 * organisation runs (Culm Valley Centre's groups), with no administrator.
 */
const PROVIDER = rolesAccess('provider', 'programme_manager')
/** The roles whose organisations' services a user maintains. */
const MAINTAINERS = ['provider', 'programme_manager'] as const
const MANAGER = rolesAccess('programme_manager')
/** The service form's categories are checkboxes: a list (web/form-body.ts). */
const SERVICE_FORM = { access: PROVIDER, listFields: ['termIds'] }

type Values = Record<string, unknown>

function valuesOf(service: ServiceRecord | undefined, organisationId: string): Values {
  if (!service) return { organisationId, status: 'active', termIds: [] }
  const location = service.locations[0]
  const sessions = sessionsOf(service.schedules).sessions.slice(0, MAX_SESSIONS)
  return {
    ...Object.fromEntries(
      sessions.flatMap((session, index) => [
        [sessionField(index, 'day'), session.day],
        [sessionField(index, 'opens'), session.opens],
        [sessionField(index, 'closes'), session.closes],
      ]),
    ),
    organisationId: service.providerOrganisationId,
    name: service.name,
    description: service.description,
    kind: service.kind,
    status: service.status,
    selfReferral: service.selfReferral ? 'yes' : 'no',
    termIds: service.terms.map((t) => t.id),
    cost: service.cost,
    ageMin: service.ageMin ?? '',
    ageMax: service.ageMax ?? '',
    schedule: service.schedule,
    contactName: service.contactName,
    email: service.email,
    phone: service.phone,
    url: service.url,
    locationName: location?.name ?? '',
    address: location?.address ?? '',
    town: location?.town ?? '',
    postcode: location?.postcode ?? '',
    criteriaNotes: service.criteriaNotes,
    additionalNeeds: service.additionalNeeds,
    disclaimer: service.disclaimer,
  }
}

export function providerRoutes(app: FastifyInstance, context: AppContext) {
  const { db } = context

  context.navigation.push({
    text: 'Your services',
    href: '/directory/your-services',
    roles: ['provider', 'programme_manager'],
    order: 31,
  })
  context.homeCards.push({
    roles: ['provider', 'programme_manager'],
    heading: 'Your services',
    description:
      'Add your services to the directory and keep them up to date. Listings not reviewed for 6 months are flagged.',
    href: '/directory/your-services',
    order: 10,
  })
  context.homeCards.push({
    roles: ['programme_manager'],
    heading: 'Accreditation',
    description: 'Accredit providers and services for your programme, with the dates it runs from and to.',
    href: '/directory/accreditation',
    order: 30,
  })

  async function formPage(
    organisations: { id: string; name: string }[],
    values: Values,
    options: { service?: ServiceRecord; errors?: ReturnType<typeof formErrors> },
  ) {
    const terms = await listTerms(db)
    const selected = new Set(
      (Array.isArray(values.termIds) ? values.termIds : [values.termIds]).filter(Boolean),
    )
    const groups = (['area', 'category', 'need'] as Vocabulary[]).map((vocabulary) => ({
      vocabulary,
      legend: `${VOCABULARY_LABELS[vocabulary]}s`,
      items: terms
        .filter((t) => t.vocabulary === vocabulary)
        .map((t) => ({ value: t.id, text: t.label, checked: selected.has(t.id) })),
    }))
    // The sessions filled in, then one empty row to add another (without JavaScript, save and
    // the form comes back with a new empty row).
    let filled = 0
    for (let index = 0; index < MAX_SESSIONS; index++) {
      const part = (name: 'day' | 'opens' | 'closes') => values[sessionField(index, name)]
      if (part('day') || part('opens') || part('closes')) filled = index + 1
    }
    const sessionRows = Array.from({ length: Math.min(MAX_SESSIONS, filled + 1) }, (_, index) => {
      const field = (name: 'day' | 'opens' | 'closes') => sessionField(index, name)
      const day = values[field('day')]
      return {
        legend: `Session ${index + 1}`,
        day: {
          id: field('day'),
          items: [
            { value: '', text: 'No session', selected: !day },
            ...WEEKDAYS.map((weekday) => ({
              value: weekday.code,
              text: weekday.name,
              selected: day === weekday.code,
            })),
          ],
          error: options.errors?.byField[field('day')],
        },
        opens: {
          id: field('opens'),
          value: values[field('opens')],
          error: options.errors?.byField[field('opens')],
        },
        closes: {
          id: field('closes'),
          value: values[field('closes')],
          error: options.errors?.byField[field('closes')],
        },
      }
    })
    const kept = options.service ? sessionsOf(options.service.schedules).kept.map(describeSchedule) : []
    return {
      sessionRows,
      keptSchedules: kept,
      pageTitle: options.service ? `Edit ${options.service.name}` : 'Add a service',
      service: options.service,
      action: options.service
        ? `/directory/services/${options.service.id}/edit`
        : '/directory/your-services/new',
      values,
      errors: options.errors,
      organisations: organisations.map((o) => ({
        value: o.id,
        text: o.name,
        checked: values.organisationId === o.id,
      })),
      kinds: SERVICE_KINDS.map((k) => ({
        value: k,
        text: SERVICE_KIND_LABELS[k],
        checked: values.kind === k,
      })),
      statuses: SERVICE_STATUSES.map((s) => ({
        value: s,
        text: SERVICE_STATUS_LABELS[s],
        checked: values.status === s,
      })),
      groups,
      back: {
        href: options.service ? `/directory/services/${options.service.id}` : '/directory/your-services',
      },
    }
  }

  async function providerOrganisations(userOrganisations: string[]) {
    const found = []
    for (const id of userOrganisations) {
      const organisation = await getOrganisation(db, id)
      if (organisation) found.push({ id: organisation.id, name: organisation.name })
    }
    return found
  }

  /** The form's answers as a service, or the problems to show. */
  async function toInput(
    form: ServiceForm,
    allowed: string[],
    existing: ServiceRecord | undefined,
    today: string,
    sessions: ReturnType<typeof parseSessions>,
  ): Promise<{ input?: ServiceInput; problems: { field: string; message: string }[] }> {
    const problems: { field: string; message: string }[] = [...sessions.problems]
    if (!allowed.includes(form.organisationId))
      problems.push({ field: 'organisationId', message: 'Select the organisation that runs the service' })
    const terms = await listTerms(db)
    if (form.termIds.some((id) => !terms.some((t) => t.id === id)))
      problems.push({ field: 'termIds', message: 'Select categories from the list' })
    let point: { latitude: number; longitude: number } | undefined
    if (form.postcode) {
      point = await lookupPostcode(db, form.postcode)
      if (!point)
        problems.push({
          field: 'postcode',
          message: `We do not know the postcode ${form.postcode}. Check it is right`,
        })
    }
    if (problems.length > 0) return { problems }
    const location =
      form.postcode || form.address || form.locationName
        ? [
            {
              name: form.locationName,
              address: form.address,
              town: form.town,
              postcode: form.postcode,
              latitude: point?.latitude ?? null,
              longitude: point?.longitude ?? null,
            },
          ]
        : []
    return {
      problems,
      input: {
        name: form.name,
        description: form.description,
        kind: form.kind,
        status: form.status,
        selfReferral: form.selfReferral === 'yes',
        criteria: existing?.criteria ?? [],
        criteriaNotes: form.criteriaNotes,
        additionalNeeds: form.additionalNeeds,
        disclaimer: form.disclaimer,
        cost: form.cost,
        free: form.cost === '' || /^free/i.test(form.cost),
        ageMin: form.ageMin,
        ageMax: form.ageMax,
        schedule: form.schedule,
        contactName: form.contactName,
        email: form.email,
        phone: form.phone,
        url: form.url,
        lastReviewedOn: today,
        termIds: form.termIds,
        locations: [...location, ...(existing?.locations.slice(1).map(({ id: _id, ...rest }) => rest) ?? [])],
        // The weekly sessions from the form; any other schedule (monthly, from an import) as it was.
        schedules: [
          ...sessions.schedules,
          ...(existing ? sessionsOf(existing.schedules.map(({ id: _id, ...rest }) => rest)).kept : []),
        ],
      },
    }
  }

  /** The service, when one of the user's provider organisations runs it; otherwise 404. */
  async function ownService(id: string, organisations: string[]): Promise<ServiceRecord> {
    const service = isId(id) ? await getServiceRecord(db, id) : undefined
    if (!service || !organisations.includes(service.providerOrganisationId)) throw notFound()
    return service
  }

  app.get('/directory/your-services', { config: { access: PROVIDER } }, async (request, reply) => {
    const organisations = organisationsWhere(request.user!, ...MAINTAINERS)
    const today = londonDate(context.now())
    const services = await getServiceRecords(db, await serviceIdsOfProviders(db, organisations))
    const summaries = services.map((s) => summaryOf(s, today))
    const query = request.query as { done?: string }
    return reply.view('directory/views/your-services.njk', {
      pageTitle: 'Your services',
      services: summaries,
      unreviewed: summaries.filter((s) => s.unreviewed).length,
      flash:
        query.done === 'reviewed'
          ? 'The service is marked as reviewed today.'
          : query.done === 'saved'
            ? 'The service is saved.'
            : undefined,
    })
  })

  app.get('/directory/your-services/new', { config: { access: PROVIDER } }, async (request, reply) => {
    const organisations = await providerOrganisations(organisationsWhere(request.user!, ...MAINTAINERS))
    return reply.view(
      'directory/views/service-form.njk',
      await formPage(
        organisations,
        valuesOf(undefined, organisations.length === 1 ? (organisations[0]?.id ?? '') : ''),
        {},
      ),
    )
  })

  app.post('/directory/your-services/new', { config: SERVICE_FORM }, async (request, reply) => {
    const allowed = organisationsWhere(request.user!, ...MAINTAINERS)
    const body = request.body as Values
    const parsed = parseServiceForm(body)
    const sessions = parseSessions(body, '')
    const result = parsed.ok
      ? await toInput(parsed.value, allowed, undefined, londonDate(context.now()), sessions)
      : { problems: [...parsed.problems, ...sessions.problems] }
    if (!result.input || !parsed.ok) {
      return reply
        .status(400)
        .view(
          'directory/views/service-form.njk',
          await formPage(await providerOrganisations(allowed), body, { errors: formErrors(result.problems) }),
        )
    }
    const input = result.input
    const organisationId = parsed.value.organisationId
    const id = await db.transaction().execute(async (trx) => {
      const created = await createService(trx, organisationId, input)
      await audit(trx, request.actor, { action: 'service.create', recordType: 'service', recordId: created })
      return created
    })
    return reply.redirect(`/directory/services/${id}`, 303)
  })

  app.get('/directory/services/:id/edit', { config: { access: PROVIDER } }, async (request, reply) => {
    const allowed = organisationsWhere(request.user!, ...MAINTAINERS)
    const service = await ownService((request.params as { id: string }).id, allowed)
    return reply.view(
      'directory/views/service-form.njk',
      await formPage(
        await providerOrganisations(allowed),
        valuesOf(service, service.providerOrganisationId),
        { service },
      ),
    )
  })

  app.post('/directory/services/:id/edit', { config: SERVICE_FORM }, async (request, reply) => {
    const allowed = organisationsWhere(request.user!, ...MAINTAINERS)
    const service = await ownService((request.params as { id: string }).id, allowed)
    const body = request.body as Values
    const parsed = parseServiceForm(body)
    const sessions = parseSessions(body, '')
    const result = parsed.ok
      ? await toInput(parsed.value, allowed, service, londonDate(context.now()), sessions)
      : { problems: [...parsed.problems, ...sessions.problems] }
    if (!result.input || !parsed.ok) {
      return reply.status(400).view(
        'directory/views/service-form.njk',
        await formPage(await providerOrganisations(allowed), body, {
          service,
          errors: formErrors(result.problems),
        }),
      )
    }
    const input = result.input
    const organisationId = parsed.value.organisationId
    await db.transaction().execute(async (trx) => {
      await updateService(trx, service.id, input)
      if (organisationId !== service.providerOrganisationId) {
        await setServiceProvider(trx, service.id, organisationId)
      }
      await audit(trx, request.actor, {
        action: 'service.update',
        recordType: 'service',
        recordId: service.id,
      })
    })
    return reply.redirect(`/directory/services/${service.id}`, 303)
  })

  app.post('/directory/services/:id/reviewed', { config: { access: PROVIDER } }, async (request, reply) => {
    const service = await ownService(
      (request.params as { id: string }).id,
      organisationsWhere(request.user!, ...MAINTAINERS),
    )
    await db.transaction().execute(async (trx) => {
      await markReviewed(trx, service.id, londonDate(context.now()))
      await audit(trx, request.actor, {
        action: 'service.review',
        recordType: 'service',
        recordId: service.id,
      })
    })
    return reply.redirect('/directory/your-services?done=reviewed', 303)
  })

  // Handing a listing to its provider: a programme manager who set up a group's listing passes it
  // to the provider's own account, whose organisation then runs it.
  async function handOverPage(service: ServiceRecord, values: Values, problems?: FieldProblem[]) {
    return {
      pageTitle: 'Hand the listing to its provider',
      service,
      values,
      back: { href: `/directory/services/${service.id}` },
      ...(problems ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get('/directory/services/:id/hand-over', { config: { access: PROVIDER } }, async (request, reply) => {
    const service = await ownService(
      (request.params as { id: string }).id,
      organisationsWhere(request.user!, ...MAINTAINERS),
    )
    return reply.view('directory/views/hand-over.njk', await handOverPage(service, {}))
  })

  app.post('/directory/services/:id/hand-over', { config: { access: PROVIDER } }, async (request, reply) => {
    const service = await ownService(
      (request.params as { id: string }).id,
      organisationsWhere(request.user!, ...MAINTAINERS),
    )
    const body = (request.body ?? {}) as Values
    const refuse = async (message: string) =>
      reply
        .status(400)
        .view(
          'directory/views/hand-over.njk',
          await handOverPage(service, body, [{ field: 'email', message }]),
        )
    const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : ''
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
      return refuse('Enter an email address in the correct format, like name@example.org')
    const account = await findUserByEmail(db, email)
    const user = account?.active === 1 ? await loadCurrentUser(db, account.id) : undefined
    if (!user) return refuse('There is no active Kith account with this email address')
    const organisations = user.memberships.filter((m) => m.role === 'provider')
    if (organisations.length === 0)
      return refuse(`${user.name} does not have the provider role in any organisation`)
    if (organisations.length > 1)
      return refuse(
        `${user.name} is a provider in several organisations: ask them which should run the service, and use an account of that organisation`,
      )
    const to = organisations[0]!
    if (to.organisationId === service.providerOrganisationId)
      return refuse(`${to.organisationName} already runs ${service.name}`)
    await db.transaction().execute(async (trx) => {
      await setServiceProvider(trx, service.id, to.organisationId)
      await audit(trx, request.actor, {
        action: 'service.hand-over',
        recordType: 'service',
        recordId: service.id,
        detail: { from: service.providerOrganisationId, to: to.organisationId, account: user.id },
      })
    })
    return reply.redirect(`/directory/services/${service.id}?handedTo=1`, 303)
  })

  // Accreditation ------------------------------------------------------------------------------

  async function accreditationPage(
    userProgrammes: { id: string; name: string }[],
    values: Values,
    errors?: ReturnType<typeof formErrors>,
    flash?: string,
  ) {
    const services = await getServiceRecords(
      db,
      await serviceIdsOfProviders(db, await providerIdsWithServices(db)),
    )
    const providers = new Map(services.map((s) => [s.providerOrganisationId, s.providerName]))
    const providerKinds = new Map(services.map((s) => [s.providerOrganisationId, s.providerKind]))
    const accreditations = (
      await accreditationsOf(db, [...services.map((s) => s.id), ...providers.keys()])
    ).filter((a) => userProgrammes.some((p) => p.id === a.programmeId))
    const subjectName = (type: string, id: string) =>
      type === 'organisation'
        ? `${providers.get(id) ?? 'A provider'} (provider)`
        : (services.find((s) => s.id === id)?.name ?? 'A service')
    return {
      pageTitle: 'Accreditation',
      values,
      errors,
      flash,
      programmes: userProgrammes.map((p) => ({
        value: p.id,
        text: p.name,
        selected: values.programmeId === p.id,
      })),
      subjects: [
        { value: '', text: 'Select a provider or service' },
        ...[...providers]
          .sort((a, b) => a[1].localeCompare(b[1]))
          .map(([id, name]) => ({
            value: `organisation:${id}`,
            text: `Provider: ${name}`,
            selected: values.subject === `organisation:${id}`,
          })),
        ...services.map((s) => ({
          value: `service:${s.id}`,
          text: `Service: ${s.name} (${s.providerName})`,
          selected: values.subject === `service:${s.id}`,
        })),
      ],
      accreditations: accreditations.map((a) => ({
        ...a,
        subjectName: subjectName(a.subjectType, a.subjectId),
        runBy: providerKindLabel(
          (a.subjectType === 'organisation'
            ? providerKinds.get(a.subjectId)
            : services.find((s) => s.id === a.subjectId)?.providerKind) ?? '',
        ),
        programme: userProgrammes.find((p) => p.id === a.programmeId)?.name ?? '',
      })),
    }
  }

  app.get('/directory/accreditation', { config: { access: MANAGER } }, async (request, reply) => {
    const programmes = await programmesManagedBy(db, request.user!)
    const done = (request.query as { done?: string }).done
    return reply.view(
      'directory/views/accreditation.njk',
      await accreditationPage(
        programmes,
        { programmeId: programmes.length === 1 ? programmes[0]?.id : '' },
        undefined,
        done === 'added'
          ? 'The accreditation is recorded.'
          : done === 'removed'
            ? 'The accreditation is removed.'
            : undefined,
      ),
    )
  })

  app.post('/directory/accreditation', { config: { access: MANAGER } }, async (request, reply) => {
    const programmes = await programmesManagedBy(db, request.user!)
    const body = request.body as Values
    const parsed = parse(accreditationFormSchema, body)
    const problems = parsed.ok ? [] : [...parsed.problems]
    if (parsed.ok) {
      if (!programmes.some((p) => p.id === parsed.value.programmeId))
        problems.push({ field: 'programmeId', message: 'Select a programme you manage' })
      const [type, id] = parsed.value.subject.split(':') as ['organisation' | 'service', string]
      const exists =
        type === 'service'
          ? Boolean(await getServiceRecord(db, id))
          : (await providerIdsWithServices(db)).includes(id)
      if (!exists) problems.push({ field: 'subject', message: 'Select a provider or service' })
    }
    if (!parsed.ok || problems.length > 0) {
      return reply
        .status(400)
        .view(
          'directory/views/accreditation.njk',
          await accreditationPage(programmes, body, formErrors(problems)),
        )
    }
    const [type, id] = parsed.value.subject.split(':') as ['organisation' | 'service', string]
    await db.transaction().execute(async (trx) => {
      const created = await addAccreditation(trx, {
        subjectType: type,
        subjectId: id,
        programmeId: parsed.value.programmeId,
        accreditedFrom: parsed.value.from,
        accreditedTo: parsed.value.to,
        recordedBy: request.user!.id,
      })
      await audit(trx, request.actor, {
        action: 'accreditation.create',
        recordType: 'accreditation',
        recordId: created,
      })
    })
    return reply.redirect('/directory/accreditation?done=added', 303)
  })

  app.post('/directory/accreditation/:id/remove', { config: { access: MANAGER } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const programmes = await programmesManagedBy(db, request.user!)
    const row = isId(id) ? await getAccreditation(db, id) : undefined
    if (!row || !programmes.some((p) => p.id === row.programmeId)) throw notFound()
    await db.transaction().execute(async (trx) => {
      await removeAccreditation(trx, id)
      await audit(trx, request.actor, {
        action: 'accreditation.delete',
        recordType: 'accreditation',
        recordId: id,
      })
    })
    return reply.redirect('/directory/accreditation?done=removed', 303)
  })
}
