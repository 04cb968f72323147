import type { Endpoint } from 'payload'
import { verifyWebhook } from '../../src/lib/stripe'
import { handleStripeEvent } from '../../src/services/commerce/payments'

/**
 * POST /api/stripe/webhooks — Stripe's event deliveries. The signature is
 * checked on the raw body (400 and nothing changes if it is bad or stale);
 * each event id is applied once, so redeliveries answer 200 and change nothing.
 */
export const stripeWebhook: Endpoint = {
  path: '/stripe/webhooks',
  method: 'post',
  handler: async (req) => {
    const raw = req.text ? await req.text() : ''
    const event = verifyWebhook(raw, req.headers.get('stripe-signature'))
    const result = await handleStripeEvent(req.payload, event)
    return Response.json({ received: true, ...result })
  },
}
