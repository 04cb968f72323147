import type { CollectionBeforeChangeHook } from 'payload'
import { resellerOf } from '../collections/access/resellerUser'
import { forbidden } from '../src/lib/errors'

/**
 * A reseller login files records under its own reseller, whatever the input
 * says (no mass assignment into another reseller's books). Refuses a login
 * whose account is not linked to a reseller.
 */
export const forceOwnReseller: CollectionBeforeChangeHook = ({ data, req }) => {
  const user = req.user as { collection?: string; role?: string } | null
  if (user?.collection !== 'users' || user.role !== 'reseller') return data
  const reseller = resellerOf({ req })
  if (!reseller) throw forbidden('This reseller login is not linked to a reseller.')
  return { ...data, reseller }
}
