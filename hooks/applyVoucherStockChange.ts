import type { CollectionBeforeChangeHook } from 'payload'
import { dbFor } from '../src/lib/db/sql'
import { badRequest } from '../src/lib/errors'
import { moveVoucherStock } from '../src/services/loyalty/voucherStock'

/**
 * Admins restock a voucher with "Add to stock" (`stockAdjustment`, a delta),
 * never by typing an absolute stock: a form loaded before some redemptions
 * would otherwise set the stock back. The delta is applied to the current row
 * in the save's transaction; the database trigger then keeps that value when
 * Payload writes the row.
 */
export const applyVoucherStockChange: CollectionBeforeChangeHook = async ({ data, originalDoc, operation, req }) => {
  const delta = data.stockAdjustment
  if (delta === undefined || delta === null || delta === 0) return { ...data, stockAdjustment: undefined }
  if (!Number.isInteger(delta) || Math.abs(delta) > 1_000_000) throw badRequest('"Add to stock" must be a whole number.')
  if (operation === 'create') return { ...data, stock: Number(data.stock ?? 0) + delta, stockAdjustment: undefined }
  const stock = await moveVoucherStock(await dbFor(req.payload, req), Number(originalDoc.id), delta)
  return { ...data, stock, stockAdjustment: undefined }
}
