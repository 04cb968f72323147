import type { CollectionConfig } from 'payload'
import { hasRole } from '../access/hasRole'
import { nobody } from '../access/nobody'

export const STOCK_REASONS = ['initial', 'restock', 'adjustment', 'order', 'cancel', 'import'] as const

/** Every change to a product's stock: who, why, which order, and the stock after it. Append-only. */
export const StockMovements: CollectionConfig = {
  slug: 'stock-movements',
  admin: {
    group: 'Catalogue',
    description: 'Every stock change: who, why and which order. Append-only.',
    defaultColumns: ['createdAt', 'product', 'delta', 'stockAfter', 'reason', 'orderRef', 'createdBy'],
    listSearchableFields: ['orderRef', 'note'],
  },
  defaultSort: '-createdAt',
  access: { read: hasRole('super-admin', 'admin', 'moderator', 'support'), create: nobody, update: nobody, delete: nobody },
  fields: [
    { name: 'product', type: 'relationship', relationTo: 'products', required: true, index: true },
    { name: 'delta', type: 'number', required: true },
    { name: 'stockAfter', type: 'number', required: true },
    { name: 'reason', type: 'select', options: [...STOCK_REASONS], required: true, index: true },
    { name: 'note', type: 'text', maxLength: 500 },
    { name: 'orderRef', type: 'text', index: true, admin: { description: 'Order number, when an order moved the stock' } },
    { name: 'createdBy', type: 'relationship', relationTo: 'users' },
  ],
  timestamps: true,
}
