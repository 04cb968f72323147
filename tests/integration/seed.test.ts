import type { Payload } from 'payload'
import { beforeAll, describe, expect, it } from 'vitest'
import { sortTiers, tierFor, tierMeasure } from '../../src/domain/loyalty'
import { rows, sql, type Db } from '../../src/lib/db/sql'
import { seedDemo, type DemoLogin } from '../../src/seed'
import { DEMO_CATEGORIES, DEMO_LOGIN_RESELLER_EMAIL, DEMO_RESELLER_EMAILS, DEMO_RESELLERS, planCatalogue, planOrders } from '../../src/seed/commerce'
import { DEMO_MEMBER_COUNT, DEMO_MEMBER_EMAIL, DEMO_VOUCHER_CODES } from '../../src/seed/loyalty'
import { loadRules } from '../../src/services/loyalty/rules'
import { getTestContext } from '../helpers/context'

// Only rows that belong to the seed: other test files share this database.
const SEED_MEMBERS = sql`select id from members where email like 'member%@patron.local'`
const SEED_PRODUCTS = sql`select id from products where sku like 'HM-%'`
const SEED_RESELLERS = sql`select id from resellers where email in (${sql.join(
  DEMO_RESELLER_EMAILS.map((e) => sql`${e}`),
  sql`, `,
)})`
const SEED_ORDERS = sql`select id from orders where starts_with(notes, 'Demo order D')`

type Counts = {
  staff: number
  members: number
  vouchers: number
  entries: number
  redemptions: number
  voucherStock: number
  categories: number
  products: number
  stockMovements: number
  resellers: number
  clients: number
  orders: number
  statusChanges: number
  transactions: number
  reviews: number
}

async function counts(db: Db): Promise<Counts> {
  const codes = sql.join(
    DEMO_VOUCHER_CODES.map((c) => sql`${c}`),
    sql`, `,
  )
  const [r] = await rows<Record<keyof Counts, string>>(
    db,
    sql`select
      (select count(*) from users where email like '%@patron.local') as staff,
      (select count(*) from members where id in (${SEED_MEMBERS})) as members,
      (select count(*) from vouchers where code in (${codes})) as vouchers,
      (select count(*) from point_transactions where member_id in (${SEED_MEMBERS})) as entries,
      (select count(*) from redemptions where member_id in (${SEED_MEMBERS})) as redemptions,
      (select coalesce(sum(stock), 0) from vouchers where code in (${codes})) as "voucherStock",
      (select count(*) from categories where slug in (${sql.join(
        DEMO_CATEGORIES.map((c) => sql`${c.slug}`),
        sql`, `,
      )})) as categories,
      (select count(*) from products where id in (${SEED_PRODUCTS})) as products,
      (select count(*) from stock_movements where product_id in (${SEED_PRODUCTS})) as "stockMovements",
      (select count(*) from resellers where id in (${SEED_RESELLERS})) as resellers,
      (select count(*) from reseller_clients where reseller_id in (${SEED_RESELLERS})) as clients,
      (select count(*) from orders where id in (${SEED_ORDERS})) as orders,
      (select count(*) from order_status_changes where order_id in (${SEED_ORDERS})) as "statusChanges",
      (select count(*) from transactions where order_id in (${SEED_ORDERS})) as transactions,
      (select count(*) from reviews where product_id in (${SEED_PRODUCTS})) as reviews`,
  )
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as Counts
}

describe('demo seed', () => {
  let payload: Payload
  let db: Db
  let first: Counts
  let second: Counts
  let logins: DemoLogin[]
  const progress: string[] = []
  const timings: number[] = []
  /** Time spent per seed phase (the progress message without its counter). */
  const phases = new Map<string, number>()

  beforeAll(async () => {
    ;({ payload } = await getTestContext())
    db = (payload.db as unknown as { drizzle: Db }).drizzle
    let t = Date.now()
    let last = t
    await seedDemo(payload, (m) => {
      const now = Date.now()
      const phase = m.replace(/ \d+\/\d+$/, '')
      phases.set(phase, (phases.get(phase) ?? 0) + now - last)
      last = now
      progress.push(m)
    })
    timings.push(Date.now() - t)
    first = await counts(db)
    t = Date.now()
    logins = await seedDemo(payload)
    timings.push(Date.now() - t)
    second = await counts(db)
    console.info(`[seed.test] seedDemo: first run ${timings[0]} ms, second run ${timings[1]} ms; ${JSON.stringify(first)}`)
    // Time up to each phase's last message, roughly the phase itself.
    console.info(`[seed.test] phases (ms): ${JSON.stringify(Object.fromEntries(phases))}`)
  }, 300_000)

  it('creates the demo vouchers, members, ledger history and redemptions', () => {
    expect(first.vouchers).toBe(DEMO_VOUCHER_CODES.length)
    expect(first.vouchers).toBeGreaterThanOrEqual(8)
    expect(first.members).toBe(DEMO_MEMBER_COUNT)
    // Signup bonus for each, plus orders for most.
    expect(first.entries).toBeGreaterThan(DEMO_MEMBER_COUNT * 3)
    expect(first.redemptions).toBeGreaterThanOrEqual(10)
  })

  it('adds nothing on a second run', () => {
    expect(second).toEqual(first)
  })

  it('reports progress', () => {
    expect(progress).toContain(`members ${DEMO_MEMBER_COUNT}/${DEMO_MEMBER_COUNT}`)
    expect(progress).toContain(`vouchers ${DEMO_VOUCHER_CODES.length}/${DEMO_VOUCHER_CODES.length}`)
    expect(progress.some((m) => /^redemptions \d+\/\d+$/.test(m))).toBe(true)
  })

  it('puts members in at least three tiers, each tier matching the rules', async () => {
    const rules = await loadRules(payload)
    const members = await rows<{ tier: string | null; lifetime_points: string; lifetime_spend: string }>(
      db,
      sql`select tier, lifetime_points, lifetime_spend from members where id in (${SEED_MEMBERS})`,
    )
    const tiers = new Set(members.map((m) => m.tier))
    expect(tiers.size).toBeGreaterThanOrEqual(3)
    expect(tiers.has(null)).toBe(false)
    if (rules.tierBasis === 'lifetime_points') {
      for (const m of members) expect(m.tier).toBe(tierFor(tierMeasure('lifetime_points', { lifetimePoints: Number(m.lifetime_points), rollingSpend: 0 }), rules.tiers))
      // With the default thresholds every tier is represented.
      if (sortTiers(rules.tiers).length === 4) expect(tiers.size).toBe(4)
    }
  })

  it("keeps every demo member's balance equal to the sum of its ledger, and its history back-dated over the past year", async () => {
    const members = await rows<{ email: string; balance: string; ledger: string; n: number; oldest: Date; bonus: number }>(
      db,
      sql`select m.email, m.points_balance as balance, coalesce(sum(t.points), 0) as ledger, count(t.id)::int as n,
            min(t.created_at) as oldest, count(*) filter (where t.type = 'bonus' and t.idempotency_key = 'signup:' || m.id)::int as bonus
          from members m left join point_transactions t on t.member_id = m.id
          where m.id in (${SEED_MEMBERS}) group by m.id, m.email`,
    )
    expect(members).toHaveLength(DEMO_MEMBER_COUNT)
    for (const m of members) {
      expect({ email: m.email, balance: Number(m.balance) }).toEqual({ email: m.email, balance: Number(m.ledger) })
      expect(Number(m.balance)).toBeGreaterThanOrEqual(0)
      expect(m.bonus).toBe(1) // one signup bonus: the seed's, under the hook's own key
    }
    const yearAgo = Date.now() - 366 * 86_400_000
    const oldest = Math.min(...members.map((m) => new Date(m.oldest).getTime()))
    expect(oldest).toBeGreaterThan(yearAgo)
    expect(oldest).toBeLessThan(Date.now() - 180 * 86_400_000)
  })

  it('writes each ledger entry with a running balance (balanceAfter) in date order', async () => {
    const bad = await rows<{ id: number }>(
      db,
      sql`select id from (
            select t.id, t.balance_after, sum(t.points) over (partition by t.member_id order by t.created_at, t.id) as running
            from point_transactions t where t.member_id in (${SEED_MEMBERS})
          ) x where x.balance_after <> x.running`,
    )
    expect(bad).toEqual([])
  })

  it('makes redemptions in every outcome, with stock and points consistent', async () => {
    const byStatus = await rows<{ status: string; n: number }>(
      db,
      sql`select status, count(*)::int as n from redemptions where member_id in (${SEED_MEMBERS}) group by status`,
    )
    const statuses = Object.fromEntries(byStatus.map((r) => [r.status, r.n]))
    expect(statuses.pending).toBeGreaterThan(0)
    expect(statuses.used).toBeGreaterThan(0)
    expect(statuses.cancelled).toBeGreaterThan(0)
    // Each non-cancelled redemption has a redeem entry; each cancelled one also a refund.
    const [r] = await rows<{ redeems: number; refunds: number; live: number; cancelled: number }>(
      db,
      sql`select
            (select count(*)::int from point_transactions where type = 'redeem' and member_id in (${SEED_MEMBERS})) as redeems,
            (select count(*)::int from point_transactions where type = 'refund' and member_id in (${SEED_MEMBERS})) as refunds,
            (select count(*)::int from redemptions where status <> 'cancelled' and member_id in (${SEED_MEMBERS})) as live,
            (select count(*)::int from redemptions where status = 'cancelled' and member_id in (${SEED_MEMBERS})) as cancelled`,
    )
    expect(r.redeems).toBe(r.live + r.cancelled)
    expect(r.refunds).toBe(r.cancelled)
    // Stock went down by exactly the redemptions that were not cancelled.
    const vouchers = await rows<{ code: string; stock: number; live: number }>(
      db,
      sql`select v.code, v.stock::int as stock, (select count(*)::int from redemptions r where r.voucher_id = v.id and r.status <> 'cancelled') as live
          from vouchers v where v.code in (${sql.join(
            DEMO_VOUCHER_CODES.map((c) => sql`${c}`),
            sql`, `,
          )})`,
    )
    const initial: Record<string, number> = { WELCOME5: 1000, COFFEE: 500, FREESHIP: 300, TENOFF: 200, TOTEBAG: 6, GOLD20: 50, SPRING15: 100, HOLIDAY25: 20 }
    for (const v of vouchers) expect({ code: v.code, stock: v.stock + v.live }).toEqual({ code: v.code, stock: initial[v.code] })
    expect(vouchers.find((v) => v.code === 'SPRING15')?.live).toBe(0)
    expect(vouchers.find((v) => v.code === 'HOLIDAY25')?.live).toBe(0)
  })

  it('makes vouchers with a variety of rules', async () => {
    const { docs } = await payload.find({ collection: 'vouchers', where: { code: { in: DEMO_VOUCHER_CODES } }, pagination: false, depth: 0 })
    const by = Object.fromEntries(docs.map((v) => [v.code, v]))
    expect(by.HOLIDAY25.status).toBe('inactive')
    expect(new Date(by.SPRING15.validTo!).getTime()).toBeLessThan(Date.now())
    expect(by.GOLD20.minTier).toBe(sortTiers((await loadRules(payload)).tiers)[2].name)
    expect(by.WELCOME5.perMemberLimit).toBe(1)
    expect(new Set(docs.map((v) => v.pointsCost)).size).toBe(docs.length)
  })

  it('has a few blocked and inactive members, and no redemptions for them', async () => {
    const [r] = await rows<{ blocked: number; inactive: number; redeemed: number }>(
      db,
      sql`select count(*) filter (where status = 'blocked')::int as blocked, count(*) filter (where status = 'inactive')::int as inactive,
            (select count(*)::int from redemptions r join members m on m.id = r.member_id
              where m.id in (${SEED_MEMBERS}) and m.status <> 'active') as redeemed
          from members where id in (${SEED_MEMBERS})`,
    )
    expect(r.blocked).toBeGreaterThanOrEqual(1)
    expect(r.inactive).toBeGreaterThanOrEqual(1)
    expect(r.redeemed).toBe(0)
  })

  it('prints the demo member among the logins, and that member can sign in', async () => {
    const member = logins.find((l) => l.role === 'member')
    expect(member).toEqual({ role: 'member', email: DEMO_MEMBER_EMAIL, password: expect.any(String) })
    expect(logins.filter((l) => l.role !== 'member')).toHaveLength(7)
    const result = await payload.login({ collection: 'members', data: { email: member!.email, password: member!.password! } })
    expect(result.token).toBeTruthy()
    const me = result.user as unknown as { pointsBalance: number; status: string }
    expect(me.status).toBe('active')
    expect(me.pointsBalance).toBeGreaterThan(1000)
  })

  it('creates the commerce demo: categories, a catalogue of about 300 handmade products, resellers with clients', async () => {
    const catalogue = planCatalogue()
    expect(catalogue.length).toBeGreaterThanOrEqual(280)
    expect(first.categories).toBe(DEMO_CATEGORIES.length)
    expect(first.products).toBe(catalogue.length)
    expect(first.resellers).toBe(DEMO_RESELLERS.length)
    expect(first.clients).toBe(DEMO_RESELLERS.reduce((n, r) => n + r.clients.length, 0))
    const [c] = await rows<{ nested: number; uncategorised: number; published: number; drafts: number; archived: number; out: number; low: number; alerts: number; attrs: number }>(
      db,
      sql`select
            (select count(*)::int from categories c join categories p on p.id = c.parent_id where c.slug in (${sql.join(
              DEMO_CATEGORIES.map((x) => sql`${x.slug}`),
              sql`, `,
            )})) as nested,
            (select count(*)::int from products where id in (${SEED_PRODUCTS}) and category_id is null) as uncategorised,
            (select count(*)::int from products where id in (${SEED_PRODUCTS}) and _status = 'published') as published,
            (select count(*)::int from products where id in (${SEED_PRODUCTS}) and _status = 'draft') as drafts,
            (select count(*)::int from products where id in (${SEED_PRODUCTS}) and status = 'archived') as archived,
            (select count(*)::int from products where id in (${SEED_PRODUCTS}) and stock_quantity = 0) as out,
            (select count(*)::int from products where id in (${SEED_PRODUCTS}) and stock_quantity between 1 and 5) as low,
            (select count(*)::int from low_stock_alerts where status = 'open' and product_id in (${SEED_PRODUCTS})) as alerts,
            (select count(distinct _parent_id)::int from products_attributes where _parent_id in (${SEED_PRODUCTS})) as attrs`,
    )
    expect(c.nested).toBeGreaterThanOrEqual(4)
    expect(c.uncategorised).toBe(0)
    expect(c.published).toBeGreaterThan(280)
    expect(c.drafts).toBeGreaterThanOrEqual(1)
    expect(c.archived).toBeGreaterThanOrEqual(1)
    expect(c.out).toBeGreaterThanOrEqual(1)
    expect(c.low).toBeGreaterThanOrEqual(3)
    expect(c.alerts).toBeGreaterThanOrEqual(c.out + 3)
    expect(c.attrs).toBe(first.products)
    // Prices are whole cents, SKUs unique and upper-case.
    const prices = await rows<{ price: string; sku: string }>(db, sql`select price, sku from products where id in (${SEED_PRODUCTS})`)
    for (const p of prices) {
      expect(Number.isSafeInteger(Number(p.price)) && Number(p.price) > 0).toBe(true)
      expect(p.sku).toBe(p.sku.toUpperCase())
    }
    const resellers = await rows<{ email: string; status: string; credit_limit: string; commission_rate: string; clients: number }>(
      db,
      sql`select r.email, r.status, r.credit_limit, r.commission_rate, (select count(*)::int from reseller_clients c where c.reseller_id = r.id) as clients
          from resellers r where r.id in (${SEED_RESELLERS})`,
    )
    expect(new Set(resellers.map((r) => r.status))).toEqual(new Set(['active', 'pending', 'suspended']))
    for (const r of resellers) {
      expect(r.clients).toBeGreaterThanOrEqual(1)
      expect(Number(r.credit_limit)).toBeGreaterThan(0)
      expect(Number(r.commission_rate)).toBeGreaterThan(0)
    }
  })

  it('links the demo reseller login to the first demo reseller', async () => {
    const [u] = await rows<{ email: string }>(
      db,
      sql`select r.email from users u join resellers r on r.id = u.reseller_id where u.email = 'reseller@patron.local' and u.role = 'reseller'`,
    )
    expect(u?.email).toBe(DEMO_LOGIN_RESELLER_EMAIL)
  })

  it('places orders from members, resellers (with clients) and admin in every state, over the last 90 days', async () => {
    expect(first.orders).toBeGreaterThanOrEqual(140)
    const byStatus = await rows<{ status: string; n: number }>(db, sql`select status, count(*)::int as n from orders where id in (${SEED_ORDERS}) group by status`)
    expect(Object.fromEntries(byStatus.map((r) => [r.status, r.n]))).toEqual({
      pending: expect.any(Number),
      confirmed: expect.any(Number),
      dispatched: expect.any(Number),
      delivered: expect.any(Number),
      completed: expect.any(Number),
      cancelled: expect.any(Number),
    })
    const [o] = await rows<{
      storefront: number
      reseller: number
      clients: number
      admin: number
      untracked: number
      oldest: Date
      newest: Date
      unordered: number
      manual: number
      partial: number
      refunded: number
      cancelRefunds: number
      commissions: number
    }>(
      db,
      sql`select
            count(*) filter (where source = 'storefront' and member_id is not null)::int as storefront,
            count(*) filter (where source = 'reseller' and reseller_id is not null)::int as reseller,
            count(*) filter (where reseller_client_id is not null)::int as clients,
            count(*) filter (where source = 'admin')::int as admin,
            count(*) filter (where status in ('dispatched', 'delivered', 'completed') and coalesce(tracking_number, '') = '')::int as untracked,
            min(created_at) as oldest, max(created_at) as newest,
            count(*) filter (where confirmed_at < created_at or dispatched_at < confirmed_at or delivered_at < dispatched_at
              or completed_at < delivered_at or cancelled_at < created_at or coalesce(completed_at, delivered_at, cancelled_at, created_at) > now())::int as unordered,
            (select count(*)::int from transactions t where t.order_id in (${SEED_ORDERS}) and t.type = 'payment' and t.gateway = 'manual' and t.status = 'completed') as manual,
            count(*) filter (where payment_status = 'partially_refunded')::int as partial,
            count(*) filter (where payment_status = 'refunded')::int as refunded,
            (select count(*)::int from transactions t join orders x on x.id = t.order_id
              where x.id in (${SEED_ORDERS}) and x.status = 'cancelled' and t.type = 'refund' and t.status = 'completed') as "cancelRefunds",
            (select count(*)::int from transactions t where t.order_id in (${SEED_ORDERS}) and t.type = 'commission') as commissions
          from orders where id in (${SEED_ORDERS})`,
    )
    expect(o.storefront).toBeGreaterThan(20)
    expect(o.reseller).toBeGreaterThan(20)
    expect(o.clients).toBeGreaterThan(10)
    expect(o.admin).toBeGreaterThan(5)
    expect(o.untracked).toBe(0)
    expect(new Date(o.oldest).getTime()).toBeLessThan(Date.now() - 60 * 86_400_000)
    expect(new Date(o.oldest).getTime()).toBeGreaterThan(Date.now() - 91 * 86_400_000)
    expect(new Date(o.newest).getTime()).toBeLessThanOrEqual(Date.now())
    expect(o.unordered).toBe(0)
    expect(o.manual).toBeGreaterThan(60)
    expect(o.partial).toBeGreaterThanOrEqual(1)
    expect(o.refunded).toBeGreaterThanOrEqual(1) // paid, then cancelled (or returned)
    expect(o.cancelRefunds).toBeGreaterThanOrEqual(1)
    expect(o.commissions).toBeGreaterThan(10)
    // A refund transaction that is not the cancel's: a partial refund of a delivered order.
    const [partial] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from transactions t join orders x on x.id = t.order_id
          where x.id in (${SEED_ORDERS}) and x.status in ('delivered', 'completed') and t.type = 'refund' and t.status = 'completed' and t.refund_of_id is not null`,
    )
    expect(partial.n).toBeGreaterThanOrEqual(1)
    // The demo member has orders to look at.
    const [mine] = await rows<{ n: number }>(
      db,
      sql`select count(*)::int as n from orders o join members m on m.id = o.member_id where o.id in (${SEED_ORDERS}) and m.email = ${DEMO_MEMBER_EMAIL}`,
    )
    expect(mine.n).toBeGreaterThanOrEqual(3)
  })

  it('brings every demo order to its planned state (none refused for stock, credit or limits)', async () => {
    const members = await rows<{ email: string }>(db, sql`select email from members where id in (${SEED_MEMBERS}) and status = 'active' order by email`)
    const plans = planOrders(
      members.map((m) => m.email),
      planCatalogue(),
    )
    expect(plans).toHaveLength(first.orders)
    const actual = await rows<{ notes: string; status: string; reseller: string | null }>(
      db,
      sql`select o.notes, o.status, r.email as reseller from orders o left join resellers r on r.id = o.reseller_id where o.id in (${SEED_ORDERS})`,
    )
    const statusOf = new Map(actual.map((o) => [o.notes.split('.')[0], o.status]))
    expect(plans.map((p) => ({ key: p.key, status: statusOf.get(`Demo order ${p.key}`) }))).toEqual(plans.map((p) => ({ key: p.key, status: p.target })))
    // The suspended reseller ordered before it was suspended.
    const suspended = DEMO_RESELLERS.find((r) => r.status === 'suspended')!
    expect(actual.filter((o) => o.reseller === suspended.email).length).toBe(suspended.orders)
  })

  it('keeps the money and stock invariants: reseller balances, order payments, product stock', async () => {
    const resellers = await rows<{ email: string; balance: string; ledger: string }>(
      db,
      sql`select r.email, r.current_balance as balance,
            coalesce((select sum(case
                when t.type = 'credit' then t.amount
                when t.type = 'payment' then -t.amount
                when t.type = 'commission' then -t.amount
                when t.type = 'refund' then t.amount end)
              from transactions t left join orders o on o.id = t.order_id
              where t.status = 'completed' and (t.reseller_id = r.id or o.reseller_id = r.id)), 0) as ledger
          from resellers r where r.id in (${SEED_RESELLERS})`,
    )
    expect(resellers).toHaveLength(DEMO_RESELLERS.length)
    for (const r of resellers) expect({ email: r.email, balance: Number(r.balance) }).toEqual({ email: r.email, balance: Number(r.ledger) })
    expect(resellers.some((r) => Number(r.balance) > 0)).toBe(true)

    const orders = await rows<{ id: number; paid: string; refunded: string; payments: string; refunds: string }>(
      db,
      sql`select o.id, o.amount_paid as paid, o.amount_refunded as refunded,
            coalesce((select sum(amount) from transactions t where t.order_id = o.id and t.type = 'payment' and t.status = 'completed'), 0) as payments,
            coalesce((select sum(amount) from transactions t where t.order_id = o.id and t.type = 'refund' and t.status = 'completed'), 0) as refunds
          from orders o where o.id in (${SEED_ORDERS})`,
    )
    for (const o of orders) {
      expect({ id: o.id, paid: Number(o.paid), refunded: Number(o.refunded) }).toEqual({ id: o.id, paid: Number(o.payments), refunded: Number(o.refunds) })
    }

    const badStock = await rows<{ sku: string; stock: number; movements: number }>(
      db,
      sql`select p.sku, p.stock_quantity::int as stock, coalesce(sum(m.delta), 0)::int as movements
          from products p left join stock_movements m on m.product_id = p.id
          where p.id in (${SEED_PRODUCTS}) group by p.id, p.sku, p.stock_quantity
          having p.stock_quantity <> coalesce(sum(m.delta), 0)`,
    )
    expect(badStock).toEqual([])
    // Orders moved stock: confirmed ones took it, cancelled-after-confirm ones put it back.
    const [m] = await rows<{ taken: number; returned: number }>(
      db,
      sql`select count(*) filter (where reason = 'order')::int as taken, count(*) filter (where reason = 'cancel')::int as returned
          from stock_movements where product_id in (${SEED_PRODUCTS})`,
    )
    expect(m.taken).toBeGreaterThan(100)
    expect(m.returned).toBeGreaterThanOrEqual(1)
  })

  it('has approved and pending reviews by members of products delivered to them', async () => {
    const reviews = await rows<{ status: string; received: boolean }>(
      db,
      sql`select r.status, exists(select 1 from orders o join orders_items i on i._parent_id = o.id
            where o.member_id = r.member_id and i.product_id = r.product_id and o.status in ('delivered', 'completed')) as received
          from reviews r where r.product_id in (${SEED_PRODUCTS})`,
    )
    expect(reviews.filter((r) => r.status === 'approved').length).toBeGreaterThanOrEqual(3)
    expect(reviews.filter((r) => r.status === 'pending').length).toBeGreaterThanOrEqual(1)
    expect(reviews.every((r) => r.received)).toBe(true)
    const [rated] = await rows<{ n: number }>(db, sql`select count(*)::int as n from products where id in (${SEED_PRODUCTS}) and rating_count > 0 and rating_average between 1 and 5`)
    expect(rated.n).toBeGreaterThanOrEqual(3)
  })

  it('links an existing reseller login that has no reseller yet, and still adds nothing', async () => {
    await db.execute(sql`update users set reseller_id = null where email = 'reseller@patron.local'`)
    await seedDemo(payload)
    const [u] = await rows<{ email: string }>(db, sql`select r.email from users u join resellers r on r.id = u.reseller_id where u.email = 'reseller@patron.local'`)
    expect(u?.email).toBe(DEMO_LOGIN_RESELLER_EMAIL)
    expect(await counts(db)).toEqual(first)
  })

  it('reports commerce progress', () => {
    const n = planCatalogue().length
    expect(progress).toContain(`products ${n}/${n}`)
    expect(progress).toContain(`categories ${DEMO_CATEGORIES.length}/${DEMO_CATEGORIES.length}`)
    expect(progress.some((m) => /^orders (\d+)\/\1$/.test(m))).toBe(true)
    expect(progress.some((m) => /^reviews \d+\/\d+$/.test(m))).toBe(true)
  })
})
