import { hasRole } from './hasRole'

/** Back-office staff who read orders, carts, resellers and their clients (not editors). */
export const canReadCommerce = hasRole('super-admin', 'admin', 'moderator', 'support')
