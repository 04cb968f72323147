import type { CollectionConfig } from 'payload'
import { refundTransaction } from '../../endpoints/commerce/refundTransaction'
import { isAdmin } from '../access/isAdmin'
import { nobody } from '../access/nobody'
import { orderReaders } from '../access/orderReaders'
import { moneyField } from '../fields/money'

export const TRANSACTION_TYPES = ['payment', 'refund', 'commission', 'credit'] as const
export const TRANSACTION_STATUSES = ['pending', 'completed', 'failed', 'cancelled'] as const
export const PAYMENT_METHODS = ['card', 'bank_transfer', 'cash', 'credit', 'other'] as const

/**
 * The money ledger (SPEC §2 Money): payments, refunds, commission and credit,
 * in integer minor units. Written only by the payment and order services;
 * append-only in the database too (a trigger refuses deletes and any change
 * but the system's status moves).
 */
export const Transactions: CollectionConfig = {
  slug: 'transactions',
  admin: {
    useAsTitle: 'transactionId',
    group: 'Money',
    defaultColumns: ['transactionId', 'type', 'amount', 'status', 'gateway', 'order', 'reseller', 'createdAt'],
    listSearchableFields: ['transactionId', 'gatewayTransactionId'],
  },
  defaultSort: '-createdAt',
  lockDocuments: false,
  access: { read: orderReaders(), create: nobody, update: nobody, delete: nobody },
  endpoints: [refundTransaction],
  // A reseller's or an order's transactions, newest first.
  indexes: [{ fields: ['reseller', 'createdAt'] }, { fields: ['order', 'createdAt'] }],
  fields: [
    { name: 'transactionId', type: 'text', required: true, unique: true, index: true },
    { name: 'type', type: 'select', options: [...TRANSACTION_TYPES], required: true, index: true },
    { name: 'status', type: 'select', options: [...TRANSACTION_STATUSES], required: true, defaultValue: 'pending', index: true },
    { name: 'order', type: 'relationship', relationTo: 'orders', index: true },
    { name: 'member', type: 'relationship', relationTo: 'members', index: true },
    { name: 'reseller', type: 'relationship', relationTo: 'resellers', index: true },
    moneyField('amount', { required: true, description: 'Minor units (cents), always positive; the type says which way it goes' }),
    { name: 'currency', type: 'text', required: true, maxLength: 3 },
    { name: 'method', type: 'select', options: [...PAYMENT_METHODS] },
    { name: 'gateway', type: 'select', options: ['stripe', 'manual'], required: true, defaultValue: 'manual', index: true },
    { name: 'gatewayTransactionId', type: 'text', unique: true, index: true, admin: { description: 'Stripe PaymentIntent or refund id' } },
    { name: 'gatewayResponse', type: 'json', access: { read: isAdmin } },
    { name: 'refundOf', type: 'relationship', relationTo: 'transactions', index: true },
    { name: 'refunds', type: 'join', collection: 'transactions', on: 'refundOf' },
    { name: 'reason', type: 'text', maxLength: 500 },
    { name: 'processedAt', type: 'date', index: true },
    { name: 'createdBy', type: 'relationship', relationTo: 'users' },
  ],
  timestamps: true,
}
