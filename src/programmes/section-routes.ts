// The parts of a programme's configuration changed by one form each (details, who can refer,
// needs, appointment rules, prescription length): each section says how its form reads and
// shows the settings, and one loop registers the pages.

import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AppContext } from '../web/context.ts'
import { formErrors } from '../web/forms.ts'
import type { FieldProblem } from '../web/problem.ts'
import {
  APPOINTMENT_KIND_LABELS,
  APPOINTMENT_KINDS,
  APPOINTMENT_MODE_LABELS,
  APPOINTMENT_MODES,
  PATHWAY_HINTS,
  PATHWAY_LABELS,
  PATHWAYS,
  type ProgrammeSettings,
} from './config.ts'
import { REFERRER_KIND_LABELS, REFERRER_KINDS } from './criteria.ts'
import {
  type FormResult,
  parseAppointments,
  parseDetails,
  parseNeeds,
  parsePrescription,
  parseReferrals,
} from './forms.ts'
import {
  type Body,
  back,
  items,
  MANAGE,
  NameTaken,
  programmeFor,
  refuseTakenName,
  saveSettings,
  settingsOf,
  yesNo,
  yesNoItems,
} from './route-kit.ts'
import type { Programme } from './store.ts'

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
      fullTimeCaseload: p.appointments.fullTimeCaseload ? String(p.appointments.fullTimeCaseload) : '',
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

export function sectionRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

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
      const { programme } = await programmeFor(db, request, 'manage')
      return render(reply, programme, part.values(programme))
    })

    const config = { access: MANAGE, listFields: part.listFields ?? [] }
    app.post(`/programmes/:id/${part.slug}`, { config }, async (request, reply) => {
      const { programme } = await programmeFor(db, request, 'manage')
      const body = (request.body ?? {}) as Body
      const parsed = part.parse(body, programme)
      if (!parsed.ok) return render(reply, programme, body, parsed.problems)
      const name = part.apply(settingsOf(programme), parsed.value).name
      try {
        await saveSettings(
          db,
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
}
