import { hasRole } from './hasRole'
import { memberUser } from './memberUser'
import type { AccessArgs } from './types'

/**
 * Field-level predicates (booleans only, as Payload requires for fields).
 * A field denied on create/update is dropped from the input, not an error.
 */

/** Computed by the system (balances, tiers, totals): nobody writes it through the API. */
export const systemOnly = (): boolean => false

/** Staff admins only (super-admin, admin). */
export const adminsOnly = hasRole('super-admin', 'admin')

/** Member status: admins and moderators. */
export const memberStatusEditors = hasRole('super-admin', 'admin', 'moderator')

/** Staff notes and private fields: loyalty staff read them, members never. */
export const loyaltyStaffOnly = hasRole('super-admin', 'admin', 'moderator', 'support')

/** A member's own profile fields: the member itself (row access narrows to self) or admins. */
export const memberOrAdmin = (args: AccessArgs): boolean => adminsOnly(args) || memberUser(args) !== null

/** Description and image of products and vouchers: editors and admins. */
export const contentEditors = hasRole('super-admin', 'admin', 'editor')
