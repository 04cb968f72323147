import { staffUser, type AccessArgs } from './types'

/**
 * The reseller a `reseller`-role login belongs to, or null for anyone else.
 * `req.user.reseller` is an id, or the populated document depending on depth.
 */
export function resellerOf(args: AccessArgs): number | null {
  const user = staffUser(args)
  if (!user || user.role !== 'reseller') return null
  const raw = (args.req.user as { reseller?: unknown }).reseller
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : raw
  const n = Number(id)
  return Number.isInteger(n) && n > 0 ? n : null
}
