import type { Role } from '../../src/domain/roles'

/** The shape of `req.user` our predicates look at (staff or member). */
export type AuthUser = { id: number | string; collection?: string; role?: Role | null } | null | undefined

/** Any Payload access args carry `req.user`; predicates only need that. */
export type AccessArgs = { req: { user?: unknown } }

export function staffUser(args: AccessArgs): { id: number | string; role: Role } | null {
  const user = args.req.user as AuthUser
  if (!user || user.collection !== 'users' || !user.role) return null
  return { id: user.id, role: user.role }
}
