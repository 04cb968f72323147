import type { CollectionConfig } from 'payload'
import { hasRole } from '../access/hasRole'
import { nobody } from '../access/nobody'

/**
 * One alert per crossing of a product's reorder threshold (not one per order):
 * opened when stock falls to or below it, resolved when stock rises above it.
 * The database allows one open alert per product. The list is the admin
 * panel's low-stock list: open alerts first (the enum orders open before
 * resolved), newest first within each.
 */
export const LowStockAlerts: CollectionConfig = {
  slug: 'low-stock-alerts',
  admin: {
    group: 'Catalogue',
    description: 'Products at or below their reorder threshold: one alert per crossing, resolved when stock rises above it. Admins are e-mailed once per alert.',
    defaultColumns: ['product', 'status', 'stockAtAlert', 'threshold', 'createdAt', 'notifiedAt', 'resolvedAt'],
  },
  defaultSort: ['status', '-createdAt'],
  access: { read: hasRole('super-admin', 'admin', 'moderator', 'support'), create: nobody, update: nobody, delete: nobody },
  fields: [
    { name: 'product', type: 'relationship', relationTo: 'products', required: true, index: true },
    { name: 'stockAtAlert', type: 'number', required: true },
    { name: 'threshold', type: 'number', required: true },
    { name: 'status', type: 'select', options: ['open', 'resolved'], required: true, defaultValue: 'open', index: true },
    { name: 'resolvedAt', type: 'date' },
    { name: 'notifiedAt', type: 'date', admin: { description: 'When the admins were e-mailed' } },
  ],
  timestamps: true,
}
