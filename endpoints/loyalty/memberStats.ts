import type { Endpoint } from 'payload'
import { getMemberStats, statsPeriod } from '../../src/services/loyalty/stats'
import { requireStaff } from '../guards'

/**
 * GET /api/members/stats?from&to&interval — staff who read loyalty data.
 * Members by status and tier (now), and new members per bucket of the period.
 */
export const memberStats: Endpoint = {
  path: '/stats',
  method: 'get',
  handler: async (req) => {
    requireStaff(req, ['super-admin', 'admin', 'moderator', 'support'])
    const period = await statsPeriod(req.payload, req.query)
    return Response.json(await getMemberStats(req.payload, period))
  },
}
