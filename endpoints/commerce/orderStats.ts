import type { Endpoint } from 'payload'
import { getOrderStats } from '../../src/services/commerce/stats'
import { statsPeriod } from '../../src/services/loyalty/stats'
import { requireStaff } from '../guards'

/** GET /api/orders/stats — `from`, `to`, `interval`; commerce staff (and integrations reading orders). */
export const orderStats: Endpoint = {
  path: '/stats',
  method: 'get',
  handler: async (req) => {
    requireStaff(req, ['super-admin', 'admin', 'moderator', 'support'], 'orders_read')
    return Response.json(await getOrderStats(req.payload, await statsPeriod(req.payload, req.query)))
  },
}
