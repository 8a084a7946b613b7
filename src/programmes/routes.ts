// Programme pages: programme managers see and change their programmes' configuration, section by
// section; link workers of a programme read it. Every change is one transaction with its audit
// event. A programme the user neither manages nor works in answers 404. Each family of pages is in
// its own module, registered here in turn.

import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../web/context.ts'
import { programmeApiRoutes } from './api-routes.ts'
import { criteriaRoutes } from './criteria-routes.ts'
import { linkWorkerRoutes } from './link-worker-routes.ts'
import { programmeListRoutes } from './list-routes.ts'
import { practiceRoutes } from './practice-routes.ts'
import { retireRoutes } from './retire-routes.ts'
import { rulesTestRoutes } from './rules-test-routes.ts'
import { sectionRoutes } from './section-routes.ts'
import { serviceRoutes } from './service-routes.ts'

export function programmeRoutes(app: FastifyInstance, context: AppContext) {
  context.navigation.push({
    text: 'Programmes',
    href: '/programmes',
    roles: ['programme_manager', 'link_worker'],
    order: 40,
  })
  context.homeCards.push(
    {
      roles: ['programme_manager'],
      heading: 'Your programmes',
      description:
        'Set who can refer, who is eligible, the practices covered, the needs recorded, appointment and prescription rules, and your link workers.',
      href: '/programmes',
      order: 10,
    },
    {
      roles: ['link_worker'],
      heading: 'Your programmes',
      description:
        'Read the rules of the programmes you work in, the practices they cover and your working pattern.',
      href: '/programmes',
      order: 10,
    },
  )

  programmeListRoutes(app, context)
  sectionRoutes(app, context)
  programmeApiRoutes(app, context)
  retireRoutes(app, context)
  practiceRoutes(app, context)
  serviceRoutes(app, context)
  criteriaRoutes(app, context)
  rulesTestRoutes(app, context)
  linkWorkerRoutes(app, context)
}
