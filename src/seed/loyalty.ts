import os from 'node:os'
import type { Payload } from 'payload'
import { requestHash } from '../domain/codes'
import { multiplierFor, pointsEarned, pointsExpiry, sortTiers, tierFor, tierMeasure, type LoyaltyRules } from '../domain/loyalty'
import { checkRedemption } from '../domain/redemption'
import { inTransaction, rows, sql } from '../lib/db/sql'
import { PatronError } from '../lib/errors'
import { postLedgerEntry, type LedgerType } from '../services/loyalty/ledger'
import { cancelRedemption, redeemVoucher, useRedemption } from '../services/loyalty/redemptions'
import { loadRules } from '../services/loyalty/rules'
import { demoPassword } from './password'
import { seededRandom, type Rng } from './random'

/**
 * Loyalty demo data: vouchers, members across every tier with a year of
 * ledger history, and redemptions (pending, used, cancelled). Deterministic
 * (seeded generator, fixed keys) and idempotent: vouchers and members are
 * looked up by code and e-mail, a member's whole history is posted in one
 * transaction with fixed idempotency keys, and redemptions carry fixed
 * Idempotency-Keys, so a second run replays instead of redeeming again.
 */

const DAY = 86_400_000
const HOUR = 3_600_000
/** Members created at once: password hashing (600 000 PBKDF2 rounds) dominates the seed's time. */
const MEMBER_CONCURRENCY = Math.max(1, Math.min(4, os.availableParallelism()))

export const DEMO_MEMBER_COUNT = 40
export const demoMemberEmail = (n: number) => `member${String(n).padStart(2, '0')}@patron.local`
/** The member printed among the demo logins, for trying the member API. */
export const DEMO_MEMBER_EMAIL = demoMemberEmail(1)

type MemberStatus = 'pending_verification' | 'active' | 'inactive' | 'blocked'

type VoucherDef = {
  code: string
  name: string
  discountType: 'percentage' | 'fixed'
  /** Percent, or minor units for a fixed discount. */
  discountValue: number
  pointsCost: number
  stock: number
  perMemberLimit?: number
  /** Position of the minimum tier in the configured tiers (2: the third, Gold by default). */
  minTierRank?: number
  /** Days from now (negative: in the past). */
  validFromDays?: number
  validToDays?: number
  status?: 'active' | 'inactive'
}

export const DEMO_VOUCHERS: readonly VoucherDef[] = [
  { code: 'WELCOME5', name: '5.00 off your next order', discountType: 'fixed', discountValue: 500, pointsCost: 100, stock: 1000, perMemberLimit: 1 },
  { code: 'COFFEE', name: 'A free coffee', discountType: 'fixed', discountValue: 350, pointsCost: 250, stock: 500, validFromDays: -300 },
  { code: 'FREESHIP', name: 'Free delivery', discountType: 'fixed', discountValue: 499, pointsCost: 400, stock: 300 },
  { code: 'TENOFF', name: '10% off one order', discountType: 'percentage', discountValue: 10, pointsCost: 800, stock: 200 },
  { code: 'TOTEBAG', name: 'Patron tote bag (while stocks last)', discountType: 'fixed', discountValue: 1500, pointsCost: 1500, stock: 6, validToDays: 90 },
  { code: 'GOLD20', name: '20% off for Gold members and above', discountType: 'percentage', discountValue: 20, pointsCost: 2000, stock: 50, minTierRank: 2 },
  { code: 'SPRING15', name: 'Spring sale: 15% off (ended)', discountType: 'percentage', discountValue: 15, pointsCost: 600, stock: 100, validFromDays: -150, validToDays: -60 },
  { code: 'HOLIDAY25', name: 'Holiday 25.00 off (paused)', discountType: 'fixed', discountValue: 2500, pointsCost: 3000, stock: 20, status: 'inactive' },
]
export const DEMO_VOUCHER_CODES: readonly string[] = DEMO_VOUCHERS.map((v) => v.code)

/** Tier position per member (member01 first): every tier is represented, most members low. */
const TIER_PATTERN = '2010120310102103102101302101201031201012'
const STATUS_OF: Record<number, MemberStatus> = { 13: 'blocked', 27: 'blocked', 34: 'inactive', 38: 'pending_verification' }
const FIRST = ['Ana', 'Bruno', 'Carla', 'Daniel', 'Elena', 'Filipe', 'Grace', 'Hugo', 'Inês', 'João', 'Karen', 'Luís', 'Marta', 'Nuno', 'Olivia', 'Pedro', 'Rita', 'Samuel', 'Teresa', 'Vasco', 'Wendy', 'Yara', 'Zoe']
const LAST = ['Almeida', 'Brown', 'Costa', 'Dias', 'Evans', 'Ferreira', 'Garcia', 'Hughes', 'Lopes', 'Martins', 'Nunes', 'Oliveira', 'Pereira', 'Ribeiro', 'Santos', 'Silva', 'Sousa', 'Taylor', 'Walker', 'Young']
const CITIES: ReadonlyArray<[string, string]> = [
  ['Lisbon', 'PT'],
  ['Porto', 'PT'],
  ['Madrid', 'ES'],
  ['Berlin', 'DE'],
  ['Paris', 'FR'],
  ['London', 'GB'],
  ['Dublin', 'IE'],
  ['Amsterdam', 'NL'],
]

type LedgerEvent = {
  /** `signup` is replaced by the hook's own key, `signup:<member id>`. */
  key: string
  type: LedgerType
  points: number
  at: Date
  reason: string | null
  spendAmount?: number
  expiresAt: Date | null
  byStaff?: boolean
}

type MemberPlan = {
  n: number
  email: string
  status: MemberStatus
  profile: Record<string, unknown>
  events: LedgerEvent[]
  /** Where the member stands after its history, as the ledger service computes it. */
  final: { tier: string | null; balance: number }
}

type RedemptionPlan = { email: string; key: string; code: string; outcome: 'pending' | 'used' | 'cancelled' }

export type LoyaltySeedStats = { vouchersCreated: number; membersCreated: number; entriesPosted: number; redemptionsCreated: number; redemptionsSkipped: number }

/** A member's profile and ledger history, computed (not stored) so that every run plans the same. */
function planMember(n: number, rules: LoyaltyRules, now: number): MemberPlan {
  const email = demoMemberEmail(n)
  const rng = seededRandom(`patron-demo:${email}`)
  const tiers = sortTiers(rules.tiers)
  const rank = Math.min(Number(TIER_PATTERN[(n - 1) % TIER_PATTERN.length]), Math.max(0, tiers.length - 1))
  const [city, country] = rng.pick(CITIES)
  const birthYear = rng.int(1960, 2004)
  const joinDaysAgo = n === 1 ? 350 : rng.int(20, 355)
  const joinAt = new Date(now - joinDaysAgo * DAY - rng.int(0, 10 * 60) * 60_000)
  const profile = {
    name: n === 1 ? 'Demo Member' : `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
    phone: `+351 910 000 ${String(100 + n).padStart(3, '0')}`,
    city,
    country,
    dateOfBirth: new Date(Date.UTC(birthYear, rng.int(0, 11), rng.int(1, 28))).toISOString(),
    marketingOptIn: rng.chance(0.6),
    joinDate: joinAt.toISOString(),
  }
  const status = STATUS_OF[n] ?? 'active'

  // Aim for a measure inside the member's tier band (never near the next threshold).
  const lo = tiers[rank]?.threshold ?? 0
  const hi = tiers[rank + 1]?.threshold
  const target = Math.round(hi !== undefined ? lo + (rank > 0 ? 50 : 0) + rng.next() * 0.6 * (hi - lo) : Math.max(lo, 1000) * (1 + rng.next() * 0.5))
  const maxOrders = [4, 10, 18, 30][rank] ?? 30
  const orderCount = rank === 0 ? rng.int(0, maxOrders) : rng.int(Math.ceil(maxOrders / 3), maxOrders)
  const span = now - DAY - joinAt.getTime()
  const at = (fraction: number) => new Date(joinAt.getTime() + HOUR + Math.floor(fraction * Math.max(0, span - HOUR)))

  type Slot = { at: Date; kind: 'order' | 'goodwill' | 'correction' }
  const slots: Slot[] = []
  for (let i = 0; i < orderCount; i++) slots.push({ at: at(rng.next()), kind: 'order' })
  if (rng.chance(0.25)) slots.push({ at: at(rng.next()), kind: 'goodwill' })
  if (rng.chance(0.15)) slots.push({ at: at(rng.next()), kind: 'correction' })
  slots.sort((a, b) => a.at.getTime() - b.at.getTime())

  const events: LedgerEvent[] = []
  let lifetime = 0
  let spend = 0
  let balance = 0
  const measure = () => tierMeasure(rules.tierBasis, { lifetimePoints: lifetime, rollingSpend: spend })
  if (rules.signupBonus > 0) {
    events.push({ key: 'signup', type: 'bonus', points: rules.signupBonus, at: joinAt, reason: 'Signup bonus', expiresAt: pointsExpiry(joinAt, rules.pointsExpiryDays) })
    lifetime += rules.signupBonus
    balance += rules.signupBonus
  }
  let ordersLeft = orderCount
  let orderNo = 0
  for (const slot of slots) {
    if (slot.kind === 'order') {
      const remaining = target - measure()
      const last = ordersLeft === 1
      ordersLeft--
      if (remaining <= 0) continue
      const need = last ? remaining : (remaining / (ordersLeft + 1)) * (0.6 + rng.next() * 0.8)
      const mult = multiplierFor(tierFor(measure(), tiers), tiers)
      const perUnit = rules.pointsPerCurrencyUnit * mult
      const cents = Math.max(500, rules.tierBasis === 'rolling_spend' || perUnit <= 0 ? Math.ceil(need) : Math.ceil((need * 100) / perUnit))
      const points = pointsEarned(cents, rules.pointsPerCurrencyUnit, mult)
      if (points <= 0) continue
      orderNo++
      events.push({
        key: '',
        type: 'earn',
        points,
        at: slot.at,
        reason: `Order DEMO-${String(n).padStart(2, '0')}-${String(orderNo).padStart(3, '0')}`,
        spendAmount: cents,
        expiresAt: pointsExpiry(slot.at, rules.pointsExpiryDays),
      })
      lifetime += points
      spend += cents
      balance += points
    } else if (slot.kind === 'goodwill') {
      const points = rng.pick([50, 100, 150, 200])
      events.push({ key: '', type: 'adjust', points, at: slot.at, reason: 'Goodwill: late delivery', expiresAt: null, byStaff: true })
      balance += points
    } else {
      const points = rng.pick([25, 50, 100])
      if (balance < points) continue
      events.push({ key: '', type: 'adjust', points: -points, at: slot.at, reason: 'Correction: order credited twice', expiresAt: null, byStaff: true })
      balance -= points
    }
  }
  let i = 0
  for (const e of events) if (e.key !== 'signup') e.key = `seed:${email}:${++i}`
  return { n, email, status, profile, events, final: { tier: tierFor(measure(), tiers), balance } }
}

/** Which vouchers each member redeems, checked against the planned state with the real rules. */
function planRedemptions(members: MemberPlan[], rules: LoyaltyRules, minTierOf: (v: VoucherDef) => string | null, now: Date): RedemptionPlan[] {
  const redeemable = DEMO_VOUCHERS.filter((v) => (v.status ?? 'active') === 'active' && (v.validFromDays ?? 0) <= 0 && (v.validToDays ?? 1) > 0)
  const stock = new Map(DEMO_VOUCHERS.map((v) => [v.code, v.stock]))
  const plans: RedemptionPlan[] = []
  for (const m of members) {
    if (m.status !== 'active') continue
    const rng: Rng = seededRandom(`patron-demo:redeem:${m.email}`)
    const counts = new Map<string, number>()
    let balance = m.final.balance
    const wishes: Array<[VoucherDef, RedemptionPlan['outcome'] | null]> =
      m.n === 1
        ? (['WELCOME5', 'COFFEE', 'TENOFF', 'FREESHIP'] as const).map((code, i) => [
            DEMO_VOUCHERS.find((v) => v.code === code)!,
            (['used', 'cancelled', 'pending', 'pending'] as const)[i],
          ])
        : Array.from({ length: rng.int(0, 3) }, () => [rng.pick(redeemable), null])
    let k = 0
    for (const [v, fixedOutcome] of wishes) {
      const refusal = checkRedemption({
        now,
        member: { status: m.status, tier: m.final.tier, pointsBalance: balance },
        voucher: {
          status: 'active',
          pointsCost: v.pointsCost,
          stock: stock.get(v.code) ?? 0,
          perMemberLimit: v.perMemberLimit ?? null,
          minTier: minTierOf(v),
          validFrom: null,
          validTo: null,
        },
        memberRedemptionsOfVoucher: counts.get(v.code) ?? 0,
        tiers: rules.tiers,
      })
      if (refusal) continue
      const r = rng.next()
      const outcome = fixedOutcome ?? (r < 0.5 ? 'pending' : r < 0.8 ? 'used' : 'cancelled')
      plans.push({ email: m.email, key: `seed-${m.email.split('@')[0]}-${++k}`, code: v.code, outcome })
      if (outcome !== 'cancelled') {
        balance -= v.pointsCost
        stock.set(v.code, (stock.get(v.code) ?? 0) - 1)
        counts.set(v.code, (counts.get(v.code) ?? 0) + 1)
      }
    }
  }
  return plans
}

export async function seedLoyaltyDemo(payload: Payload, onProgress: (msg: string) => void = () => {}): Promise<LoyaltySeedStats> {
  const stats: LoyaltySeedStats = { vouchersCreated: 0, membersCreated: 0, entriesPosted: 0, redemptionsCreated: 0, redemptionsSkipped: 0 }
  const rules = await loadRules(payload)
  const tiers = sortTiers(rules.tiers)
  const nowMs = Date.now()
  const minTierOf = (v: VoucherDef) => (v.minTierRank === undefined || tiers.length === 0 ? null : tiers[Math.min(v.minTierRank, tiers.length - 1)].name)
  const days = (d: number | undefined) => (d === undefined ? null : new Date(nowMs + d * DAY).toISOString())

  // Vouchers, by code.
  const existingVouchers = await payload.find({ collection: 'vouchers', where: { code: { in: DEMO_VOUCHER_CODES } }, limit: DEMO_VOUCHERS.length, depth: 0, pagination: false })
  const haveCodes = new Set(existingVouchers.docs.map((v) => v.code))
  for (const [i, v] of DEMO_VOUCHERS.entries()) {
    onProgress(`vouchers ${i + 1}/${DEMO_VOUCHERS.length}`)
    if (haveCodes.has(v.code)) continue
    await payload.create({
      collection: 'vouchers',
      data: {
        code: v.code,
        name: v.name,
        discountType: v.discountType,
        discountValue: v.discountValue,
        pointsCost: v.pointsCost,
        stock: v.stock,
        perMemberLimit: v.perMemberLimit ?? null,
        minTier: minTierOf(v),
        validFrom: days(v.validFromDays),
        validTo: days(v.validToDays),
        status: v.status ?? 'active',
      },
    })
    stats.vouchersCreated++
  }

  // Members and their ledger history, by e-mail.
  const [admin] = (await payload.find({ collection: 'users', where: { email: { equals: 'admin@patron.local' } }, limit: 1, depth: 0 })).docs
  const plans = Array.from({ length: DEMO_MEMBER_COUNT }, (_, i) => planMember(i + 1, rules, nowMs))
  const existingMembers = await payload.find({
    collection: 'members',
    where: { email: { in: plans.map((p) => p.email) } },
    limit: DEMO_MEMBER_COUNT,
    depth: 0,
    pagination: false,
  })
  const idOf = new Map(existingMembers.docs.map((m) => [m.email.toLowerCase(), m.id as number]))
  // Members are independent: create a few at a time (hashing each password takes a while).
  let done = 0
  await eachLimited(plans, MEMBER_CONCURRENCY, async (plan) => {
    let id = idOf.get(plan.email)
    if (id === undefined) {
      const doc = await payload.create({
        collection: 'members',
        // The seed posts the signup bonus itself, back-dated to the join date, under the hook's own key.
        context: { skipSignupBonus: true },
        data: { email: plan.email, password: demoPassword(), status: plan.status, ...plan.profile } as never,
      })
      id = doc.id as number
      idOf.set(plan.email, id)
      stats.membersCreated++
    }
    const memberId = id
    const entries = await inTransaction(payload, undefined, async (db) => {
      // A member's history is posted whole, in this one transaction: any seed entry means it is all there.
      const [seeded] = await rows<{ n: number }>(
        db,
        sql`select count(*)::int as n from point_transactions where member_id = ${memberId} and starts_with(idempotency_key, ${`seed:${plan.email}:`})`,
      )
      if (seeded.n > 0) return 0
      let posted = 0
      for (const e of plan.events) {
        const result = await postLedgerEntry(db, rules, {
          memberId,
          type: e.type,
          points: e.points,
          reason: e.reason,
          spendAmount: e.spendAmount ?? null,
          expiresAt: e.expiresAt,
          idempotencyKey: e.key === 'signup' ? `signup:${memberId}` : e.key,
          createdBy: e.byStaff ? ((admin?.id as number | undefined) ?? null) : null,
          createdAt: e.at,
        })
        if (!result.duplicate) posted++
      }
      return posted
    })
    stats.entriesPosted += entries // after the await: `x += await …` would read x too early and lose updates
    onProgress(`members ${++done}/${plans.length}`)
  })

  // Redemptions, with fixed Idempotency-Keys: a rerun replays them.
  const redemptions = planRedemptions(plans, rules, minTierOf, new Date(nowMs))
  for (const [i, r] of redemptions.entries()) {
    onProgress(`redemptions ${i + 1}/${redemptions.length}`)
    const memberId = idOf.get(r.email)!
    try {
      const result = await redeemVoucher(payload, { memberId, voucher: r.code, idempotencyKey: r.key, requestHash: requestHash({ voucher: r.code }) })
      if (!result.replayed) stats.redemptionsCreated++
      if (result.redemption.status !== 'pending') continue
      if (r.outcome === 'used') await useRedemption(payload, result.redemption.id)
      else if (r.outcome === 'cancelled') await cancelRedemption(payload, result.redemption.id, { kind: 'member', id: memberId })
    } catch (err) {
      // The data was changed by hand since the last run (stock, balance, status): leave it be.
      if (!(err instanceof PatronError)) throw err
      stats.redemptionsSkipped++
      payload.logger.warn(`demo redemption ${r.key} (${r.code}) skipped: ${err.message}`)
    }
  }
  return stats
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
