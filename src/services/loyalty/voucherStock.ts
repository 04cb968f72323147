import { REFUSAL_MESSAGES } from '../../domain/redemption'
import { allowComputedWrites, pgCode, rows, sql, type Db } from '../../lib/db/sql'
import { conflict, type PatronError } from '../../lib/errors'
import type { SQL } from 'drizzle-orm'

/*
 * Stock moves leave `updated_at` alone: it is indexed, and an update that
 * changes no indexed column is a HOT update, which keeps the row that every
 * redemption of a voucher updates from piling up index entries (the table's
 * fillfactor leaves room for that, migration 20261122_090100). An admin's
 * restock is a Payload update, which sets `updated_at` itself.
 */

/**
 * The one place voucher stock moves (redemptions take and return units, admins
 * restock with a delta), inside the caller's transaction. The database refuses
 * going below zero; that becomes 409 OUT_OF_STOCK.
 */
export async function moveVoucherStock(db: Db, voucherId: number, delta: number): Promise<number> {
  try {
    const [row] = await allowComputedWrites(db, () =>
      rows<{ stock: string }>(db, sql`update vouchers set stock = stock + ${delta} where id = ${voucherId} returning stock`),
    )
    return Number(row.stock)
  } catch (err) {
    if (pgCode(err) === '23514') throw conflict('OUT_OF_STOCK', 'Stock cannot go below zero.')
    throw err
  }
}

/** The conditional update that takes one unit of an active voucher (`returning stock`; no row when it cannot). */
export function takeUnitStatement(voucherId: number): SQL {
  return sql`update vouchers set stock = stock - 1 where id = ${voucherId} and stock > 0 and status = 'active' returning stock`
}

/** Why no unit could be taken (after takeUnitStatement returned no row): switched off, or sold out. */
export async function noUnitRefusal(db: Db, voucherId: number): Promise<PatronError> {
  const [v] = await rows<{ status: string }>(db, sql`select status from vouchers where id = ${voucherId}`)
  if (v?.status !== 'active') return conflict('VOUCHER_INACTIVE', REFUSAL_MESSAGES.VOUCHER_INACTIVE)
  return conflict('OUT_OF_STOCK', REFUSAL_MESSAGES.OUT_OF_STOCK)
}
