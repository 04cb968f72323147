import type { Endpoint } from 'payload'
import { getVoucherStats, statsPeriod, voucherListLimit } from '../../src/services/loyalty/stats'
import { requireStaff } from '../guards'

/**
 * GET /api/vouchers/stats?from&to&interval&limit — staff who read loyalty data.
 * Stock now, and redemptions per voucher in the period (most redeemed first, `limit` vouchers, default 100).
 */
export const voucherStats: Endpoint = {
  path: '/stats',
  method: 'get',
  handler: async (req) => {
    requireStaff(req, ['super-admin', 'admin', 'moderator', 'support'])
    const period = await statsPeriod(req.payload, req.query)
    const limit = voucherListLimit(req.query)
    return Response.json(await getVoucherStats(req.payload, period, limit))
  },
}
