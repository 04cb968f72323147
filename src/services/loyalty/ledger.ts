import { isValidPointsAmount, tierFor, tierMeasure, type LoyaltyRules } from '../../domain/loyalty'
import { badRequest, conflict, notFound } from '../../lib/errors'
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
  /** The key was made from a row this transaction created, so no earlier entry can hold it (the unique index still checks). */
  newKey?: boolean
}

export type LedgerEntryResult = { entryId: number; balanceAfter: number; duplicate: boolean }

/** Types whose positive points count towards lifetime points (tiers). */
const LIFETIME_TYPES = new Set<LedgerType>(['earn', 'bonus'])

/**
 * Appends one entry to a member's ledger and moves the member's balance,
 * lifetime points, spend and tier with it, inside the caller's transaction
 * (`db` must be one). The member row is locked first, so concurrent entries for
 * one member apply one after another; the balance can never go below zero
 * (checked here and by a CHECK constraint in the database).
 */
export async function postLedgerEntry(db: Db, rules: LoyaltyRules, input: LedgerEntryInput): Promise<LedgerEntryResult> {
  if (!isValidPointsAmount(input.points)) throw badRequest('points must be a non-zero whole number')
  const [member] = input.lockedMember
    ? [{ points_balance: String(input.lockedMember.pointsBalance), lifetime_points: String(input.lockedMember.lifetimePoints) }]
    : await rows<{ points_balance: string; lifetime_points: string }>(
        db,
        sql`select points_balance, lifetime_points from members where id = ${input.memberId} for update`,
      )
  if (!member) throw notFound('Member not found.')

  if (input.idempotencyKey && !input.newKey) {
    const [existing] = await rows<{ id: number; balance_after: string }>(
      db,
      sql`select id, balance_after from point_transactions where idempotency_key = ${input.idempotencyKey}`,
    )
    if (existing) return { entryId: existing.id, balanceAfter: Number(existing.balance_after), duplicate: true }
  }

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

  await allowComputedWrites(db, () =>
    db.execute(sql`
      update members set points_balance = ${balanceAfter}, lifetime_points = ${lifetimePoints},
        lifetime_spend = lifetime_spend + ${spend}, tier = ${tier}, updated_at = now()
      where id = ${input.memberId}`),
  )
  const [entry] = await rows<{ id: number }>(
    db,
    sql`insert into point_transactions
          (member_id, type, points, balance_after, reason, redemption_id, spend_amount, expires_at, idempotency_key, created_by_id, created_at, updated_at)
        values (${input.memberId}, ${input.type}, ${input.points}, ${balanceAfter}, ${input.reason ?? null},
          ${input.redemptionId ?? null}, ${input.spendAmount ?? null}, ${input.expiresAt?.toISOString() ?? null},
          ${input.idempotencyKey ?? null}, ${input.createdBy ?? null},
          coalesce(${input.createdAt?.toISOString() ?? null}::timestamptz, now()), now())
        returning id`,
  )
  return { entryId: entry.id, balanceAfter, duplicate: false }
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
