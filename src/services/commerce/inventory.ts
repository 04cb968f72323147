import type { Payload, PayloadRequest } from 'payload'
import { allowComputedWrites, rows, sql, type Db } from '../../lib/db/sql'
import { badRequest, conflict, notFound } from '../../lib/errors'

export type StockReason = 'initial' | 'restock' | 'adjustment' | 'order' | 'cancel' | 'import'

export type StockMoveInput = {
  productId: number
  /** Units added (negative: taken). */
  delta: number
  reason: StockReason
  note?: string | null
  orderRef?: string | null
  createdBy?: number | null
  /** Threshold when the product has none of its own (settings.defaultReorderThreshold). */
  defaultThreshold: number
}

/** `alertId`: the alert this change opened (queue its notification after the transaction, see lowStock.ts). */
export type StockMoveResult = { stockAfter: number; alertOpened: boolean; alertResolved: boolean; alertId?: number }

/**
 * Moves a product's stock inside the caller's transaction: a conditional
 * update that can never go below zero (OUT_OF_STOCK otherwise), a stock
 * movement recording who, why and which order, and the low-stock alert for the
 * crossing: opened once when stock falls to or below the threshold (the
 * database keeps one open alert per product), resolved when it rises above.
 */
export async function moveStock(db: Db, input: StockMoveInput): Promise<StockMoveResult> {
  if (!Number.isInteger(input.delta) || input.delta === 0) throw badRequest('A stock change must be a non-zero whole number.')
  const [row] = await allowComputedWrites(db, () =>
    rows<{ stock_quantity: string; reorder_threshold: string | null }>(
      db,
      sql`update products set stock_quantity = stock_quantity + ${input.delta}, updated_at = now()
          where id = ${input.productId} and stock_quantity + ${input.delta} >= 0
          returning stock_quantity, reorder_threshold`,
    ),
  )
  if (!row) {
    const [exists] = await rows<{ stock_quantity: string }>(db, sql`select stock_quantity from products where id = ${input.productId}`)
    if (!exists) throw notFound('Product not found.')
    throw conflict('OUT_OF_STOCK', 'Not enough stock.', { productId: input.productId, available: Number(exists.stock_quantity), requested: -input.delta })
  }
  const stockAfter = Number(row.stock_quantity)
  await db.execute(sql`
    insert into stock_movements (product_id, delta, stock_after, reason, note, order_ref, created_by_id)
    values (${input.productId}, ${input.delta}, ${stockAfter}, ${input.reason}, ${input.note ?? null}, ${input.orderRef ?? null}, ${input.createdBy ?? null})`)
  const threshold = row.reorder_threshold === null ? input.defaultThreshold : Number(row.reorder_threshold)
  return { stockAfter, ...(await reconcileAlert(db, input.productId, stockAfter, threshold)) }
}

/** Opens or resolves the product's low-stock alert to match its stock (idempotent). */
export async function reconcileAlert(
  db: Db,
  productId: number,
  stock: number,
  threshold: number,
): Promise<{ alertOpened: boolean; alertResolved: boolean; alertId?: number }> {
  if (stock <= threshold) {
    const opened = await rows<{ id: number }>(
      db,
      sql`insert into low_stock_alerts (product_id, stock_at_alert, threshold, status)
          values (${productId}, ${stock}, ${threshold}, 'open')
          on conflict (product_id) where status = 'open' do nothing
          returning id`,
    )
    return opened.length > 0 ? { alertOpened: true, alertResolved: false, alertId: Number(opened[0].id) } : { alertOpened: false, alertResolved: false }
  }
  const resolved = await rows<{ id: number }>(
    db,
    sql`update low_stock_alerts set status = 'resolved', resolved_at = now(), updated_at = now()
        where product_id = ${productId} and status = 'open' returning id`,
  )
  return { alertOpened: false, alertResolved: resolved.length > 0 }
}

/** The settings' default reorder threshold. */
export async function defaultReorderThreshold(payload: Payload, req?: Partial<PayloadRequest>): Promise<number> {
  const settings = await payload.findGlobal({ slug: 'settings', depth: 0, req, overrideAccess: true })
  return Number(settings.defaultReorderThreshold ?? 0)
}

/** Records the stock a product was created with as its first movement, so the history adds up from zero. */
export async function recordInitialStock(db: Db, productId: number, stock: number, createdBy: number | null): Promise<void> {
  if (!stock) return
  await db.execute(sql`
    insert into stock_movements (product_id, delta, stock_after, reason, created_by_id)
    values (${productId}, ${stock}, ${stock}, 'initial', ${createdBy})`)
}
