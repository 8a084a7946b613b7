// Outcome measure pages. Programme managers set which measures their programme takes and when,
// its star, and its outcome-payment rules, and read change across the programme; link workers
// record a person's answers (or hand the screen to the person) and read their change. Programmes
// and people a user may not see answer 404.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import type { CurrentUser } from '../access/users.ts'
import { isId } from '../db/ids.ts'
import type { Queryable } from '../db/schema.ts'
import { readPersonSummaries } from '../people/records.ts'
import {
  canManage,
  getProgramme,
  isLinkWorkerOf,
  type Programme,
  programmesOfUser,
} from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors, parseOrThrow } from '../web/forms.ts'
import { idempotencyParameter, idempotent } from '../web/idempotency.ts'
import { type FieldProblem, notFound } from '../web/problem.ts'
import { peopleInCaseload, personInProgrammeOf, programmeForPersonOrNotFound } from './access.ts'
import { type Instrument, programmeChange, scoreAnswers } from './instruments.ts'
import { programmeInstrument, readPersonOutcomes, recordReading } from './measures.ts'
import { attendancePanel, kioskPanel, outcomesPanel } from './panels.ts'
import { outcomesPersonalData } from './personal-data.ts'
import {
  formatPounds,
  instrumentsOf,
  isStage,
  type OutcomeSettings,
  parsePaymentForm,
  parseScheduleForm,
  parseStarForm,
  paymentSummary,
  STAGE_LABELS,
  STAGE_NAMES,
  STAGES,
  type Stage,
  scheduledInstruments,
} from './schedule.ts'
import { getOutcomeSettings, movePersonReadings, readingsByPerson, updateOutcomeSettings } from './store.ts'
import { attendanceSection, outcomeMeasuresSection, selfMeasurementsSection } from './summary.ts'

const VIEW = rolesAccess('programme_manager', 'link_worker')
const MANAGE = rolesAccess('programme_manager')
/** The schedule's checkboxes, one group per instrument, are lists (web/form-body.ts). */
const SCHEDULE_FORM = { access: MANAGE, listFields: ['stages.*'] }
const RECORD = rolesAccess('link_worker')

type Body = Record<string, unknown>

const SAVED: Record<string, string> = {
  schedule: 'The measures and when they are taken have been saved.',
  star: 'The star has been saved.',
  'star-removed': 'The star has been removed.',
  payments: 'The outcome payment rules have been saved.',
}

export const personOutcomesPath = (programmeId: string, personId: string) =>
  `/outcomes/programmes/${programmeId}/people/${personId}`

export const recordPath = (programmeId: string, personId: string, instrumentId: string, stage: Stage) =>
  `${personOutcomesPath(programmeId, personId)}/record/${encodeURIComponent(instrumentId)}/${stage}`

/** The programme when the user manages it or is one of its link workers; 404 otherwise. */
async function visibleProgramme(
  db: Queryable,
  user: CurrentUser,
  id: string,
): Promise<{ programme: Programme; manages: boolean; linkWorker: boolean }> {
  const programme = isId(id) ? await getProgramme(db, id) : undefined
  if (!programme) throw notFound()
  const manages = canManage(user, programme)
  const linkWorker = await isLinkWorkerOf(db, id, user.id)
  if (!manages && !linkWorker) throw notFound()
  return { programme, manages, linkWorker }
}

async function managedProgramme(db: Queryable, user: CurrentUser, id: string): Promise<Programme> {
  const { programme, manages } = await visibleProgramme(db, user, id)
  if (!manages) throw notFound()
  return programme
}

function percent(share: number | null): string {
  return share === null ? '–' : `${Math.round(share * 100)}%`
}

function fixed(value: number | null, decimals: number): string {
  return value === null ? '–' : value.toFixed(decimals)
}

function signed(value: number | null, decimals: number): string {
  if (value === null) return '–'
  const text = Math.abs(value).toFixed(decimals)
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text
}

/** The answers as the form posts them: `answers.<item id>`. */
function answersOf(body: Body, instrument: Instrument): Record<string, unknown> {
  return Object.fromEntries(instrument.items.map((item) => [item.id, body[`answers.${item.id}`]]))
}

function itemsView(instrument: Instrument, values: Record<string, unknown>, problems: FieldProblem[]) {
  return instrument.items.map((item) => {
    const error = problems.find((p) => p.field === item.id)
    const value = values[item.id] === undefined ? '' : String(values[item.id])
    const range = Array.from({ length: item.max - item.min + 1 }, (_, i) => item.min + i)
    const options = item.options ?? range.map((n) => ({ value: n, label: String(n) }))
    return {
      id: item.id,
      name: `answers.${item.id}`,
      text: item.text,
      ends: item.ends,
      inline: !item.options,
      options: options.map((option, index) => ({
        value: String(option.value),
        text: item.options ? option.label : String(option.value),
        checked: value === String(option.value),
        ...(index === 0 && !item.options && item.ends ? { hint: { text: item.ends.min } } : {}),
        ...(index === options.length - 1 && !item.options && item.ends
          ? { hint: { text: item.ends.max } }
          : {}),
      })),
      error: error?.message,
    }
  })
}

export function outcomeRoutes(app: FastifyInstance, context: AppContext): void {
  context.personMerged.push(movePersonReadings)
  context.personRecordParts.push(outcomesPersonalData)
  const { db } = context
  context.casePanels.push(outcomesPanel, attendancePanel, kioskPanel)
  context.caseSummarySections.push(outcomeMeasuresSection, attendanceSection, selfMeasurementsSection)

  context.homeCards.push({
    roles: ['programme_manager'],
    heading: 'Outcomes',
    description:
      'Choose the outcome measures your programme takes and when, and see what is changing for people.',
    href: '/outcomes',
    order: 40,
  })

  app.get('/outcomes', { config: { access: VIEW } }, async (request, reply) => {
    const user = request.user!
    const programmes = await programmesOfUser(db, user)
    return reply.view('outcomes/views/index.njk', { pageTitle: 'Outcomes', programmes })
  })

  // Programme-wide change ----------------------------------------------------------------------

  app.get('/programmes/:id/outcomes', { config: { access: VIEW } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const user = request.user!
    const { programme, manages, linkWorker } = await visibleProgramme(db, user, id)
    const settings = await getOutcomeSettings(db, id)
    const instruments = instrumentsOf(settings)
    const summaries = []
    for (const instrument of instruments) {
      const people = await readingsByPerson(db, id, instrument.id)
      if (people.length === 0 && !settings.measures.some((m) => m.instrumentId === instrument.id)) continue
      const change = programmeChange(instrument, people)
      summaries.push({
        instrument,
        change,
        shareImprovedInAny: percent(change.shareImprovedInAny),
        rows: change.scores.map((score) => {
          const definition = instrument.scores.find((s) => s.id === score.id)!
          return {
            label: score.label,
            better: score.better === 'higher' ? 'Higher' : 'Lower',
            pairs: score.pairs,
            meanBaseline: fixed(score.meanBaseline, definition.decimals === 0 ? 1 : definition.decimals),
            meanLatest: fixed(score.meanLatest, definition.decimals === 0 ? 1 : definition.decimals),
            meanChange: signed(score.meanChange, definition.decimals === 0 ? 1 : definition.decimals),
            improved: score.improved,
            unchanged: score.unchanged,
            worse: score.worse,
            shareImproved: percent(score.shareImproved),
          }
        }),
      })
    }
    // Link workers see the people in the programme's caseload with readings, to open their
    // measures: the people whose record they may open (access.ts), no one else.
    let people: { id: string; name: string; href: string }[] = []
    if (linkWorker) {
      const ids = await db
        .selectFrom('outcome_readings')
        .select('person_id')
        .distinct()
        .where('programme_id', '=', id)
        .execute()
      const summaries = await readPersonSummaries(
        db,
        request.actor,
        await peopleInCaseload(
          db,
          id,
          ids.map((row) => row.person_id),
        ),
        { programmeId: id, list: 'outcomes' },
      )
      people = summaries
        .map((p) => ({
          id: p.id,
          name: `${p.givenName} ${p.familyName}`,
          href: personOutcomesPath(id, p.id),
        }))
        .sort((a, b) => a.name.localeCompare(b.name))
    }
    const saved = (request.query as { saved?: string }).saved
    return reply.view('outcomes/views/programme.njk', {
      pageTitle: `Outcomes`,
      back: { href: `/programmes/${id}`, text: programme.name },
      programme,
      manages,
      settings,
      scheduled: scheduledInstruments(settings).map(({ instrument, stages }) => ({
        name: instrument.name,
        stages: stages.map((stage) => STAGE_NAMES[stage]).join(', '),
      })),
      summaries,
      people,
      flash: saved ? SAVED[saved] : undefined,
    })
  })

  // The schedule -------------------------------------------------------------------------------

  function scheduleView(programme: Programme, settings: OutcomeSettings, values: Body, errors?: unknown) {
    return {
      pageTitle: 'Outcome measures and when they are taken',
      back: { href: `/programmes/${programme.id}/outcomes`, text: 'Outcomes' },
      programme,
      instruments: instrumentsOf(settings).map((instrument) => {
        const chosen = ([] as unknown[]).concat(values[`stages.${instrument.id}`] ?? [])
        return {
          id: instrument.id,
          name: instrument.name,
          copyright: instrument.copyright,
          items: STAGES.map((stage) => ({
            value: stage,
            text: STAGE_LABELS[stage],
            checked: chosen.includes(stage),
          })),
        }
      }),
      hasStar: settings.star !== null,
      errors,
    }
  }

  app.get('/programmes/:id/outcomes/schedule', { config: { access: MANAGE } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const programme = await managedProgramme(db, request.user!, id)
    const settings = await getOutcomeSettings(db, id)
    const values = Object.fromEntries(settings.measures.map((m) => [`stages.${m.instrumentId}`, m.stages]))
    return reply.view('outcomes/views/schedule.njk', scheduleView(programme, settings, values))
  })

  app.post('/programmes/:id/outcomes/schedule', { config: SCHEDULE_FORM }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const programme = await managedProgramme(db, request.user!, id)
    const body = (request.body ?? {}) as Body
    const settings = await getOutcomeSettings(db, id)
    const parsed = parseScheduleForm(
      Object.fromEntries(Object.entries(body).filter(([key]) => key !== '_csrf')),
      instrumentsOf(settings),
    )
    if (!parsed.ok)
      return reply
        .status(400)
        .view(
          'outcomes/views/schedule.njk',
          scheduleView(programme, settings, body, formErrors(parsed.problems)),
        )
    await db.transaction().execute(async (trx) => {
      await updateOutcomeSettings(trx, id, { measures: parsed.value }, request.user!.id)
      await audit(trx, request.actor, {
        action: 'outcome-settings.update',
        recordType: 'programme',
        recordId: id,
        detail: { section: 'schedule', instruments: parsed.value.map((m) => m.instrumentId) },
      })
    })
    return reply.redirect(`/programmes/${id}/outcomes?saved=schedule`, 303)
  })

  // The star -----------------------------------------------------------------------------------

  function starView(programme: Programme, values: Body, errors?: unknown) {
    return {
      pageTitle: 'The programme’s star',
      back: { href: `/programmes/${programme.id}/outcomes`, text: 'Outcomes' },
      programme,
      values,
      errors,
    }
  }

  app.get('/programmes/:id/outcomes/star', { config: { access: MANAGE } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const programme = await managedProgramme(db, request.user!, id)
    const { star } = await getOutcomeSettings(db, id)
    const values = star
      ? {
          name: star.name,
          domains: star.domains
            .map((d) => (d.better === 'lower' ? `${d.label} | lower` : d.label))
            .join('\n'),
          scaleMin: String(star.scale?.min ?? 1),
          scaleMax: String(star.scale?.max ?? 10),
          minLabel: star.scale?.minLabel ?? '',
          maxLabel: star.scale?.maxLabel ?? '',
          existing: true,
        }
      : { scaleMin: '1', scaleMax: '10' }
    return reply.view('outcomes/views/star.njk', starView(programme, values))
  })

  app.post('/programmes/:id/outcomes/star', { config: { access: MANAGE } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const programme = await managedProgramme(db, request.user!, id)
    const body = (request.body ?? {}) as Body
    const parsed = parseStarForm(body)
    if (!parsed.ok)
      return reply
        .status(400)
        .view('outcomes/views/star.njk', starView(programme, body, formErrors(parsed.problems)))
    await db.transaction().execute(async (trx) => {
      const before = await getOutcomeSettings(trx, id)
      // A renamed star is a new instrument: move the schedule and payment rules across to it.
      const oldId = before.star ? `star:${before.star.id}` : undefined
      const newId = `star:${parsed.value.id}`
      const measures = before.measures.map((m) =>
        m.instrumentId === oldId ? { ...m, instrumentId: newId } : m,
      )
      const paymentRules =
        before.paymentRules && before.paymentRules.instrumentId === oldId
          ? { ...before.paymentRules, instrumentId: newId }
          : before.paymentRules
      await updateOutcomeSettings(trx, id, { star: parsed.value, measures, paymentRules }, request.user!.id)
      await audit(trx, request.actor, {
        action: 'outcome-settings.update',
        recordType: 'programme',
        recordId: id,
        detail: { section: 'star', domains: parsed.value.domains.length },
      })
    })
    return reply.redirect(`/programmes/${id}/outcomes?saved=star`, 303)
  })

  // Outcome payments (social impact bond) --------------------------------------------------------

  async function paymentsView(
    programme: Programme,
    settings: OutcomeSettings,
    values: Body,
    errors?: unknown,
  ) {
    const instruments = instrumentsOf(settings)
    const rules = settings.paymentRules
    const instrument = rules ? instruments.find((i) => i.id === rules.instrumentId) : undefined
    const summary =
      rules && instrument
        ? paymentSummary(instrument, await readingsByPerson(db, programme.id, instrument.id), rules)
        : undefined
    return {
      pageTitle: 'Outcome payments',
      back: { href: `/programmes/${programme.id}/outcomes`, text: 'Outcomes' },
      programme,
      summary: summary && {
        ...summary,
        share: percent(summary.shareImproved),
        rate: formatPounds(summary.perPersonImprovedPence),
        cap: summary.capPence === null ? 'No cap' : formatPounds(summary.capPence),
        payment: formatPounds(summary.paymentPence),
      },
      instrumentItems: [
        { value: '', text: 'Choose a measure' },
        ...instruments.map((i) => ({ value: i.id, text: i.name, selected: values.instrumentId === i.id })),
      ],
      values,
      errors,
    }
  }

  app.get('/programmes/:id/outcomes/payments', { config: { access: MANAGE } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const programme = await managedProgramme(db, request.user!, id)
    const settings = await getOutcomeSettings(db, id)
    const rules = settings.paymentRules
    const values = rules
      ? {
          instrumentId: rules.instrumentId,
          perPersonImproved: (rules.perPersonImprovedPence / 100).toFixed(2),
          cap: rules.capPence === null ? '' : (rules.capPence / 100).toFixed(2),
        }
      : {}
    const saved = (request.query as { saved?: string }).saved
    return reply.view('outcomes/views/payments.njk', {
      ...(await paymentsView(programme, settings, values)),
      flash: saved ? SAVED[saved] : undefined,
    })
  })

  app.post('/programmes/:id/outcomes/payments', { config: { access: MANAGE } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const programme = await managedProgramme(db, request.user!, id)
    const body = (request.body ?? {}) as Body
    const settings = await getOutcomeSettings(db, id)
    const parsed = parsePaymentForm(body, instrumentsOf(settings))
    if (!parsed.ok)
      return reply
        .status(400)
        .view(
          'outcomes/views/payments.njk',
          await paymentsView(programme, settings, body, formErrors(parsed.problems)),
        )
    await db.transaction().execute(async (trx) => {
      await updateOutcomeSettings(trx, id, { paymentRules: parsed.value }, request.user!.id)
      await audit(trx, request.actor, {
        action: 'outcome-settings.update',
        recordType: 'programme',
        recordId: id,
        detail: { section: 'payments', instrumentId: parsed.value.instrumentId },
      })
    })
    return reply.redirect(`/programmes/${id}/outcomes/payments?saved=payments`, 303)
  })

  // A person's measures ----------------------------------------------------------------------------

  app.get(
    '/outcomes/programmes/:programmeId/people/:personId',
    { config: { access: RECORD } },
    async (request, reply) => {
      const { programme, programmeId, personId } = await personInProgrammeOf(db, request, 'outcomes.read')
      const outcomes = await readPersonOutcomes(db, request.actor, personId, programmeId)
      const [person] = await readPersonSummaries(db, request.actor, [personId], { page: 'outcomes' })
      const saved = (request.query as { saved?: string }).saved
      return reply.view('outcomes/views/person.njk', {
        pageTitle: 'Outcome measures',
        back: { href: `/programmes/${programmeId}/outcomes`, text: 'Programme outcomes' },
        programme,
        person,
        instruments: outcomes.instruments.map((entry) => ({
          ...entry,
          record: (entry.stages.length > 0 ? entry.stages : STAGES).map((stage) => ({
            stage: STAGE_NAMES[stage],
            href: recordPath(programmeId, personId, entry.instrument.id, stage),
            shared: `${recordPath(programmeId, personId, entry.instrument.id, stage)}/shared`,
          })),
        })),
        due: STAGES.flatMap((stage) =>
          outcomes.due[stage].map((d) => ({ ...d, stageName: STAGE_NAMES[stage] })),
        ),
        stageNames: STAGE_NAMES,
        flash: saved === 'recorded' ? 'The answers have been recorded.' : undefined,
      })
    },
  )

  async function recordTarget(request: FastifyRequest) {
    const { programmeId, personId, instrumentId, stage } = request.params as {
      programmeId: string
      personId: string
      instrumentId: string
      stage: string
    }
    const programme = await programmeForPersonOrNotFound(
      db,
      request.user!,
      programmeId,
      personId,
      'outcomes.record',
    )
    const instrument = await programmeInstrument(db, programmeId, instrumentId)
    if (!instrument || !isStage(stage)) throw notFound()
    return { programme, personId, instrument, stage }
  }

  function recordView(
    target: Awaited<ReturnType<typeof recordTarget>>,
    shared: boolean,
    values: Record<string, unknown>,
    problems: FieldProblem[] = [],
  ) {
    const { programme, personId, instrument, stage } = target
    return {
      pageTitle: instrument.name,
      shared,
      back: shared
        ? undefined
        : { href: personOutcomesPath(programme.id, personId), text: 'Outcome measures' },
      programme,
      instrument,
      stageName: STAGE_NAMES[stage],
      action: `${recordPath(programme.id, personId, instrument.id, stage)}${shared ? '/shared' : ''}`,
      items: itemsView(instrument, values, problems),
      errors: problems.length > 0 ? formErrors(problems.map((p) => ({ ...p, field: p.field }))) : undefined,
    }
  }

  async function showRecord(request: FastifyRequest, reply: FastifyReply, shared: boolean) {
    const target = await recordTarget(request)
    return reply.view('outcomes/views/record.njk', recordView(target, shared, {}))
  }

  async function postRecord(request: FastifyRequest, reply: FastifyReply, shared: boolean) {
    const target = await recordTarget(request)
    const body = (request.body ?? {}) as Body
    const answers = answersOf(body, target.instrument)
    const checked = scoreAnswers(target.instrument, answers)
    if (!checked.ok) {
      // The error summary links to the first option of each question.
      const problems = checked.problems.map((p) => ({ ...p, field: `answers.${p.field}` }))
      const view = recordView(target, shared, answers, checked.problems)
      return reply.status(400).view('outcomes/views/record.njk', { ...view, errors: formErrors(problems) })
    }
    await recordReading(db, request.actor, {
      personId: target.personId,
      programmeId: target.programme.id,
      instrumentId: target.instrument.id,
      stage: target.stage,
      answers,
      enteredBy: shared ? 'person' : 'link_worker',
      takenAt: context.now().toISOString(),
    })
    const base = personOutcomesPath(target.programme.id, target.personId)
    return reply.redirect(shared ? `${base}/thank-you` : `${base}?saved=recorded`, 303)
  }

  const recordUrl = '/outcomes/programmes/:programmeId/people/:personId/record/:instrumentId/:stage'
  app.get(recordUrl, { config: { access: RECORD } }, (request, reply) => showRecord(request, reply, false))
  app.post(recordUrl, { config: { access: RECORD } }, (request, reply) => postRecord(request, reply, false))
  app.get(`${recordUrl}/shared`, { config: { access: RECORD } }, (request, reply) =>
    showRecord(request, reply, true),
  )
  app.post(`${recordUrl}/shared`, { config: { access: RECORD } }, (request, reply) =>
    postRecord(request, reply, true),
  )

  app.get(
    '/outcomes/programmes/:programmeId/people/:personId/thank-you',
    { config: { access: RECORD } },
    async (request, reply) => {
      const { programmeId, personId } = await personInProgrammeOf(db, request, 'outcomes.read')
      return reply.view('outcomes/views/thank-you.njk', {
        pageTitle: 'Thank you',
        shared: true,
        next: personOutcomesPath(programmeId, personId),
      })
    },
  )

  // JSON API -----------------------------------------------------------------------------------

  context.api.add({
    method: 'get',
    path: '/api/v1/programmes/{programmeId}/outcomes',
    summary: 'Paired change across the programme for each measure it records (counts and means only)',
    tags: ['Outcomes'],
  })
  app.get('/api/v1/programmes/:programmeId/outcomes', { config: { access: VIEW } }, async (request) => {
    const { programmeId } = request.params as { programmeId: string }
    await visibleProgramme(db, request.user!, programmeId)
    const settings = await getOutcomeSettings(db, programmeId)
    const instruments = []
    for (const instrument of instrumentsOf(settings)) {
      const people = await readingsByPerson(db, programmeId, instrument.id)
      if (people.length === 0) continue
      instruments.push({
        instrumentId: instrument.id,
        name: instrument.name,
        ...programmeChange(instrument, people),
      })
    }
    const rules = settings.paymentRules
    const payment = rules
      ? (() => {
          const instrument = instrumentsOf(settings).find((i) => i.id === rules.instrumentId)
          return instrument ? { instrument, rules } : undefined
        })()
      : undefined
    return {
      programmeId,
      schedule: settings.measures,
      instruments,
      outcomePayment: payment
        ? paymentSummary(
            payment.instrument,
            await readingsByPerson(db, programmeId, payment.instrument.id),
            payment.rules,
          )
        : null,
    }
  })

  const readingBody = z.object({
    instrumentId: z.string().min(1),
    stage: z.enum(STAGES),
    answers: z.record(z.string(), z.union([z.number(), z.string()])),
    takenAt: z.iso.datetime().optional(),
  })

  context.api.add({
    method: 'post',
    path: '/api/v1/programmes/{programmeId}/people/{personId}/outcome-readings',
    summary: 'Record a person’s answers to one of the programme’s outcome measures',
    tags: ['Outcomes'],
    parameters: [idempotencyParameter],
    requestBody: readingBody,
    response: z.object({
      id: z.string(),
      instrumentId: z.string(),
      scores: z.record(z.string(), z.number()),
    }),
  })
  app.post(
    '/api/v1/programmes/:programmeId/people/:personId/outcome-readings',
    { config: { access: RECORD } },
    async (request, reply) => {
      const { programmeId, personId } = await personInProgrammeOf(db, request, 'outcomes.record')
      const input = parseOrThrow(readingBody, request.body)
      return idempotent(db, request, reply, request.user!, async (trx) => {
        const reading = await recordReading(trx, request.actor, {
          personId,
          programmeId,
          instrumentId: input.instrumentId,
          stage: input.stage,
          answers: input.answers,
          enteredBy: 'link_worker',
          takenAt: input.takenAt ?? context.now().toISOString(),
        })
        return {
          status: 201,
          body: { id: reading.id, instrumentId: reading.instrumentId, scores: reading.scores },
        }
      })
    },
  )
}
