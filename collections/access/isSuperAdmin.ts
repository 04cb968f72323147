import { hasRole } from './hasRole'

/** Only the super-admin: staff accounts' roles, settings, API keys. */
export const isSuperAdmin = hasRole('super-admin')
