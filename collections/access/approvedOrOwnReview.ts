import type { Where } from 'payload'
import { hasRole } from './hasRole'
import { memberUser } from './memberUser'
import type { AccessArgs } from './types'

export const reviewModerators = hasRole('super-admin', 'admin', 'moderator', 'editor')

/** Reviews: the public reads approved ones; a member also its own; moderators all. */
export const approvedOrOwnReview = (args: AccessArgs): boolean | Where => {
  if (reviewModerators(args)) return true
  const approved: Where = { status: { equals: 'approved' } }
  const member = memberUser(args)
  return member ? { or: [approved, { member: { equals: member.id } }] } : approved
}
