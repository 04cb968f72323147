import { allowComputedWrites, rows, sql, type Db } from '../../lib/db/sql'
import { badRequest, conflict, forbidden } from '../../lib/errors'

/** A member may review a product once, and only one it has received (a delivered or completed order). */
export async function assertMayReview(db: Db, memberId: number, productId: number): Promise<void> {
  if (!Number.isSafeInteger(productId) || productId <= 0) throw badRequest('`product` is required.', { field: 'product' })
  const [received] = await rows<{ ok: boolean }>(
    db,
    sql`select exists(
          select 1 from orders o join orders_items i on i._parent_id = o.id
          where o.member_id = ${memberId} and i.product_id = ${productId} and o.status in ('delivered', 'completed')) as ok`,
  )
  if (!received.ok) throw forbidden('You can review a product once it has been delivered to you.')
  // One review per member and product, also for concurrent requests: the second waits here until the first commits, then sees it.
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`review:${memberId}:${productId}`}, 0))`)
  const [dup] = await rows<{ ok: boolean }>(db, sql`select exists(select 1 from reviews where member_id = ${memberId} and product_id = ${productId}) as ok`)
  if (dup.ok) throw conflict('CONFLICT', 'You have already reviewed this product.')
}

/**
 * Recomputes a product's rating from its approved reviews (inside the caller's
 * transaction). The product row is locked first, so concurrent moderation of
 * one product's reviews recomputes one after another, each seeing the
 * previous one's committed change (otherwise the last to commit would write
 * an average that misses the others).
 */
export async function refreshProductRating(db: Db, productId: number): Promise<{ average: number | null; count: number }> {
  await db.execute(sql`select id from products where id = ${productId} for update`)
  const [r] = await rows<{ avg: string | null; n: number }>(
    db,
    sql`select round(avg(rating)::numeric, 2) as avg, count(*)::int as n from reviews where product_id = ${productId} and status = 'approved'`,
  )
  const average = r.avg === null ? null : Number(r.avg)
  await allowComputedWrites(db, () =>
    db.execute(sql`update products set rating_average = ${average}, rating_count = ${r.n} where id = ${productId}`),
  )
  return { average, count: r.n }
}
