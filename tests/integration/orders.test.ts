import type { Payload } from 'payload'
import { beforeAll, describe, expect, it } from 'vitest'
import { dbFor, rows, sql } from '../../src/lib/db/sql'
import { createClient, createOrder, createProduct, createReseller, createResellerLogin, moveOrder, orderRow, resellerBalance, stockOf } from '../helpers/commerce'
import { getTestContext, type TestContext } from '../helpers/context'
import { balanceOf, createMember, ledgerCheck } from '../helpers/members'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

let ctx: TestContext
let payload: Payload
let admin: StaffFixture
let moderator: StaffFixture
let support: StaffFixture

beforeAll(async () => {
  ctx = await getTestContext()
  payload = ctx.payload
  admin = await createStaff(payload, ctx.api, 'admin')
  moderator = await createStaff(payload, ctx.api, 'moderator')
  support = await createStaff(payload, ctx.api, 'support')
  await payload.updateGlobal({ slug: 'settings', data: { deliveryFee: 500, taxRate: 10, serviceCharge: 0 } as never })
})

const transition = (id: number, token: string, body: Record<string, unknown>) => rest(`${ctx.api}/orders/${id}/transition`, { method: 'POST', token, body })

async function historyOf(orderId: number) {
  return rows<{ from: string | null; to: string; by_id: number | null; by_member_id: number | null; note: string | null }>(
    await dbFor(payload),
    sql`select "from", "to", by_id, by_member_id, note from order_status_changes where order_id = ${orderId} order by id`,
  )
}

describe('creating orders', () => {
  it('computes lines and totals on the server and ignores client prices, totals and status', async () => {
    const p = await createProduct(payload, { price: 1999, stock: 50 })
    const member = await createMember(payload)
    const res = await rest(`${ctx.api}/orders?depth=0`, {
      method: 'POST',
      token: admin.token,
      body: {
        member: member.id,
        items: [{ product: p.id, quantity: 2, unitPrice: 1, lineTotal: 2, title: 'cheap' }],
        subtotal: 2,
        total: 3,
        status: 'delivered',
        paymentStatus: 'paid',
        orderNumber: 'MINE-1',
        amountPaid: 999999,
      },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const o = res.body.doc
    expect(o.items[0]).toMatchObject({ product: p.id, quantity: 2, unitPrice: 1999, lineTotal: 3998, sku: p.sku })
    // subtotal 39.98, tax 10% = 4.00 (rounded half up from 3.998), delivery 5.00
    expect(o).toMatchObject({ subtotal: 3998, taxAmount: 400, deliveryFee: 500, total: 4898, status: 'pending', paymentStatus: 'pending', amountPaid: 0, source: 'admin' })
    expect(o.orderNumber).toMatch(/^ORD-[0-9A-Z]{8}$/)
    expect(await historyOf(o.id)).toEqual([{ from: null, to: 'pending', by_id: admin.id, by_member_id: null, note: 'Order placed' }])
  })

  it('refuses an unpublished or archived product, an empty order and a fractional quantity (400, nothing created)', async () => {
    const draft = await createProduct(payload, { published: false })
    const archived = await createProduct(payload, { status: 'archived' })
    const before = (await payload.count({ collection: 'orders' })).totalDocs
    for (const items of [[{ product: draft.id, quantity: 1 }], [{ product: archived.id, quantity: 1 }], [], [{ product: archived.id, quantity: 1.5 }]]) {
      const res = await rest(`${ctx.api}/orders`, { method: 'POST', token: admin.token, body: { items } })
      expect(res.status, JSON.stringify(res.body)).toBe(400)
    }
    expect((await payload.count({ collection: 'orders' })).totalDocs).toBe(before)
  })

  it('keeps status and totals out of reach of a plain update', async () => {
    const p = await createProduct(payload)
    const o = await createOrder(payload, { items: [{ product: p.id, quantity: 1 }] })
    const res = await rest(`${ctx.api}/orders/${o.id}`, { method: 'PATCH', token: admin.token, body: { status: 'delivered', total: 1, amountPaid: 5, notes: 'call first' } })
    expect(res.status).toBe(200)
    const row = await orderRow(payload, o.id)
    expect(row).toMatchObject({ status: 'pending', notes: 'call first' })
    expect(Number(row.total)).toBe(o.total)
    expect(Number(row.amount_paid)).toBe(0)
  })
})

describe('transitions', () => {
  it('confirms 10 of 30 concurrent orders for a product with stock 10; the rest are OUT_OF_STOCK and stay pending', async () => {
    const p = await createProduct(payload, { stock: 10 })
    const orders = await Promise.all(Array.from({ length: 30 }, () => createOrder(payload, { items: [{ product: p.id, quantity: 1 }] })))
    const results = await Promise.all(orders.map((o) => transition(o.id, moderator.token, { status: 'confirmed' })))
    const ok = results.filter((r) => r.status === 200)
    const refused = results.filter((r) => r.status === 409)
    expect(ok).toHaveLength(10)
    expect(refused).toHaveLength(20)
    for (const r of refused) expect(r.body.errors[0].code).toBe('OUT_OF_STOCK')
    expect(await stockOf(payload, p.id)).toBe(0)
    const statuses = await rows<{ status: string; n: number }>(
      await dbFor(payload),
      sql`select status, count(*)::int as n from orders where id in ${sql`(${sql.join(orders.map((o) => sql`${o.id}`), sql`, `)})`} group by status order by status::text`,
    )
    expect(statuses).toEqual([{ status: 'confirmed', n: 10 }, { status: 'pending', n: 20 }])
    const [m] = await rows<{ n: number; s: string }>(
      await dbFor(payload),
      sql`select count(*)::int as n, sum(delta) as s from stock_movements where product_id = ${p.id} and reason = 'order' and order_ref is not null`,
    )
    expect(m).toEqual({ n: 10, s: '-10' })
  })

  it('refuses illegal moves with 409 INVALID_TRANSITION and changes nothing', async () => {
    const p = await createProduct(payload, { stock: 20 })
    const delivered = await createOrder(payload, { items: [{ product: p.id, quantity: 1 }] })
    await moveOrder(payload, delivered.id, 'confirmed')
    await moveOrder(payload, delivered.id, 'dispatched', { trackingNumber: 'TRK-1' })
    await moveOrder(payload, delivered.id, 'delivered')
    const cancelled = await createOrder(payload, { items: [{ product: p.id, quantity: 1 }] })
    await moveOrder(payload, cancelled.id, 'cancelled')
    const confirmed = await createOrder(payload, { items: [{ product: p.id, quantity: 1 }] })
    await moveOrder(payload, confirmed.id, 'confirmed')
    const stock = await stockOf(payload, p.id)

    const cases: Array<[number, Record<string, unknown>, string]> = [
      [delivered.id, { status: 'pending' }, 'delivered'],
      [cancelled.id, { status: 'confirmed' }, 'cancelled'],
      [confirmed.id, { status: 'dispatched' }, 'confirmed'],
      [confirmed.id, { status: 'dispatched', trackingNumber: '   ' }, 'confirmed'],
    ]
    for (const [id, body, status] of cases) {
      const history = await historyOf(id)
      const res = await transition(id, admin.token, body)
      expect(res.status, JSON.stringify(body)).toBe(409)
      expect(res.body.errors[0].code).toBe('INVALID_TRANSITION')
      expect((await orderRow(payload, id)).status).toBe(status)
      expect(await historyOf(id)).toEqual(history)
    }
    expect(await stockOf(payload, p.id)).toBe(stock)
    const bad = await transition(confirmed.id, admin.token, { status: 'shipped' })
    expect(bad.status).toBe(400)
  })

  it('runs the whole flow: stock on confirm, tracking on dispatch, points on delivery (once), history with who and why', async () => {
    const p = await createProduct(payload, { stock: 5, price: 2500 })
    const member = await createMember(payload)
    const o = await createOrder(payload, { items: [{ product: p.id, quantity: 2 }], member: member.id })
    const points = await balanceOf(payload, member.id)

    expect((await transition(o.id, moderator.token, { status: 'confirmed', note: 'checked' })).status).toBe(200)
    expect(await stockOf(payload, p.id)).toBe(3)
    const dispatched = await transition(o.id, moderator.token, { status: 'dispatched', trackingNumber: 'TRK-42' })
    expect(dispatched.status).toBe(200)
    expect(dispatched.body.order).toMatchObject({ status: 'dispatched', trackingNumber: 'TRK-42' })
    expect(dispatched.body.order.dispatchedAt).toBeTruthy()
    expect((await transition(o.id, moderator.token, { status: 'delivered' })).status).toBe(200)
    // 50.00 of goods at 1 point per unit, Bronze multiplier 1 → 50 points
    expect(await balanceOf(payload, member.id)).toBe(points + 50)
    const [earn] = await rows<{ idempotency_key: string; spend_amount: string }>(
      await dbFor(payload),
      sql`select idempotency_key, spend_amount from point_transactions where member_id = ${member.id} and type = 'earn'`,
    )
    expect(earn).toEqual({ idempotency_key: `order-earn:${o.id}`, spend_amount: '5000' })
    const ledger = await ledgerCheck(payload, member.id)
    expect(ledger.balance).toBe(ledger.ledgerSum)
    expect((await transition(o.id, moderator.token, { status: 'completed' })).status).toBe(200)

    const history = await historyOf(o.id)
    expect(history.map((h) => [h.from, h.to])).toEqual([
      [null, 'pending'],
      ['pending', 'confirmed'],
      ['confirmed', 'dispatched'],
      ['dispatched', 'delivered'],
      ['delivered', 'completed'],
    ])
    expect(history[1]).toMatchObject({ by_id: moderator.id, note: 'checked' })
    const res = await rest(`${ctx.api}/orders/${o.id}?depth=0&joins[statusHistory][limit]=10`, { token: member.token })
    expect(res.status).toBe(200)
    expect(res.body.statusHistory.docs).toHaveLength(5)
    // The moderator who moved it stays on the record: the account cannot be deleted.
    const del = await rest(`${ctx.api}/users/${moderator.id}`, { method: 'DELETE', token: admin.token })
    expect(del.status).toBe(409)
    expect((await historyOf(o.id))[1].by_id).toBe(moderator.id)
  })

  it('cancel after payment returns the stock and refunds what was paid', async () => {
    const p = await createProduct(payload, { stock: 4, price: 1000 })
    const o = await createOrder(payload, { items: [{ product: p.id, quantity: 3 }] })
    await moveOrder(payload, o.id, 'confirmed')
    expect(await stockOf(payload, p.id)).toBe(1)
    const paid = await rest(`${ctx.api}/orders/${o.id}/payments`, { method: 'POST', token: admin.token, body: { amount: o.total, method: 'bank_transfer' } })
    expect(paid.status, JSON.stringify(paid.body)).toBe(201)
    expect((await orderRow(payload, o.id)).payment_status).toBe('paid')

    const res = await transition(o.id, admin.token, { status: 'cancelled', note: 'customer changed their mind' })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.order).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded', amountRefunded: o.total })
    expect(await stockOf(payload, p.id)).toBe(4)
    const txs = await rows<{ type: string; status: string; amount: string; refund_of_id: number | null }>(
      await dbFor(payload),
      sql`select type, status, amount, refund_of_id from transactions where order_id = ${o.id} order by id`,
    )
    expect(txs.map((t) => [t.type, t.status, Number(t.amount)])).toEqual([
      ['payment', 'completed', o.total],
      ['refund', 'completed', o.total],
    ])
    expect(txs[1].refund_of_id).not.toBeNull()
  })

  it('lets roles move only what they may: support never, a member only its own pending order to cancelled', async () => {
    const p = await createProduct(payload)
    const member = await createMember(payload)
    const other = await createMember(payload)
    const o = await createOrder(payload, { items: [{ product: p.id, quantity: 1 }], member: member.id })
    expect((await transition(o.id, support.token, { status: 'confirmed' })).status).toBe(403)
    expect((await transition(o.id, member.token, { status: 'confirmed' })).status).toBe(403)
    expect((await transition(o.id, other.token, { status: 'cancelled' })).status).toBe(404)
    expect((await rest(`${ctx.api}/orders/${o.id}/transition`, { method: 'POST', body: { status: 'cancelled' } })).status).toBe(401)
    expect((await orderRow(payload, o.id)).status).toBe('pending')
    const res = await transition(o.id, member.token, { status: 'cancelled' })
    expect(res.status).toBe(200)
    expect((await historyOf(o.id)).at(-1)).toMatchObject({ to: 'cancelled', by_member_id: member.id, by_id: null })
  })
})

describe('resellers', () => {
  it('charges credit on confirm and refuses an order past the limit with CREDIT_LIMIT_EXCEEDED', async () => {
    const p = await createProduct(payload, { price: 1000, stock: 100 })
    // Each order: 10.00 + 1.00 tax + 5.00 delivery = 16.00; the limit fits two.
    const reseller = await createReseller(payload, { creditLimit: 3200, commissionRate: 10 })
    const login = await createResellerLogin(payload, ctx.api, reseller.id)
    const orders = []
    for (let i = 0; i < 3; i++) {
      const res = await rest(`${ctx.api}/orders?depth=0`, { method: 'POST', token: login.token, body: { items: [{ product: p.id, quantity: 1 }], reseller: 999999 } })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      expect(res.body.doc).toMatchObject({ reseller: reseller.id, source: 'reseller', total: 1600 })
      orders.push(res.body.doc.id as number)
    }
    expect((await transition(orders[0], login.token, { status: 'confirmed' })).status).toBe(200)
    expect((await transition(orders[1], login.token, { status: 'confirmed' })).status).toBe(200)
    expect(await resellerBalance(payload, reseller.id)).toBe(3200)
    const stock = await stockOf(payload, p.id)
    const refused = await transition(orders[2], login.token, { status: 'confirmed' })
    expect(refused.status).toBe(409)
    expect(refused.body.errors[0].code).toBe('CREDIT_LIMIT_EXCEEDED')
    expect(await resellerBalance(payload, reseller.id)).toBe(3200)
    expect(await stockOf(payload, p.id)).toBe(stock)
    expect((await orderRow(payload, orders[2])).status).toBe('pending')

    // Resellers cannot dispatch; cancel releases the credit.
    expect((await transition(orders[0], login.token, { status: 'dispatched', trackingNumber: 'X' })).status).toBe(403)
    expect((await transition(orders[1], login.token, { status: 'cancelled' })).status).toBe(200)
    expect(await resellerBalance(payload, reseller.id)).toBe(1600)
    expect((await transition(orders[2], login.token, { status: 'confirmed' })).status).toBe(200)

    // Delivery pays 10% commission on the goods, against what it owes.
    await moveOrder(payload, orders[0], 'dispatched', { trackingNumber: 'TRK-R' })
    await moveOrder(payload, orders[0], 'delivered')
    expect((await orderRow(payload, orders[0])).commission_amount).toBe('100')
    expect(await resellerBalance(payload, reseller.id)).toBe(3200 - 100)
  })

  it('a suspended reseller cannot order or confirm', async () => {
    const p = await createProduct(payload)
    const reseller = await createReseller(payload)
    const login = await createResellerLogin(payload, ctx.api, reseller.id)
    const o = await createOrder(payload, { items: [{ product: p.id, quantity: 1 }], reseller: reseller.id })
    await payload.update({ collection: 'resellers', id: reseller.id, data: { status: 'suspended' } as never, overrideAccess: true })
    const create = await rest(`${ctx.api}/orders`, { method: 'POST', token: login.token, body: { items: [{ product: p.id, quantity: 1 }] } })
    expect(create.status).toBe(403)
    const confirm = await transition(o.id, admin.token, { status: 'confirmed' })
    expect(confirm.status).toBe(403)
    expect((await orderRow(payload, o.id)).status).toBe('pending')
  })

  it("a client's monthly limit caps its confirmed orders", async () => {
    const p = await createProduct(payload, { price: 1000 })
    const reseller = await createReseller(payload)
    const client = await createClient(payload, reseller.id, { monthlyLimit: 2000 })
    const a = await createOrder(payload, { items: [{ product: p.id, quantity: 1 }], reseller: reseller.id, resellerClient: client.id })
    const b = await createOrder(payload, { items: [{ product: p.id, quantity: 1 }], reseller: reseller.id, resellerClient: client.id })
    expect((await transition(a.id, admin.token, { status: 'confirmed' })).status).toBe(200)
    const refused = await transition(b.id, admin.token, { status: 'confirmed' })
    expect(refused.status).toBe(409)
    expect(refused.body.errors[0].code).toBe('CREDIT_LIMIT_EXCEEDED')
    const [c] = await rows<{ u: string }>(await dbFor(payload), sql`select current_usage as u from reseller_clients where id = ${client.id}`)
    expect(Number(c.u)).toBe(1600)
  })

  it("isolates resellers: one cannot see another's clients, orders or record", async () => {
    const p = await createProduct(payload)
    const r1 = await createReseller(payload)
    const r2 = await createReseller(payload)
    const login1 = await createResellerLogin(payload, ctx.api, r1.id)
    const c2 = await createClient(payload, r2.id)
    const o2 = await createOrder(payload, { items: [{ product: p.id, quantity: 1 }], reseller: r2.id })
    expect((await rest(`${ctx.api}/reseller-clients/${c2.id}`, { token: login1.token })).status).toBe(404)
    const list = await rest(`${ctx.api}/reseller-clients?limit=100`, { token: login1.token })
    expect(list.body.docs.every((c: { reseller: number }) => c.reseller === r1.id)).toBe(true)
    expect((await rest(`${ctx.api}/orders/${o2.id}`, { token: login1.token })).status).toBe(404)
    expect((await rest(`${ctx.api}/resellers/${r2.id}`, { token: login1.token })).status).toBe(404)
    expect((await rest(`${ctx.api}/resellers/${r1.id}`, { token: login1.token })).status).toBe(200)
    expect((await transition(o2.id, login1.token, { status: 'cancelled' })).status).toBe(404)
    // A client filed by a reseller login always lands under its own reseller.
    const created = await rest(`${ctx.api}/reseller-clients`, { method: 'POST', token: login1.token, body: { name: 'Sneaky', reseller: r2.id } })
    expect(created.status).toBe(201)
    expect(created.body.doc.reseller.id ?? created.body.doc.reseller).toBe(r1.id)
    // Balance is computed: not even an admin writes it.
    await rest(`${ctx.api}/resellers/${r1.id}`, { method: 'PATCH', token: admin.token, body: { currentBalance: -5000 } })
    expect(await resellerBalance(payload, r1.id)).toBe(0)
  })
})

describe('members and orders', () => {
  it("a member sees only its own orders", async () => {
    const p = await createProduct(payload)
    const a = await createMember(payload)
    const b = await createMember(payload)
    const o = await createOrder(payload, { items: [{ product: p.id, quantity: 1 }], member: a.id })
    expect((await rest(`${ctx.api}/orders/${o.id}`, { token: a.token })).status).toBe(200)
    expect((await rest(`${ctx.api}/orders/${o.id}`, { token: b.token })).status).toBe(404)
    const list = await rest(`${ctx.api}/orders?limit=100`, { token: b.token })
    expect(list.body.docs.map((d: { id: number }) => d.id)).not.toContain(o.id)
    expect((await rest(`${ctx.api}/orders/${o.id}`)).status).toBe(403)
    // Members order through a cart, not by posting orders.
    expect((await rest(`${ctx.api}/orders`, { method: 'POST', token: a.token, body: { items: [{ product: p.id, quantity: 1 }] } })).status).toBe(403)
  })
})

describe('GET /api/orders/stats', () => {
  it('counts by status and source with revenue and average order value; staff only', async () => {
    const res = await rest(`${ctx.api}/orders/stats`, { token: admin.token })
    expect(res.status).toBe(200)
    const s = res.body
    const sumStatus = Object.values(s.byStatus as Record<string, number>).reduce((a, b) => a + b, 0)
    expect(sumStatus).toBe(s.totals.orders)
    const sumSource = Object.values(s.bySource as Record<string, { orders: number }>).reduce((a, b) => a + b.orders, 0)
    expect(sumSource).toBe(s.totals.orders)
    expect(s.totals.orders).toBeGreaterThan(0)
    const live = s.totals.orders - s.byStatus.cancelled
    expect(s.totals.averageOrderValue).toBe(Math.round(s.totals.revenue / live))
    expect(s.series.reduce((n: number, b: { orders: number }) => n + b.orders, 0)).toBe(s.totals.orders)
    const member = await createMember(payload)
    expect((await rest(`${ctx.api}/orders/stats`, { token: member.token })).status).toBe(403)
    expect((await rest(`${ctx.api}/orders/stats?interval=year`, { token: admin.token })).status).toBe(400)
  })
})
