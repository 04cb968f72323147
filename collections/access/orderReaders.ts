import type { Where } from 'payload'
import { canReadCommerce } from './canReadCommerce'
import { memberUser } from './memberUser'
import { resellerOf } from './resellerUser'
import { staffUser, type AccessArgs } from './types'

/**
 * Orders and the money attached to them (`prefix` reaches them through a
 * relationship, e.g. `order.`): commerce staff and integrations holding
 * `orders_read` see all; a reseller its own; a member its own.
 */
export const orderReaders =
  (prefix = '') =>
  (args: AccessArgs): boolean | Where => {
    if (canReadCommerce(args)) return true
    const staff = staffUser(args)
    if (staff?.role === 'integration') {
      const scopes = (args.req.user as { scopes?: string[] | null }).scopes ?? []
      return scopes.includes('orders_read')
    }
    const reseller = resellerOf(args)
    if (reseller) return { [`${prefix}reseller`]: { equals: reseller } }
    const member = memberUser(args)
    if (member) return { [`${prefix}member`]: { equals: member.id } }
    return false
  }
