import type { CollectionBeforeValidateHook } from 'payload'
import { dbFor, rows, sql } from '../src/lib/db/sql'
import { conflict, notFound } from '../src/lib/errors'
import { newCartId } from '../src/services/commerce/carts'

/**
 * A new cart gets a random id (never the client's) and belongs to the
 * signed-in member, if any. A checked-out cart no longer changes: the cart
 * row is locked for the rest of the update's transaction and its status read
 * under that lock, so a change racing a checkout (which locks the same row)
 * either lands before the order is made from the cart or is refused.
 */
export const assignCartOwner: CollectionBeforeValidateHook = async ({ data, operation, originalDoc, req }) => {
  if (operation === 'create') {
    const user = req.user as { id: number; collection?: string } | null
    return { ...data, id: newCartId(), member: user?.collection === 'members' ? user.id : null, status: 'active' }
  }
  if (req.context?.cartService || !originalDoc?.id) return data
  const [row] = await rows<{ status: string }>(await dbFor(req.payload, req), sql`select status from carts where id = ${String(originalDoc.id)} for update`)
  if (!row) throw notFound('Cart not found.')
  if (row.status === 'converted') throw conflict('CONFLICT', 'This cart has been checked out and can no longer change.')
  return data
}
