import type { Endpoint } from 'payload'
import { useRedemption as markUsed } from '../../src/services/loyalty/redemptions'
import { idParam, requireStaff } from '../guards'

/** POST /api/redemptions/:id/use — staff, or an integration with the `redemptions_use` scope. */
export const useRedemption: Endpoint = {
  path: '/:id/use',
  method: 'post',
  handler: async (req) => {
    requireStaff(req, ['super-admin', 'admin', 'moderator', 'support'], 'redemptions_use')
    const redemption = await markUsed(req.payload, idParam(req))
    return Response.json({ redemption })
  },
}
