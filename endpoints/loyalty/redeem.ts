import type { Endpoint } from 'payload'
import { requestHash } from '../../src/domain/codes'
import { envInt } from '../../src/lib/env'
import { badRequest, forbidden } from '../../src/lib/errors'
import { redeemVoucher } from '../../src/services/loyalty/redemptions'
import { jsonBody, rateLimit, requireCaller, staffMay } from '../guards'

/**
 * POST /api/redemptions/redeem — body `{voucher}` (id or code); staff add `member`.
 * Honours Idempotency-Key. 201 `{redemption, pointsBalance}`; a replay answers 200.
 */
export const redeem: Endpoint = {
  path: '/redeem',
  method: 'post',
  handler: async (req) => {
    const caller = requireCaller(req)
    const body = await jsonBody(req)
    let memberId: number
    if (caller.kind === 'member') {
      if (body.member !== undefined && Number(body.member) !== caller.id) throw forbidden('Members can only redeem for themselves.')
      memberId = caller.id
    } else {
      if (!staffMay(caller, ['super-admin', 'admin'])) throw forbidden()
      memberId = Number(body.member)
      if (!Number.isInteger(memberId) || memberId <= 0) throw badRequest('`member` (a member id) is required when staff redeem.')
    }
    const voucher = body.voucher
    if (!(typeof voucher === 'string' && voucher.trim()) && !(typeof voucher === 'number' && Number.isInteger(voucher) && voucher > 0)) {
      throw badRequest('`voucher` (an id or a code) is required.')
    }
    const key = req.headers.get('idempotency-key')
    if (key !== null && (key.length === 0 || key.length > 200)) throw badRequest('Idempotency-Key must be 1 to 200 characters.')
    await rateLimit(req, `redeem:member:${memberId}`, envInt('RATE_LIMIT_REDEEM', 20), envInt('RATE_LIMIT_REDEEM_WINDOW_SECONDS', 10))

    const result = await redeemVoucher(req.payload, {
      memberId,
      voucher: voucher as string | number,
      idempotencyKey: key,
      requestHash: requestHash({ member: memberId, voucher }),
    })
    return Response.json(
      { redemption: result.redemption, pointsBalance: result.pointsBalance },
      { status: result.replayed ? 200 : 201, headers: result.replayed ? { 'Idempotent-Replayed': 'true' } : {} },
    )
  },
}
