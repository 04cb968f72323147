import type { Endpoint } from 'payload'
import { getLedgerStats, statsPeriod } from '../../src/services/loyalty/stats'
import { requireStaff } from '../guards'

/**
 * GET /api/point-transactions/stats?from&to&interval — staff who read loyalty data.
 * Points earned, redeemed, expired, refunded and adjusted per bucket, and the outstanding liability.
 */
export const ledgerStats: Endpoint = {
  path: '/stats',
  method: 'get',
  handler: async (req) => {
    requireStaff(req, ['super-admin', 'admin', 'moderator', 'support'])
    const period = await statsPeriod(req.payload, req.query)
    return Response.json(await getLedgerStats(req.payload, period))
  },
}
