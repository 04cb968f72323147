import type { CollectionConfig } from 'payload'
import { canReadLoyalty } from '../access/canReadLoyalty'
import { anyone } from '../access/anyone'
import { canManageMembers } from '../access/canManageMembers'
import { adminsOnly, loyaltyStaffOnly, memberOrAdmin, memberStatusEditors, systemOnly } from '../access/fieldAccess'
import { isAdmin } from '../access/isAdmin'
import { staffOrSelfMember } from '../access/staffOrSelfMember'
import { generateMemberCode } from '../../hooks/generateMemberCode'
import { grantSignupBonus } from '../../hooks/grantSignupBonus'
import { mergeCartAtLogin } from '../../hooks/mergeCartAtLogin'
import { rateLimitAuthAttempts } from '../../hooks/rateLimitAuthAttempts'
import { refuseDeletingWithHistory } from '../../hooks/refuseDeletingWithHistory'
import { refuseInactiveMemberLogin } from '../../hooks/refuseInactiveMemberLogin'
import { memberStats } from '../../endpoints/loyalty/memberStats'

export const MEMBER_STATUSES = ['pending_verification', 'active', 'inactive', 'blocked'] as const

/** Fields a member may set on itself (everything else is staff-only or computed). */
const selfField = { create: anyone, update: memberOrAdmin }

/**
 * Storefront customers and loyalty members (SPEC §2): a second auth collection.
 * Anyone may register; computed fields (tier, balances) are never writable through the API.
 */
export const Members: CollectionConfig = {
  slug: 'members',
  admin: {
    useAsTitle: 'email',
    defaultColumns: ['memberCode', 'name', 'email', 'tier', 'pointsBalance', 'status'],
    group: 'Loyalty',
    listSearchableFields: ['memberCode', 'name', 'email', 'phone'],
  },
  auth: {
    maxLoginAttempts: 5,
    lockTime: 10 * 60 * 1000,
    tokenExpiration: 7 * 24 * 60 * 60,
    cookies: { sameSite: 'Lax', secure: process.env.NODE_ENV === 'production' && process.env.COOKIE_SECURE !== 'false' },
    forgotPassword: {
      generateEmailSubject: () => 'Reset your password',
      generateEmailHTML: (args) => {
        const base = process.env.STOREFRONT_URL || process.env.PUBLIC_URL || ''
        const link = `${base}/reset-password?token=${encodeURIComponent(String(args?.token ?? ''))}`
        return `<p>Someone asked to reset the password of your account. If it was you, follow this link:</p><p><a href="${link}">${link}</a></p><p>Reset token: ${args?.token ?? ''}</p>`
      },
    },
  },
  // Storefront members update their own profiles at storefront concurrency; Payload's
  // document-lock check takes a second pool connection per update (outside the
  // update's transaction), which starves the pool under load. Staff rarely co-edit a member.
  lockDocuments: false,
  access: {
    admin: () => false,
    create: anyone,
    read: staffOrSelfMember,
    update: canManageMembers,
    delete: isAdmin,
    unlock: isAdmin,
  },
  hooks: {
    beforeOperation: [rateLimitAuthAttempts],
    beforeChange: [generateMemberCode],
    afterChange: [grantSignupBonus],
    beforeLogin: [refuseInactiveMemberLogin],
    afterLogin: [mergeCartAtLogin],
    beforeDelete: [
      refuseDeletingWithHistory(
        [
          { table: 'point_transactions', column: 'member_id' },
          { table: 'redemptions', column: 'member_id' },
        ],
        'This member has points history; block or deactivate the account instead of deleting it.',
      ),
    ],
  },
  endpoints: [memberStats],
  fields: [
    {
      name: 'memberCode',
      type: 'text',
      unique: true,
      index: true,
      access: { create: systemOnly, update: systemOnly },
      admin: { readOnly: true, position: 'sidebar', description: 'Generated' },
    },
    { name: 'name', type: 'text', required: true, maxLength: 200, access: selfField },
    { name: 'phone', type: 'text', maxLength: 40, access: selfField },
    {
      type: 'collapsible',
      label: 'Address',
      fields: [
        { name: 'address', type: 'text', maxLength: 300, access: selfField },
        {
          type: 'row',
          fields: [
            { name: 'city', type: 'text', maxLength: 100, access: selfField },
            { name: 'state', type: 'text', maxLength: 100, access: selfField },
            { name: 'postalCode', type: 'text', maxLength: 20, access: selfField },
            { name: 'country', type: 'text', maxLength: 2, access: selfField, admin: { description: 'ISO 3166 alpha-2' } },
          ],
        },
      ],
    },
    { name: 'dateOfBirth', type: 'date', access: selfField, admin: { date: { pickerAppearance: 'dayOnly' } } },
    {
      type: 'row',
      fields: [
        {
          name: 'idDocumentType',
          type: 'select',
          options: ['passport', 'national_id', 'driver_license'],
          access: { read: adminsOnly, create: adminsOnly, update: adminsOnly },
        },
        { name: 'idDocumentNumber', type: 'text', maxLength: 60, access: { read: adminsOnly, create: adminsOnly, update: adminsOnly } },
      ],
    },
    { name: 'marketingOptIn', type: 'checkbox', defaultValue: false, access: selfField },
    {
      name: 'status',
      type: 'select',
      required: true,
      defaultValue: 'active',
      options: [...MEMBER_STATUSES],
      index: true,
      access: { create: memberStatusEditors, update: memberStatusEditors },
      admin: { position: 'sidebar' },
    },
    {
      name: 'tier',
      type: 'text',
      index: true,
      access: { create: systemOnly, update: systemOnly },
      admin: { readOnly: true, position: 'sidebar', description: 'Computed from the loyalty rules' },
    },
    {
      name: 'pointsBalance',
      type: 'number',
      required: true,
      defaultValue: 0,
      index: true,
      access: { create: systemOnly, update: systemOnly },
      admin: { readOnly: true, position: 'sidebar', description: 'Sum of the ledger; changed only by ledger entries' },
    },
    {
      name: 'lifetimePoints',
      type: 'number',
      required: true,
      defaultValue: 0,
      access: { create: systemOnly, update: systemOnly },
      admin: { readOnly: true, position: 'sidebar' },
    },
    {
      name: 'lifetimeSpend',
      type: 'number',
      required: true,
      defaultValue: 0,
      access: { create: systemOnly, update: systemOnly },
      admin: { readOnly: true, position: 'sidebar', description: 'Minor units (cents)' },
    },
    {
      name: 'joinDate',
      type: 'date',
      index: true,
      access: { create: adminsOnly, update: adminsOnly },
      admin: { position: 'sidebar' },
      hooks: { beforeChange: [({ value, operation }) => (operation === 'create' && !value ? new Date().toISOString() : value)] },
    },
    { name: 'notes', type: 'textarea', access: { read: loyaltyStaffOnly, create: canReadLoyalty, update: memberStatusEditors } },
    {
      name: 'legacyId',
      type: 'text',
      unique: true,
      index: true,
      access: { read: loyaltyStaffOnly, create: systemOnly, update: systemOnly },
      admin: { readOnly: true, position: 'sidebar', description: 'Id in the system this member was imported from' },
    },
  ],
  timestamps: true,
}
