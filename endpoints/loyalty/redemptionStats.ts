import type { Endpoint } from 'payload'
import { getRedemptionStats, statsPeriod } from '../../src/services/loyalty/stats'
import { requireStaff } from '../guards'

/**
 * GET /api/redemptions/stats?from&to&interval — staff who read loyalty data.
 * Redemptions by status, and redeemed / used / cancelled / expired per bucket.
 */
export const redemptionStats: Endpoint = {
  path: '/stats',
  method: 'get',
  handler: async (req) => {
    requireStaff(req, ['super-admin', 'admin', 'moderator', 'support'])
    const period = await statsPeriod(req.payload, req.query)
    return Response.json(await getRedemptionStats(req.payload, period))
  },
}
