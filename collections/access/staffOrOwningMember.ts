import type { Where } from 'payload'
import { canReadLoyalty } from './canReadLoyalty'
import { memberUser } from './memberUser'
import type { AccessArgs } from './types'

/** Records that belong to a member (ledger, redemptions): loyalty staff see all, a member only its own. */
export const staffOrOwningMember = (args: AccessArgs): boolean | Where => {
  if (canReadLoyalty(args)) return true
  const member = memberUser(args)
  return member ? { member: { equals: member.id } } : false
}
