import type { Where } from 'payload'
import { staffUser, type AccessArgs } from './types'

/** The super-admin deletes any other account; an admin deletes accounts below super-admin, never itself. */
export const canDeleteStaffAccount = (args: AccessArgs): boolean | Where => {
  const user = staffUser(args)
  if (!user) return false
  if (user.role === 'super-admin') return { id: { not_equals: user.id } }
  if (user.role === 'admin') return { and: [{ id: { not_equals: user.id } }, { role: { not_equals: 'super-admin' } }] }
  return false
}
