import type { CollectionBeforeChangeHook } from 'payload'
import { dbFor } from '../src/lib/db/sql'
import { badRequest } from '../src/lib/errors'
import { defaultReorderThreshold, moveStock } from '../src/services/commerce/inventory'

/**
 * "Add to stock" on a product: a delta applied through the inventory service
 * in the save's transaction (a stock movement, and the low-stock alert), never
 * an absolute number that could set back sales made since the form loaded.
 */
export const applyProductStockChange: CollectionBeforeChangeHook = async ({ data, originalDoc, operation, req }) => {
  const delta = data.stockAdjustment
  if (operation !== 'update' || delta === undefined || delta === null || delta === 0) return { ...data, stockAdjustment: undefined }
  if (!Number.isInteger(delta) || Math.abs(delta) > 1_000_000) throw badRequest('"Add to stock" must be a whole number.')
  const user = req.user as { id: number; collection?: string } | null
  const result = await moveStock(await dbFor(req.payload, req), {
    productId: Number(originalDoc.id),
    delta,
    reason: delta > 0 ? 'restock' : 'adjustment',
    createdBy: user?.collection === 'users' ? user.id : null,
    defaultThreshold: await defaultReorderThreshold(req.payload, req),
  })
  return { ...data, stockQuantity: result.stockAfter, stockAdjustment: undefined }
}
