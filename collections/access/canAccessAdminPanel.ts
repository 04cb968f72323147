import { ADMIN_PANEL_ROLES } from '../../src/domain/roles'
import { hasRole } from './hasRole'

/** Who may open the admin panel: every staff role and resellers; integrations use API keys. */
export const canAccessAdminPanel = hasRole(...ADMIN_PANEL_ROLES)
