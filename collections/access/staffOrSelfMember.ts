import type { Where } from 'payload'
import { canReadLoyalty } from './canReadLoyalty'
import { memberUser } from './memberUser'
import type { AccessArgs } from './types'

/** Members collection: loyalty staff see everyone, a member only itself. */
export const staffOrSelfMember = (args: AccessArgs): boolean | Where => {
  if (canReadLoyalty(args)) return true
  const member = memberUser(args)
  return member ? { id: { equals: member.id } } : false
}
