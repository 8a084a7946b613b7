// The self-care kiosk: a device signed in for its practice (the `kiosk` role), where anyone at
// the practice records their blood pressure, weight and height, and chooses whether to add them
// to their record: with their attendance card, with their date of birth and postcode, or not at
// all (the reading is kept anonymously and counted). The kiosk shows nothing about anyone: no
// name, no earlier readings, not even whether a date of birth and postcode found someone; only
// what was just entered, the BMI worked out from it, and advice to speak to reception when a
// reading is outside the healthy range. Programme managers see how many readings the kiosks of
// their programmes' practices took: figures only.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { auditMany, auditRefusal } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { organisationsWhere } from '../access/users.ts'
import { EXAMPLE_CODE } from '../attendance/cards.ts'
import { lookUpCard } from '../attendance/store.ts'
import { getProgramme, programmesManagedBy } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { londonDate } from '../web/format.ts'
import { formErrors } from '../web/forms.ts'
import { type FieldProblem, forbidden } from '../web/problem.ts'
import { kioskMatchByDetails, kioskPracticeForCard } from './access.ts'
import { LINK_ANCHORS, parseLinking } from './linking.ts'
import { assess, parseMeasurements } from './measurements.ts'
import { kioskPersonalData } from './personal-data.ts'
import {
  insertCardlessKioskReading,
  insertKioskReading,
  kioskReadingCounts,
  movePersonKioskReadings,
} from './store.ts'

const KIOSK = rolesAccess('kiosk')
/** The counts page: programme managers, for the practices their programmes cover. */
const MANAGE = rolesAccess('programme_manager')
const KIOSK_LIMIT = { max: 30, timeWindow: '1 minute' }

type Body = Record<string, unknown>

/** Nothing a kiosk shows may be kept by the browser for the next person to find. */
async function noStore(_request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  reply.header('cache-control', 'no-store')
  return payload
}

export function kioskRoutes(app: FastifyInstance, context: AppContext): void {
  context.personMerged.push(movePersonKioskReadings)
  context.personRecordParts.push(kioskPersonalData)
  const { db } = context

  context.homeCards.push({
    roles: ['kiosk'],
    heading: 'Start the kiosk',
    description:
      'Open the self-care kiosk page for people to record their blood pressure, weight and height.',
    href: '/kiosk',
    order: 10,
  })

  context.homeCards.push({
    roles: ['programme_manager'],
    heading: 'Kiosk readings',
    description:
      'See how many readings people took at the self-care kiosks of your programmes’ practices, and how many were added to a record.',
    href: '/kiosk/readings',
    order: 45,
  })

  const view = (values: Body, extra: Record<string, unknown> = {}) => ({
    pageTitle: 'Check your blood pressure, weight and BMI',
    exampleCode: EXAMPLE_CODE,
    values,
    ...extra,
  })

  app.get('/kiosk', { config: { access: KIOSK }, onSend: noStore }, async (_request, reply) =>
    reply.view('kiosk/views/kiosk.njk', view({})),
  )

  app.post(
    '/kiosk',
    { config: { access: KIOSK, rateLimit: KIOSK_LIMIT }, onSend: noStore },
    async (request, reply) => {
      const body = (request.body ?? {}) as Body
      const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '')
      const values: Record<string, string> = {
        link: text('link'),
        code: text('code'),
        'dateOfBirth-day': text('dateOfBirth-day'),
        'dateOfBirth-month': text('dateOfBirth-month'),
        'dateOfBirth-year': text('dateOfBirth-year'),
        postcode: text('postcode'),
        systolic: text('systolic'),
        diastolic: text('diastolic'),
        weightKg: text('weightKg'),
        heightCm: text('heightCm'),
      }
      const practices = organisationsWhere(request.user!, 'kiosk')
      if (practices.length === 0) throw forbidden()
      // Problems in the order of the page: the readings, then how to add them to a record.
      const problems: FieldProblem[] = []
      const measured = parseMeasurements(body)
      if (!measured.ok) problems.push(...measured.problems)
      const linking = parseLinking(body, londonDate(context.now()))
      if (!linking.ok) problems.push(...linking.problems)
      else values.link = linking.value.link
      let card: { id: string; personId: string; programmeId: string } | undefined
      let cardPractice: string | undefined
      if (linking.ok && linking.value.link === 'card') {
        const found = await lookUpCard(db, { scanned: text('scanned'), code: text('code') })
        if (!found.ok) problems.push({ field: 'code', message: found.message })
        else {
          cardPractice = await kioskPracticeForCard(db, practices, found.card)
          if (!cardPractice) {
            // A live card at a practice outside its programme: refused, and audited as a refusal.
            await auditRefusal(db, request.actor, {
              recordType: 'attendance-card',
              recordId: found.card.id,
              detail: { attempted: 'kiosk-reading.create', reason: 'practice-not-in-programme' },
            })
            problems.push({
              field: 'code',
              message:
                'This card is for a programme this practice is not part of, so it cannot be used at this kiosk',
            })
          } else card = found.card
        }
      }
      if (problems.length > 0 || !measured.ok || !linking.ok) {
        return reply
          .status(400)
          .view('kiosk/views/kiosk.njk', view(values, { errors: formErrors(problems, LINK_ANCHORS) }))
      }
      const result = assess(measured.value)
      const how = linking.value
      if (how.link === 'card' && card && cardPractice) {
        await insertKioskReading(db, request.actor, {
          cardId: card.id,
          personId: card.personId,
          programmeId: card.programmeId,
          organisationId: cardPractice,
          at: context.now(),
          result,
        })
        return reply.view('kiosk/views/done.njk', { pageTitle: 'Your readings', result, withCard: true })
      }
      await db.transaction().execute(async (trx) => {
        const match = how.link === 'details' ? await kioskMatchByDetails(trx, practices, how) : undefined
        // Finding people by date of birth and postcode reads their records: each is audited
        // (never with the details given).
        await auditMany(
          trx,
          request.actor,
          (match?.candidates ?? []).map((personId) => ({
            action: 'person.read',
            recordType: 'person',
            recordId: personId,
            detail: { via: 'kiosk-match', linked: personId === match?.link?.personId },
          })),
        )
        await insertCardlessKioskReading(trx, request.actor, {
          ...(match?.link ? { link: match.link } : {}),
          organisationId: match?.link?.organisationId ?? practices[0]!,
          at: context.now(),
          result,
        })
      })
      // The same screen whether or not anyone was found: the kiosk says nothing about who is known.
      return reply.view('kiosk/views/done.njk', { pageTitle: 'Your readings', result, withCard: false })
    },
  )

  // Counts for programme managers --------------------------------------------------------------

  app.get('/kiosk/readings', { config: { access: MANAGE } }, async (request, reply) => {
    const practices = new Map<string, string>()
    for (const summary of await programmesManagedBy(db, request.user!)) {
      const programme = await getProgramme(db, summary.id)
      for (const practice of programme?.practices ?? []) practices.set(practice.organisationId, practice.name)
    }
    const now = context.now()
    const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 60 * 60 * 1000)
    const periods = []
    for (const [heading, from] of [
      ['Last 30 days', daysAgo(30)],
      ['Last 12 months', daysAgo(365)],
    ] as const) {
      const rows = []
      for (const [organisationId, name] of [...practices].sort((a, b) => a[1].localeCompare(b[1]))) {
        const counts = await kioskReadingCounts(db, { organisationId, from, to: now })
        rows.push({ name, ...counts, total: counts.linked + counts.anonymous })
      }
      periods.push({ heading, from: from.toISOString(), to: now.toISOString(), rows })
    }
    return reply.view('kiosk/views/readings.njk', { pageTitle: 'Kiosk readings', periods })
  })
}
