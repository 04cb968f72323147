import type { Endpoint } from 'payload'
import { PAYMENT_METHODS } from '../../collections/commerce/Transactions'
import { badRequest } from '../../src/lib/errors'
import { recordManualPayment } from '../../src/services/commerce/payments'
import { idParam, jsonBody, requireStaff } from '../guards'

/** POST /api/orders/:id/payments — admins record money received outside Stripe: `{amount, method, reason?}`. 201 with the transaction. */
export const recordPayment: Endpoint = {
  path: '/:id/payments',
  method: 'post',
  handler: async (req) => {
    const caller = requireStaff(req, ['super-admin', 'admin'])
    const id = idParam(req)
    const body = await jsonBody(req)
    const method = body.method ?? 'bank_transfer'
    if (typeof method !== 'string' || !(PAYMENT_METHODS as readonly string[]).includes(method) || method === 'card') {
      throw badRequest('`method` must be bank_transfer, cash, credit or other (cards go through Stripe).', { field: 'method' })
    }
    if (body.reason !== undefined && typeof body.reason !== 'string') throw badRequest('`reason` must be text.', { field: 'reason' })
    const tx = await recordManualPayment(req.payload, { orderId: id, amount: body.amount as number, method, reason: body.reason as string | undefined, createdBy: caller.id })
    const transaction = await req.payload.findByID({ collection: 'transactions', id: tx.id, depth: 0, overrideAccess: true })
    return Response.json({ transaction }, { status: 201 })
  },
}
