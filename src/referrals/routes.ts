// Referral pages and the referrals JSON API. Referrers make referrals and follow them on "My
// referrals"; the receiving team works from its inbox; people refer themselves where a target
// allows it. A referral the user is neither the referrer nor the receiver of answers 404.
//
// The pages and the API live by what they are for: list-routes.ts (My referrals, the inbox, a
// programme's referrals), making-routes.ts (the referral form and self-referral),
// referral-routes.ts (one referral) and api-routes.ts (the JSON API); route-kit.ts holds what
// they share.

import type { FastifyInstance } from 'fastify'
import { serviceStatistics } from '../directory/index.ts'
import type { AppContext } from '../web/context.ts'
import { referralApiRoutes } from './api-routes.ts'
import { GroupCommit } from './group-commit.ts'
import {
  applyReplyDeadlines,
  describeStatistics,
  serviceStatistics as replyStatisticsOfService,
} from './index.ts'
import { referralListRoutes } from './list-routes.ts'
import { makingReferralRoutes } from './making-routes.ts'
import { referralsPersonalData } from './personal-data.ts'
import { referralPageRoutes } from './referral-routes.ts'
import { movePersonReferrals } from './store.ts'

/** The lines the directory's service page shows, from this service's referrals. */
async function statisticsLines(db: AppContext['db'], serviceId: string) {
  return describeStatistics(await replyStatisticsOfService(db, serviceId)).map((text) => ({ text }))
}

export function referralRoutes(app: FastifyInstance, context: AppContext) {
  context.personMerged.push(movePersonReferrals)
  context.personRecordParts.push(referralsPersonalData)
  const { db } = context
  // Referrals submitted together share one commit (group-commit.ts).
  const writer = new GroupCommit(db)
  app.decorate('referralWrites', writer.counts)
  // Referrals made elsewhere (BaRS messages through FHIR) share the same commits.
  context.writeReferral = (work) => writer.run(work)

  context.navigation.push(
    { text: 'Refer yourself', href: '/self-referral', roles: [], order: 20, public: true },
    { text: 'My referrals', href: '/referrals', roles: ['referrer'], order: 20 },
    {
      text: 'Referral inbox',
      href: '/referrals/inbox',
      roles: ['link_worker', 'provider', 'programme_manager'],
      order: 25,
    },
  )
  context.homeCards.push(
    {
      roles: ['referrer'],
      heading: 'Make a referral',
      description: 'Check whether someone fits a programme or service, and refer them with their consent.',
      href: '/referrals/new',
      order: 5,
    },
    {
      roles: ['referrer'],
      heading: 'My referrals',
      description: 'Follow the referrals you made, with every change of status.',
      href: '/referrals',
      order: 6,
    },
    {
      roles: ['link_worker', 'provider'],
      heading: 'Referral inbox',
      description: 'New referrals to your team: accept or decline them with a reason.',
      href: '/referrals/inbox',
      order: 5,
    },
  )
  if (!serviceStatistics.includes(statisticsLines)) serviceStatistics.push(statisticsLines)
  context.jobs.add({
    name: 'referrals.reply-deadlines',
    every: 15 * 60_000,
    run: (jobDb, now) => applyReplyDeadlines(jobDb, now),
  })

  referralListRoutes(app, context)
  makingReferralRoutes(app, context, writer)
  referralPageRoutes(app, context)
  referralApiRoutes(app, context, writer)
}
