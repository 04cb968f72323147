import type { Endpoint } from 'payload'
import { resellerOf } from '../../collections/access/resellerUser'
import { badRequest, forbidden } from '../../src/lib/errors'
import { transitionOrder as transition, type OrderActor } from '../../src/services/commerce/orders'
import { idParam, jsonBody, requireCaller } from '../guards'

/**
 * POST /api/orders/:id/transition — body `{status, note?, trackingNumber?}`.
 * Order handlers move any order; a reseller login confirms or cancels its own;
 * a member cancels its own pending order. 200 with the order after the move;
 * 409 INVALID_TRANSITION / OUT_OF_STOCK / CREDIT_LIMIT_EXCEEDED change nothing.
 */
export const transitionOrder: Endpoint = {
  path: '/:id/transition',
  method: 'post',
  handler: async (req) => {
    const caller = requireCaller(req)
    const id = idParam(req)
    const body = await jsonBody(req)
    if (typeof body.status !== 'string') throw badRequest('`status` is required.', { field: 'status' })
    for (const key of ['note', 'trackingNumber'] as const) {
      if (body[key] !== undefined && body[key] !== null && (typeof body[key] !== 'string' || (body[key] as string).length > 1000)) {
        throw badRequest(`\`${key}\` must be text of at most 1000 characters.`, { field: key })
      }
    }
    let actor: OrderActor
    if (caller.kind === 'member') actor = { kind: 'member', id: caller.id }
    else if (caller.role === 'integration') throw forbidden()
    else actor = { kind: 'staff', id: caller.id, role: caller.role, reseller: resellerOf({ req }) }
    await transition(req.payload, { orderId: id, to: body.status, actor, note: body.note as string | undefined, trackingNumber: body.trackingNumber as string | undefined }, req)
    const order = await req.payload.findByID({ collection: 'orders', id, depth: 0, req, overrideAccess: false })
    return Response.json({ order })
  },
}
