import type { Where } from 'payload'
import { canReadCommerce } from './canReadCommerce'
import { memberUser } from './memberUser'
import type { AccessArgs } from './types'

/**
 * Carts: a member reaches its own carts; an anonymous cart is reached only by
 * its unguessable id (knowing the id is holding the cart), never by listing.
 * Commerce staff may read every cart (`staffRead`) but not change one.
 */
export const cartOwner =
  ({ staffRead }: { staffRead: boolean }) =>
  (args: AccessArgs & { id?: number | string }): boolean | Where => {
    if (staffRead && canReadCommerce(args)) return true
    const member = memberUser(args)
    const anonymousById: Where = { member: { exists: false } }
    if (member) {
      const own: Where = { member: { equals: member.id } }
      return args.id !== undefined ? { or: [own, anonymousById] } : own
    }
    const user = args.req.user
    if (user) return false
    return args.id !== undefined ? anonymousById : false
  }
