import type { Payload } from 'payload'
import { beforeAll, describe, expect, it } from 'vitest'
import { sortTiers, tierFor, tierMeasure } from '../../src/domain/loyalty'
import { rows, sql, type Db } from '../../src/lib/db/sql'
import { seedDemo, type DemoLogin } from '../../src/seed'
import { DEMO_MEMBER_COUNT, DEMO_MEMBER_EMAIL, DEMO_VOUCHER_CODES } from '../../src/seed/loyalty'
import { loadRules } from '../../src/services/loyalty/rules'
import { getTestContext } from '../helpers/context'

// Only rows that belong to the seed: other test files share this database.
const SEED_MEMBERS = sql`select id from members where email like 'member%@patron.local'`

type Counts = { staff: number; members: number; vouchers: number; entries: number; redemptions: number; voucherStock: number }

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
      (select coalesce(sum(stock), 0) from vouchers where code in (${codes})) as "voucherStock"`,
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

  beforeAll(async () => {
    ;({ payload } = await getTestContext())
    db = (payload.db as unknown as { drizzle: Db }).drizzle
    let t = Date.now()
    await seedDemo(payload, (m) => progress.push(m))
    timings.push(Date.now() - t)
    first = await counts(db)
    t = Date.now()
    logins = await seedDemo(payload)
    timings.push(Date.now() - t)
    second = await counts(db)
    console.info(`[seed.test] seedDemo: first run ${timings[0]} ms, second run ${timings[1]} ms; ${JSON.stringify(first)}`)
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
})
