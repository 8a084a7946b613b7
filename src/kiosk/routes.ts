// The self-care kiosk: a device signed in for its practice (the `kiosk` role), where a person
// scans or types their attendance card and records their blood pressure, weight and height. The
// kiosk shows nothing about anyone: no name, no earlier readings; only what was just entered,
// the BMI worked out from it, and advice to speak to reception when a reading is outside the
// healthy range.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { auditRefusal } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { organisationsWhere } from '../access/users.ts'
import { EXAMPLE_CODE } from '../attendance/cards.ts'
import { lookUpCard } from '../attendance/store.ts'
import type { AppContext } from '../web/context.ts'
import { formErrors } from '../web/forms.ts'
import { type FieldProblem, forbidden } from '../web/problem.ts'
import { kioskPracticeForCard } from './access.ts'
import { assess, parseMeasurements } from './measurements.ts'
import { insertKioskReading, movePersonKioskReadings } from './store.ts'

const KIOSK = rolesAccess('kiosk')
const KIOSK_LIMIT = { max: 30, timeWindow: '1 minute' }

type Body = Record<string, unknown>

/** Nothing a kiosk shows may be kept by the browser for the next person to find. */
async function noStore(_request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  reply.header('cache-control', 'no-store')
  return payload
}

export function kioskRoutes(app: FastifyInstance, context: AppContext): void {
  context.personMerged.push(movePersonKioskReadings)
  const { db } = context

  context.homeCards.push({
    roles: ['kiosk'],
    heading: 'Start the kiosk',
    description:
      'Open the self-care kiosk page for people to record their blood pressure, weight and height.',
    href: '/kiosk',
    order: 10,
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
      const values = {
        code: text('code'),
        systolic: text('systolic'),
        diastolic: text('diastolic'),
        weightKg: text('weightKg'),
        heightCm: text('heightCm'),
      }
      const practices = organisationsWhere(request.user!, 'kiosk')
      if (practices.length === 0) throw forbidden()
      const problems: FieldProblem[] = []
      const found = await lookUpCard(db, { scanned: text('scanned'), code: text('code') })
      let card: { id: string; personId: string; programmeId: string } | undefined
      let practiceId: string | undefined
      if (!found.ok) problems.push({ field: 'code', message: found.message })
      else {
        practiceId = await kioskPracticeForCard(db, practices, found.card)
        if (!practiceId) {
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
      const measured = parseMeasurements(body)
      if (!measured.ok) problems.push(...measured.problems)
      if (problems.length > 0 || !card || !practiceId || !measured.ok) {
        return reply.status(400).view('kiosk/views/kiosk.njk', view(values, { errors: formErrors(problems) }))
      }
      const result = assess(measured.value)
      await insertKioskReading(db, request.actor, {
        cardId: card.id,
        personId: card.personId,
        programmeId: card.programmeId,
        organisationId: practiceId,
        at: context.now(),
        result,
      })
      return reply.view('kiosk/views/done.njk', { pageTitle: 'Your readings', result })
    },
  )
}
