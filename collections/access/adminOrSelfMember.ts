import type { Where } from 'payload'
import { isAdmin } from './isAdmin'
import { memberUser } from './memberUser'
import type { AccessArgs } from './types'

/** Changes to a member's own details: admins, or the member itself. */
export const adminOrSelfMember = (args: AccessArgs): boolean | Where => {
  if (isAdmin(args)) return true
  const member = memberUser(args)
  return member ? { id: { equals: member.id } } : false
}
