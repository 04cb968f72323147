import type { Endpoint } from 'payload'
import { notFound, PatronError } from '../../src/lib/errors'
import { checkoutCart as checkout } from '../../src/services/commerce/carts'
import { jsonBody, rateLimit, requireCaller } from '../guards'

/**
 * POST /api/carts/:id/checkout — the signed-in member turns its cart (or an
 * anonymous cart it holds the id of) into a pending order:
 * `{deliveryAddress?, redemption?, customerNote?}`. 201 with the order.
 */
export const checkoutCart: Endpoint = {
  path: '/:id/checkout',
  method: 'post',
  handler: async (req) => {
    const caller = requireCaller(req)
    if (caller.kind !== 'member') throw new PatronError('FORBIDDEN', 'Only a signed-in member can check out a cart.', 403)
    const cartId = String(req.routeParams?.id ?? '')
    if (!/^[A-Za-z0-9_-]{10,64}$/.test(cartId)) throw notFound('Cart not found.')
    const body = await jsonBody(req)
    await rateLimit(req, `cart-checkout:${caller.id}`, 10, 60)
    const order = await checkout(req, {
      cartId,
      memberId: caller.id,
      deliveryAddress: body.deliveryAddress,
      redemption: body.redemption,
      customerNote: body.customerNote,
    })
    return Response.json({ order }, { status: 201 })
  },
}
