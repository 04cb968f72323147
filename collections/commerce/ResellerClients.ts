import type { CollectionConfig } from 'payload'
import { forceOwnReseller } from '../../hooks/forceOwnReseller'
import { refuseDeletingWithHistory } from '../../hooks/refuseDeletingWithHistory'
import { adminOrOwnReseller } from '../access/adminOrOwnReseller'
import { isAdmin } from '../access/isAdmin'
import { resellerOf } from '../access/resellerUser'
import { staffOrOwnReseller } from '../access/staffOrOwnReseller'
import { moneyField } from '../fields/money'

export const CLIENT_STATUSES = ['active', 'inactive', 'suspended'] as const

/**
 * A reseller's customers (SPEC §2). `currentUsage` is this month's confirmed
 * order value, kept by the order service and checked against `monthlyLimit`.
 */
export const ResellerClients: CollectionConfig = {
  slug: 'reseller-clients',
  admin: {
    useAsTitle: 'name',
    group: 'Resellers',
    defaultColumns: ['name', 'reseller', 'email', 'planType', 'status', 'currentUsage'],
    listSearchableFields: ['name', 'email', 'phone'],
  },
  lockDocuments: false,
  access: {
    read: staffOrOwnReseller(),
    create: (args) => isAdmin(args) || resellerOf(args) !== null,
    update: adminOrOwnReseller,
    delete: adminOrOwnReseller,
  },
  hooks: {
    beforeChange: [forceOwnReseller],
    beforeDelete: [refuseDeletingWithHistory([{ table: 'orders', column: 'reseller_client_id' }], 'This client has orders; mark it inactive instead.')],
  },
  fields: [
    { name: 'reseller', type: 'relationship', relationTo: 'resellers', required: true, index: true, admin: { description: 'A reseller login always files clients under its own reseller' } },
    { name: 'name', type: 'text', required: true, maxLength: 200 },
    { name: 'email', type: 'email', index: true },
    { name: 'phone', type: 'text', maxLength: 40 },
    { name: 'planType', type: 'text', maxLength: 60, index: true },
    { name: 'status', type: 'select', required: true, options: [...CLIENT_STATUSES], defaultValue: 'active', index: true },
    { ...moneyField('monthlyLimit', { description: 'Most this client may order per calendar month (minor units); empty: no limit' }) },
    {
      ...moneyField('currentUsage', { computed: true }),
      admin: { readOnly: true, step: 1, description: "This month's confirmed orders (minor units), kept by the order service" },
    },
  ],
  timestamps: true,
}
