import type { Where } from 'payload'
import { staffUser, type AccessArgs } from './types'

/** Staff accounts: admins see everyone, every other account only itself. */
export const isAdminOrSelf = (args: AccessArgs): boolean | Where => {
  const user = staffUser(args)
  if (!user) return false
  if (user.role === 'super-admin' || user.role === 'admin') return true
  return { id: { equals: user.id } }
}
