/**
 * Staff roles (the `users` collection), most powerful first. See SPEC §1.
 * Pure data and predicates: no Payload import, so rules can be unit-tested.
 */
export const ROLES = ['super-admin', 'admin', 'moderator', 'support', 'editor', 'reseller', 'integration'] as const
export type Role = (typeof ROLES)[number]

/** People who work in the back office on the business's side. */
export const STAFF_ROLES: readonly Role[] = ['super-admin', 'admin', 'moderator', 'support', 'editor']

/** Roles that may sign in to the admin panel (integrations use API keys only). */
export const ADMIN_PANEL_ROLES: readonly Role[] = ['super-admin', 'admin', 'moderator', 'support', 'editor', 'reseller']

/** Role given to a staff account created without one (least reach over business data). */
export const DEFAULT_ROLE: Role = 'editor'

export const ROLE_LABELS: Record<Role, string> = {
  'super-admin': 'Super admin',
  admin: 'Admin',
  moderator: 'Moderator',
  support: 'Support',
  editor: 'Editor',
  reseller: 'Reseller',
  integration: 'Integration (API key)',
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

/** Rank: lower is more powerful. */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role)
}
