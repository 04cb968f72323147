import type { CollectionConfig, Where } from 'payload'
import { canReadLoyalty } from '../access/canReadLoyalty'
import { adminsOnly, contentEditors } from '../access/fieldAccess'
import { hasRole } from '../access/hasRole'
import { isAdmin } from '../access/isAdmin'
import type { AccessArgs } from '../access/types'
import { voucherStats } from '../../endpoints/loyalty/voucherStats'
import { applyVoucherStockChange } from '../../hooks/applyVoucherStockChange'
import { refuseDeletingWithHistory } from '../../hooks/refuseDeletingWithHistory'

/** Staff see every voucher; everyone else only active vouchers inside their validity window. */
const readVouchers = (args: AccessArgs): boolean | Where => {
  if (canReadLoyalty(args) || hasRole('editor')(args)) return true
  const now = new Date().toISOString()
  return {
    and: [
      { status: { equals: 'active' } },
      { or: [{ validFrom: { exists: false } }, { validFrom: { less_than_equal: now } }] },
      { or: [{ validTo: { exists: false } }, { validTo: { greater_than_equal: now } }] },
    ],
  }
}

const adminField = { create: adminsOnly, update: adminsOnly }

export const Vouchers: CollectionConfig = {
  slug: 'vouchers',
  admin: { useAsTitle: 'name', group: 'Loyalty', defaultColumns: ['code', 'name', 'pointsCost', 'stock', 'status', 'validTo'] },
  access: { read: readVouchers, create: isAdmin, update: contentEditors, delete: isAdmin },
  endpoints: [voucherStats],
  hooks: {
    beforeChange: [applyVoucherStockChange],
    beforeDelete: [refuseDeletingWithHistory([{ table: 'redemptions', column: 'voucher_id' }], 'This voucher has redemptions; set it inactive instead of deleting it.')],
  },
  fields: [
    {
      name: 'code',
      type: 'text',
      required: true,
      unique: true,
      index: true,
      maxLength: 40,
      access: adminField,
      hooks: { beforeValidate: [({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value)] },
    },
    { name: 'name', type: 'text', required: true, maxLength: 200, access: adminField },
    { name: 'description', type: 'richText', access: { update: contentEditors } },
    { name: 'image', type: 'upload', relationTo: 'media', access: { update: contentEditors } },
    {
      type: 'row',
      fields: [
        { name: 'discountType', type: 'select', required: true, options: ['percentage', 'fixed'], defaultValue: 'fixed', access: adminField },
        {
          name: 'discountValue',
          type: 'number',
          required: true,
          min: 0,
          access: adminField,
          admin: { description: 'Percent, or minor units (cents) for a fixed discount' },
          validate: (value: number | null | undefined, { siblingData }: { siblingData: { discountType?: string } }) =>
            siblingData.discountType === 'percentage' && (value ?? 0) > 100 ? 'A percentage cannot exceed 100' : true,
        },
      ],
    },
    {
      type: 'row',
      fields: [
        { name: 'pointsCost', type: 'number', required: true, min: 1, access: adminField },
        {
          name: 'stock',
          type: 'number',
          required: true,
          min: 0,
          defaultValue: 0,
          // Set when the voucher is created; after that it moves with redemptions and "Add to stock" only.
          access: { create: adminsOnly, update: () => false },
          admin: { description: 'Changes with redemptions; use "Add to stock" to restock' },
        },
        {
          name: 'stockAdjustment',
          label: 'Add to stock',
          type: 'number',
          virtual: true,
          access: { create: adminsOnly, update: adminsOnly },
          admin: { description: 'Units to add (negative: remove), applied to the current stock on save' },
        },
        { name: 'perMemberLimit', type: 'number', min: 1, access: adminField, admin: { description: 'Empty: no limit' } },
      ],
    },
    { name: 'minTier', type: 'text', access: adminField, admin: { description: 'Name of the lowest tier allowed (empty: everyone)' } },
    {
      type: 'row',
      fields: [
        { name: 'validFrom', type: 'date', access: adminField },
        { name: 'validTo', type: 'date', access: adminField, index: true },
      ],
    },
    { name: 'status', type: 'select', required: true, options: ['active', 'inactive'], defaultValue: 'active', index: true, access: adminField },
    { name: 'legacyId', type: 'text', unique: true, index: true, access: { read: canReadLoyalty, create: () => false, update: () => false }, admin: { readOnly: true } },
  ],
  timestamps: true,
}
