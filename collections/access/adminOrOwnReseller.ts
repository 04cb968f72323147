import type { Where } from 'payload'
import { isAdmin } from './isAdmin'
import { resellerOf } from './resellerUser'
import type { AccessArgs } from './types'

/** Writes to reseller-owned records: admins any, a reseller login only its own reseller's. */
export const adminOrOwnReseller = (args: AccessArgs): boolean | Where => {
  if (isAdmin(args)) return true
  const reseller = resellerOf(args)
  return reseller ? { reseller: { equals: reseller } } : false
}
