import type { Where } from 'payload'
import { hasRole } from './hasRole'
import { memberUser } from './memberUser'
import type { AccessArgs } from './types'

const staffWhoUpdateMembers = hasRole('super-admin', 'admin', 'moderator')

/**
 * Update access to member records: admins and moderators (moderators only
 * reach the status field, see field access), and the member itself.
 */
export const canManageMembers = (args: AccessArgs): boolean | Where => {
  if (staffWhoUpdateMembers(args)) return true
  const member = memberUser(args)
  return member ? { id: { equals: member.id } } : false
}
