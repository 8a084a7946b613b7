// Prescriptions, signposts and onward referrals: the forms that name a directory service (the
// services offered for the case, nearest first, with a warning to confirm one outside the
// programme's area), and recording whether a signpost was taken up.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { isId } from '../db/ids.ts'
import { readPerson } from '../people/records.ts'
import { describePrescription } from '../programmes/config.ts'
import type { Programme } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { formatMiles } from '../web/format.ts'
import { formErrors, parse } from '../web/forms.ts'
import { type FieldProblem, notFound } from '../web/problem.ts'
import {
  type CaseForUser,
  caseForUser,
  prescribe,
  recordSignpostTakeUp,
  referOnward,
  signpost,
} from './cases.ts'
import { attempt, type Body, str, text, VIEW } from './route-kit.ts'
import { londonDate } from './rules.ts'
import {
  checkAccredited,
  findService,
  placeForCase,
  type ServiceChoice,
  type ServiceChoices,
  type ServiceRef,
  servicesForCase,
  serviceWithId,
  standingOf,
} from './services.ts'

/** The choice on the service radios that means the service named in the box below them. */
const OTHER_SERVICE = 'other'
/** A problem's field until the form says where it goes (see placeServiceProblems). */
const NO_SERVICE = 'service'
/** The warning on a form that names a service outside the programme's area, to confirm. */
interface ElsewhereWarning {
  serviceId: string
  heading: string
  text: string
}

export function prescriptionRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context
  const ctx = (request: FastifyRequest) => ({ user: request.user!, actor: request.actor })
  const caseId = (request: FastifyRequest) => (request.params as { id: string }).id

  const prescriptionSchema = z.object({
    need: z.string().nullable(),
    weeks: z.coerce
      .number({ error: 'Enter the number of weeks' })
      .int('Enter the number of weeks as a whole number'),
    expectedSessions: z.coerce
      .number({ error: 'Enter the expected number of sessions' })
      .int('Enter the expected sessions as a whole number'),
    start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the start date as a real date'),
  })

  /** The directory services offered on the prescription and signpost forms, for this case. */
  async function serviceChoices(
    request: FastifyRequest,
    found: CaseForUser,
    options: { accreditedOnly: boolean },
  ): Promise<ServiceChoices> {
    const person = await readPerson(db, request.actor, found.case.personId, { via: 'service-choices' })
    return person
      ? servicesForCase(db, found.case, found.programme, person, context.now(), options)
      : { local: [], elsewhere: [], place: { from: undefined, area: undefined } }
  }

  /** What the forms show of the services offered (decision 0103). */
  function serviceOffer(
    found: CaseForUser,
    choices: ServiceChoices,
    values: Body,
    options: { form: string; warning?: ElsewhereWarning | undefined },
  ) {
    const area = choices.place.area?.name
    const showElsewhere = values.elsewhere === '1'
    const offered = [...choices.local, ...(showElsewhere ? choices.elsewhere : [])]
    const hint = (choice: ServiceChoice) =>
      [
        choice.inArea ? '' : `Outside ${area ?? 'the programme’s area'}.`,
        choice.distanceKm === null ? '' : `${formatMiles(choice.distanceKm)} away.`,
        choice.why,
      ]
        .filter((part) => part !== '')
        .join(' ')
    const path = `/casework/cases/${found.case.id}/${options.form}/new`
    return {
      serviceItems:
        offered.length === 0
          ? []
          : [
              ...offered.map((choice) => ({
                value: choice.id,
                text: choice.name,
                hint: { text: hint(choice) },
                checked: choice.id === values.serviceId,
              })),
              { divider: 'or' },
              {
                value: OTHER_SERVICE,
                text: 'Another service',
                hint: { text: 'Enter its name below' },
                checked: values.serviceId === OTHER_SERVICE,
              },
            ],
      serviceHint: `Services ${area ? `in ${area}` : 'in the directory'} that meet this person’s needs, nearest first`,
      showElsewhere,
      elsewhereLink:
        choices.elsewhere.length === 0
          ? null
          : showElsewhere
            ? choices.local.length > 0
              ? { href: path, text: `Show only services in ${area ?? 'the programme’s area'}` }
              : null
            : { href: `${path}?elsewhere=1`, text: 'Show services elsewhere' },
      elsewhereWarning: options.warning ?? null,
    }
  }

  /**
   * The warning shown before a service outside the programme's area is used: undefined when it
   * is in the area, or when the form confirms this service (`confirmedElsewhere`).
   */
  async function elsewhereWarning(
    request: FastifyRequest,
    found: CaseForUser,
    service: ServiceRef,
    body: Body,
  ): Promise<ElsewhereWarning | undefined> {
    const person = await readPerson(db, request.actor, found.case.personId, { via: 'service-choices' })
    if (!person) return undefined
    const place = await placeForCase(db, found.case, found.programme, person)
    const { inArea, distanceKm } = standingOf(place, service)
    if (inArea || str(body.confirmedElsewhere) === service.id) return undefined
    return {
      serviceId: service.id,
      heading: `${service.name} is outside ${place.area?.name ?? 'the programme’s area'}`,
      text: `${distanceKm === null ? 'Kith does not know how far it is from the person' : `It is ${formatMiles(distanceKm)} from the person`}. Check that they can get there and that it is right for them. To go ahead, confirm below; or choose another service.`,
    }
  }

  /**
   * The service a form names: one of those offered (`serviceId`), or another by its name
   * (`serviceName`), which must be in the directory unless `outside` allows a name alone.
   */
  async function serviceNamed(
    body: Body,
    options: { outside: boolean },
  ): Promise<
    { ok: true; service: ServiceRef | undefined; name: string } | { ok: false; problem: FieldProblem }
  > {
    const id = str(body.serviceId)
    if (id && id !== OTHER_SERVICE) {
      const service = isId(id) ? await serviceWithId(db, id) : undefined
      return service
        ? { ok: true, service, name: service.name }
        : { ok: false, problem: { field: 'serviceId', message: 'Choose a service from the list' } }
    }
    const name = str(body.serviceName).trim()
    if (name === '')
      return {
        ok: false,
        problem: { field: NO_SERVICE, message: 'Choose a service, or enter the name of another' },
      }
    if (name.length > 300)
      return {
        ok: false,
        problem: { field: 'serviceName', message: 'The name must be 300 characters or fewer' },
      }
    const service = await findService(db, name)
    if (!service && !options.outside)
      return {
        ok: false,
        problem: { field: 'serviceName', message: 'There is no service with this name in the directory' },
      }
    return { ok: true, service, name: service?.name ?? name }
  }

  /**
   * A form that names a service, shown again with its problems (400), or with the warning about
   * a service elsewhere to confirm (200), and the services offered afresh.
   */
  async function serviceFormAgain(
    request: FastifyRequest,
    reply: FastifyReply,
    form: {
      id: string
      body: Body
      problems: FieldProblem[]
      template: 'prescription-new' | 'signpost-new'
      view: (
        found: CaseForUser,
        choices: ServiceChoices,
        values: Body,
        problems: FieldProblem[],
        warning?: ElsewhereWarning,
      ) => object
      warning?: ElsewhereWarning
    },
  ) {
    const found = await caseForUser(db, request.user!, request.actor, form.id, { audit: 'case.read' })
    const choices = await serviceChoices(request, found, {
      accreditedOnly: form.template === 'prescription-new',
    })
    const offered = choices.local.length + choices.elsewhere.length
    const problems = placeServiceProblems(form.problems, offered, form.body)
    return reply
      .status(problems.length > 0 ? 400 : 200)
      .view(
        `casework/views/${form.template}.njk`,
        form.view(found, choices, form.body, problems, problems.length > 0 ? undefined : form.warning),
      )
  }

  /** Puts "no service" on the radios when services were offered, else on the name box. */
  function placeServiceProblems(problems: FieldProblem[], offered: number, body: Body) {
    return problems.map((problem) => {
      if (problem.field !== NO_SERVICE) return problem
      if (offered > 0 && str(body.serviceId) !== OTHER_SERVICE) return { ...problem, field: 'serviceId' }
      return {
        field: 'serviceName',
        message:
          offered > 0 ? 'Enter the name of the service' : 'Enter the name of the service in the directory',
      }
    })
  }

  function needItems(programme: Programme, selected: unknown) {
    return [
      { value: '', text: 'Not linked to a need', selected: !selected },
      ...programme.needs.map((n) => ({ value: n.id, text: n.label, selected: n.id === selected })),
    ]
  }

  function prescriptionView(
    found: CaseForUser,
    choices: ServiceChoices,
    values: Body,
    problems?: FieldProblem[],
    warning?: ElsewhereWarning,
  ) {
    return {
      pageTitle: 'Add a prescription',
      kase: found.case,
      rule: describePrescription(found.programme.prescription),
      values,
      ...serviceOffer(found, choices, values, { form: 'prescriptions', warning }),
      needItems: needItems(found.programme, values.need),
      back: { href: `/casework/cases/${found.case.id}#prescriptions`, text: 'Back to the case' },
      ...(problems?.length ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get('/casework/cases/:id/prescriptions/new', { config: { access: VIEW } }, async (request, reply) => {
    const found = await caseForUser(db, request.user!, request.actor, caseId(request), { audit: 'case.read' })
    const rule = found.programme.prescription
    const afterReview = (request.query as { after?: string }).after === 'review'
    return reply.view('casework/views/prescription-new.njk', {
      ...prescriptionView(found, await serviceChoices(request, found, { accreditedOnly: true }), {
        start: londonDate(context.now()),
        weeks: rule?.minWeeks === rule?.maxWeeks ? rule?.minWeeks : '',
        elsewhere: str((request.query as Body).elsewhere),
      }),
      ...(afterReview ? { flash: 'The review has been recorded. Now add the new prescription.' } : {}),
    })
  })

  app.post('/casework/cases/:id/prescriptions', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const id = caseId(request)
    const named = await serviceNamed(body, { outside: false })
    const parsed = parse(prescriptionSchema, {
      need: str(body.need) || null,
      weeks: str(body.weeks) || undefined,
      expectedSessions: str(body.expectedSessions) || undefined,
      start: str(body.start),
    })
    let problems: FieldProblem[] = [
      ...(named.ok ? [] : [named.problem]),
      ...(parsed.ok ? [] : parsed.problems),
    ]
    let warning: ElsewhereWarning | undefined
    if (named.ok && named.service && parsed.ok) {
      const service = named.service
      const found = await caseForUser(db, request.user!, request.actor, id)
      // Not accredited: refused before any warning about where it is.
      const accredited = await attempt(() =>
        checkAccredited(db, found.programme, service.id, londonDate(context.now())),
      )
      warning = accredited.ok ? await elsewhereWarning(request, found, service, body) : undefined
      const result = !accredited.ok
        ? accredited
        : warning
          ? undefined
          : await attempt(() =>
              prescribe(db, ctx(request), id, {
                ...parsed.value,
                serviceId: service.id,
                serviceName: service.name,
              }),
            )
      if (result?.ok) return reply.redirect(`/casework/cases/${id}?saved=prescribed#prescriptions`, 303)
      if (result) problems = result.problems
    }
    return serviceFormAgain(request, reply, {
      id,
      body,
      problems,
      template: 'prescription-new',
      view: prescriptionView,
      ...(warning ? { warning } : {}),
    })
  })

  const signpostSchema = z.object({
    kind: z.enum(['signpost', 'referral'], { error: 'Select whether this is a signpost or a referral' }),
    need: z.string().nullable(),
    note: text(2000, 'The note must be 2,000 characters or fewer'),
  })

  function signpostView(
    found: CaseForUser,
    choices: ServiceChoices,
    values: Body,
    problems?: FieldProblem[],
    warning?: ElsewhereWarning,
  ) {
    return {
      pageTitle: 'Signpost or refer on',
      kase: found.case,
      values,
      ...serviceOffer(found, choices, values, { form: 'signposts', warning }),
      kinds: [
        {
          value: 'signpost',
          text: 'Signpost',
          hint: { text: 'Information given to the person; no request to the provider' },
          checked: values.kind === 'signpost',
        },
        {
          value: 'referral',
          text: 'Onward referral',
          hint: { text: 'A request to the provider, who accepts or declines it' },
          checked: values.kind === 'referral',
        },
      ],
      needItems: needItems(found.programme, values.need),
      back: { href: `/casework/cases/${found.case.id}#signposts`, text: 'Back to the case' },
      ...(problems?.length ? { errors: formErrors(problems) } : {}),
    }
  }

  app.get('/casework/cases/:id/signposts/new', { config: { access: VIEW } }, async (request, reply) => {
    const found = await caseForUser(db, request.user!, request.actor, caseId(request), { audit: 'case.read' })
    return reply.view(
      'casework/views/signpost-new.njk',
      signpostView(found, await serviceChoices(request, found, { accreditedOnly: false }), {
        kind: 'signpost',
        elsewhere: str((request.query as Body).elsewhere),
      }),
    )
  })

  app.post('/casework/cases/:id/signposts', { config: { access: VIEW } }, async (request, reply) => {
    const body = (request.body ?? {}) as Body
    const id = caseId(request)
    const parsed = parse(signpostSchema, {
      kind: body.kind,
      need: str(body.need) || null,
      note: str(body.note),
    })
    // A signpost may name a service outside the directory; an onward referral may not.
    const named = await serviceNamed(body, { outside: !parsed.ok || parsed.value.kind === 'signpost' })
    let problems: FieldProblem[] = [
      ...(parsed.ok ? [] : parsed.problems),
      ...(named.ok ? [] : [named.problem]),
    ]
    // A directory service outside the programme's area is used only once confirmed.
    const warning =
      parsed.ok && named.ok && named.service
        ? await elsewhereWarning(
            request,
            await caseForUser(db, request.user!, request.actor, id),
            named.service,
            body,
          )
        : undefined
    if (warning) {
      // Shown again below with the warning; nothing is recorded yet.
    } else if (parsed.ok && named.ok && parsed.value.kind === 'referral' && named.service) {
      const service = named.service
      // Through the Referrals capability: the provider accepts or declines, and the loop closes.
      const result = await attempt(() =>
        referOnward(
          db,
          ctx(request),
          id,
          {
            serviceId: service.id,
            serviceName: service.name,
            need: parsed.value.need,
            note: parsed.value.note,
            consent: body.consent === 'yes',
          },
          context.now(),
        ),
      )
      if (result.ok) return reply.redirect(`/casework/cases/${id}?saved=referred#signposts`, 303)
      problems = result.problems
    } else if (parsed.ok && named.ok) {
      const result = await attempt(() =>
        signpost(db, ctx(request), id, {
          ...parsed.value,
          kind: 'signpost',
          referralId: null,
          serviceId: named.service?.id ?? null,
          serviceName: named.name,
        }),
      )
      if (result.ok) return reply.redirect(`/casework/cases/${id}?saved=signposted#signposts`, 303)
      problems = result.problems
    }
    return serviceFormAgain(request, reply, {
      id,
      body,
      problems,
      template: 'signpost-new',
      view: signpostView,
      ...(warning ? { warning } : {}),
    })
  })

  app.post(
    '/casework/cases/:id/signposts/:signpostId/taken-up',
    { config: { access: VIEW } },
    async (request, reply) => {
      const { signpostId } = request.params as { signpostId: string }
      const value = (request.body as Body | undefined)?.takenUp
      if (!isId(signpostId) || (value !== 'yes' && value !== 'no')) throw notFound()
      const id = caseId(request)
      await recordSignpostTakeUp(db, ctx(request), id, signpostId, value === 'yes')
      return reply.redirect(`/casework/cases/${id}?saved=signpost#signposts`, 303)
    },
  )
}
