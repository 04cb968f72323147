import type { CollectionBeforeChangeHook } from 'payload'
import { allowComputedWrites, dbFor, pgCode, rows, sql } from '../src/lib/db/sql'
import { badRequest, conflict } from '../src/lib/errors'

/**
 * Admins restock a voucher with "Add to stock" (`stockAdjustment`, a delta),
 * never by typing an absolute stock: a form loaded before some redemptions
 * would otherwise set the stock back. The delta is applied to the current row
 * in the save's transaction; the database trigger keeps that value when
 * Payload writes the row, and CHECK (stock >= 0) refuses going below zero.
 */
export const applyVoucherStockChange: CollectionBeforeChangeHook = async ({ data, originalDoc, operation, req }) => {
  const delta = data.stockAdjustment
  if (delta === undefined || delta === null || delta === 0) return { ...data, stockAdjustment: undefined }
  if (!Number.isInteger(delta) || Math.abs(delta) > 1_000_000) throw badRequest('"Add to stock" must be a whole number.')
  if (operation === 'create') return { ...data, stock: Number(data.stock ?? 0) + delta, stockAdjustment: undefined }
  const db = await dbFor(req.payload, req)
  try {
    const [row] = await allowComputedWrites(db, () =>
      rows<{ stock: string }>(db, sql`update vouchers set stock = stock + ${delta} where id = ${originalDoc.id} returning stock`),
    )
    return { ...data, stock: Number(row.stock), stockAdjustment: undefined }
  } catch (err) {
    if (pgCode(err) === '23514') throw conflict('OUT_OF_STOCK', 'Stock cannot go below zero.')
    throw err
  }
}
