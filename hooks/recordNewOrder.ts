import type { CollectionAfterChangeHook } from 'payload'
import { dbFor } from '../src/lib/db/sql'
import { recordNewOrder as record } from '../src/services/commerce/orders'

/** A new order's first history entry and its voucher redemption marked used, in the order's transaction. */
export const recordNewOrder: CollectionAfterChangeHook = async ({ doc, operation, req }) => {
  if (operation !== 'create') return doc
  const user = req.user as { id: number; collection?: string } | null
  const redemption = typeof doc.redemption === 'object' && doc.redemption ? doc.redemption.id : doc.redemption
  await record(await dbFor(req.payload, req), {
    id: doc.id,
    redemptionId: redemption ? Number(redemption) : null,
    by: { staff: user?.collection === 'users' ? user.id : null, member: user?.collection === 'members' ? user.id : null },
  })
  return doc
}
