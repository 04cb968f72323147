import type { CollectionConfig } from 'payload'
import { ROLES, ROLE_LABELS, DEFAULT_ROLE } from '../../src/domain/roles'
import { canAccessAdminPanel } from '../access/canAccessAdminPanel'
import { canDeleteStaffAccount } from '../access/canDeleteStaffAccount'
import { canManageStaffAccount } from '../access/canManageStaffAccount'
import { isAdmin } from '../access/isAdmin'
import { isAdminOrSelf } from '../access/isAdminOrSelf'
import { isSuperAdmin } from '../access/isSuperAdmin'
import { assignFirstUserSuperAdmin } from '../../hooks/assignFirstUserSuperAdmin'
import { guardApiKeys } from '../../hooks/guardApiKeys'
import { refuseDeletingWithHistory } from '../../hooks/refuseDeletingWithHistory'
import { rateLimitAuthAttempts } from '../../hooks/rateLimitAuthAttempts'

/** Staff accounts (SPEC §1): back-office people, reseller logins and API-key integrations. */
export const Users: CollectionConfig = {
  slug: 'users',
  labels: { singular: 'Staff account', plural: 'Staff accounts' },
  admin: {
    useAsTitle: 'email',
    defaultColumns: ['email', 'name', 'role', 'updatedAt'],
    group: 'Administration',
  },
  auth: {
    maxLoginAttempts: 5,
    lockTime: 10 * 60 * 1000,
    tokenExpiration: 8 * 60 * 60,
    useAPIKey: true,
    cookies: { sameSite: 'Lax', secure: process.env.NODE_ENV === 'production' && process.env.COOKIE_SECURE !== 'false' },
    forgotPassword: {
      generateEmailSubject: () => 'Reset your Patron password',
    },
  },
  access: {
    admin: canAccessAdminPanel,
    read: isAdminOrSelf,
    create: isAdmin,
    update: canManageStaffAccount,
    delete: canDeleteStaffAccount,
    unlock: isAdmin,
  },
  hooks: {
    beforeOperation: [rateLimitAuthAttempts],
    beforeChange: [assignFirstUserSuperAdmin, guardApiKeys],
    // Who did what stays on the record: an account that moved money, points, stock or orders is kept.
    beforeDelete: [
      refuseDeletingWithHistory(
        [
          { table: 'point_transactions', column: 'created_by_id' },
          { table: 'transactions', column: 'created_by_id' },
          { table: 'order_status_changes', column: 'by_id' },
          { table: 'stock_movements', column: 'created_by_id' },
        ],
        'This account has recorded points, payments, stock or order history; change its role or lock it instead of deleting it.',
      ),
    ],
  },
  fields: [
    { name: 'name', type: 'text', maxLength: 120 },
    {
      name: 'role',
      type: 'select',
      required: true,
      defaultValue: DEFAULT_ROLE,
      options: ROLES.map((value) => ({ value, label: ROLE_LABELS[value] })),
      saveToJWT: true,
      index: true,
      // Only the super-admin grants roles; others' input for this field is dropped.
      access: { create: isSuperAdmin, update: isSuperAdmin },
      admin: { position: 'sidebar' },
    },
    {
      name: 'scopes',
      type: 'select',
      hasMany: true,
      options: [
        { value: 'redemptions_use', label: 'Mark redemptions used' },
        { value: 'orders_read', label: 'Read orders' },
        { value: 'members_read', label: 'Read members' },
      ],
      // What an integration's API key may do; only the super-admin grants scopes.
      access: { create: isSuperAdmin, update: isSuperAdmin },
      admin: { condition: (data) => data?.role === 'integration', position: 'sidebar' },
    },
    {
      name: 'reseller',
      type: 'relationship',
      relationTo: 'resellers',
      index: true,
      saveToJWT: true,
      // Which reseller's books a `reseller` login sees; admins link it.
      access: { create: isAdmin, update: isAdmin },
      validate: (value: unknown, { siblingData }: { siblingData: { role?: string } }) =>
        siblingData?.role === 'reseller' && !value ? 'A reseller login must be linked to a reseller.' : true,
      admin: { condition: (data) => data?.role === 'reseller', position: 'sidebar' },
    },
  ],
  timestamps: true,
}
