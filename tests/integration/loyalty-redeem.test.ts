import pg from 'pg'
import { beforeAll, describe, expect, it } from 'vitest'
import { allowComputedWrites, COMPUTED_WRITES_FOR_TRANSACTION, dbFor, inTransaction, rows, sql, type Db } from '../../src/lib/db/sql'
import { getTestContext, uniq, type TestContext } from '../helpers/context'
import { balanceOf, createMember, createVoucher, ledgerCheck, setBalance, type MemberFixture } from '../helpers/members'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

let ctx: TestContext
let admin: StaffFixture
let support: StaffFixture
let moderator: StaffFixture

beforeAll(async () => {
  ctx = await getTestContext()
  admin = await createStaff(ctx.payload, ctx.api, 'admin')
  support = await createStaff(ctx.payload, ctx.api, 'support')
  moderator = await createStaff(ctx.payload, ctx.api, 'moderator')
})

const redeem = (m: MemberFixture, voucher: number | string, key?: string, extra: Record<string, unknown> = {}) =>
  rest(`${ctx.api}/redemptions/redeem`, { token: m.token, body: { voucher, ...extra }, headers: key ? { 'Idempotency-Key': key } : {} })

const stockOf = async (id: number) => (await ctx.payload.findByID({ collection: 'vouchers', id })).stock

async function memberWith(points: number): Promise<MemberFixture> {
  const m = await createMember(ctx.payload)
  await setBalance(ctx.payload, m.id, points, admin.id)
  return m
}

describe('POST /api/redemptions/redeem', () => {
  it('deducts points, takes stock and records the redemption and ledger entry together', async () => {
    const v = await createVoucher(ctx.payload, { pointsCost: 150, stock: 5 })
    const m = await memberWith(400)
    const res = await redeem(m, v.id)
    expect(res.status).toBe(201)
    expect(res.body.pointsBalance).toBe(250)
    expect(res.body.redemption).toMatchObject({ member: m.id, voucher: v.id, pointsUsed: 150, status: 'pending' })
    expect(res.body.redemption.redemptionCode).toMatch(/^RD-[0-9A-Z]{8}$/)
    expect(await stockOf(v.id as number)).toBe(4)
    expect(await ledgerCheck(ctx.payload, m.id)).toEqual({ balance: 250, ledgerSum: 250 })
    const entry = await ctx.payload.find({ collection: 'point-transactions', where: { redemption: { equals: res.body.redemption.id } } })
    expect(entry.docs[0]).toMatchObject({ type: 'redeem', points: -150, balanceAfter: 250 })
  })

  it('finds the voucher by code as well as by id', async () => {
    const v = await createVoucher(ctx.payload, { pointsCost: 10 })
    const m = await memberWith(10)
    const res = await redeem(m, String(v.code).toLowerCase())
    expect(res.status).toBe(201)
    expect(res.body.redemption.voucher).toBe(v.id)
  })

  it('50 concurrent redemptions of a voucher with stock 10: exactly 10 succeed', async () => {
    const v = await createVoucher(ctx.payload, { pointsCost: 100, stock: 10 })
    const members = await Promise.all(Array.from({ length: 50 }, () => memberWith(300)))
    const results = await Promise.all(members.map((m) => redeem(m, v.id)))
    const ok = results.filter((r) => r.status === 201)
    expect(ok).toHaveLength(10)
    expect(results.filter((r) => r.status === 409).every((r) => r.body.errors[0].code === 'OUT_OF_STOCK')).toBe(true)
    expect(results.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([])
    expect(await stockOf(v.id as number)).toBe(0)
    for (const m of members) {
      const { balance, ledgerSum } = await ledgerCheck(ctx.payload, m.id)
      expect(balance).toBe(ledgerSum)
      expect(balance).toBeGreaterThanOrEqual(0)
    }
    const [{ n }] = await rows<{ n: number }>(await dbFor(ctx.payload), sql`select count(*)::int as n from redemptions where voucher_id = ${v.id}`)
    expect(n).toBe(10)
  })

  it('50 concurrent redemptions by one member whose points cover 3: exactly 3 succeed', async () => {
    const v = await createVoucher(ctx.payload, { pointsCost: 100, stock: 100 })
    const m = await memberWith(300)
    const results = await Promise.all(Array.from({ length: 50 }, () => redeem(m, v.id)))
    expect(results.filter((r) => r.status === 201)).toHaveLength(3)
    // The rest are refused for points, or by the per-member rate limit first.
    for (const r of results.filter((x) => x.status !== 201)) {
      expect([409, 429]).toContain(r.status)
      if (r.status === 409) expect(r.body.errors[0].code).toBe('INSUFFICIENT_POINTS')
    }
    expect(await ledgerCheck(ctx.payload, m.id)).toEqual({ balance: 0, ledgerSum: 0 })
    expect(await stockOf(v.id as number)).toBe(97)
  })

  it('one Idempotency-Key creates one redemption, even when sent concurrently', async () => {
    const v = await createVoucher(ctx.payload, { pointsCost: 50, stock: 20 })
    const m = await memberWith(1000)
    const key = uniq('idem')
    const first = await redeem(m, v.id, key)
    expect(first.status).toBe(201)
    const again = await redeem(m, v.id, key)
    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
    const burst = await Promise.all(Array.from({ length: 10 }, () => redeem(m, v.id, key)))
    expect(burst.every((r) => r.status === 200 && r.body.redemption.id === first.body.redemption.id)).toBe(true)
    expect((await ctx.payload.count({ collection: 'redemptions', where: { member: { equals: m.id } } })).totalDocs).toBe(1)
    expect(await balanceOf(ctx.payload, m.id)).toBe(950)

    // Ten requests racing with one fresh key (another member, to stay under the per-member rate limit).
    const racer = await memberWith(1000)
    const concurrentKey = uniq('idem')
    const racing = await Promise.all(Array.from({ length: 10 }, () => redeem(racer, v.id, concurrentKey)))
    expect(racing.filter((r) => r.status === 201)).toHaveLength(1)
    expect(racing.filter((r) => r.status === 200)).toHaveLength(9)
    expect(new Set(racing.map((r) => r.body.redemption.id)).size).toBe(1)
    expect((await ctx.payload.count({ collection: 'redemptions', where: { member: { equals: racer.id } } })).totalDocs).toBe(1)
    expect(await balanceOf(ctx.payload, racer.id)).toBe(950)
  })

  it('the same key with another body is refused with 409 IDEMPOTENCY_KEY_REUSED', async () => {
    const v1 = await createVoucher(ctx.payload, { pointsCost: 10 })
    const v2 = await createVoucher(ctx.payload, { pointsCost: 10 })
    const m = await memberWith(100)
    const key = uniq('idem')
    expect((await redeem(m, v1.id, key)).status).toBe(201)
    const reused = await redeem(m, v2.id, key)
    expect(reused.status).toBe(409)
    expect(reused.body.errors[0].code).toBe('IDEMPOTENCY_KEY_REUSED')
    expect(await stockOf(v2.id as number)).toBe(10)
    expect(await balanceOf(ctx.payload, m.id)).toBe(90)
  })

  describe('refusals change nothing', () => {
    const cases: Array<[string, Record<string, unknown>, number, string, number]> = [
      ['inactive voucher', { status: 'inactive' }, 1000, 'VOUCHER_INACTIVE', 409],
      ['voucher not yet valid', { validFrom: new Date(Date.now() + 86_400_000).toISOString() }, 1000, 'VOUCHER_INACTIVE', 409],
      ['expired voucher', { validTo: new Date(Date.now() - 86_400_000).toISOString() }, 1000, 'VOUCHER_EXPIRED', 409],
      ['no stock', { stock: 0 }, 1000, 'OUT_OF_STOCK', 409],
      ['tier too low', { minTier: 'Gold' }, 1000, 'TIER_TOO_LOW', 409],
      ['not enough points', { pointsCost: 5000 }, 1000, 'INSUFFICIENT_POINTS', 409],
    ]
    for (const [name, voucherData, points, code, status] of cases) {
      it(name, async () => {
        const v = await createVoucher(ctx.payload, voucherData)
        const m = await memberWith(points)
        const stock = await stockOf(v.id as number)
        const res = await redeem(m, v.id)
        expect(res.status).toBe(status)
        expect(res.body.errors[0].code).toBe(code)
        expect(await balanceOf(ctx.payload, m.id)).toBe(points)
        expect(await stockOf(v.id as number)).toBe(stock)
        expect((await ctx.payload.count({ collection: 'redemptions', where: { member: { equals: m.id } } })).totalDocs).toBe(0)
      })
    }

    it('per-member limit', async () => {
      const v = await createVoucher(ctx.payload, { perMemberLimit: 1, pointsCost: 10 })
      const m = await memberWith(100)
      expect((await redeem(m, v.id)).status).toBe(201)
      const second = await redeem(m, v.id)
      expect(second.status).toBe(409)
      expect(second.body.errors[0].code).toBe('LIMIT_REACHED')
      expect(await balanceOf(ctx.payload, m.id)).toBe(90)
    })

    it('a blocked member cannot redeem with a token it already had', async () => {
      const v = await createVoucher(ctx.payload, { pointsCost: 10 })
      const m = await memberWith(100)
      await ctx.payload.update({ collection: 'members', id: m.id, data: { status: 'blocked' } })
      const res = await redeem(m, v.id)
      expect(res.status).toBe(403)
      expect(res.body.errors[0].code).toBe('MEMBER_INACTIVE')
      expect(await balanceOf(ctx.payload, m.id)).toBe(100)
    })

    it('bad input: 400; unknown voucher: 404; anonymous: 401', async () => {
      const m = await memberWith(100)
      expect((await rest(`${ctx.api}/redemptions/redeem`, { token: m.token, body: {} })).status).toBe(400)
      expect((await rest(`${ctx.api}/redemptions/redeem`, { token: m.token, body: { voucher: { $ne: 1 } } })).status).toBe(400)
      const unknown = await redeem(m, 'NO-SUCH-VOUCHER')
      expect(unknown.status).toBe(404)
      expect(unknown.body.errors[0].code).toBe('NOT_FOUND')
      expect((await rest(`${ctx.api}/redemptions/redeem`, { body: { voucher: 1 } })).status).toBe(401)
      expect(await balanceOf(ctx.payload, m.id)).toBe(100)
    })

    it('a member cannot redeem for someone else', async () => {
      const v = await createVoucher(ctx.payload, { pointsCost: 10 })
      const m = await memberWith(100)
      const other = await memberWith(100)
      const res = await redeem(m, v.id, undefined, { member: other.id })
      expect(res.status).toBe(403)
      expect(await balanceOf(ctx.payload, other.id)).toBe(100)
      expect(await balanceOf(ctx.payload, m.id)).toBe(100)
    })
  })

  it('admins redeem on behalf of a member; support cannot', async () => {
    const v = await createVoucher(ctx.payload, { pointsCost: 10 })
    const m = await memberWith(100)
    const bySupport = await rest(`${ctx.api}/redemptions/redeem`, { token: support.token, body: { voucher: v.id, member: m.id } })
    expect(bySupport.status).toBe(403)
    const missing = await rest(`${ctx.api}/redemptions/redeem`, { token: admin.token, body: { voucher: v.id } })
    expect(missing.status).toBe(400)
    const byAdmin = await rest(`${ctx.api}/redemptions/redeem`, { token: admin.token, body: { voucher: v.id, member: m.id } })
    expect(byAdmin.status).toBe(201)
    expect(byAdmin.body.pointsBalance).toBe(90)
  })
})

describe('use and cancel', () => {
  async function pending(points = 100, cost = 40) {
    const v = await createVoucher(ctx.payload, { pointsCost: cost, stock: 5 })
    const m = await memberWith(points)
    const res = await redeem(m, v.id)
    expect(res.status).toBe(201)
    return { v, m, id: res.body.redemption.id as number }
  }

  it('cancel twice returns the points and the stock once', async () => {
    const { v, m, id } = await pending()
    const first = await rest(`${ctx.api}/redemptions/${id}/cancel`, { method: 'POST', token: m.token })
    expect(first.status).toBe(200)
    expect(first.body.redemption.status).toBe('cancelled')
    expect(first.body.pointsBalance).toBe(100)
    const second = await rest(`${ctx.api}/redemptions/${id}/cancel`, { method: 'POST', token: admin.token })
    expect(second.status).toBe(409)
    expect(second.body.errors[0].code).toBe('INVALID_TRANSITION')
    expect(await ledgerCheck(ctx.payload, m.id)).toEqual({ balance: 100, ledgerSum: 100 })
    expect(await stockOf(v.id as number)).toBe(5)
  })

  it('concurrent cancels return the points once', async () => {
    const { m, id } = await pending()
    const results = await Promise.all(Array.from({ length: 8 }, () => rest(`${ctx.api}/redemptions/${id}/cancel`, { method: 'POST', token: m.token })))
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    expect(await ledgerCheck(ctx.payload, m.id)).toEqual({ balance: 100, ledgerSum: 100 })
  })

  it("a member cannot cancel someone else's redemption; support cannot cancel", async () => {
    const { id } = await pending()
    const stranger = await createMember(ctx.payload)
    expect((await rest(`${ctx.api}/redemptions/${id}/cancel`, { method: 'POST', token: stranger.token })).status).toBe(404)
    expect((await rest(`${ctx.api}/redemptions/${id}/cancel`, { method: 'POST', token: support.token })).status).toBe(403)
    expect((await ctx.payload.findByID({ collection: 'redemptions', id })).status).toBe('pending')
  })

  it('staff mark a redemption used once; a used one cannot be cancelled', async () => {
    const { m, id } = await pending()
    expect((await rest(`${ctx.api}/redemptions/${id}/use`, { method: 'POST', token: m.token })).status).toBe(403)
    const used = await rest(`${ctx.api}/redemptions/${id}/use`, { method: 'POST', token: support.token })
    expect(used.status).toBe(200)
    expect(used.body.redemption.status).toBe('used')
    expect(used.body.redemption.usedAt).toBeTruthy()
    expect((await rest(`${ctx.api}/redemptions/${id}/use`, { method: 'POST', token: support.token })).status).toBe(409)
    const cancel = await rest(`${ctx.api}/redemptions/${id}/cancel`, { method: 'POST', token: m.token })
    expect(cancel.status).toBe(409)
    expect(await balanceOf(ctx.payload, m.id)).toBe(60)
  })

  it('integrations need the redemptions_use scope', async () => {
    const { id } = await pending()
    const key = `key-${uniq()}`
    const integ = await ctx.payload.create({ collection: 'users', data: { email: `${uniq('integ')}@test.local`, password: 'long-enough-password', role: 'integration', enableAPIKey: true, apiKey: key } })
    expect((await rest(`${ctx.api}/redemptions/${id}/use`, { method: 'POST', apiKey: key })).status).toBe(403)
    await ctx.payload.update({ collection: 'users', id: integ.id, data: { scopes: ['redemptions_use'] } })
    expect((await rest(`${ctx.api}/redemptions/${id}/use`, { method: 'POST', apiKey: key })).status).toBe(200)
  })

  it('an expired redemption cannot be used; unknown ids are 404', async () => {
    const { id } = await pending()
    await (await dbFor(ctx.payload)).execute(sql`update redemptions set expires_at = now() - interval '1 day' where id = ${id}`)
    const res = await rest(`${ctx.api}/redemptions/${id}/use`, { method: 'POST', token: support.token })
    expect(res.status).toBe(409)
    expect((await rest(`${ctx.api}/redemptions/99999999/use`, { method: 'POST', token: support.token })).status).toBe(404)
    expect((await rest(`${ctx.api}/redemptions/abc/cancel`, { method: 'POST', token: admin.token })).status).toBe(404)
  })
})

describe('POST /api/point-transactions/adjust', () => {
  const adjust = (token: string, body: unknown) => rest(`${ctx.api}/point-transactions/adjust`, { token, body })

  it('admins adjust with a reason; the entry records who', async () => {
    const m = await createMember(ctx.payload)
    const res = await adjust(admin.token, { member: m.id, points: 250, reason: 'goodwill after a late delivery' })
    expect(res.status).toBe(201)
    expect(res.body.pointsBalance).toBe(350)
    const entry = await ctx.payload.findByID({ collection: 'point-transactions', id: res.body.entry, depth: 0 })
    expect(entry).toMatchObject({ type: 'adjust', points: 250, createdBy: admin.id, reason: 'goodwill after a late delivery' })
  })

  it('refuses to go below zero, and bad input, changing nothing', async () => {
    const m = await createMember(ctx.payload)
    const below = await adjust(admin.token, { member: m.id, points: -101, reason: 'too much' })
    expect(below.status).toBe(409)
    expect(below.body.errors[0].code).toBe('INSUFFICIENT_POINTS')
    expect((await adjust(admin.token, { member: m.id, points: 10 })).status).toBe(400)
    expect((await adjust(admin.token, { member: m.id, points: 0, reason: 'x' })).status).toBe(400)
    expect((await adjust(admin.token, { member: m.id, points: 1.5, reason: 'x' })).status).toBe(400)
    expect((await adjust(admin.token, { member: m.id, points: '10', reason: 'x' })).status).toBe(400)
    expect((await adjust(admin.token, { member: 99999999, points: 10, reason: 'x' })).status).toBe(404)
    expect(await ledgerCheck(ctx.payload, m.id)).toEqual({ balance: 100, ledgerSum: 100 })
  })

  it('only admins: moderators, support and members are refused', async () => {
    const m = await createMember(ctx.payload)
    expect((await adjust(moderator.token, { member: m.id, points: 10, reason: 'x' })).status).toBe(403)
    expect((await adjust(support.token, { member: m.id, points: 10, reason: 'x' })).status).toBe(403)
    expect((await adjust(m.token, { member: m.id, points: 10, reason: 'x' })).status).toBe(403)
    expect((await rest(`${ctx.api}/point-transactions/adjust`, { body: { member: m.id, points: 10, reason: 'x' } })).status).toBe(401)
    expect(await balanceOf(ctx.payload, m.id)).toBe(100)
  })
})

describe('the voucher unit is taken last', () => {
  /**
   * Another connection holds the voucher row (as a concurrent redemption or an
   * admin edit would) while a redemption runs, changes the voucher, and lets
   * go: the redemption, which read the voucher before the change, must see it
   * when it takes its unit, and roll back everything it did.
   */
  async function raceWithVoucherChange(change: string, expected: { status: number; code: string }) {
    const v = await createVoucher(ctx.payload, { pointsCost: 100, stock: 3 })
    const m = await memberWith(500)
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await other.connect()
    try {
      await other.query('begin')
      await other.query(`select id from vouchers where id = $1 for no key update`, [v.id])
      const pending = redeem(m, v.id)
      // Wait until the redemption queues on the voucher row.
      for (let i = 0; i < 200; i++) {
        // Statistics are read once per transaction unless cleared.
        await other.query('select pg_stat_clear_snapshot()')
        const { rows: waiting } = await other.query(
          `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like 'update vouchers set stock = stock - 1%'`,
        )
        if (waiting.length) break
        await new Promise((r) => setTimeout(r, 25))
      }
      await other.query(`select set_config('patron.computed_write', 'on', true)`)
      await other.query(change, [v.id])
      await other.query('commit')
      const res = await pending
      expect(res.status, JSON.stringify(res.body)).toBe(expected.status)
      expect(res.body.errors[0].code).toBe(expected.code)
    } finally {
      await other.end()
    }
    expect(await balanceOf(ctx.payload, m.id)).toBe(500)
    expect(await ledgerCheck(ctx.payload, m.id)).toEqual({ balance: 500, ledgerSum: 500 })
    const made = await ctx.payload.find({ collection: 'redemptions', where: { member: { equals: m.id } }, overrideAccess: true })
    expect(made.totalDocs).toBe(0)
  }

  it('a voucher switched off meanwhile: 409 VOUCHER_INACTIVE, nothing changed', async () => {
    await raceWithVoucherChange(`update vouchers set status = 'inactive' where id = $1`, { status: 409, code: 'VOUCHER_INACTIVE' })
  })

  it('a voucher sold out meanwhile: 409 OUT_OF_STOCK, nothing changed', async () => {
    await raceWithVoucherChange(`update vouchers set stock = 0 where id = $1`, { status: 409, code: 'OUT_OF_STOCK' })
  })

  it('computed-write scopes nest: an inner scope leaves the flag on, the outer one clears it; the transaction-wide flag lasts until the end', async () => {
    const flag = async (db: Db) => (await rows<{ f: string | null }>(db, sql`select current_setting('patron.computed_write', true) as f`))[0].f
    const seen = await inTransaction(ctx.payload, undefined, async (db) => {
      const out: Array<string | null> = []
      await allowComputedWrites(db, async () => {
        await allowComputedWrites(db, async () => void out.push(await flag(db)))
        out.push(await flag(db))
      })
      out.push(await flag(db))
      await db.execute(sql`select ${COMPUTED_WRITES_FOR_TRANSACTION}`)
      out.push(await flag(db))
      return out
    })
    expect(seen).toEqual(['on', 'on', 'off', 'on'])
    // The flag never outlives its transaction.
    expect(await inTransaction(ctx.payload, undefined, flag)).not.toBe('on')
  })
})
