import type { Endpoint } from 'payload'
import { cancelRedemption as cancel } from '../../src/services/loyalty/redemptions'
import { idParam, requireCaller, staffMay } from '../guards'
import { forbidden } from '../../src/lib/errors'

/** POST /api/redemptions/:id/cancel — admins, or the member while it is pending. Points and stock go back once. */
export const cancelRedemption: Endpoint = {
  path: '/:id/cancel',
  method: 'post',
  handler: async (req) => {
    const caller = requireCaller(req)
    if (caller.kind === 'staff' && !staffMay(caller, ['super-admin', 'admin'])) throw forbidden()
    const result = await cancel(req.payload, idParam(req), { kind: caller.kind, id: caller.id })
    return Response.json({ redemption: result.redemption, pointsBalance: result.pointsBalance })
  },
}
