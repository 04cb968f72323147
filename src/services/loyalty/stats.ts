import type { SQL } from 'drizzle-orm'
import type { Payload } from 'payload'
import { sortTiers } from '../../domain/loyalty'
import { isValidTimeZone, parseLimit, parsePeriod, PeriodError, type Period } from '../../domain/periods'
import { envInt } from '../../lib/env'
import { badRequest } from '../../lib/errors'
import { dbFor, rows, sql } from '../../lib/db/sql'
import { loadRules } from './rules'

/**
 * Loyalty statistics (SPEC §3 `GET /members/stats`, `/point-transactions/stats`,
 * `/vouchers/stats`, `/redemptions/stats`). Everything is computed by
 * PostgreSQL aggregates; nothing loops over documents.
 *
 * Time series cover the period in calendar buckets of the `settings` global's
 * time zone (`date_trunc` on local wall-clock time), with empty buckets
 * filled with zeros by `generate_series`, so charts are continuous. Each
 * bucket is `{date: 'YYYY-MM-DD' (local first day), start: ISO instant, ...}`.
 * Only events inside [from, to) count, so the first and last buckets can be
 * partial.
 */

export const MEMBER_STATUSES = ['pending_verification', 'active', 'inactive', 'blocked'] as const
export const REDEMPTION_STATUSES = ['pending', 'used', 'expired', 'cancelled'] as const
export const LEDGER_TYPES = ['earn', 'redeem', 'adjust', 'bonus', 'expire', 'refund'] as const

type MemberStatus = (typeof MEMBER_STATUSES)[number]
type RedemptionStatus = (typeof REDEMPTION_STATUSES)[number]
type LedgerType = (typeof LEDGER_TYPES)[number]

export type PeriodEcho = { from: string; to: string; interval: Period['interval']; timeZone: string; buckets: number }
export type Bucket = { date: string; start: string }

export type MemberStats = {
  period: PeriodEcho
  totals: { members: number; newMembers: number }
  byStatus: Record<MemberStatus, number>
  byTier: Array<{ tier: string | null; count: number }>
  series: Array<Bucket & { newMembers: number }>
}

export type LedgerFigures = { earned: number; redeemed: number; expired: number; refunded: number; adjusted: number; net: number; transactions: number }
export type LedgerStats = {
  period: PeriodEcho
  totals: LedgerFigures
  byType: Record<LedgerType, { count: number; points: number }>
  liability: { outstanding: number; atStart: number; atEnd: number }
  series: Array<Bucket & LedgerFigures & { liability: number }>
}

export type VoucherRow = {
  id: number
  code: string
  name: string
  status: 'active' | 'inactive'
  stock: number
  pointsCost: number
  redemptions: number
  byStatus: Record<RedemptionStatus, number>
  pointsRedeemed: number
}
export type VoucherStats = {
  period: PeriodEcho
  totals: { vouchers: number; active: number; inactive: number; available: number; outOfStock: number; stock: number; redemptions: number; pointsRedeemed: number }
  limit: number
  vouchers: VoucherRow[]
}

export type RedemptionFigures = { redeemed: number; used: number; cancelled: number; expired: number; pointsRedeemed: number }
export type RedemptionStats = {
  period: PeriodEcho
  totals: { redemptions: number; pointsRedeemed: number; byStatus: Record<RedemptionStatus, number> }
  pending: { count: number; points: number }
  series: Array<Bucket & RedemptionFigures>
}

/** Most vouchers one answer lists (by redemptions in the period, then id). */
export const VOUCHER_LIST_DEFAULT = 100
export const VOUCHER_LIST_MAX = 1000

/** The time zone of the `settings` global, when it is one the platform knows; else UTC. */
export async function statsTimeZone(payload: Payload): Promise<string> {
  const settings = (await payload.findGlobal({ slug: 'settings', depth: 0, overrideAccess: true })) as { timezone?: string | null }
  return isValidTimeZone(settings.timezone) ? settings.timezone : 'UTC'
}

/**
 * Data areas (cache invalidation, src/lib/cache-invalidation.ts) each statistic
 * reads: a write to any of them invalidates its cached answers.
 */
export const MEMBER_STATS_AREAS = ['members', 'loyalty', 'settings'] as const
export const LEDGER_STATS_AREAS = ['point_transactions', 'members', 'settings'] as const
export const VOUCHER_STATS_AREAS = ['vouchers', 'redemptions', 'settings'] as const
export const REDEMPTION_STATS_AREAS = ['redemptions', 'settings'] as const

/** How long a statistics answer may be served from the cache (STATS_CACHE_TTL_SECONDS; 0: not cached). */
export const statsTtlSeconds = () => envInt('STATS_CACHE_TTL_SECONDS', 30)

/**
 * What identifies a period's answer in the cache: the time zone, the interval
 * and the range. An open end (no `to`: up to now) is keyed as such, not by the
 * instant, so that such answers can be reused for the cache's short TTL; its
 * start (given, or the default derived from today's date) is in the key, so
 * the buckets are the same. Rows dated between the cached answer's end and
 * now can only come from writes, which invalidate it. Serve such an answer
 * with the current period (`withPeriod`).
 */
export function periodCacheKey(period: Period, query: Record<string, unknown>): string {
  const v = (query ?? {}).to
  const openEnd = v === undefined || v === null || (typeof v === 'string' && v.trim() === '')
  return `${period.timeZone}|${period.interval}|${period.from.toISOString()}|${openEnd ? 'now' : period.to.toISOString()}`
}

/** A statistics answer with its `period` echo set to `period` (for an open-ended answer served from the cache). */
export function withPeriod<T>(answer: T, period: Period): T {
  if (!answer || typeof answer !== 'object' || !('period' in answer)) return answer
  return { ...answer, period: echo(period) }
}

/** `from`, `to`, `interval` from a request's query, in the settings' time zone; 400 VALIDATION_ERROR when unusable. */
export async function statsPeriod(payload: Payload, query: Record<string, unknown>, now?: Date): Promise<Period> {
  const timeZone = await statsTimeZone(payload)
  return asBadRequest(() => parsePeriod(query ?? {}, { now, timeZone }))
}

/** The `limit` query parameter of the voucher list; 400 VALIDATION_ERROR when unusable. */
export function voucherListLimit(query: Record<string, unknown>): number {
  return asBadRequest(() => parseLimit(query ?? {}, 'limit', VOUCHER_LIST_DEFAULT, VOUCHER_LIST_MAX))
}

function asBadRequest<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof PeriodError) throw badRequest(err.message, { param: err.param })
    throw err
  }
}

export const echo = (p: Period): PeriodEcho => ({
  from: p.from.toISOString(),
  to: p.to.toISOString(),
  interval: p.interval,
  timeZone: p.timeZone,
  buckets: p.buckets,
})

export const num = (v: unknown) => Number(v ?? 0)
export const int = (v: unknown) => Math.trunc(Number(v ?? 0))

const STEP: Record<Period['interval'], string> = { day: '1 day', week: '1 week', month: '1 month' }

/** The local bucket (a timestamp without zone) an instant column falls in. */
export const bucketOf = (p: Period, column: SQL) => sql`date_trunc(${p.interval}::text, ${column} at time zone ${p.timeZone}::text)`
/** `column` inside the period. */
export const within = (p: Period, column: SQL) => sql`${column} >= ${p.from.toISOString()}::timestamptz and ${column} < ${p.to.toISOString()}::timestamptz`

/** A CTE body listing every bucket of the period as `b` (local timestamp), in order. */
export const bucketSeries = (p: Period) => sql`
  select generate_series(
    date_trunc(${p.interval}::text, ${p.from.toISOString()}::timestamptz at time zone ${p.timeZone}::text),
    date_trunc(${p.interval}::text, (${p.to.toISOString()}::timestamptz - interval '1 millisecond') at time zone ${p.timeZone}::text),
    ${STEP[p.interval]}::interval
  ) as b`

/** Columns naming a bucket: its local date and its first instant in ISO form. */
export const bucketColumns = (p: Period) => sql`
  to_char(buckets.b, 'YYYY-MM-DD') as date,
  to_char((buckets.b at time zone ${p.timeZone}::text) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as start`

export type BucketRow = { date: string; start: string }

// ---------------------------------------------------------------- members

/** Members by status and tier (now), and members who joined in the period, per bucket. */
export async function getMemberStats(payload: Payload, period: Period): Promise<MemberStats> {
  const db = await dbFor(payload)
  const joined = sql`coalesce(m.join_date, m.created_at)`
  const [snapshot, tiers, series, rules] = await Promise.all([
    rows<Record<string, string | number>>(
      db,
      sql`select count(*)::int as members,
            count(*) filter (where m.status = 'pending_verification')::int as pending_verification,
            count(*) filter (where m.status = 'active')::int as active,
            count(*) filter (where m.status = 'inactive')::int as inactive,
            count(*) filter (where m.status = 'blocked')::int as blocked
          from members m`,
    ),
    rows<{ tier: string | null; count: number }>(db, sql`select m.tier, count(*)::int as count from members m group by m.tier`),
    rows<BucketRow & { new_members: number }>(
      db,
      sql`with buckets as (${bucketSeries(period)}),
            joined as (select ${bucketOf(period, joined)} as b from members m where ${within(period, joined)}),
            counts as (select b, count(*)::int as n from joined group by b)
          select ${bucketColumns(period)}, coalesce(counts.n, 0) as new_members
          from buckets left join counts on counts.b = buckets.b
          order by buckets.b`,
    ),
    loadRules(payload),
  ])
  const s = snapshot[0]
  const series_ = series.map((r) => ({ date: r.date, start: r.start, newMembers: int(r.new_members) }))
  return {
    period: echo(period),
    totals: { members: int(s.members), newMembers: series_.reduce((n, r) => n + r.newMembers, 0) },
    byStatus: Object.fromEntries(MEMBER_STATUSES.map((st) => [st, int(s[st])])) as Record<MemberStatus, number>,
    byTier: orderTiers(tiers, sortTiers(rules.tiers).map((t) => t.name)),
    series: series_,
  }
}

/** Every configured tier (lowest first, zeros included), then unknown tiers by name, then members without a tier. */
function orderTiers(counts: Array<{ tier: string | null; count: number }>, configured: string[]) {
  const byName = new Map(counts.map((c) => [c.tier, int(c.count)]))
  const out: Array<{ tier: string | null; count: number }> = configured.map((tier) => ({ tier, count: byName.get(tier) ?? 0 }))
  const others = counts
    .filter((c) => c.tier !== null && !configured.includes(c.tier))
    .map((c) => ({ tier: c.tier, count: int(c.count) }))
    .sort((a, b) => String(a.tier).localeCompare(String(b.tier)))
  out.push(...others)
  if (byName.has(null)) out.push({ tier: null, count: byName.get(null)! })
  return out
}

// ---------------------------------------------------------------- ledger

/**
 * Points owed to members just before `at`: every balance now, less the entries
 * made since. The same as summing the ledger before `at` (each balance equals
 * its member's ledger sum, an invariant the database keeps), but it reads only
 * the recent entries instead of nearly the whole ledger.
 */
function liabilityBefore(at: Date) {
  return sql`select (select coalesce(sum(points_balance), 0) from members)
      - (select coalesce(sum(points), 0) from point_transactions where created_at >= ${at.toISOString()}::timestamptz) as v`
}

/**
 * The points ledger in the period: earned (positive earn and bonus entries),
 * redeemed (−redeem), expired (−expire), refunded (refund entries: points given
 * back for cancelled redemptions), adjusted (net of staff adjustments), net
 * (sum of every entry); and the liability: points owed to members now (sum of
 * balances), at the start and at the end of the period (ledger sums), and at
 * the end of every bucket.
 */
export async function getLedgerStats(payload: Payload, period: Period): Promise<LedgerStats> {
  const db = await dbFor(payload)
  const figures = sql`
    coalesce(sum(t.points) filter (where t.type in ('earn', 'bonus') and t.points > 0), 0) as earned,
    coalesce(-sum(t.points) filter (where t.type = 'redeem'), 0) as redeemed,
    coalesce(-sum(t.points) filter (where t.type = 'expire'), 0) as expired,
    coalesce(sum(t.points) filter (where t.type = 'refund'), 0) as refunded,
    coalesce(sum(t.points) filter (where t.type = 'adjust'), 0) as adjusted,
    coalesce(sum(t.points), 0) as net,
    count(t.id)::int as transactions`
  const [byType, series, liability] = await Promise.all([
    rows<{ type: LedgerType; count: number; points: string }>(
      db,
      sql`select t.type, count(*)::int as count, sum(t.points) as points
          from point_transactions t where ${within(period, sql`t.created_at`)} group by t.type`,
    ),
    rows<BucketRow & Record<keyof LedgerFigures | 'liability', string | number>>(
      db,
      sql`with buckets as (${bucketSeries(period)}),
            t as (select ${bucketOf(period, sql`created_at`)} as b, id, type, points
                  from point_transactions where ${within(period, sql`created_at`)}),
            agg as (select t.b, ${figures} from t group by t.b),
            opening as (${liabilityBefore(period.from)})
          select ${bucketColumns(period)},
            coalesce(agg.earned, 0) as earned, coalesce(agg.redeemed, 0) as redeemed, coalesce(agg.expired, 0) as expired,
            coalesce(agg.refunded, 0) as refunded, coalesce(agg.adjusted, 0) as adjusted, coalesce(agg.net, 0) as net,
            coalesce(agg.transactions, 0) as transactions,
            (select v from opening) + sum(coalesce(agg.net, 0)) over (order by buckets.b) as liability
          from buckets left join agg on agg.b = buckets.b
          order by buckets.b`,
    ),
    rows<{ outstanding: string; at_start: string; at_end: string }>(
      db,
      sql`select (select coalesce(sum(points_balance), 0) from members) as outstanding,
            (${liabilityBefore(period.from)}) as at_start,
            (${liabilityBefore(period.to)}) as at_end`,
    ),
  ])
  const seriesOut = series.map((r) => ({
    date: r.date,
    start: r.start,
    earned: num(r.earned),
    redeemed: num(r.redeemed),
    expired: num(r.expired),
    refunded: num(r.refunded),
    adjusted: num(r.adjusted),
    net: num(r.net),
    transactions: int(r.transactions),
    liability: num(r.liability),
  }))
  const keys = ['earned', 'redeemed', 'expired', 'refunded', 'adjusted', 'net', 'transactions'] as const
  const totals = Object.fromEntries(keys.map((k) => [k, seriesOut.reduce((n, r) => n + r[k], 0)])) as LedgerFigures
  const types = new Map(byType.map((r) => [r.type, r]))
  const l = liability[0]
  return {
    period: echo(period),
    totals,
    byType: Object.fromEntries(
      LEDGER_TYPES.map((type) => [type, { count: int(types.get(type)?.count), points: num(types.get(type)?.points) }]),
    ) as LedgerStats['byType'],
    liability: { outstanding: num(l.outstanding), atStart: num(l.at_start), atEnd: num(l.at_end) },
    series: seriesOut,
  }
}

// ---------------------------------------------------------------- vouchers

/**
 * Voucher stock now (all vouchers) and, per voucher, the redemptions made in
 * the period by their current status. `available`: active, in stock and
 * inside its validity window now. pointsRedeemed leaves out cancelled
 * redemptions (their points went back).
 */
export async function getVoucherStats(payload: Payload, period: Period, limit = VOUCHER_LIST_DEFAULT): Promise<VoucherStats> {
  const db = await dbFor(payload)
  const [totals, list] = await Promise.all([
    rows<Record<string, string | number>>(
      db,
      sql`with r as (select count(*)::int as redemptions,
                       coalesce(sum(points_used) filter (where status <> 'cancelled'), 0) as points_redeemed
                     from redemptions where ${within(period, sql`redeemed_at`)})
          select count(*)::int as vouchers,
            count(*) filter (where v.status = 'active')::int as active,
            count(*) filter (where v.status = 'inactive')::int as inactive,
            count(*) filter (where v.status = 'active' and v.stock > 0
              and (v.valid_from is null or v.valid_from <= now()) and (v.valid_to is null or v.valid_to > now()))::int as available,
            count(*) filter (where v.status = 'active' and v.stock <= 0)::int as out_of_stock,
            coalesce(sum(v.stock), 0) as stock,
            (select redemptions from r) as redemptions,
            (select points_redeemed from r) as points_redeemed
          from vouchers v`,
    ),
    rows<{
      id: number
      code: string
      name: string
      status: 'active' | 'inactive'
      stock: string
      points_cost: string
      redemptions: number
      pending: number
      used: number
      expired: number
      cancelled: number
      points_redeemed: string
    }>(
      db,
      sql`select v.id, v.code, v.name, v.status, v.stock, v.points_cost,
            coalesce(r.redemptions, 0) as redemptions, coalesce(r.pending, 0) as pending, coalesce(r.used, 0) as used,
            coalesce(r.expired, 0) as expired, coalesce(r.cancelled, 0) as cancelled, coalesce(r.points_redeemed, 0) as points_redeemed
          from vouchers v
          left join (
            select voucher_id, count(*)::int as redemptions,
              count(*) filter (where status = 'pending')::int as pending,
              count(*) filter (where status = 'used')::int as used,
              count(*) filter (where status = 'expired')::int as expired,
              count(*) filter (where status = 'cancelled')::int as cancelled,
              coalesce(sum(points_used) filter (where status <> 'cancelled'), 0) as points_redeemed
            from redemptions where ${within(period, sql`redeemed_at`)} group by voucher_id
          ) r on r.voucher_id = v.id
          order by coalesce(r.redemptions, 0) desc, v.id
          limit ${limit}`,
    ),
  ])
  const t = totals[0]
  return {
    period: echo(period),
    totals: {
      vouchers: int(t.vouchers),
      active: int(t.active),
      inactive: int(t.inactive),
      available: int(t.available),
      outOfStock: int(t.out_of_stock),
      stock: num(t.stock),
      redemptions: int(t.redemptions),
      pointsRedeemed: num(t.points_redeemed),
    },
    limit,
    vouchers: list.map((v) => ({
      id: v.id,
      code: v.code,
      name: v.name,
      status: v.status,
      stock: num(v.stock),
      pointsCost: num(v.points_cost),
      redemptions: int(v.redemptions),
      byStatus: { pending: int(v.pending), used: int(v.used), expired: int(v.expired), cancelled: int(v.cancelled) },
      pointsRedeemed: num(v.points_redeemed),
    })),
  }
}

// ---------------------------------------------------------------- redemptions

/**
 * Redemptions made in the period by their current status, and per bucket the
 * events that happened in it: redeemed (redeemed_at), used (used_at),
 * cancelled (cancelled_at), expired (expires_at of expired redemptions), and
 * the points of the bucket's redemptions that were not cancelled. `pending`
 * is every redemption still pending now (vouchers handed out, not yet used).
 */
export async function getRedemptionStats(payload: Payload, period: Period): Promise<RedemptionStats> {
  const db = await dbFor(payload)
  const [totals, pending, series] = await Promise.all([
    rows<Record<string, string | number>>(
      db,
      sql`select count(*)::int as redemptions,
            coalesce(sum(points_used) filter (where status <> 'cancelled'), 0) as points_redeemed,
            count(*) filter (where status = 'pending')::int as pending,
            count(*) filter (where status = 'used')::int as used,
            count(*) filter (where status = 'expired')::int as expired,
            count(*) filter (where status = 'cancelled')::int as cancelled
          from redemptions where ${within(period, sql`redeemed_at`)}`,
    ),
    rows<{ count: number; points: string }>(
      db,
      sql`select count(*)::int as count, coalesce(sum(points_used), 0) as points from redemptions where status = 'pending'`,
    ),
    rows<BucketRow & Record<keyof RedemptionFigures, string | number>>(
      db,
      sql`with buckets as (${bucketSeries(period)}),
            events as (
              select ${bucketOf(period, sql`redeemed_at`)} as b, 'redeemed' as kind,
                     case when status <> 'cancelled' then points_used else 0 end as points
                from redemptions where ${within(period, sql`redeemed_at`)}
              union all
              select ${bucketOf(period, sql`used_at`)}, 'used', 0 from redemptions where ${within(period, sql`used_at`)}
              union all
              select ${bucketOf(period, sql`cancelled_at`)}, 'cancelled', 0 from redemptions where ${within(period, sql`cancelled_at`)}
              union all
              select ${bucketOf(period, sql`expires_at`)}, 'expired', 0 from redemptions
                where status = 'expired' and ${within(period, sql`expires_at`)}
            ),
            agg as (
              select b,
                count(*) filter (where kind = 'redeemed')::int as redeemed,
                count(*) filter (where kind = 'used')::int as used,
                count(*) filter (where kind = 'cancelled')::int as cancelled,
                count(*) filter (where kind = 'expired')::int as expired,
                coalesce(sum(points), 0) as points_redeemed
              from events group by b
            )
          select ${bucketColumns(period)},
            coalesce(agg.redeemed, 0) as redeemed, coalesce(agg.used, 0) as used, coalesce(agg.cancelled, 0) as cancelled,
            coalesce(agg.expired, 0) as expired, coalesce(agg.points_redeemed, 0) as "pointsRedeemed"
          from buckets left join agg on agg.b = buckets.b
          order by buckets.b`,
    ),
  ])
  const t = totals[0]
  return {
    period: echo(period),
    totals: {
      redemptions: int(t.redemptions),
      pointsRedeemed: num(t.points_redeemed),
      byStatus: { pending: int(t.pending), used: int(t.used), expired: int(t.expired), cancelled: int(t.cancelled) },
    },
    pending: { count: int(pending[0].count), points: num(pending[0].points) },
    series: series.map((r) => ({
      date: r.date,
      start: r.start,
      redeemed: int(r.redeemed),
      used: int(r.used),
      cancelled: int(r.cancelled),
      expired: int(r.expired),
      pointsRedeemed: num(r.pointsRedeemed),
    })),
  }
}
