import type { Where } from 'payload'
import { staffUser, type AccessArgs } from './types'

/**
 * Update rule for staff accounts: the super-admin changes anyone; an admin
 * changes itself and accounts below super-admin; everyone else only itself.
 */
export const canManageStaffAccount = (args: AccessArgs): boolean | Where => {
  const user = staffUser(args)
  if (!user) return false
  if (user.role === 'super-admin') return true
  if (user.role === 'admin') return { or: [{ id: { equals: user.id } }, { role: { not_equals: 'super-admin' } }] }
  return { id: { equals: user.id } }
}
