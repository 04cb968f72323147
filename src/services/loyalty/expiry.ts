import type { SQL } from 'drizzle-orm'
import type { Payload } from 'payload'
import { pointsToExpire } from '../../domain/loyalty'
import { canMoveRedemption, type RedemptionStatus } from '../../domain/redemption'
import { inTransaction, rows, sql, type Db } from '../../lib/db/sql'
import { postLedgerEntry } from './ledger'
import { loadRules } from './rules'

/** Options shared by the loyalty jobs. */
export type LoyaltyJobOptions = {
  /** The moment to act as of (default: now). Tests and catch-up runs pass another. */
  now?: Date
  /** Only these members (default: every member). */
  memberIds?: number[] | null
  /** Rows fetched per page of candidates (default 500). */
  pageSize?: number
}

export type ExpirePointsSummary = {
  /** Members that got an `expire` entry in this run. */
  membersExpired: number
  /** Points written off in this run. */
  pointsExpired: number
  /** Members whose transaction failed (they are picked up again by the next run). */
  failed: number
}

export type ExpireRedemptionsSummary = {
  /** Pending redemptions moved to `expired` in this run. */
  redemptionsExpired: number
  /** Points given back for them (only when `returnPointsOnRedemptionExpiry` is on). */
  pointsReturned: number
  failed: number
}

/**
 * A member filter as SQL: `true` for everyone, else `<column> = any($ids)`.
 * The ids go as one array parameter, never spliced into the text.
 */
export function memberFilter(column: SQL, memberIds: number[] | null | undefined): SQL {
  if (!memberIds) return sql`true`
  const ids = memberIds.filter((id) => Number.isSafeInteger(id))
  return sql`${column} = any(${sql.param(ids)}::int[])`
}

const pageSizeOf = (o: LoyaltyJobOptions) => Math.max(1, Math.min(o.pageSize ?? 500, 10_000))

type LotTotals = { member_id: number; expired_lots: string; debits: string }

/**
 * Per member: the points of lots (positive entries) whose `expires_at` is at or
 * before `now`, and the debits so far (redemptions, negative adjustments,
 * earlier expiries) net of refunds, as a positive number. A refund undoes a
 * debit (a cancelled redemption gives its lots back), so refunded points expire
 * with the lots they came from instead of becoming points that never expire.
 */
const expiredLots = (now: Date) =>
  sql`coalesce(sum(t.points) filter (where t.points > 0 and t.expires_at <= ${now.toISOString()}::timestamptz), 0)`
const netDebits = sql`greatest(0, coalesce(-sum(t.points) filter (where t.points < 0), 0) - coalesce(sum(t.points) filter (where t.type = 'refund'), 0))`
const lotTotals = (now: Date) => sql`${expiredLots(now)} as expired_lots, ${netDebits} as debits`

/**
 * Point expiry, oldest lots first (SPEC §2, issue 3): for every member, what
 * remains of the lots that have expired after all debits is written off with an
 * `expire` ledger entry.
 *
 * One set-based query finds the members with something to expire (keyset pages
 * of `pageSize`); each member is then handled in its own short transaction that
 * locks the member row first and recomputes the amount under that lock. The
 * entry's idempotency key is `expire:<member>:<expired-lot total>:<net debits>`, so a rerun,
 * a retry or a concurrent run cannot write the same expiry twice: after the
 * entry the recomputed amount is 0, and a racing writer hits the unique key.
 */
export async function expirePoints(payload: Payload, options: LoyaltyJobOptions = {}): Promise<ExpirePointsSummary> {
  const now = options.now ?? new Date()
  const rules = await loadRules(payload)
  const db = (payload.db as unknown as { drizzle: Db }).drizzle
  const summary: ExpirePointsSummary = { membersExpired: 0, pointsExpired: 0, failed: 0 }
  const pageSize = pageSizeOf(options)
  let after = 0
  for (;;) {
    const candidates = await rows<LotTotals>(
      db,
      sql`select t.member_id, ${lotTotals(now)}
          from point_transactions t
          join members m on m.id = t.member_id and m.points_balance > 0
          where t.member_id > ${after}
            and ${memberFilter(sql.raw('t.member_id'), options.memberIds)}
            and t.member_id in (select e.member_id from point_transactions e
                                where e.points > 0 and e.expires_at <= ${now.toISOString()}::timestamptz)
          group by t.member_id
          having ${expiredLots(now)} > ${netDebits}
          order by t.member_id
          limit ${pageSize}`,
    )
    for (const candidate of candidates) {
      try {
        const expired = await inTransaction(payload, undefined, async (tx) => {
          // Lock the member first: the totals below cannot move until we commit.
          await tx.execute(sql`select id from members where id = ${candidate.member_id} for update`)
          const [totals] = await rows<LotTotals>(
            tx,
            sql`select t.member_id, ${lotTotals(now)} from point_transactions t
                where t.member_id = ${candidate.member_id} group by t.member_id`,
          )
          if (!totals) return 0
          const amount = pointsToExpire(Number(totals.expired_lots), Number(totals.debits))
          if (amount <= 0) return 0
          const entry = await postLedgerEntry(tx, rules, {
            memberId: candidate.member_id,
            type: 'expire',
            points: -amount,
            reason: 'Points expired',
            // Keyed by the state it was computed from: a rerun from the same state is a no-op,
            // while a later refund (which changes the net debits) can still expire what it gave back.
            idempotencyKey: `expire:${candidate.member_id}:${Number(totals.expired_lots)}:${Number(totals.debits)}`,
          })
          return entry.duplicate ? 0 : amount
        })
        if (expired > 0) {
          summary.membersExpired++
          summary.pointsExpired += expired
        }
      } catch (err) {
        summary.failed++
        payload.logger.error({ err, memberId: candidate.member_id, msg: 'point expiry failed for a member' })
      }
    }
    if (candidates.length < pageSize) break
    after = candidates[candidates.length - 1].member_id
  }
  return summary
}

type RedemptionLockRow = { id: number; member_id: number; status: RedemptionStatus; points_used: string; redemption_code: string; expires_at: Date | null }

/**
 * Redemption expiry: pending redemptions whose `expires_at` has passed become
 * `expired`. The points come back (a `refund` entry, key
 * `redemption-expired:<id>`) only when the `loyalty` global's
 * `returnPointsOnRedemptionExpiry` is on; the unit of stock never does.
 *
 * Each redemption gets its own transaction with the same lock order as every
 * other loyalty write (member, then redemption), and the move is conditional on
 * the redemption still being pending, so a concurrent use or cancel wins
 * cleanly and a rerun changes nothing.
 */
export async function expireRedemptions(payload: Payload, options: LoyaltyJobOptions = {}): Promise<ExpireRedemptionsSummary> {
  const now = options.now ?? new Date()
  const rules = await loadRules(payload)
  const db = (payload.db as unknown as { drizzle: Db }).drizzle
  const summary: ExpireRedemptionsSummary = { redemptionsExpired: 0, pointsReturned: 0, failed: 0 }
  const pageSize = pageSizeOf(options)
  let after = 0
  for (;;) {
    // `<=`: a redemption is unusable from its expiry instant on (see useRedemption).
    const candidates = await rows<{ id: number; member_id: number }>(
      db,
      sql`select r.id, r.member_id from redemptions r
          where r.status = 'pending' and r.expires_at <= ${now.toISOString()}::timestamptz
            and r.id > ${after} and ${memberFilter(sql.raw('r.member_id'), options.memberIds)}
          order by r.id
          limit ${pageSize}`,
    )
    for (const candidate of candidates) {
      try {
        const returned = await inTransaction(payload, undefined, async (tx) => {
          await tx.execute(sql`select id from members where id = ${candidate.member_id} for update`)
          const [r] = await rows<RedemptionLockRow>(
            tx,
            sql`select id, member_id, status, points_used, redemption_code, expires_at from redemptions where id = ${candidate.id} for update`,
          )
          if (!r || !canMoveRedemption(r.status, 'expired') || !r.expires_at || new Date(r.expires_at) > now) return null
          const moved = await rows<{ id: number }>(
            tx,
            sql`update redemptions set status = 'expired', updated_at = now()
                where id = ${r.id} and status = 'pending' returning id`,
          )
          if (moved.length === 0) return null
          const points = Number(r.points_used)
          if (!rules.returnPointsOnRedemptionExpiry || points <= 0) return 0
          const entry = await postLedgerEntry(tx, rules, {
            memberId: r.member_id,
            type: 'refund',
            points,
            reason: `Redemption ${r.redemption_code} expired`,
            redemptionId: r.id,
            idempotencyKey: `redemption-expired:${r.id}`,
          })
          return entry.duplicate ? 0 : points
        })
        if (returned !== null) {
          summary.redemptionsExpired++
          summary.pointsReturned += returned
        }
      } catch (err) {
        summary.failed++
        payload.logger.error({ err, redemptionId: candidate.id, msg: 'redemption expiry failed' })
      }
    }
    if (candidates.length < pageSize) break
    after = candidates[candidates.length - 1].id
  }
  return summary
}
