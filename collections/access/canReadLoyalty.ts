import { hasRole } from './hasRole'

/** Staff who read loyalty data (members, ledger, redemptions): not editors, resellers or integrations. */
export const canReadLoyalty = hasRole('super-admin', 'admin', 'moderator', 'support')
