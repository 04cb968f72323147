import type { Endpoint } from 'payload'
import { badRequest } from '../../src/lib/errors'
import { refundTransaction as refund } from '../../src/services/commerce/payments'
import { idParam, jsonBody, requireStaff } from '../guards'

/** POST /api/transactions/:id/refund — admins refund a completed payment fully or partly: `{amount?, reason}`. 201 with the refund. */
export const refundTransaction: Endpoint = {
  path: '/:id/refund',
  method: 'post',
  handler: async (req) => {
    const caller = requireStaff(req, ['super-admin', 'admin'])
    const id = idParam(req)
    const body = await jsonBody(req)
    if (body.amount !== undefined && body.amount !== null && typeof body.amount !== 'number') throw badRequest('`amount` must be a number of minor units.', { field: 'amount' })
    if (typeof body.reason !== 'string') throw badRequest('`reason` is required.', { field: 'reason' })
    const tx = await refund(req.payload, { transactionId: id, amount: body.amount as number | undefined, reason: body.reason, createdBy: caller.id })
    const transaction = await req.payload.findByID({ collection: 'transactions', id: tx.id, depth: 0, overrideAccess: true })
    return Response.json({ transaction }, { status: 201 })
  },
}
