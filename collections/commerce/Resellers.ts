import type { CollectionConfig } from 'payload'
import { isAdmin } from '../access/isAdmin'
import { staffOrOwnReseller } from '../access/staffOrOwnReseller'
import { moneyField } from '../fields/money'
import { refuseDeletingWithHistory } from '../../hooks/refuseDeletingWithHistory'

export const RESELLER_STATUSES = ['pending', 'active', 'suspended'] as const

/**
 * Businesses that sell for us (SPEC §2 Resellers). Orders on credit raise
 * `currentBalance` (what they owe); payments and commission lower it. Only
 * the order and payment services move it (a database trigger keeps it
 * otherwise). A reseller login sees its own record only.
 */
export const Resellers: CollectionConfig = {
  slug: 'resellers',
  admin: {
    useAsTitle: 'businessName',
    group: 'Resellers',
    defaultColumns: ['businessName', 'email', 'status', 'creditLimit', 'currentBalance', 'commissionRate'],
    listSearchableFields: ['businessName', 'email', 'contactPerson'],
  },
  lockDocuments: false,
  access: { read: staffOrOwnReseller('id'), create: isAdmin, update: isAdmin, delete: isAdmin },
  hooks: {
    beforeDelete: [
      refuseDeletingWithHistory(
        [
          { table: 'orders', column: 'reseller_id' },
          { table: 'transactions', column: 'reseller_id' },
        ],
        'This reseller has orders or transactions; suspend it instead of deleting it.',
      ),
    ],
  },
  fields: [
    { name: 'businessName', type: 'text', required: true, maxLength: 200 },
    { name: 'contactPerson', type: 'text', maxLength: 120 },
    {
      name: 'email',
      type: 'email',
      required: true,
      unique: true,
      index: true,
      hooks: { beforeValidate: [({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value)] },
    },
    { name: 'phone', type: 'text', maxLength: 40 },
    {
      type: 'collapsible',
      label: 'Address',
      fields: [
        { name: 'address', type: 'text', maxLength: 200 },
        {
          type: 'row',
          fields: [
            { name: 'city', type: 'text', maxLength: 100 },
            { name: 'state', type: 'text', maxLength: 100 },
            { name: 'country', type: 'text', maxLength: 2, admin: { description: 'ISO 3166 alpha-2' } },
          ],
        },
      ],
    },
    {
      name: 'status',
      type: 'select',
      required: true,
      options: [...RESELLER_STATUSES],
      defaultValue: 'pending',
      index: true,
      admin: { position: 'sidebar', description: 'Only active resellers can order; suspended ones cannot' },
    },
    { ...moneyField('creditLimit', { required: true, description: 'Most they may owe at once, minor units (cents)' }), defaultValue: 0, admin: { position: 'sidebar', step: 1, description: 'Most they may owe at once, minor units (cents)' } },
    {
      ...moneyField('currentBalance', { computed: true, allowNegative: true }),
      admin: { position: 'sidebar', readOnly: true, description: 'What they owe now (minor units); moved by orders, payments and commission' },
    },
    {
      name: 'commissionRate',
      type: 'number',
      required: true,
      defaultValue: 0,
      min: 0,
      max: 100,
      admin: { position: 'sidebar', description: 'Percent of the goods (after discount) earned on each delivered order' },
    },
    { name: 'users', label: 'Logins', type: 'join', collection: 'users', on: 'reseller', admin: { defaultColumns: ['email', 'name'] } },
    { name: 'clients', type: 'join', collection: 'reseller-clients', on: 'reseller', admin: { defaultColumns: ['name', 'email', 'planType', 'status'] } },
    { name: 'orders', type: 'join', collection: 'orders', on: 'reseller', defaultSort: '-createdAt', admin: { defaultColumns: ['orderNumber', 'status', 'paymentStatus', 'total', 'createdAt'] } },
    { name: 'transactions', type: 'join', collection: 'transactions', on: 'reseller', defaultSort: '-createdAt', admin: { defaultColumns: ['transactionId', 'type', 'amount', 'status', 'createdAt'] } },
  ],
  timestamps: true,
}
