import type { CollectionConfig } from 'payload'
import { ORDER_SOURCES, ORDER_STATUSES, PAYMENT_STATUSES } from '../../src/domain/orders'
import { orderCheckout } from '../../endpoints/commerce/orderCheckout'
import { orderStats } from '../../endpoints/commerce/orderStats'
import { recordPayment } from '../../endpoints/commerce/recordPayment'
import { transitionOrder } from '../../endpoints/commerce/transitionOrder'
import { recordNewOrder } from '../../hooks/recordNewOrder'
import { forceOwnReseller } from '../../hooks/forceOwnReseller'
import { priceNewOrder } from '../../hooks/priceNewOrder'
import { hasRole } from '../access/hasRole'
import { isAdmin } from '../access/isAdmin'
import { nobody } from '../access/nobody'
import { orderReaders } from '../access/orderReaders'
import { resellerOf } from '../access/resellerUser'
import type { AccessArgs } from '../access/types'
import { moneyField } from '../fields/money'


/** Who may create orders through the API: admins, and reseller logins for their own clients. Members check out a cart. */
const orderCreators = (args: AccessArgs) => isAdmin(args) || resellerOf(args) !== null
/** Order handling (assignee, courier, notes): admins and moderators. */
const orderHandlers = hasRole('super-admin', 'admin', 'moderator')
const computed = { create: () => false, update: () => false }
const createOnly = { update: () => false }
const dateField = (name: string) => ({ name, type: 'date' as const, access: computed, admin: { readOnly: true, position: 'sidebar' as const, date: { pickerAppearance: 'dayAndTime' as const } } })

/**
 * Orders (SPEC §2). Lines, prices and totals are computed on the server from
 * the products and settings when the order is created; input for them is
 * dropped. Status and payment move only through the order and payment
 * services (`POST /api/orders/:id/transition`, checkout, webhooks), which
 * apply stock, credit, points, commission and refunds in one transaction; a
 * database trigger keeps those columns against any other write.
 */
export const Orders: CollectionConfig = {
  slug: 'orders',
  admin: {
    useAsTitle: 'orderNumber',
    group: 'Orders',
    defaultColumns: ['orderNumber', 'status', 'paymentStatus', 'source', 'member', 'reseller', 'total', 'createdAt'],
    listSearchableFields: ['orderNumber', 'trackingNumber'],
  },
  defaultSort: '-createdAt',
  // A storefront-hot collection: Payload's document lock check would take a second pool connection per update.
  lockDocuments: false,
  access: { read: orderReaders(), create: orderCreators, update: orderHandlers, delete: nobody },
  endpoints: [transitionOrder, orderCheckout, recordPayment, orderStats],
  hooks: {
    beforeChange: [forceOwnReseller, priceNewOrder],
    afterChange: [recordNewOrder],
  },
  // List pages filter by member, reseller or status and sort newest first.
  indexes: [{ fields: ['member', 'createdAt'] }, { fields: ['reseller', 'createdAt'] }, { fields: ['status', 'createdAt'] }],
  fields: [
    { name: 'orderNumber', type: 'text', unique: true, index: true, access: computed, admin: { readOnly: true, description: 'Generated' } },
    { name: 'source', type: 'select', options: [...ORDER_SOURCES], index: true, access: computed, admin: { readOnly: true, position: 'sidebar' } },
    {
      name: 'status',
      type: 'select',
      options: [...ORDER_STATUSES],
      defaultValue: 'pending',
      required: true,
      index: true,
      access: computed,
      admin: { readOnly: true, position: 'sidebar', description: 'Moves only through the transition buttons below (or the API)' },
    },
    {
      name: 'transitions',
      type: 'ui',
      admin: { position: 'sidebar', components: { Field: '/src/admin/OrderTransitions#OrderTransitions' } },
    },
    { name: 'paymentStatus', type: 'select', options: [...PAYMENT_STATUSES], defaultValue: 'pending', required: true, index: true, access: computed, admin: { readOnly: true, position: 'sidebar' } },
    { name: 'member', type: 'relationship', relationTo: 'members', index: true, access: createOnly, admin: { description: 'Earns the points on delivery' } },
    { name: 'reseller', type: 'relationship', relationTo: 'resellers', index: true, access: createOnly },
    { name: 'resellerClient', type: 'relationship', relationTo: 'reseller-clients', index: true, access: createOnly },
    {
      name: 'items',
      type: 'array',
      required: true,
      minRows: 1,
      maxRows: 100,
      access: createOnly,
      admin: { description: 'Title, SKU and price are copied from the product when the order is placed' },
      fields: [
        {
          type: 'row',
          fields: [
            { name: 'product', type: 'relationship', relationTo: 'products', required: true, index: true },
            { name: 'quantity', type: 'number', required: true, min: 1, max: 10_000, admin: { step: 1 } },
          ],
        },
        {
          type: 'row',
          fields: [
            { name: 'title', type: 'text', access: computed, admin: { readOnly: true } },
            { name: 'sku', type: 'text', access: computed, admin: { readOnly: true } },
            { ...moneyField('unitPrice', { computed: true }) },
            { ...moneyField('lineTotal', { computed: true }) },
          ],
        },
      ],
    },
    {
      name: 'redemption',
      type: 'relationship',
      relationTo: 'redemptions',
      unique: true,
      access: createOnly,
      admin: { description: "A member's pending voucher redemption, applied as a discount (and marked used)" },
    },
    {
      type: 'collapsible',
      label: 'Totals',
      fields: [
        {
          type: 'row',
          fields: [
            moneyField('subtotal', { computed: true }),
            moneyField('discountTotal', { computed: true }),
            moneyField('deliveryFee', { computed: true }),
            moneyField('serviceCharge', { computed: true }),
            moneyField('taxAmount', { computed: true }),
            moneyField('total', { computed: true }),
          ],
        },
        {
          type: 'row',
          fields: [
            { name: 'currency', type: 'text', access: computed, admin: { readOnly: true } },
            moneyField('amountPaid', { computed: true }),
            moneyField('amountRefunded', { computed: true }),
            moneyField('commissionAmount', { computed: true, description: "Reseller's commission, set on delivery" }),
          ],
        },
      ],
    },
    {
      name: 'deliveryAddress',
      type: 'group',
      fields: [
        {
          type: 'row',
          fields: [
            { name: 'name', type: 'text', maxLength: 120 },
            { name: 'phone', type: 'text', maxLength: 40 },
          ],
        },
        { name: 'line1', type: 'text', maxLength: 200 },
        { name: 'line2', type: 'text', maxLength: 200 },
        {
          type: 'row',
          fields: [
            { name: 'city', type: 'text', maxLength: 100 },
            { name: 'postalCode', type: 'text', maxLength: 20 },
            { name: 'country', type: 'text', maxLength: 2, admin: { description: 'ISO 3166 alpha-2' } },
          ],
        },
      ],
    },
    { name: 'assignee', label: 'Courier / assignee', type: 'relationship', relationTo: 'users', index: true, admin: { position: 'sidebar' } },
    { name: 'courier', type: 'text', maxLength: 100, admin: { position: 'sidebar' } },
    { name: 'trackingNumber', type: 'text', maxLength: 100, index: true, admin: { position: 'sidebar', description: 'Required to dispatch' } },
    { name: 'customerNote', type: 'textarea', maxLength: 1000, access: createOnly },
    { name: 'notes', label: 'Staff notes', type: 'textarea', maxLength: 4000, access: { read: hasRole('super-admin', 'admin', 'moderator', 'support') } },
    dateField('confirmedAt'),
    dateField('dispatchedAt'),
    dateField('deliveredAt'),
    dateField('completedAt'),
    dateField('cancelledAt'),
    { name: 'statusHistory', type: 'join', collection: 'order-status-changes', on: 'order', defaultSort: 'createdAt', admin: { defaultColumns: ['from', 'to', 'createdAt', 'by', 'note'] } },
    { name: 'transactions', type: 'join', collection: 'transactions', on: 'order', defaultSort: 'createdAt', admin: { defaultColumns: ['transactionId', 'type', 'amount', 'status', 'gateway'] } },
  ],
  timestamps: true,
}
