// The community capability's routes: volunteering on prescription, groups and their support,
// and link workers' training. Each part registers its own pages; this adds them in order.

import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../web/context.ts'
import { communityApiRoutes } from './api-routes.ts'
import { groupRoutes } from './groups-routes.ts'
import { movePersonPlacements } from './store.ts'
import { trainingRoutes } from './training-routes.ts'
import { volunteeringPanel, volunteeringRoutes } from './volunteering-routes.ts'

export function communityRoutes(app: FastifyInstance, context: AppContext): void {
  context.personMerged.push(movePersonPlacements)
  context.casePanels.push(volunteeringPanel)
  volunteeringRoutes(app, context)
  groupRoutes(app, context)
  trainingRoutes(app, context)
  communityApiRoutes(app, context)
}
