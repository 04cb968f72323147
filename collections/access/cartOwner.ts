import type { PayloadRequest, Where } from 'payload'
import { notFound } from '../../src/lib/errors'
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

/**
 * `cartOwner` for changes by id (update, delete): a cart the caller may not
 * reach is "not found" (404), as on read, rather than Payload's 403 for a
 * filtered-out document, which would confirm to a member or visitor that
 * someone else's cart exists under that id.
 */
export const cartOwnerOrNotFound =
  ({ staffRead }: { staffRead: boolean }) =>
  async (args: AccessArgs & { id?: number | string }): Promise<boolean | Where> => {
    const rule = cartOwner({ staffRead })(args)
    if (args.id === undefined || typeof rule === 'boolean') return rule
    const req = args.req as PayloadRequest
    const { totalDocs } = await req.payload.count({ collection: 'carts', where: { and: [{ id: { equals: args.id } }, rule] }, overrideAccess: true, req })
    if (totalDocs === 0) throw notFound('Cart not found.')
    return rule
  }
