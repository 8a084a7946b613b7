// The diary (a worker's appointments by day or week, where their working pattern puts them, and
// clashes) and the manager's lone-working view of home visits.

import type { FastifyInstance } from 'fastify'
import { audit } from '../access/audit.ts'
import { rolesAccess } from '../access/permissions.ts'
import { readPerson, readPersonSummaries } from '../people/records.ts'
import { APPOINTMENT_KIND_LABELS, APPOINTMENT_MODE_LABELS, WEEKDAYS } from '../programmes/config.ts'
import { getProgramme, programmesOfUser, workingPatternOf } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { type Body, VIEW } from './route-kit.ts'
import {
  APPOINTMENT_STATUS_LABELS,
  addDays,
  clashes,
  londonDate,
  londonToUtc,
  overran,
  weekStart,
} from './rules.ts'
import { type Home, homeFor } from './services.ts'
import { diaryOf, homeVisitsOf } from './store.ts'

export function diaryRoutes(app: FastifyInstance, context: AppContext): void {
  const { db } = context

  app.get('/casework/diary', { config: { access: VIEW } }, async (request, reply) => {
    const query = request.query as Body
    const user = request.user!
    const today = londonDate(context.now())
    const date =
      typeof query.date === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(query.date) &&
      !Number.isNaN(Date.parse(query.date))
        ? query.date
        : today
    const week = query.view === 'week'
    // A manager may look at the diary of any link worker in the programmes they manage.
    const programmes = await programmesOfUser(db, user)
    const workers = new Map<string, string>([[user.id, 'You']])
    const managed = (
      await Promise.all(programmes.filter((p) => p.manages).map((p) => getProgramme(db, p.id)))
    ).filter((p) => p !== undefined)
    for (const p of managed)
      for (const w of p.linkWorkers) if (!workers.has(w.userId)) workers.set(w.userId, w.name)
    const worker = typeof query.worker === 'string' && workers.has(query.worker) ? query.worker : user.id
    // The worker's pattern (Merton: two days a week in each practice): where they are each weekday.
    const pattern = await workingPatternOf(
      db,
      worker,
      programmes.map((p) => p.id),
    )
    const whereOn = (day: string) => {
      const weekday = WEEKDAYS[(new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7]
      return programmes.flatMap((p) =>
        pattern
          .filter((d) => d.programmeId === p.id && d.weekday === weekday)
          .map((d) => `${p.name}: ${d.practiceName ?? 'away from practices'}`),
      )
    }
    const first = week ? weekStart(date) : date
    const days = Array.from({ length: week ? 7 : 1 }, (_, i) => addDays(first, i))
    const from = londonToUtc(first, '00:00')!
    const to = londonToUtc(addDays(first, days.length), '00:00')!
    // Another worker's diary shows only the appointments in the programmes the manager manages: a
    // worker in two schemes keeps the other scheme's people from this one's manager.
    const rows = await diaryOf(
      db,
      worker,
      from,
      to,
      worker === user.id ? undefined : managed.map((p) => p.id),
    )
    const clashing = clashes(rows)
    // The people read and the diary's audit event in one transaction.
    const people = await db.transaction().execute(async (trx) => {
      const found = new Map(
        (
          await readPersonSummaries(trx, request.actor, [...new Set(rows.map((r) => r.personId))], {
            via: 'diary',
          })
        ).map((p) => [p.id, p]),
      )
      await audit(trx, request.actor, {
        action: 'case.diary-read',
        detail: { days: days.length, count: rows.length, own: worker === user.id },
      })
      return found
    })
    // Where each home visit is: the address of the person visited.
    const homes = new Map<string, Home>()
    for (const personId of new Set(rows.filter((r) => r.mode === 'home_visit').map((r) => r.personId))) {
      const person = await readPerson(db, request.actor, personId, { via: 'diary-home-visit' })
      if (person) homes.set(personId, await homeFor(db, person))
    }
    const byDay = days.map((day) => ({
      day,
      where: whereOn(day),
      appointments: rows
        .filter((r) => londonDate(new Date(r.startsAt)) === day)
        .map((r) => {
          const person = people.get(r.personId)
          return {
            ...r,
            name: person ? `${person.givenName} ${person.familyName}` : 'Unknown',
            home: r.mode === 'home_visit' ? (homes.get(r.personId) ?? null) : null,
            kindLabel: APPOINTMENT_KIND_LABELS[r.kind],
            modeLabel: APPOINTMENT_MODE_LABELS[r.mode],
            statusLabel: APPOINTMENT_STATUS_LABELS[r.status],
            clash: clashing.has(r.id),
          }
        }),
    }))
    return reply.view('casework/views/diary.njk', {
      pageTitle: week ? 'Diary: week' : 'Diary: day',
      week,
      date,
      byDay,
      clashes: clashing.size,
      worker,
      workerName: workers.get(worker),
      workerItems: [...workers].map(([value, text]) => ({ value, text, selected: value === worker })),
      previous: addDays(first, week ? -7 : -1),
      next: addDays(first, week ? 7 : 1),
    })
  })

  app.get(
    '/casework/lone-working',
    { config: { access: rolesAccess('programme_manager') } },
    async (request, reply) => {
      const now = context.now()
      const managed = (await programmesOfUser(db, request.user!)).filter((p) => p.manages)
      const visits = await homeVisitsOf(
        db,
        managed.map((p) => p.id),
        addDays(londonDate(now), -14),
      )
      const people = new Map(
        (
          await readPersonSummaries(db, request.actor, [...new Set(visits.map((v) => v.personId))], {
            via: 'lone-working',
          })
        ).map((p) => [p.id, p]),
      )
      await audit(db, request.actor, { action: 'case.lone-working-read', detail: { count: visits.length } })
      const rows = visits.map((v) => {
        const person = people.get(v.personId)
        return {
          ...v,
          name: person ? `${person.givenName} ${person.familyName}` : 'Unknown',
          overran: overran(v, now),
          stillThere: !v.departedAt,
        }
      })
      return reply.view('casework/views/lone-working.njk', {
        pageTitle: 'Lone working: home visits',
        overruns: rows.filter((r) => r.overran),
        others: rows.filter((r) => !r.overran),
      })
    },
  )
  context.navigation.push({
    text: 'Lone working',
    href: '/casework/lone-working',
    roles: ['programme_manager'],
    order: 32,
  })
}
