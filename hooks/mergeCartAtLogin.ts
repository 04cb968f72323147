import type { CollectionAfterLoginHook } from 'payload'
import { mergeCartIntoMember } from '../src/services/commerce/carts'

/**
 * A visitor who filled an anonymous cart and then logs in with `{cart: <id>}`
 * in the login body keeps it: it becomes (or joins) the member's cart. A cart
 * that cannot be merged never fails the login.
 */
export const mergeCartAtLogin: CollectionAfterLoginHook = async ({ req, user }) => {
  const cart = (req.data as { cart?: unknown } | undefined)?.cart
  if (typeof cart !== 'string' || !cart || cart.length > 64) return user
  try {
    await mergeCartIntoMember(req.payload, cart, Number(user.id), req)
  } catch (err) {
    req.payload.logger.warn({ err, cart }, 'could not merge the anonymous cart at login')
  }
  return user
}
