import type { CollectionBeforeLoginHook } from 'payload'
import { PatronError } from '../src/lib/errors'

/** A blocked or deactivated member cannot sign in (their password is right, so say why). */
export const refuseInactiveMemberLogin: CollectionBeforeLoginHook = ({ user }) => {
  if (user.status === 'blocked' || user.status === 'inactive') {
    throw new PatronError('FORBIDDEN', 'This account is not active. Contact support.', 403)
  }
  return user
}
