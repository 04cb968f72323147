import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tierFor } from '../../src/domain/loyalty'
import { commissionFor, paymentStatusFor, priceOrder, type Discount } from '../../src/domain/pricing'
import { demoPassword } from '../../src/seed/password'
import { countsFor, LARGE_EMAIL_DOMAIN, largeSeedPresence, LargeSeedRefused, resetLarge, seedLarge, type LargeSeedSummary } from '../../src/seed/large'
import { getTestContext, type TestContext } from '../helpers/context'
import { rest } from '../helpers/rest'
import { createStaff, type StaffFixture } from '../helpers/staff'

// The large seed at a small scale, then every invariant it promises, checked
// with SQL over its own rows only (other test files share this database).
const SCALE = 0.002
const expected = countsFor(SCALE)

let ctx: TestContext
let admin: StaffFixture
let pool: pg.Pool
let summary: LargeSeedSummary
let url: string

const MEMBERS = `select id from members where email like '%@${LARGE_EMAIL_DOMAIN}'`
const RESELLERS = `select id from resellers where email like '%@${LARGE_EMAIL_DOMAIN}'`
const PRODUCTS = `select id from products where sku like 'LG-%'`
const VOUCHERS = `select id from vouchers where code like 'LG-%'`
const ORDERS = `select distinct _parent_id as id from orders_items where product_id in (${PRODUCTS})`

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * Runs `npm run seed:large`'s script against the test database; resolves with its exit code and
 * output. A run that outlives `timeoutMs` is killed (code null), so none is left behind.
 */
function cli(args: string[], timeoutMs = 50_000) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/seed-large.ts'), ...args], {
      cwd: root,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out })
    })
  })
}

async function q<T = any>(text: string, values?: unknown[]): Promise<T[]> {
  return (await pool.query(text, values)).rows as T[]
}
async function one<T = any>(text: string, values?: unknown[]): Promise<T> {
  const [row] = await q<T>(text, values)
  return row
}

beforeAll(async () => {
  ctx = await getTestContext()
  url = process.env.DATABASE_URL!
  pool = new pg.Pool({ connectionString: url, max: 2 })
  admin = await createStaff(ctx.payload, ctx.api, 'admin')
  const phases = new Set<string>()
  summary = await seedLarge({ databaseUrl: url, scale: SCALE, seed: 7, onProgress: (phase) => phases.add(phase) })
  expect([...phases]).toEqual(expect.arrayContaining(['plan', 'members', 'ledger', 'orders', 'transactions', 'stock movements', 'commit', 'analyze']))
}, 120_000)

afterAll(async () => {
  await pool?.end()
})

describe('seed:large', () => {
  it('writes the counts of its scale, and says so in the summary', async () => {
    const c = await one(`select
      (select count(*) from members where id in (${MEMBERS}))::int as members,
      (select count(*) from point_transactions where member_id in (${MEMBERS}))::int as ledger,
      (select count(*) from vouchers where id in (${VOUCHERS}))::int as vouchers,
      (select count(*) from redemptions where member_id in (${MEMBERS}))::int as redemptions,
      (select count(*) from products where id in (${PRODUCTS}))::int as products,
      (select count(*) from resellers where id in (${RESELLERS}))::int as resellers,
      (select count(*) from reseller_clients where reseller_id in (${RESELLERS}))::int as clients,
      (select count(*) from orders where id in (${ORDERS}))::int as orders`)
    expect(c).toEqual(expected)
    expect(expected).toMatchObject({ members: 100, ledger: 2000, redemptions: 200, products: 10, orders: 400, clients: 20 })
    expect(summary.counts).toMatchObject({ members: 100, point_transactions: 2000, redemptions: 200, products: 10, orders: 400, _products_v: 10 })
    expect(summary.phases.map((p) => p.phase)).toEqual(expect.arrayContaining(['plan', 'ledger', 'analyze']))
    expect(summary.databaseBytes).toBeGreaterThan(0)
    // Every kind of row: all order statuses, all ledger types the rules produce, redemptions in every state.
    // (At this tiny scale only a handful of orders are recent enough to be still moving: the settled states are certain.)
    const statuses = (await q<{ status: string }>(`select distinct status from orders where id in (${ORDERS})`)).map((s) => s.status)
    expect(statuses).toEqual(expect.arrayContaining(['cancelled', 'completed', 'delivered']))
    const types = (await q<{ type: string }>(`select distinct type from point_transactions where member_id in (${MEMBERS})`)).map((t) => t.type)
    expect(types).toEqual(expect.arrayContaining(['adjust', 'bonus', 'earn', 'redeem', 'refund', ...(summary.rules.pointsExpiryDays > 0 ? ['expire'] : [])]))
    const sources = await q<{ source: string }>(`select distinct source from orders where id in (${ORDERS})`)
    expect(sources.map((s) => s.source).sort()).toEqual(['admin', 'reseller', 'storefront'])
    // History over the last two years.
    const span = await one(`select extract(epoch from max(created_at) - min(created_at)) / 86400 as days from orders where id in (${ORDERS})`)
    expect(Number(span.days)).toBeGreaterThan(500)
  })

  it("keeps each member's balance equal to its ledger, never negative, with a consistent running balance, lifetime figures and tier", async () => {
    const members = await q(`select m.id, m.points_balance::int as balance, m.lifetime_points::int as lifetime, m.lifetime_spend::bigint as spend, m.tier, m.status,
        coalesce(sum(t.points), 0)::int as ledger,
        coalesce(sum(t.points) filter (where t.points > 0 and t.type in ('earn', 'bonus')), 0)::int as earned,
        coalesce(sum(t.spend_amount), 0)::bigint as ledger_spend,
        count(t.id)::int as entries
      from members m left join point_transactions t on t.member_id = m.id
      where m.id in (${MEMBERS}) group by m.id`)
    expect(members).toHaveLength(expected.members)
    for (const m of members) {
      expect(m.balance, `member ${m.id}`).toBe(m.ledger)
      expect(m.balance).toBeGreaterThanOrEqual(0)
      expect(m.lifetime, `member ${m.id}`).toBe(m.earned)
      expect(Number(m.spend)).toBe(Number(m.ledger_spend))
      if (summary.rules.tierBasis === 'lifetime_points') expect(m.tier, `member ${m.id}`).toBe(tierFor(m.lifetime, summary.rules.tiers))
    }
    // Pending members have only their signup bonus.
    for (const m of members.filter((x) => x.status === 'pending_verification')) expect(m.entries).toBeLessThanOrEqual(1)
    // The running balance: every entry's balance_after is the sum of that member's entries up to it (in id and in time order).
    const broken = await one(`select count(*)::int as n from (
        select balance_after, sum(points) over (partition by member_id order by id) as running,
               sum(points) over (partition by member_id order by created_at, id) as by_time
        from point_transactions where member_id in (${MEMBERS})) x
      where balance_after <> running or balance_after <> by_time or balance_after < 0`)
    expect(broken.n).toBe(0)
    // Idempotency keys as the services write them, unique; the signup bonus once per member.
    const keys = await one(`select count(*) filter (where idempotency_key = 'signup:' || member_id)::int as signup,
        count(*) filter (where type = 'earn' and idempotency_key like 'order-earn:%')::int as order_earns,
        count(*) filter (where type = 'adjust' and reason is null)::int as adjust_without_reason
      from point_transactions where member_id in (${MEMBERS})`)
    expect(keys.signup).toBe(summary.rules.signupBonus > 0 ? expected.members : 0)
    expect(keys.order_earns).toBeGreaterThan(0)
    expect(keys.adjust_without_reason).toBe(0)
  })

  it('earns points on delivered member orders, on the goods after discount, once per order', async () => {
    const rows = await q(`select o.id, o.subtotal::int - o.discount_total::int as spend, t.spend_amount::int as earned_on, t.points::int as points, o.status
      from orders o left join point_transactions t on t.idempotency_key = 'order-earn:' || o.id
      where o.id in (${ORDERS}) and o.member_id is not null`)
    expect(rows.length).toBeGreaterThan(0)
    for (const r of rows) {
      if (r.status === 'delivered' || r.status === 'completed') {
        expect(r.earned_on, `order ${r.id}`).toBe(r.spend)
        expect(r.points).toBeGreaterThan(0)
      } else expect(r.points, `order ${r.id} (${r.status}) earned nothing yet`).toBeNull()
    }
  })

  it('gives every redemption its ledger entries and keeps voucher stock at the starting stock less the units still held', async () => {
    const redemptions = await q(`select r.id, r.status, r.points_used::int as cost, v.points_cost::int as voucher_cost, r.redeemed_at, v.valid_from, v.valid_to, r.expires_at, r.used_at, r.cancelled_at,
        (select count(*) from point_transactions t where t.redemption_id = r.id and t.type = 'redeem' and t.points = -r.points_used and t.idempotency_key = 'redeem:' || r.id)::int as redeems,
        (select count(*) from point_transactions t where t.redemption_id = r.id and t.type = 'refund' and t.points = r.points_used)::int as refunds
      from redemptions r join vouchers v on v.id = r.voucher_id where r.member_id in (${MEMBERS})`)
    expect(redemptions).toHaveLength(expected.redemptions)
    expect(redemptions.map((r) => r.status)).toEqual(expect.arrayContaining(['used', 'cancelled', ...(summary.rules.redemptionValidityDays > 0 ? ['expired'] : [])]))
    for (const r of redemptions) {
      expect(r.cost).toBe(r.voucher_cost)
      expect(r.redeems, `redemption ${r.id}`).toBe(1)
      expect(r.refunds, `redemption ${r.id}`).toBe(r.status === 'cancelled' || (r.status === 'expired' && summary.rules.returnPointsOnRedemptionExpiry) ? 1 : 0)
      if (r.valid_from) expect(new Date(r.redeemed_at).getTime()).toBeGreaterThanOrEqual(new Date(r.valid_from).getTime())
      if (r.valid_to) expect(new Date(r.redeemed_at).getTime()).toBeLessThanOrEqual(new Date(r.valid_to).getTime())
      if (r.status === 'used') expect(new Date(r.used_at).getTime()).toBeLessThanOrEqual(new Date(r.expires_at ?? r.used_at).getTime())
      if (r.status === 'cancelled') expect(r.cancelled_at).not.toBeNull()
      if (r.status === 'expired' || r.status === 'pending') expect(r.used_at).toBeNull()
    }
    const vouchers = await q(`select v.code, v.stock::int as stock,
        (select count(*) from redemptions r where r.voucher_id = v.id and r.status <> 'cancelled')::int as held
      from vouchers v where v.id in (${VOUCHERS})`)
    expect(vouchers).toHaveLength(expected.vouchers)
    for (const v of vouchers) {
      expect(v.stock).toBeGreaterThanOrEqual(0)
      expect(v.stock + v.held, v.code).toBe(summary.voucherInitialStock[v.code])
    }
    // A redemption discounts at most one order, which is its member's.
    const applied = await one(`select count(*)::int as n, count(*) filter (where r.member_id <> o.member_id or r.status <> 'used')::int as wrong
      from orders o join redemptions r on r.id = o.redemption_id where o.id in (${ORDERS})`)
    expect(applied.wrong).toBe(0)
  })

  it('keeps every product at the sum of its stock movements, never negative, with alerts where stock is low', async () => {
    const products = await q(`select p.id, p.stock_quantity::int as stock, p._status, coalesce(p.reorder_threshold, ${summary.settings.defaultReorderThreshold})::int as threshold,
        coalesce(sum(s.delta), 0)::int as moved, count(s.id) filter (where s.reason = 'initial')::int as initial,
        (select count(*) from low_stock_alerts a where a.product_id = p.id and a.status = 'open')::int as open_alerts,
        (select count(*) from _products_v v where v.parent_id = p.id and v.latest and v.version__status = 'published' and v.version_sku = p.sku)::int as versions
      from products p left join stock_movements s on s.product_id = p.id where p.id in (${PRODUCTS}) group by p.id`)
    expect(products).toHaveLength(expected.products)
    for (const p of products) {
      expect(p.stock, `product ${p.id}`).toBe(p.moved)
      expect(p.stock).toBeGreaterThanOrEqual(0)
      expect(p.initial).toBe(1)
      expect(p._status).toBe('published')
      expect(p.versions).toBe(1)
      expect(p.open_alerts, `product ${p.id}: stock ${p.stock}, threshold ${p.threshold}`).toBe(p.stock <= p.threshold ? 1 : 0)
    }
    const chain = await one(`select count(*)::int as n from (
        select stock_after, sum(delta) over (partition by product_id order by id) as running from stock_movements where product_id in (${PRODUCTS})) x
      where stock_after <> running or stock_after < 0`)
    expect(chain.n).toBe(0)
    // Orders take stock when confirmed and give it back when a confirmed order is cancelled; pending orders hold none.
    const orders = await q(`select o.id, o.order_number, o.status, o.confirmed_at is not null as confirmed,
        (select coalesce(sum(quantity), 0) from orders_items i where i._parent_id = o.id)::int as units,
        (select coalesce(sum(delta), 0) from stock_movements s where s.order_ref = o.order_number and s.reason = 'order')::int as taken,
        (select coalesce(sum(delta), 0) from stock_movements s where s.order_ref = o.order_number and s.reason = 'cancel')::int as returned
      from orders o where o.id in (${ORDERS})`)
    for (const o of orders) {
      expect(o.taken, o.order_number).toBe(o.confirmed ? -o.units : 0)
      expect(o.returned, o.order_number).toBe(o.confirmed && o.status === 'cancelled' ? o.units : 0)
    }
  })

  it("keeps each reseller's balance at credit − payments − commission + refunds, within its credit limit at every confirm", async () => {
    const resellers = await q(`select r.id, r.current_balance::bigint as balance, r.credit_limit::bigint as credit_limit,
        (select coalesce(sum(case t.type when 'credit' then t.amount when 'refund' then t.amount else -t.amount end), 0)
           from transactions t where t.reseller_id = r.id and t.status = 'completed')::bigint as ledger
      from resellers r where r.id in (${RESELLERS})`)
    expect(resellers).toHaveLength(expected.resellers)
    for (const r of resellers) {
      expect(Number(r.balance), `reseller ${r.id}`).toBe(Number(r.ledger))
      expect(Number(r.credit_limit)).toBeGreaterThanOrEqual(0)
    }
    // Replaying the money moves in time order, every confirm fitted the limit when it happened.
    const moves = await q(`select t.reseller_id, t.type, t.amount::bigint as amount, t.created_at, t.status, t.updated_at from transactions t where t.reseller_id in (${RESELLERS})`)
    const events: Array<{ r: number; at: number; delta: number; confirm: number }> = []
    for (const m of moves) {
      const amount = Number(m.amount)
      if (m.type === 'credit') {
        events.push({ r: m.reseller_id, at: new Date(m.created_at).getTime(), delta: amount, confirm: amount })
        if (m.status === 'cancelled') events.push({ r: m.reseller_id, at: new Date(m.updated_at).getTime(), delta: -amount, confirm: 0 })
      } else if (m.status === 'completed') events.push({ r: m.reseller_id, at: new Date(m.created_at).getTime(), delta: m.type === 'refund' ? amount : -amount, confirm: 0 })
    }
    events.sort((a, b) => a.at - b.at)
    const running = new Map<number, number>()
    const limit = new Map(resellers.map((r) => [r.id, Number(r.credit_limit)]))
    for (const e of events) {
      const before = running.get(e.r) ?? 0
      if (e.confirm) expect(before + e.confirm, `reseller ${e.r} at ${new Date(e.at).toISOString()}`).toBeLessThanOrEqual(limit.get(e.r)!)
      running.set(e.r, before + e.delta)
    }
    // Clients: this month's confirmed, not cancelled, orders; within their monthly limit every month.
    const clients = await q(`select c.id, c.current_usage::bigint as usage, c.monthly_limit::bigint as monthly_limit,
        (select coalesce(sum(o.total), 0) from orders o where o.reseller_client_id = c.id and o.status in ('confirmed', 'dispatched', 'delivered', 'completed')
           and o.confirmed_at >= date_trunc('month', now() at time zone 'UTC') at time zone 'UTC')::bigint as this_month,
        (select coalesce(max(s), 0) from (select sum(o.total) as s from orders o where o.reseller_client_id = c.id and o.status <> 'cancelled' and o.confirmed_at is not null
           group by date_trunc('month', o.confirmed_at at time zone 'UTC')) x)::bigint as busiest_month
      from reseller_clients c where c.reseller_id in (${RESELLERS})`)
    expect(clients).toHaveLength(expected.clients)
    for (const c of clients) {
      expect(Number(c.usage), `client ${c.id}`).toBe(Number(c.this_month))
      if (c.monthly_limit !== null) expect(Number(c.busiest_month)).toBeLessThanOrEqual(Number(c.monthly_limit))
    }
  })

  it('prices every order with priceOrder, snapshots its lines, records its money and follows the state machine', async () => {
    const orders = await q(`select o.*, v.discount_type, v.discount_value::numeric as voucher_value, r.commission_rate::numeric as rate
      from orders o left join redemptions rd on rd.id = o.redemption_id left join vouchers v on v.id = rd.voucher_id left join resellers r on r.id = o.reseller_id
      where o.id in (${ORDERS}) order by o.id`)
    const items = await q(`select i.*, p.title as p_title, p.sku as p_sku, p.price::int as p_price from orders_items i join products p on p.id = i.product_id
      where i._parent_id in (${ORDERS}) order by i._parent_id, i._order`)
    const money = await q(`select id, order_id, type, status, amount::int as amount, refund_of_id, transaction_id from transactions where order_id in (${ORDERS})`)
    const history = await q(`select order_id, "from", "to" from order_status_changes where order_id in (${ORDERS}) order by order_id, id`)
    const byOrder = <T extends { [k: string]: any }>(rows: T[], key: string) => {
      const m = new Map<number, T[]>()
      for (const r of rows) m.set(r[key], [...(m.get(r[key]) ?? []), r])
      return m
    }
    const itemsOf = byOrder(items, '_parent_id')
    const moneyOf = byOrder(money, 'order_id')
    const historyOf = byOrder(history, 'order_id')
    const numbers = new Set<string>()
    const txIds = new Set(money.map((t) => t.transaction_id))
    expect(txIds.size).toBe(money.length)
    for (const t of money) expect(t.transaction_id).toMatch(/^TX-[0-9A-HJKMNP-TV-Z]{10}$/)
    for (const o of orders) {
      const label = `order ${o.order_number}`
      expect(o.order_number).toMatch(/^ORD-[0-9A-HJKMNP-TV-Z]{8}$/)
      numbers.add(o.order_number)
      const lines = itemsOf.get(o.id) ?? []
      expect(lines.length, label).toBeGreaterThan(0)
      lines.forEach((l, k) => {
        expect(l._order).toBe(k + 1)
        expect(l.title).toBe(l.p_title)
        expect(l.sku).toBe(l.p_sku)
        expect(Number(l.unit_price)).toBe(l.p_price)
        expect(Number(l.line_total)).toBe(Number(l.unit_price) * Number(l.quantity))
      })
      const discount: Discount = o.discount_type ? { type: o.discount_type, value: Number(o.voucher_value) } : null
      const totals = priceOrder(lines.map((l) => ({ unitPrice: Number(l.unit_price), quantity: Number(l.quantity) })), summary.settings, discount)
      expect(
        { subtotal: Number(o.subtotal), discountTotal: Number(o.discount_total), deliveryFee: Number(o.delivery_fee), serviceCharge: Number(o.service_charge), taxAmount: Number(o.tax_amount), total: Number(o.total) },
        label,
      ).toEqual({ subtotal: totals.subtotal, discountTotal: totals.discountTotal, deliveryFee: totals.deliveryFee, serviceCharge: totals.serviceCharge, taxAmount: totals.taxAmount, total: totals.total })
      expect(o.currency).toBe(summary.settings.currency)
      // Money: what the transactions say, and the payment status that follows from it.
      const tx = moneyOf.get(o.id) ?? []
      const sum = (type: string) => tx.filter((t) => t.type === type && t.status === 'completed').reduce((s, t) => s + t.amount, 0)
      expect(Number(o.amount_paid), label).toBe(sum('payment'))
      expect(Number(o.amount_refunded), label).toBe(sum('refund'))
      expect(o.payment_status, label).toBe(paymentStatusFor(Number(o.total), Number(o.amount_paid), Number(o.amount_refunded)))
      for (const r of tx.filter((t) => t.type === 'refund')) expect(tx.some((p) => p.type === 'payment' && p.id === r.refund_of_id), label).toBe(true)
      if (o.status === 'cancelled') expect(Number(o.amount_refunded), label).toBe(Number(o.amount_paid))
      // Reseller orders: one credit charge from confirm on (cancelled with the order), commission on delivery.
      const credits = tx.filter((t) => t.type === 'credit')
      const commission = tx.filter((t) => t.type === 'commission')
      if (o.reseller_id && o.confirmed_at) {
        expect(credits.map((c) => [c.status, c.amount]), label).toEqual([[o.status === 'cancelled' ? 'cancelled' : 'completed', Number(o.total)]])
      } else expect(credits, label).toHaveLength(0)
      if (o.reseller_id && o.delivered_at) {
        const expectedCommission = commissionFor(Number(o.subtotal) - Number(o.discount_total), Number(o.rate))
        expect(Number(o.commission_amount), label).toBe(expectedCommission)
        expect(commission.map((c) => c.amount)).toEqual(expectedCommission > 0 ? [expectedCommission] : [])
      } else expect(commission, label).toHaveLength(0)
      // The state machine: timestamps for the steps taken, a tracking number once dispatched, a history that chains.
      const steps = (historyOf.get(o.id) ?? []).map((h) => [h.from, h.to])
      expect(steps[0], label).toEqual([null, 'pending'])
      for (let k = 1; k < steps.length; k++) expect(steps[k][0], label).toBe(steps[k - 1][1])
      expect(steps[steps.length - 1][1], label).toBe(o.status)
      const reached = new Set(steps.map((s) => s[1]))
      for (const [status, column] of [['confirmed', 'confirmed_at'], ['dispatched', 'dispatched_at'], ['delivered', 'delivered_at'], ['completed', 'completed_at'], ['cancelled', 'cancelled_at']]) {
        expect(o[column] !== null, `${label} ${column}`).toBe(reached.has(status))
      }
      if (o.dispatched_at) expect(o.tracking_number, label).toBeTruthy()
      const times = ['created_at', 'confirmed_at', 'dispatched_at', 'delivered_at', 'completed_at'].map((c) => o[c]).filter(Boolean).map((d) => new Date(d).getTime())
      expect([...times].sort((a, b) => a - b), label).toEqual(times)
      expect(new Date(o.created_at).getTime()).toBeLessThanOrEqual(Date.now())
    }
    expect(numbers.size).toBe(orders.length)
  })

  it('is readable through the REST API like anything the app made', async () => {
    const product = await one(`select id, sku from products where id in (${PRODUCTS}) and status = 'active' order by id limit 1`)
    const p = await rest(`${ctx.api}/products/${product.id}`)
    expect(p.status, JSON.stringify(p.body)).toBe(200)
    expect(p.body).toMatchObject({ id: product.id, sku: product.sku, _status: 'published' })
    const listed = await rest(`${ctx.api}/products?where[sku][equals]=${product.sku}&depth=0`)
    expect(listed.body.docs.map((d: { id: number }) => d.id)).toEqual([product.id])
    // The admin panel lists drafts-enabled collections from the versions table.
    const drafts = await rest(`${ctx.api}/products?draft=true&where[sku][equals]=${product.sku}&depth=0`, { token: admin.token })
    expect(drafts.body.docs.map((d: { id: number; stockQuantity: number }) => d.id)).toEqual([product.id])

    const order = await one(`select o.id, o.order_number, o.total::int as total, (select count(*) from orders_items i where i._parent_id = o.id)::int as lines
      from orders o where o.id in (${ORDERS}) and o.member_id is not null order by o.id desc limit 1`)
    const o = await rest(`${ctx.api}/orders/${order.id}?depth=1`, { token: admin.token })
    expect(o.status, JSON.stringify(o.body)).toBe(200)
    expect(o.body).toMatchObject({ id: order.id, orderNumber: order.order_number, total: order.total })
    expect(o.body.items).toHaveLength(order.lines)
    expect(o.body.member.email).toMatch(new RegExp(`@${LARGE_EMAIL_DOMAIN.replace(/\./g, '\\.')}$`))

    // Members sign in with the demo password (one shared PBKDF2 hash in Payload's format). Through
    // the local API, so as not to spend the REST login rate limit that the auth tests exercise.
    const member = await one(`select id, email, points_balance::int as balance from members where id in (${MEMBERS}) and status = 'active' order by id limit 1`)
    const login = await ctx.payload.login({ collection: 'members', data: { email: member.email, password: demoPassword() } })
    expect(login.token).toBeTruthy()
    const me = await rest(`${ctx.api}/members/me`, { token: login.token })
    expect(me.body.user).toMatchObject({ id: member.id, pointsBalance: member.balance })
  })

  it('refuses a second run while the data is there, and on a production database', async () => {
    const before = await largeSeedPresence(pool)
    await expect(seedLarge({ databaseUrl: url, scale: SCALE, seed: 7 })).rejects.toMatchObject({ name: 'LargeSeedRefused', reason: 'EXISTS' })
    expect(await largeSeedPresence(pool)).toEqual(before)
    // (Next's types make NODE_ENV read-only.)
    const env = process.env as Record<string, string | undefined>
    const nodeEnv = env.NODE_ENV
    env.NODE_ENV = 'production'
    try {
      await expect(seedLarge({ databaseUrl: url, scale: SCALE, reset: true })).rejects.toBeInstanceOf(LargeSeedRefused)
      await expect(resetLarge(url)).rejects.toBeInstanceOf(LargeSeedRefused)
    } finally {
      env.NODE_ENV = nodeEnv
    }
    expect(await largeSeedPresence(pool)).toEqual(before)
  })

  it('runs from the command line: refuses (exit 2) while the data is there, replaces it with --reset', async () => {
    const refused = await cli(['--scale', String(SCALE), '--seed', '7'])
    expect(refused.code, refused.out).toBe(2)
    expect(refused.out).toMatch(/already holds a large seed.*--reset/)
    const again = await cli(['--scale', String(SCALE), '--seed', '8', '--reset'])
    expect(again.code, again.out).toBe(0)
    expect(again.out).toMatch(/Rows written:[\s\S]*point_transactions\s+[\d,]+\n[\s\S]*Time per phase:[\s\S]*ledger/)
    expect(again.out).toMatch(/Reset first deleted: .*2,000 point_transactions/)
    expect(await largeSeedPresence(pool)).toMatchObject({ members: expected.members, products: expected.products, vouchers: expected.vouchers })
    const bad = await cli(['--scale', 'lots'])
    expect(bad.code).toBe(2)
  }, 120_000)

  it('--reset deletes only its own rows and leaves the append-only guards on', async () => {
    const others = `select
      (select count(*) from members where email not like '%@${LARGE_EMAIL_DOMAIN}')::int as members,
      (select count(*) from point_transactions where member_id not in (${MEMBERS}))::int as ledger,
      (select count(*) from products where sku not like 'LG-%')::int as products,
      (select count(*) from orders where id not in (${ORDERS}))::int as orders,
      (select count(*) from transactions where order_id is null or order_id not in (${ORDERS}))::int as transactions`
    const before = await one(others)
    const mine = await one(`select (select count(*) from members where id in (${MEMBERS}))::int as members,
      (select count(*) from point_transactions where member_id in (${MEMBERS}))::int as point_transactions,
      (select count(*) from orders where id in (${ORDERS}))::int as orders,
      (select count(*) from products where id in (${PRODUCTS}))::int as products`)
    expect(mine.members).toBe(expected.members)
    const deleted = await resetLarge(url)
    expect(deleted).toMatchObject(mine)
    expect(await largeSeedPresence(pool)).toEqual({ members: 0, products: 0, vouchers: 0, resellers: 0, categories: 0 })
    expect(await one(others)).toEqual(before)
    const triggers = await q(`select tgname, tgenabled from pg_trigger where tgname in
      ('point_transactions_append_only', 'stock_movements_append_only', 'transactions_append_only', 'order_status_changes_append_only')`)
    expect(triggers).toHaveLength(4)
    for (const t of triggers) expect(t.tgenabled, t.tgname).toBe('O')
  })
})
