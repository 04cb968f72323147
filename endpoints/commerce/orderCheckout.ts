import type { Endpoint } from 'payload'
import { resellerOf } from '../../collections/access/resellerUser'
import { notFound } from '../../src/lib/errors'
import { createOrderPaymentIntent } from '../../src/services/commerce/payments'
import { idParam, rateLimit, requireCaller } from '../guards'

/**
 * POST /api/orders/:id/checkout — the order's owner (its member, or its
 * reseller) starts a card payment for what is due: `{clientSecret, paymentIntentId, amount, currency}`.
 */
export const orderCheckout: Endpoint = {
  path: '/:id/checkout',
  method: 'post',
  handler: async (req) => {
    const caller = requireCaller(req)
    const id = idParam(req)
    const order = await req.payload.findByID({ collection: 'orders', id, depth: 0, req, overrideAccess: true, disableErrors: true })
    const owner =
      (caller.kind === 'member' && Number(order?.member) === caller.id) ||
      (caller.kind === 'staff' && caller.role === 'reseller' && order?.reseller !== null && Number(order?.reseller) === resellerOf({ req }))
    // Someone else's order looks like no order at all.
    if (!order || !owner) throw notFound('Order not found.')
    await rateLimit(req, `checkout:${caller.kind}:${caller.id}`, 10, 60)
    return Response.json(await createOrderPaymentIntent(req.payload, id))
  },
}
