// Lists of referrals: the referrer's own ("My referrals"), the receiving team's inbox (their own,
// or all the team receives), and every referral of a programme for its managers.

import type { FastifyInstance } from 'fastify'
import { type Actor, auditRefusal } from '../access/audit.ts'
import { isId } from '../db/ids.ts'
import { readPersonSummaries } from '../people/records.ts'
import { canManage, getProgrammeForReferral, programmesManagedBy } from '../programmes/store.ts'
import type { AppContext } from '../web/context.ts'
import { notFound } from '../web/problem.ts'
import {
  namedForOthers,
  type Referral,
  referralsOfProgramme,
  referralsReceivedBy,
  referralsSentBy,
} from './index.ts'
import { OPEN_STATUSES } from './lifecycle.ts'
import { present, RECEIVE, REFER } from './route-kit.ts'

async function namesOf(db: AppContext['db'], actor: Actor, referrals: Referral[], why: string) {
  const people = await readPersonSummaries(
    db,
    actor,
    referrals.map((r) => r.personId),
    { via: why },
  )
  return new Map(people.map((p) => [p.id, `${p.givenName} ${p.familyName}`]))
}

export function referralListRoutes(app: FastifyInstance, context: AppContext) {
  const { db } = context

  app.get('/referrals', { config: { access: REFER } }, async (request, reply) => {
    const referrals = await referralsSentBy(db, request.user!.id)
    // A referrer's list names people as they gave them: it reads no one's record.
    const names = new Map(
      referrals.map((r) => [
        r.personId,
        r.personAsGiven ? `${r.personAsGiven.givenName} ${r.personAsGiven.familyName}` : '',
      ]),
    )
    return reply.view('referrals/views/mine.njk', {
      pageTitle: 'My referrals',
      referrals: referrals.map((r) => present(r, names)),
    })
  })

  app.get('/referrals/inbox', { config: { access: RECEIVE } }, async (request, reply) => {
    const query = request.query as { show?: string; list?: string }
    const all = query.show === 'all'
    const team = query.list === 'all'
    const received = await referralsReceivedBy(db, request.user!, all ? {} : { statuses: OPEN_STATUSES })
    // A practice's referrals reach its named link worker first: the others' inboxes leave them
    // out, and "All referrals" shows every one the team receives.
    const forOthers = await namedForOthers(db, request.user!, received)
    const referrals = team ? received : received.filter((r) => !forOthers.has(r.id))
    const names = await namesOf(db, request.actor, referrals, 'inbox')
    const shown = referrals.map((r) => ({
      ...present(r, names),
      namedElsewhere: forOthers.has(r.id),
    }))
    const suffix = all ? '&show=all' : ''
    return reply.view('referrals/views/inbox.njk', {
      pageTitle: team ? 'All referrals' : 'Referral inbox',
      managed: await programmesManagedBy(db, request.user!),
      all,
      team,
      hasTeamList: forOthers.size > 0 || team,
      lists: [
        { href: `/referrals/inbox${all ? '?show=all' : ''}`, text: 'Your referrals', current: !team },
        { href: `/referrals/inbox?list=all${suffix}`, text: 'All referrals', current: team },
      ],
      finishedLink: all
        ? { href: team ? '/referrals/inbox?list=all' : '/referrals/inbox', text: 'Show open referrals only' }
        : {
            href: team ? '/referrals/inbox?list=all&show=all' : '/referrals/inbox?show=all',
            text: 'Show finished referrals too',
          },
      awaiting: shown.filter((r) => r.status === 'requested' || r.status === 'received'),
      others: shown.filter((r) => r.status !== 'requested' && r.status !== 'received'),
    })
  })

  // Every referral of a programme, to it or to the services run for it, for its managers (East
  // Riding's public health sees the referrals its GPs make to its services).
  app.get('/referrals/programmes/:id', { config: { access: RECEIVE } }, async (request, reply) => {
    const { id } = request.params as { id: string }
    const programme = isId(id) ? await getProgrammeForReferral(db, id) : undefined
    if (!programme || !canManage(request.user!, programme)) {
      if (programme) await auditRefusal(db, request.actor, { recordType: 'programme', recordId: id })
      throw notFound()
    }
    const referrals = await referralsOfProgramme(db, programme.id)
    const names = await namesOf(db, request.actor, referrals, 'programme-referrals')
    return reply.view('referrals/views/programme.njk', {
      pageTitle: `Referrals to ${programme.name}`,
      programme,
      referrals: referrals.map((r) => present(r, names)),
      back: { href: '/referrals/inbox', text: 'Referral inbox' },
    })
  })
}
