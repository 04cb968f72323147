import type { Payload } from 'payload'
import type { Period } from '../../domain/periods'
import { ORDER_SOURCES, ORDER_STATUSES, PAYMENT_STATUSES, type OrderStatus } from '../../domain/orders'
import { dbFor, rows, sql } from '../../lib/db/sql'
import { bucketColumns, bucketOf, bucketSeries, echo, int, num, within, type Bucket, type BucketRow, type PeriodEcho } from '../loyalty/stats'


export type OrderFigures = { orders: number; revenue: number; cancelled: number; averageOrderValue: number }
export type OrderStats = {
  period: PeriodEcho
  currency: string
  totals: OrderFigures & { paid: number; refunded: number }
  byStatus: Record<OrderStatus, number>
  bySource: Record<(typeof ORDER_SOURCES)[number], { orders: number; revenue: number }>
  byPaymentStatus: Record<(typeof PAYMENT_STATUSES)[number], number>
  series: Array<Bucket & OrderFigures>
}

/** Data areas the order statistics read (cache invalidation): orders, the payments behind them, settings. */
export const ORDER_STATS_AREAS = ['orders', 'transactions', 'settings'] as const

/** Whole minor units: revenue over orders, rounded half up; 0 without orders. */
const average = (revenue: number, orders: number) => (orders > 0 ? Math.round(revenue / orders) : 0)

/**
 * `GET /api/orders/stats`: orders placed in the period by status, source and
 * payment status, revenue (orders not cancelled, in minor units), average
 * order value, money paid and refunded, and a series per bucket. SQL
 * aggregates only.
 */
export async function getOrderStats(payload: Payload, period: Period): Promise<OrderStats> {
  const db = await dbFor(payload)
  const inPeriod = within(period, sql`o.created_at`)
  const [totals, bySource, series, settings] = await Promise.all([
    rows<Record<string, string | number>>(
      db,
      sql`select count(*)::int as orders,
            coalesce(sum(o.total) filter (where o.status <> 'cancelled'), 0) as revenue,
            count(*) filter (where o.status <> 'cancelled')::int as live,
            coalesce(sum(o.amount_paid), 0) as paid, coalesce(sum(o.amount_refunded), 0) as refunded,
            ${sql.join(
              ORDER_STATUSES.map((s) => sql`count(*) filter (where o.status = ${s})::int as ${sql.identifier(`s_${s}`)}`),
              sql`, `,
            )},
            ${sql.join(
              PAYMENT_STATUSES.map((s) => sql`count(*) filter (where o.payment_status = ${s})::int as ${sql.identifier(`p_${s}`)}`),
              sql`, `,
            )}
          from orders o where ${inPeriod}`,
    ),
    rows<{ source: string; orders: number; revenue: string }>(
      db,
      sql`select o.source, count(*)::int as orders, coalesce(sum(o.total) filter (where o.status <> 'cancelled'), 0) as revenue
          from orders o where ${inPeriod} group by o.source`,
    ),
    rows<BucketRow & { orders: number; revenue: string; cancelled: number; live: number }>(
      db,
      sql`with buckets as (${bucketSeries(period)}),
            agg as (
              select ${bucketOf(period, sql`o.created_at`)} as b, count(*)::int as orders,
                coalesce(sum(o.total) filter (where o.status <> 'cancelled'), 0) as revenue,
                count(*) filter (where o.status = 'cancelled')::int as cancelled,
                count(*) filter (where o.status <> 'cancelled')::int as live
              from orders o where ${inPeriod} group by 1
            )
          select ${bucketColumns(period)}, coalesce(agg.orders, 0) as orders, coalesce(agg.revenue, 0) as revenue,
            coalesce(agg.cancelled, 0) as cancelled, coalesce(agg.live, 0) as live
          from buckets left join agg on agg.b = buckets.b order by buckets.b`,
    ),
    payload.findGlobal({ slug: 'settings', depth: 0 }),
  ])
  const t = totals[0]
  const revenue = num(t.revenue)
  return {
    period: echo(period),
    currency: String(settings.currency ?? 'USD'),
    totals: { orders: int(t.orders), revenue, cancelled: int(t.s_cancelled), averageOrderValue: average(revenue, int(t.live)), paid: num(t.paid), refunded: num(t.refunded) },
    byStatus: Object.fromEntries(ORDER_STATUSES.map((s) => [s, int(t[`s_${s}`])])) as Record<OrderStatus, number>,
    bySource: Object.fromEntries(
      ORDER_SOURCES.map((s) => {
        const r = bySource.find((x) => x.source === s)
        return [s, { orders: int(r?.orders), revenue: num(r?.revenue) }]
      }),
    ) as OrderStats['bySource'],
    byPaymentStatus: Object.fromEntries(PAYMENT_STATUSES.map((s) => [s, int(t[`p_${s}`])])) as OrderStats['byPaymentStatus'],
    series: series.map((r) => ({
      date: r.date,
      start: r.start,
      orders: int(r.orders),
      revenue: num(r.revenue),
      cancelled: int(r.cancelled),
      averageOrderValue: average(num(r.revenue), int(r.live)),
    })),
  }
}
