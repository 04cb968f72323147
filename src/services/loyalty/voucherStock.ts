import { allowComputedWrites, pgCode, rows, sql, type Db } from '../../lib/db/sql'
import { conflict } from '../../lib/errors'

/**
 * The one place voucher stock moves (redemptions take and return units, admins
 * restock with a delta), inside the caller's transaction. The database refuses
 * going below zero; that becomes 409 OUT_OF_STOCK.
 */
export async function moveVoucherStock(db: Db, voucherId: number, delta: number): Promise<number> {
  try {
    const [row] = await allowComputedWrites(db, () =>
      rows<{ stock: string }>(db, sql`update vouchers set stock = stock + ${delta}, updated_at = now() where id = ${voucherId} returning stock`),
    )
    return Number(row.stock)
  } catch (err) {
    if (pgCode(err) === '23514') throw conflict('OUT_OF_STOCK', 'Stock cannot go below zero.')
    throw err
  }
}
