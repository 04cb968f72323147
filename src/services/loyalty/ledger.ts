import { isValidPointsAmount, tierFor, tierMeasure, type LoyaltyRules } from '../../domain/loyalty'
import { badRequest, conflict, notFound } from '../../lib/errors'
import type { SQL } from 'drizzle-orm'
import { allowComputedWrites, rows, sql, type Db } from '../../lib/db/sql'

export type LedgerType = 'earn' | 'redeem' | 'adjust' | 'bonus' | 'expire' | 'refund'

export type LedgerEntryInput = {
  memberId: number
  type: LedgerType
  points: number
  reason?: string | null
  redemptionId?: number | null
  spendAmount?: number | null
  expiresAt?: Date | null
  /** Unique: the same key posts once; a repeat returns the first entry. */
  idempotencyKey?: string | null
  createdBy?: number | null
  /** When the entry happened, if not now (imports of history). */
  createdAt?: Date | null
  /**
   * The caller already holds the member's row lock in this transaction and read
   * these from the locked row: saves the second lock's round trip.
   */
  lockedMember?: { pointsBalance: number; lifetimePoints: number }
}

export type LedgerEntryResult = { entryId: number; balanceAfter: number; duplicate: boolean }

/** Types whose positive points count towards lifetime points (tiers). */
const LIFETIME_TYPES = new Set<LedgerType>(['earn', 'bonus'])

/** What an entry does to its member, worked out under the member's row lock. */
export type LedgerPlan = { memberId: number; balanceAfter: number; lifetimePoints: number; spend: number; tier: string | null }

/**
 * Works out an entry's effect on its member (balance, lifetime points, spend,
 * tier) under the member's row lock, taken here unless the caller holds it
 * (`lockedMember`). Refuses an overdraft (409 INSUFFICIENT_POINTS).
 */
export async function planLedgerEntry(db: Db, rules: LoyaltyRules, input: LedgerEntryInput): Promise<LedgerPlan> {
  if (!isValidPointsAmount(input.points)) throw badRequest('points must be a non-zero whole number')
  const [member] = input.lockedMember
    ? [{ points_balance: String(input.lockedMember.pointsBalance), lifetime_points: String(input.lockedMember.lifetimePoints) }]
    : await rows<{ points_balance: string; lifetime_points: string }>(
        db,
        sql`select points_balance, lifetime_points from members where id = ${input.memberId} for update`,
      )
  if (!member) throw notFound('Member not found.')
  const balanceAfter = Number(member.points_balance) + input.points
  if (balanceAfter < 0) {
    throw conflict('INSUFFICIENT_POINTS', 'Not enough points.', { pointsBalance: Number(member.points_balance), requested: -input.points })
  }
  const lifetimePoints = Number(member.lifetime_points) + (input.points > 0 && LIFETIME_TYPES.has(input.type) ? input.points : 0)
  const spend = input.spendAmount ?? 0
  let rollingSpend = 0
  if (rules.tierBasis === 'rolling_spend') {
    const [r] = await rows<{ s: string }>(
      db,
      sql`select coalesce(sum(spend_amount), 0) as s from point_transactions
          where member_id = ${input.memberId} and created_at > now() - interval '365 days'`,
    )
    rollingSpend = Number(r.s) + spend
  }
  const tier = tierFor(tierMeasure(rules.tierBasis, { lifetimePoints, rollingSpend }), rules.tiers)
  return { memberId: input.memberId, balanceAfter, lifetimePoints, spend, tier }
}

/**
 * The two statements that carry out a planned entry: the member's new numbers
 * and the ledger row (`returning id`). Both need the computed-write flag. A
 * caller may run them inside one data-modifying WITH with its own writes (the
 * redemption does), passing the redemption id and key as SQL of that statement.
 */
export function ledgerEntryStatements(
  input: LedgerEntryInput,
  plan: LedgerPlan,
  from: { redemptionId?: SQL; idempotencyKey?: SQL } = {},
): { member: SQL; entry: SQL } {
  return {
    member: sql`update members set points_balance = ${plan.balanceAfter}, lifetime_points = ${plan.lifetimePoints},
        lifetime_spend = lifetime_spend + ${plan.spend}, tier = ${plan.tier}, updated_at = now()
      where id = ${plan.memberId}`,
    entry: sql`insert into point_transactions
          (member_id, type, points, balance_after, reason, redemption_id, spend_amount, expires_at, idempotency_key, created_by_id, created_at, updated_at)
        values (${plan.memberId}, ${input.type}, ${input.points}, ${plan.balanceAfter}, ${input.reason ?? null},
          ${from.redemptionId ?? sql`${input.redemptionId ?? null}`}, ${input.spendAmount ?? null}, ${input.expiresAt?.toISOString() ?? null},
          ${from.idempotencyKey ?? sql`${input.idempotencyKey ?? null}`}, ${input.createdBy ?? null},
          coalesce(${input.createdAt?.toISOString() ?? null}::timestamptz, now()), now())
        returning id`,
  }
}

/**
 * Appends one entry to a member's ledger and moves the member's balance,
 * lifetime points, spend and tier with it, inside the caller's transaction
 * (`db` must be one). The member row is locked first, so concurrent entries for
 * one member apply one after another; the balance can never go below zero
 * (checked here and by a CHECK constraint in the database).
 */
export async function postLedgerEntry(db: Db, rules: LoyaltyRules, input: LedgerEntryInput): Promise<LedgerEntryResult> {
  if (!isValidPointsAmount(input.points)) throw badRequest('points must be a non-zero whole number')
  let locked = input.lockedMember
  if (!locked) {
    // Locked before the key lookup, so that two posts with one key apply one after the other.
    const [m] = await rows<{ points_balance: string; lifetime_points: string }>(
      db,
      sql`select points_balance, lifetime_points from members where id = ${input.memberId} for update`,
    )
    if (!m) throw notFound('Member not found.')
    locked = { pointsBalance: Number(m.points_balance), lifetimePoints: Number(m.lifetime_points) }
  }
  if (input.idempotencyKey) {
    const [existing] = await rows<{ id: number; balance_after: string }>(
      db,
      sql`select id, balance_after from point_transactions where idempotency_key = ${input.idempotencyKey}`,
    )
    if (existing) return { entryId: existing.id, balanceAfter: Number(existing.balance_after), duplicate: true }
  }
  const plan = await planLedgerEntry(db, rules, { ...input, lockedMember: locked })
  const statements = ledgerEntryStatements(input, plan)
  await allowComputedWrites(db, () => db.execute(statements.member))
  const [entry] = await rows<{ id: number }>(db, statements.entry)
  return { entryId: entry.id, balanceAfter: plan.balanceAfter, duplicate: false }
}

/** Recomputes a member's tier from the current rules (nightly job, rule changes). Returns the new tier. */
export async function recomputeTier(db: Db, rules: LoyaltyRules, memberId: number): Promise<string | null> {
  const [m] = await rows<{ lifetime_points: string; rolling: string }>(
    db,
    sql`select m.lifetime_points,
          (select coalesce(sum(spend_amount), 0) from point_transactions t
            where t.member_id = m.id and t.created_at > now() - interval '365 days') as rolling
        from members m where m.id = ${memberId}`,
  )
  if (!m) return null
  const tier = tierFor(tierMeasure(rules.tierBasis, { lifetimePoints: Number(m.lifetime_points), rollingSpend: Number(m.rolling) }), rules.tiers)
  await allowComputedWrites(db, () =>
    db.execute(sql`update members set tier = ${tier}, updated_at = now() where id = ${memberId} and tier is distinct from ${tier}`),
  )
  return tier
}
