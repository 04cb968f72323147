import type { CollectionConfig } from 'payload'
import { ORDER_STATUSES } from '../../src/domain/orders'
import { nobody } from '../access/nobody'
import { orderReaders } from '../access/orderReaders'

/**
 * An order's status history: who moved it, when, from, to, and why. Written
 * only by the order service, in the transaction of the move; append-only.
 */
export const OrderStatusChanges: CollectionConfig = {
  slug: 'order-status-changes',
  labels: { singular: 'Order status change', plural: 'Order history' },
  admin: { group: 'Orders', defaultColumns: ['order', 'from', 'to', 'createdAt', 'by', 'note'] },
  defaultSort: '-createdAt',
  access: { read: orderReaders('order.'), create: nobody, update: nobody, delete: nobody },
  fields: [
    { name: 'order', type: 'relationship', relationTo: 'orders', required: true, index: true },
    { name: 'from', type: 'select', options: [...ORDER_STATUSES], enumName: 'enum_order_status_from' },
    { name: 'to', type: 'select', options: [...ORDER_STATUSES], enumName: 'enum_order_status_to', required: true },
    { name: 'by', type: 'relationship', relationTo: 'users', admin: { description: 'Staff account (empty: the member, or the system)' } },
    { name: 'byMember', type: 'relationship', relationTo: 'members' },
    { name: 'note', type: 'text', maxLength: 1000 },
  ],
  timestamps: true,
}
