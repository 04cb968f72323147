import type { CollectionAfterChangeHook } from 'payload'
import { dbFor } from '../src/lib/db/sql'
import { recordInitialStock as record } from '../src/services/commerce/inventory'

/** The stock a product is created with is its first stock movement (in the create's transaction). */
export const recordInitialStock: CollectionAfterChangeHook = async ({ doc, operation, req }) => {
  if (operation !== 'create') return doc
  const user = req.user as { id: number; collection?: string } | null
  await record(await dbFor(req.payload, req), Number(doc.id), Number(doc.stockQuantity ?? 0), user?.collection === 'users' ? user.id : null)
  return doc
}
