// Casework's routes: the caseload, the case page and what a link worker does on it (appointments,
// the care and support plan, prescriptions, signposts, notes, exit), the diary, and the
// manager's lone-working view, each family in its own module, registered here in turn. Thin:
// parse, call cases.ts, render. Every read and change of a case is audited; a case the user may
// not see answers 404.

import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../web/context.ts'
import { caseworkApiRoutes } from './api-routes.ts'
import { appointmentRoutes } from './appointment-routes.ts'
import { assignmentRoutes } from './assignment-routes.ts'
import { caseRoutes } from './case-routes.ts'
import { caseloadRoutes } from './caseload-routes.ts'
import { openCaseForAcceptedReferral } from './cases.ts'
import { diaryRoutes } from './diary-routes.ts'
import { exitRoutes } from './exit-routes.ts'
import { casePersonRoutes } from './person-routes.ts'
import { caseworkPersonalData } from './personal-data.ts'
import { planRoutes } from './plan-routes.ts'
import { prescriptionRoutes } from './prescription-routes.ts'
import { reviewRoutes } from './review-routes.ts'
import { movePersonCases } from './store.ts'

export async function caseworkRoutes(app: FastifyInstance, context: AppContext) {
  context.personMerged.push(movePersonCases)
  context.personRecordParts.push(caseworkPersonalData)

  // An accepted referral to a link-worker programme opens a case, in the acceptance's transaction.
  context.referralAccepted.push(openCaseForAcceptedReferral)
  // The person's details, changed from the case.
  casePersonRoutes(app, context)

  // Booking, recording and moving appointments; prescriptions' pages and their reviews.
  await appointmentRoutes(app, context)
  await reviewRoutes(app, context)

  context.navigation.push({
    text: 'Caseload',
    href: '/casework',
    roles: ['link_worker', 'programme_manager'],
    order: 30,
  })
  context.navigation.push({ text: 'Diary', href: '/casework/diary', roles: ['link_worker'], order: 31 })
  context.homeCards.push({
    roles: ['link_worker', 'programme_manager'],
    heading: 'Caseload',
    description: 'The people you support: who is waiting, next appointments, reviews due',
    href: '/casework',
    order: 30,
  })

  caseloadRoutes(app, context)
  // The case page, its notes and needs.
  caseRoutes(app, context)
  planRoutes(app, context)
  // Prescriptions, signposts and onward referrals.
  prescriptionRoutes(app, context)
  // Exit and the GP summary; assignment and the supporting worker.
  exitRoutes(app, context)
  assignmentRoutes(app, context)
  // The diary and lone working.
  diaryRoutes(app, context)
  caseworkApiRoutes(app, context)
}
