import type { Endpoint } from 'payload'
import { isValidPointsAmount } from '../../src/domain/loyalty'
import { badRequest } from '../../src/lib/errors'
import { adjustMemberPoints } from '../../src/services/loyalty/adjust'
import { jsonBody, requireStaff } from '../guards'

/** POST /api/point-transactions/adjust — admins; `{member, points, reason}`; never below zero. */
export const adjustPoints: Endpoint = {
  path: '/adjust',
  method: 'post',
  handler: async (req) => {
    const staff = requireStaff(req, ['super-admin', 'admin'])
    const body = await jsonBody(req)
    const member = Number(body.member)
    if (!Number.isInteger(member) || member <= 0) throw badRequest('`member` (a member id) is required.')
    if (!isValidPointsAmount(body.points)) throw badRequest('`points` must be a non-zero whole number.')
    const reason = typeof body.reason === 'string' ? body.reason.trim() : ''
    if (!reason) throw badRequest('`reason` is required for an adjustment.')
    if (reason.length > 500) throw badRequest('`reason` is too long (500 characters at most).')
    const result = await adjustMemberPoints(req.payload, { memberId: member, points: body.points, reason, staffId: staff.id })
    return Response.json(result, { status: 201 })
  },
}
