import type { Endpoint, Payload, PayloadRequest } from 'payload'
import type { Period } from '../../src/domain/periods'
import { statsPeriod } from '../../src/services/loyalty/stats'
import { requireStaff } from '../guards'

/** Staff who read loyalty statistics. */
export const LOYALTY_STATS_ROLES = ['super-admin', 'admin', 'moderator', 'support'] as const

/**
 * `GET /stats` on a loyalty collection: checks the caller, parses
 * `from`/`to`/`interval` (400 on bad input), and answers what `compute` returns.
 */
export function loyaltyStatsEndpoint(compute: (payload: Payload, period: Period, req: PayloadRequest) => Promise<unknown>): Endpoint {
  return {
    path: '/stats',
    method: 'get',
    handler: async (req) => {
      requireStaff(req, [...LOYALTY_STATS_ROLES])
      const period = await statsPeriod(req.payload, req.query)
      return Response.json(await compute(req.payload, period, req))
    },
  }
}
