import type { CollectionBeforeChangeHook } from 'payload'
import { dbFor } from '../src/lib/db/sql'
import { badRequest } from '../src/lib/errors'
import { defaultReorderThreshold, moveStock } from '../src/services/commerce/inventory'
import { queueLowStockNotification } from '../src/services/commerce/lowStock'

/**
 * "Add to stock" on a product: a delta applied through the inventory service
 * in the save's transaction (a stock movement, and the low-stock alert), never
 * an absolute number that could set back sales made since the form loaded.
 * When the change opens a low-stock alert, the admins' e-mail is queued in
 * the same transaction (sent by the job queue once the save has committed).
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
  if (result.alertId !== undefined) await queueLowStockNotification(req.payload, result.alertId, req)
  return { ...data, stockQuantity: result.stockAfter, stockAdjustment: undefined }
}
