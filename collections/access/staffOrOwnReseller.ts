import type { Where } from 'payload'
import { canReadCommerce } from './canReadCommerce'
import { resellerOf } from './resellerUser'
import type { AccessArgs } from './types'

/**
 * Reseller-owned records (clients): commerce staff see all; a reseller login
 * only its own reseller's; everyone else nothing. `field` names the relationship
 * to the reseller (`id` for the resellers collection itself).
 */
export const staffOrOwnReseller =
  (field = 'reseller') =>
  (args: AccessArgs): boolean | Where => {
    if (canReadCommerce(args)) return true
    const reseller = resellerOf(args)
    return reseller ? { [field]: { equals: reseller } } : false
  }
