import { paymentStatusFor } from '../../domain/pricing'
import { allowComputedWrites, rows, sql, type Db } from '../../lib/db/sql'
import { notFound } from '../../lib/errors'

/** Moves an order's captured and refunded amounts (after a payment or refund) and recomputes its payment status from them. */
export async function moveOrderMoney(db: Db, orderId: number, change: { paid?: number; refunded?: number; lastAttemptFailed?: boolean }): Promise<void> {
  const [o] = await rows<{ total: string; amount_paid: string; amount_refunded: string }>(
    db,
    sql`select total, amount_paid, amount_refunded from orders where id = ${orderId} for update`,
  )
  if (!o) throw notFound('Order not found.')
  const paid = Number(o.amount_paid) + (change.paid ?? 0)
  const refunded = Number(o.amount_refunded) + (change.refunded ?? 0)
  const status = paymentStatusFor(Number(o.total), paid, refunded, change.lastAttemptFailed)
  await allowComputedWrites(db, () =>
    db.execute(sql`update orders set amount_paid = ${paid}, amount_refunded = ${refunded}, payment_status = ${status}, updated_at = now() where id = ${orderId}`),
  )
}

