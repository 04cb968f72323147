import { hasRole } from './hasRole'

/** Super-admins and admins: all business data. */
export const isAdmin = hasRole('super-admin', 'admin')
