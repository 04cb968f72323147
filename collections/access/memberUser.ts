import type { AccessArgs } from './types'

/** The signed-in storefront member, or null for staff and anonymous callers. */
export function memberUser(args: AccessArgs): { id: number | string } | null {
  const user = args.req.user as { id: number | string; collection?: string } | null | undefined
  return user && user.collection === 'members' ? { id: user.id } : null
}
