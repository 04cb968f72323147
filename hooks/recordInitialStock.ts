import type { CollectionAfterChangeHook } from 'payload'
import { dbFor, sql } from '../src/lib/db/sql'

/** The stock a product is created with is its first stock movement, so the history adds up from zero. */
export const recordInitialStock: CollectionAfterChangeHook = async ({ doc, operation, req }) => {
  if (operation !== 'create' || !doc.stockQuantity) return doc
  const user = req.user as { id: number; collection?: string } | null
  const db = await dbFor(req.payload, req)
  await db.execute(sql`
    insert into stock_movements (product_id, delta, stock_after, reason, created_by_id)
    values (${doc.id}, ${doc.stockQuantity}, ${doc.stockQuantity}, 'initial', ${user?.collection === 'users' ? user.id : null})`)
  return doc
}
