import type { CollectionBeforeValidateHook } from 'payload'
import { conflict } from '../src/lib/errors'
import { newCartId } from '../src/services/commerce/carts'

/**
 * A new cart gets a random id (never the client's) and belongs to the
 * signed-in member, if any. A checked-out cart no longer changes.
 */
export const assignCartOwner: CollectionBeforeValidateHook = ({ data, operation, originalDoc, req }) => {
  if (operation === 'create') {
    const user = req.user as { id: number; collection?: string } | null
    return { ...data, id: newCartId(), member: user?.collection === 'members' ? user.id : null, status: 'active' }
  }
  if (originalDoc?.status === 'converted' && !req.context?.cartService) throw conflict('CONFLICT', 'This cart has been checked out and can no longer change.')
  return data
}
