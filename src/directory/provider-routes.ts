import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../web/context.ts'

export function providerRoutes(_app: FastifyInstance, _context: AppContext) {}
