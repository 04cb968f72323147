import { STAFF_ROLES } from '../../src/domain/roles'
import { hasRole } from './hasRole'

/** Back-office staff (not resellers, not integrations, not members). */
export const isStaff = hasRole(...STAFF_ROLES)
