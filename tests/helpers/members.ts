import type { Payload } from 'payload'
import { rows, sql, dbFor } from '../../src/lib/db/sql'
import { adjustMemberPoints } from '../../src/services/loyalty/adjust'
import { uniq } from './context'

export type MemberFixture = { id: number; email: string; password: string; token: string }

/** A storefront member with a session token, created through the trusted local API (signup bonus included). */
export async function createMember(payload: Payload, data: Record<string, unknown> = {}): Promise<MemberFixture> {
  const email = `${uniq('m')}@test.local`
  const password = `pw-${uniq()}`
  const doc = await payload.create({ collection: 'members', data: { email, password, name: 'Test Member', ...data } as never })
  const { token } = await payload.login({ collection: 'members', data: { email, password } })
  return { id: doc.id as number, email, password, token: token ?? '' }
}

/** Moves a member's balance to exactly `target` points with one adjustment (by a staff id, for the audit trail). */
export async function setBalance(payload: Payload, memberId: number, target: number, staffId: number): Promise<void> {
  const current = await balanceOf(payload, memberId)
  if (current !== target) await adjustMemberPoints(payload, { memberId, points: target - current, reason: 'test setup', staffId })
}

export async function balanceOf(payload: Payload, memberId: number): Promise<number> {
  const [m] = await rows<{ b: string }>(await dbFor(payload), sql`select points_balance as b from members where id = ${memberId}`)
  return Number(m.b)
}

/** The invariant: balance equals the sum of the ledger, and is not negative. */
export async function ledgerCheck(payload: Payload, memberId: number): Promise<{ balance: number; ledgerSum: number }> {
  const [r] = await rows<{ b: string; s: string }>(
    await dbFor(payload),
    sql`select m.points_balance as b, coalesce((select sum(points) from point_transactions where member_id = m.id), 0) as s
        from members m where m.id = ${memberId}`,
  )
  return { balance: Number(r.b), ledgerSum: Number(r.s) }
}

export async function createVoucher(payload: Payload, data: Record<string, unknown> = {}) {
  return payload.create({
    collection: 'vouchers',
    data: { code: uniq('V').toUpperCase(), name: 'Test voucher', pointsCost: 100, stock: 10, discountType: 'fixed', discountValue: 500, status: 'active', ...data } as never,
  })
}
