import type { Endpoint } from 'payload'
import { getOrderStats, ORDER_STATS_AREAS } from '../../src/services/commerce/stats'
import { statsPeriod } from '../../src/services/loyalty/stats'
import { requireStaff } from '../guards'
import { cachedStatsResponse } from '../loyalty/statsEndpoint'

/** GET /api/orders/stats — `from`, `to`, `interval`; commerce staff (and integrations reading orders). Cached briefly, invalidated by writes. */
export const orderStats: Endpoint = {
  path: '/stats',
  method: 'get',
  handler: async (req) => {
    requireStaff(req, ['super-admin', 'admin', 'moderator', 'support'], 'orders_read')
    const period = await statsPeriod(req.payload, req.query)
    return cachedStatsResponse(req, { name: 'orders', areas: ORDER_STATS_AREAS }, period, () => getOrderStats(req.payload, period))
  },
}
